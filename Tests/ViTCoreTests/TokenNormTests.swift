import XCTest
@testable import ViTCore

final class TokenNormTests: XCTestCase {
    private func batchNorm() -> TokenNorm {
        .batch(BatchNorm(gamma: Parameter(name: "g", value: Tensor(repeating: 1, shape: [2]), decays: false),
                         beta: Parameter(name: "b", value: Tensor(zeros: [2]), decays: false),
                         runningMean: Parameter(name: "m", value: Tensor(zeros: [2]), decays: false),
                         runningVariance: Parameter(name: "v", value: Tensor(repeating: 1, shape: [2]), decays: false)))
    }

    func testBatchNormUsesBatchStatisticsExactlyWhenTheForwardKeepsItsCache() {
        let norm = batchNorm()
        let x = Tensor(shape: [1, 2, 2], data: [1, 2, 3, 6])
        let (inference, noCache) = norm.forward(x, keepCache: false)
        XCTAssertNil(noCache)
        for (a, b) in zip(inference.data, x.data) { XCTAssertEqual(a, b, accuracy: 1e-4) }  // mean 0, variance 1
        let (training, cache) = norm.forward(x, keepCache: true)
        for (a, b) in zip(training.data, [-1, -1, 1, 1] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        norm.updateRunningStatistics(cache!)
        XCTAssertEqual(norm.batchNorm!.runningMean.value.data, [0.2, 0.4])
    }

    func testLayerNormHasNoRunningStatistics() {
        let norm = TokenNorm.layer(LayerNorm(gamma: Parameter(name: "g", value: Tensor(repeating: 1, shape: [2]), decays: false),
                                             beta: Parameter(name: "b", value: Tensor(zeros: [2]), decays: false)))
        let (_, cache) = norm.forward(Tensor(shape: [1, 2], data: [1, 2]), keepCache: true)
        norm.updateRunningStatistics(cache!)
        XCTAssertNil(norm.batchNorm)
    }
}
