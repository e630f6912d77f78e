import XCTest
@testable import ViTCore

final class SequencePoolingTests: XCTestCase {
    private func makeLayer(width: Int) -> SequencePooling {
        SequencePooling(score: Linear(weight: makeParameter("attention_pool.weight", [1, width], seed: 1),
                                      bias: makeParameter("attention_pool.bias", [1], seed: 2)))
    }

    func testPoolsWithTheSoftmaxOfTheTokenScores() {
        let layer = makeLayer(width: 4)
        let x = randomTensor([2, 3, 4], seed: 3)
        let (pooled, cache) = layer.forward(x, keepCache: false)
        XCTAssertNil(cache)
        XCTAssertEqual(pooled.shape, [2, 4])
        let w = layer.score.weight.value.data, bias = Double(layer.score.bias!.value.data[0])
        var worst = 0.0
        for b in 0..<2 {
            let scores = (0..<3).map { n in (0..<4).reduce(bias) { $0 + Double(w[$1]) * Double(x.data[(b * 3 + n) * 4 + $1]) } }
            let exps = scores.map { exp($0) }, total = exps.reduce(0, +)
            for d in 0..<4 {
                let expected = (0..<3).reduce(0.0) { $0 + exps[$1] / total * Double(x.data[(b * 3 + $1) * 4 + d]) }
                worst = max(worst, abs(expected - Double(pooled.data[b * 4 + d])))
            }
        }
        XCTAssertLessThan(worst, 1e-5)
    }

    func testGradientsMatchFiniteDifferences() {
        let layer = makeLayer(width: 5)
        var x = randomTensor([2, 4, 5], seed: 4)
        let probe = randomTensor([2, 5], seed: 5)
        let (_, cache) = layer.forward(x, keepCache: true)
        let dx = layer.backward(probe, cache: cache!)
        let loss = { probeLoss(layer.forward(x, keepCache: false).0, probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, samples: 40)
        assertParameterGradients([layer.score.weight, layer.score.bias!], loss: loss)
    }
}
