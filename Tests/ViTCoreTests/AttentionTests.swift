import XCTest
@testable import ViTCore

final class AttentionTests: XCTestCase {
    private func makeAttention(width: Int, heads: Int) -> Attention {
        Attention(qkv: Linear(weight: makeParameter("qkv.weight", [3 * width, width], seed: 1),
                              bias: makeParameter("qkv.bias", [3 * width], seed: 2)),
                  proj: Linear(weight: makeParameter("proj.weight", [width, width], seed: 3),
                               bias: makeParameter("proj.bias", [width], seed: 4)),
                  heads: heads, headWidth: width / heads)
    }

    func testGradientsMatchFiniteDifferences() {
        let attention = makeAttention(width: 8, heads: 2)
        var x = randomTensor([2, 5, 8], seed: 7)
        let probe = randomTensor([2, 5, 8], seed: 8)
        let (_, cache) = attention.forward(x, precision: .f32, keepCache: true)
        let dx = attention.backward(probe, cache: cache!, precision: .f32)
        let loss = { probeLoss(attention.forward(x, precision: .f32, keepCache: false).0, probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, epsilon: 1e-3)
        assertParameterGradients([attention.qkv.weight, attention.qkv.bias!, attention.proj.weight, attention.proj.bias!],
                                 loss: loss)
    }

    func testGradientsMatchFiniteDifferencesWithFewerHeadsThanTheWidthHolds() {
        // Structured pruning keeps 1 of 2 heads of width 4 in a width-8 model: E = 4.
        let attention = Attention(qkv: Linear(weight: makeParameter("qkv.weight", [12, 8], seed: 1),
                                              bias: makeParameter("qkv.bias", [12], seed: 2)),
                                  proj: Linear(weight: makeParameter("proj.weight", [8, 4], seed: 3),
                                               bias: makeParameter("proj.bias", [8], seed: 4)),
                                  heads: 1, headWidth: 4)
        var x = randomTensor([2, 5, 8], seed: 7)
        let probe = randomTensor([2, 5, 8], seed: 8)
        let (_, cache) = attention.forward(x, precision: .f32, keepCache: true)
        let dx = attention.backward(probe, cache: cache!, precision: .f32)
        let loss = { probeLoss(attention.forward(x, precision: .f32, keepCache: false).0, probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, epsilon: 1e-3)
        assertParameterGradients([attention.qkv.weight, attention.proj.weight], loss: loss)
    }

    func testEachTokenAttendsOnlyWithinItsOwnImage() {
        let attention = makeAttention(width: 8, heads: 4)
        var x = randomTensor([2, 3, 8], seed: 9)
        let before = attention.forward(x, precision: .f32, keepCache: false).0
        for i in 24..<48 { x.data[i] += 1 }  // change image 1 only
        let after = attention.forward(x, precision: .f32, keepCache: false).0
        XCTAssertEqual(Array(before.data[0..<24]), Array(after.data[0..<24]))
    }
}
