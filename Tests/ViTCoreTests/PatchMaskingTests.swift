import XCTest
@testable import ViTCore

final class PatchMaskingTests: XCTestCase {
    func testEveryImageHasTheSameNumberOfMaskedPatches() {
        var generator = SeededGenerator(seed: 1)
        let masking = PatchMasking.random(token: makeParameter("t", [1, 1, 4], seed: 2), batch: 5, patches: 64,
                                          ratio: 0.75, generator: &generator)
        for b in 0..<5 { XCTAssertEqual(masking.masked[b * 64 ..< (b + 1) * 64].filter { $0 }.count, 48) }
        XCTAssertNotEqual(masking.masked[0..<64], masking.masked[64..<128])
    }

    func testAtLeastOnePatchIsMaskedAndOneVisible() {
        XCTAssertEqual(PatchMasking.maskedCount(patches: 16, ratio: 0.01), 1)
        XCTAssertEqual(PatchMasking.maskedCount(patches: 16, ratio: 0.99), 15)
        XCTAssertEqual(PatchMasking.maskedCount(patches: 16, ratio: 0.5), 8)
    }

    func testMaskedPatchesBecomeTheToken() {
        let token = Parameter(name: "t", value: Tensor(shape: [1, 1, 2], data: [7, 8]), decays: false)
        let masking = PatchMasking(token: token, masked: [false, true, true, false])
        let y = masking.forward(Tensor(shape: [2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8].map { -$0 }))
        XCTAssertEqual(y.data, [-1, -2, 7, 8, 7, 8, -7, -8])
    }

    func testGradientsMatchFiniteDifferences() {
        let token = makeParameter("mask_token", [1, 1, 3], seed: 3)
        var generator = SeededGenerator(seed: 4)
        let masking = PatchMasking.random(token: token, batch: 2, patches: 4, ratio: 0.5, generator: &generator)
        var x = randomTensor([2, 4, 3], seed: 5)
        let probe = randomTensor([2, 4, 3], seed: 6)
        let dx = masking.backward(probe)
        let loss = { probeLoss(masking.forward(x), probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss)
        assertParameterGradients([token], loss: loss)
    }
}
