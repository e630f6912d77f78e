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

    func testBFloat16ForwardAndBackwardStayWithinRoundingOfFloat32() throws {
        try XCTSkipUnless(CPUCapabilities.current.nativeBFloat16, "no native bf16 here (\(CPUCapabilities.current.isa))")
        // Head width 16 and 12 tokens, so that the bf16 path's dense head-major products run for real;
        // weights small enough that the softmax is not saturated (a near one-hot softmax turns the
        // scores' rounding into large changes of P, in any precision's comparison).
        let width = 32
        let attention = Attention(qkv: Linear(weight: makeParameter("qkv.weight", [3 * width, width], seed: 1, scale: 0.2),
                                              bias: makeParameter("qkv.bias", [3 * width], seed: 2, scale: 0.2)),
                                  proj: Linear(weight: makeParameter("proj.weight", [width, width], seed: 3, scale: 0.2),
                                               bias: makeParameter("proj.bias", [width], seed: 4, scale: 0.2)),
                                  heads: 2, headWidth: 16)
        let x = randomTensor([2, 12, 32], seed: 7), probe = randomTensor([2, 12, 32], seed: 8)
        func run(_ precision: Precision) -> (y: Tensor, dx: Tensor, gradients: [[Float]]) {
            let parameters = [attention.qkv.weight, attention.qkv.bias!, attention.proj.weight, attention.proj.bias!]
            for parameter in parameters { parameter.gradient.fill(0) }
            let (y, cache) = attention.forward(x, precision: precision, keepCache: true)
            let dx = attention.backward(probe, cache: cache!, precision: precision)
            return (y, dx, parameters.map { $0.gradient.data })
        }
        let (full, half) = (run(.f32), run(.bf16))
        func worstRelative(_ a: [Float], _ b: [Float]) -> Float {
            let scale = a.map(abs).max()!
            return zip(a, b).map { abs($0 - $1) }.max()! / scale
        }
        let errors = [worstRelative(full.y.data, half.y.data), worstRelative(full.dx.data, half.dx.data)]
            + zip(full.gradients, half.gradients).map { worstRelative($0, $1) }
        print("\(errors.max()! < 0.02 ? "OK" : "NOT OK") bf16 attention against f32: largest relative differences \(errors)")
        // bf16 keeps 8 significant bits (relative 2^-9 per input); a few products in a row stay near 1%.
        for error in errors { XCTAssertLessThan(error, 0.02) }
    }
}
