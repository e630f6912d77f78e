import XCTest
@testable import ViTCore

final class SparsityTests: XCTestCase {
    private func tinyModel() throws -> VisionTransformer {
        try VisionTransformer(config: tinyModelConfig(), seed: 2)
    }

    func testADenseModelIsMeasuredOverTheDefaultMatricesInOneLine() throws {
        let report = SparsityReport(model: try tinyModel())
        XCTAssertFalse(report.masked)
        XCTAssertEqual(report.layers.map(\.name), (0..<2).flatMap { i in
            ["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"].map { "blocks.\(i).\($0).weight" }
        })
        XCTAssertEqual(report.total, 0)
        XCTAssertEqual(report.description,
                       "sparsity: 0.00% zeros over the 8 qkv/proj/fc1/fc2 matrices (0 of 896 weights)")
    }

    func testAPrunedModelIsMeasuredOverItsMaskedMatricesLayerByLayer() throws {
        let model = try tinyModel()
        let targets = MagnitudePruning.targets(in: model, layers: [.fc1, .head])
        MagnitudePruning.prune(targets, sparsity: 0.25, scope: .layer)
        let report = SparsityReport(model: model)
        XCTAssertTrue(report.masked)
        XCTAssertEqual(report.layers.map(\.name), ["blocks.0.mlp.fc1.weight", "blocks.1.mlp.fc1.weight", "head.weight"])
        XCTAssertEqual(report.layers.map(\.zeros), [24, 24, 6])
        XCTAssertEqual(report.total, 54.0 / 216.0, accuracy: 1e-12)
        XCTAssertEqual(report.layerFractions["head.weight"]!, 0.25, accuracy: 1e-12)
        let lines = report.description.split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0], "sparsity: 25.00% zeros over 3 masked matrices (54 of 216 weights)")
        XCTAssertEqual(lines[3], "  head.weight: 25.00%")
    }

    func testZerosAreCountedInTheValuesNotTheMasks() {
        let parameter = Parameter(name: "blocks.0.mlp.fc1.weight", value: Tensor(shape: [4], data: [0, 1, 0, 2]), decays: true)
        let report = SparsityReport(parameters: [parameter])
        XCTAssertFalse(report.masked)
        XCTAssertEqual(report.total, 0.5)
    }
}
