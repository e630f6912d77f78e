import XCTest
@testable import ViTCore

final class BatchNormTests: XCTestCase {
    private func makeNorm(gamma: [Float], beta: [Float]) -> BatchNorm {
        let width = gamma.count
        return BatchNorm(gamma: Parameter(name: "g", value: Tensor(shape: [width], data: gamma), decays: false),
                         beta: Parameter(name: "b", value: Tensor(shape: [width], data: beta), decays: false),
                         runningMean: Parameter(name: "m", value: Tensor(zeros: [width]), decays: false),
                         runningVariance: Parameter(name: "v", value: Tensor(repeating: 1, shape: [width]), decays: false))
    }

    func testTrainingNormalisesEachChannelOverEveryRowWithTheBiasedVariance() {
        let norm = makeNorm(gamma: [1, 2], beta: [0, 1])
        // Rows of [B=2, N=2, D=2]: channel 0 is 1, 2, 3, 4 (mean 2.5, variance 1.25), channel 1 is constant 5.
        let x = Tensor(shape: [2, 2, 2], data: [1, 5, 2, 5, 3, 5, 4, 5])
        let (y, cache) = norm.forward(x, training: true)
        let rstd = 1 / (1.25 + 1e-5 as Float).squareRoot()
        let expected: [Float] = [-1.5 * rstd, 1, -0.5 * rstd, 1, 0.5 * rstd, 1, 1.5 * rstd, 1]
        for (a, b) in zip(y.data, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertEqual(cache!.batchMean, [2.5, 5])
        XCTAssertEqual(cache!.batchVariance[0], 1.25 * 4 / 3, accuracy: 1e-6, "running_var tracks the unbiased variance")
        XCTAssertEqual(cache!.batchVariance[1], 0)
    }

    /// The numbers from torch.nn.BatchNorm1d(4) (weight [1, 2, 0.5, -1], bias [0, 1, -1, 0.5]) on
    /// the same x reshaped to [6, 4]: one training forward, its running buffers, then eval.
    func testMatchesPyTorchBatchNorm1dInTrainingAndInEvaluation() {
        let norm = makeNorm(gamma: [1, 2, 0.5, -1], beta: [0, 1, -1, 0.5])
        let x = Tensor(shape: [2, 3, 4], data: [1, 2, 3, 4, 0.5, -1, 2, 8, 3, 0, -2, 1,
                                                2, 2, 1, 0, -1, 4, 0, 2, 0, 1, 5, -3])
        let torchTraining: [Float] = [0.06388748, 1.834056, -0.6617596, -0.0855397, -0.31943735, -1.9191962, -0.8872532,
                                      -1.2566192, 1.5971868, -0.66811216, -1.7892275, 0.7927699, 0.83053714, 1.834056,
                                      -1.1127468, 1.0855398, -1.4694118, 4.336224, -1.3382404, 0.50000006, -0.7027622,
                                      0.58297193, -0.21077248, 1.9638494]
        let torchRunningMean: [Float] = [0.09166667, 0.13333334, 0.15000001, 0.2]
        let torchRunningVariance: [Float] = [1.1041666, 1.2066667, 1.49, 2.3]
        let torchEvaluation: [Float] = [0.86442238, 4.3986096, 0.16740164, -2.0056405, 0.38859355, -1.0634418, -0.24221295,
                                        -4.6431565, 2.7677376, 0.75724214, -1.8806713, -0.027503252, 1.81608, 4.3986096,
                                        -0.65182757, 0.63187581, -1.038893, 8.039977, -1.0614421, -0.68688232,
                                        -0.087235287, 2.5779259, 0.9866308, 2.610013]
        let (y, cache) = norm.forward(x, training: true)
        norm.updateRunningStatistics(cache!)
        let evaluation = norm.forward(x, training: false).0
        let worst = [zip(y.data, torchTraining), zip(norm.runningMean.value.data, torchRunningMean),
                     zip(norm.runningVariance.value.data, torchRunningVariance), zip(evaluation.data, torchEvaluation)]
            .flatMap { pairs in pairs.map { abs($0 - $1) } }.max()!
        print("\(worst < 1e-5 ? "OK" : "NOT OK") BatchNorm against torch.nn.BatchNorm1d: largest difference \(worst)")
        XCTAssertLessThan(worst, 1e-5)
    }

    func testInferenceUsesTheRunningStatisticsAndForwardNeverWritesThem() {
        let norm = makeNorm(gamma: [2], beta: [1])
        norm.runningMean.value.data = [3]
        norm.runningVariance.value.data = [4 - 1e-5]
        let x = Tensor(shape: [3, 1], data: [3, 5, 7])
        let (y, cache) = norm.forward(x, training: false)
        XCTAssertNil(cache)
        for (a, b) in zip(y.data, [1, 3, 5] as [Float]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        _ = norm.forward(x, training: true)
        XCTAssertEqual(norm.runningMean.value.data, [3], "a forward alone leaves the buffers as they were")
        XCTAssertEqual(norm.runningVariance.value.data, [4 - 1e-5])
    }

    func testRunningStatisticsMoveATenthOfTheWayToTheBatchStatistics() {
        let norm = makeNorm(gamma: [1], beta: [0])
        norm.runningMean.value.data = [1]
        norm.runningVariance.value.data = [2]
        let (_, cache) = norm.forward(Tensor(shape: [2, 1], data: [10, 12]), training: true)  // mean 11, unbiased var 2
        norm.updateRunningStatistics(cache!)
        XCTAssertEqual(norm.runningMean.value.data[0], 0.9 * 1 + 0.1 * 11, accuracy: 1e-6)
        XCTAssertEqual(norm.runningVariance.value.data[0], 0.9 * 2 + 0.1 * 2, accuracy: 1e-6)
    }

    func testStatisticsDoNotDependOnTheThreadCount() {
        let norm = makeNorm(gamma: [Float](repeating: 1, count: 64), beta: [Float](repeating: 0, count: 64))
        let x = randomTensor([16, 40, 64], seed: 7, scale: 3)
        let (shared, sharedCache) = norm.forward(x, training: true)
        let (single, singleCache) = singleThreaded { norm.forward(x, training: true) }
        XCTAssertEqual(shared, single)
        XCTAssertEqual(sharedCache!.batchMean, singleCache!.batchMean)
        XCTAssertEqual(sharedCache!.batchVariance, singleCache!.batchVariance)
    }

    func testGradientsMatchFiniteDifferences() {
        let norm = BatchNorm(gamma: makeParameter("gamma", [5], seed: 1), beta: makeParameter("beta", [5], seed: 2),
                             runningMean: makeParameter("running_mean", [5], seed: 5),
                             runningVariance: Parameter(name: "running_var", value: Tensor(repeating: 1, shape: [5]), decays: false))
        var x = randomTensor([2, 3, 5], seed: 3)
        let probe = randomTensor([2, 3, 5], seed: 4)
        let (_, cache) = norm.forward(x, training: true)
        let dx = norm.backward(probe, cache: cache!)
        let loss = { probeLoss(norm.forward(x, training: true).0, probe) }
        assertGradient("dx", analytic: dx.data, perturb: { x.data[$0] += $1 }, loss: loss, samples: 30, epsilon: 1e-3)
        assertParameterGradients([norm.gamma, norm.beta], loss: loss)
    }
}
