import XCTest
@testable import ViTCore

final class WeightAverageTests: XCTestCase {
    func testTheAverageMatchesHandComputedValuesOverThreeSteps() {
        let parameter = Parameter(name: "w", value: Tensor(shape: [2], data: [1, -2]), decays: true)
        let average = WeightAverage(parameters: [parameter], decay: 0.5)
        // ema starts at w = (1, -2); weights then become (3, 0), (3, 4), (-1, 4):
        // (2, -1), (2.5, 1.5), (0.75, 2.75).
        let expected: [[Float]] = [[2, -1], [2.5, 1.5], [0.75, 2.75]]
        for (weights, after) in zip([[3, 0], [3, 4], [-1, 4]] as [[Float]], expected) {
            parameter.value = Tensor(shape: [2], data: weights)
            average.update([parameter])
            XCTAssertEqual(average.values["w"]!.data, after)
        }
        XCTAssertEqual(average.updates, 3)
    }

    func testSwappingInAndBackRestoresTheRawWeightsExactly() throws {
        let model = try VisionTransformer(config: tinyModelConfig(), seed: 1)
        let average = WeightAverage(parameters: model.parameters, decay: 0.9)
        var generator = SeededGenerator(seed: 2)
        for parameter in model.parameters {
            for i in 0..<parameter.count { parameter.value.data[i] += generator.nextNormal() * 0.1 }
        }
        average.update(model.parameters)
        let raw = model.parameters.map(\.value), averaged = model.parameters.map { average.values[$0.name]! }
        let seen = average.withAverage(model.parameters) { model.parameters.map(\.value) }
        XCTAssertEqual(seen, averaged)
        XCTAssertEqual(model.parameters.map(\.value), raw)
        XCTAssertEqual(model.parameters.map { average.values[$0.name]! }, averaged)
        XCTAssertFalse(average.isSwappedIn)
        average.swap(model.parameters)
        XCTAssertTrue(average.isSwappedIn)
        XCTAssertEqual(model.parameters.map(\.value), averaged)
        average.swap(model.parameters)
        XCTAssertEqual(model.parameters.map(\.value), raw)
    }

    func testPrunedWeightsStayZeroInTheAverageEvenWhenPrunedLater() {
        let parameter = Parameter(name: "w", value: Tensor(shape: [3], data: [1, 2, 3]), decays: true)
        let average = WeightAverage(parameters: [parameter], decay: 0.9)
        average.update([parameter])
        parameter.mask = Tensor(shape: [3], data: [1, 0, 1])
        parameter.value.data[1] = 0
        average.update([parameter])
        XCTAssertEqual(average.values["w"]!.data, [1, 0, 3])
    }

    func testARestoredAverageMustCoverEveryParameterWithItsShape() throws {
        let parameter = Parameter(name: "w", value: Tensor(zeros: [2]), decays: true)
        let average = WeightAverage(parameters: [parameter], decay: 0.9)
        XCTAssertThrowsError(try average.restore(values: ["v": Tensor(zeros: [2])], updates: 4, parameters: [parameter])) {
            XCTAssertEqual("\($0)", #"EMA weights: missing ["w"], unexpected ["v"]"#)
        }
        XCTAssertThrowsError(try average.restore(values: ["w": Tensor(zeros: [3])], updates: 4, parameters: [parameter])) {
            XCTAssertEqual("\($0)", "EMA weights: w has shape [3], expected [2]")
        }
        try average.restore(values: ["w": Tensor(shape: [2], data: [5, 6])], updates: 4, parameters: [parameter])
        XCTAssertEqual(average.updates, 4)
        XCTAssertEqual(average.values["w"]!.data, [5, 6])
    }
}
