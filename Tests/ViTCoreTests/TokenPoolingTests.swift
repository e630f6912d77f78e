import XCTest
@testable import ViTCore

final class TokenPoolingTests: XCTestCase {
    private func pooling(_ kind: ModelConfig.Pool, prefix: Int) -> TokenPooling {
        let sequence = kind == .seq
            ? SequencePooling(score: Linear(weight: makeParameter("attention_pool.weight", [1, 3], seed: 1),
                                            bias: makeParameter("attention_pool.bias", [1], seed: 2)))
            : nil
        return TokenPooling(kind: kind, prefixTokens: prefix, sequence: sequence)
    }

    func testClassPoolingReadsTokenZeroAndMeanPoolingSkipsThePrefix() {
        let x = Tensor(shape: [1, 3, 3], data: [1, 2, 3, 4, 5, 6, 8, 9, 10])
        XCTAssertEqual(pooling(.cls, prefix: 1).forward(x, keepCache: false).0.data, [1, 2, 3])
        XCTAssertEqual(pooling(.mean, prefix: 1).forward(x, keepCache: false).0.data, [6, 7, 8])
        XCTAssertEqual(pooling(.mean, prefix: 0).forward(x, keepCache: false).0.data, [13 / 3, 16 / 3, 19 / 3])
    }

    func testGradientsMatchFiniteDifferencesAndSkipThePrefix() {
        for (kind, prefix) in [(ModelConfig.Pool.cls, 1), (.mean, 1), (.seq, 0), (.seq, 1)] {
            let layer = pooling(kind, prefix: prefix)
            var x = randomTensor([2, 4, 3], seed: 3)
            let probe = randomTensor([2, 3], seed: 4)
            let (_, cache) = layer.forward(x, keepCache: true)
            let dx = layer.backward(probe, cache: cache, tokens: 4)
            XCTAssertEqual(dx.shape, [2, 4, 3])
            if kind != .cls && prefix == 1 { XCTAssertEqual(Array(dx.data[0..<3]), [0, 0, 0], "\(kind)") }
            assertGradient("\(kind) prefix \(prefix) dx", analytic: dx.data, perturb: { x.data[$0] += $1 },
                           loss: { probeLoss(layer.forward(x, keepCache: false).0, probe) })
        }
    }
}
