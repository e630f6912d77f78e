import XCTest
@testable import ViTCore

final class StructuredPruningTests: XCTestCase {
    /// dim 8 with 4 heads of width 2, 2 blocks, MLP 6; weights larger than timm's init so every
    /// head and neuron matters to the output.
    private func tinyModel(pool: ModelConfig.Pool = .cls, tokenizer: ModelConfig.Tokenizer = .patch) throws -> VisionTransformer {
        var config = tinyModelConfig(heads: 4, mlpDim: 6, pool: pool)
        config.tokenizer = tokenizer
        config.convChannels = 4
        var values: [String: Tensor] = [:]
        for (index, (name, shape)) in ParameterLayout.shapes(config).enumerated() {
            values[name] = randomTensor(shape, seed: UInt64(100 + index), scale: name.contains("norm") ? 1 : 0.4)
        }
        return try VisionTransformer(config: config, values: values)
    }

    private func copy(_ model: VisionTransformer) throws -> VisionTransformer {
        try VisionTransformer(config: model.config, values: Dictionary(uniqueKeysWithValues:
            model.parameters.map { ($0.name, $0.value) }))
    }

    private func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.data, b.data).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func testRemovingHeadsComputesWhatTheModelComputesWithThoseHeadsZeroed() throws {
        let variants = ModelConfig.Pool.allCases.map { ($0, ModelConfig.Tokenizer.patch) } + [(.seq, .conv)]
        for (pool, tokenizer) in variants {
            let model = try tinyModel(pool: pool, tokenizer: tokenizer)
            let kept = [[0, 2], [1, 2, 3]]
            let smaller = try StructuredPruning.removing(.heads, from: model, keeping: kept)
            XCTAssertEqual(smaller.config.blockHeads, [2, 3])
            XCTAssertEqual(smaller.byName["blocks.0.attn.qkv.weight"]!.shape, [12, 8])   // 3 * 2 heads * Dh 2
            XCTAssertEqual(smaller.byName["blocks.0.attn.proj.weight"]!.shape, [8, 4])
            XCTAssertEqual(smaller.byName["blocks.1.attn.qkv.bias"]!.shape, [18])

            // The reference: the original model with every weight of the removed heads set to zero.
            let zeroed = try copy(model)
            let (e, dh) = (8, 2)
            for (block, removed) in [(0, [1, 3]), (1, [0])] {
                let qkv = zeroed.byName["blocks.\(block).attn.qkv.weight"]!, bias = zeroed.byName["blocks.\(block).attn.qkv.bias"]!
                let proj = zeroed.byName["blocks.\(block).attn.proj.weight"]!
                for h in removed {
                    for part in 0..<3 {
                        for row in (part * e + h * dh)..<(part * e + (h + 1) * dh) {
                            for c in 0..<8 { qkv.value.data[row * 8 + c] = 0 }
                            bias.value.data[row] = 0
                        }
                    }
                    for r in 0..<8 { for c in (h * dh)..<((h + 1) * dh) { proj.value.data[r * e + c] = 0 } }
                }
            }
            let images = randomTensor([3, 3, 8, 8], seed: 9)
            let expected = zeroed.forward(images).logits, actual = smaller.forward(images).logits
            let difference = largestDifference(expected, actual)
            print("\(difference < 1e-5 ? "OK" : "NOT OK") heads (\(pool), \(tokenizer)): largest difference \(difference)")
            XCTAssertLessThan(difference, 1e-5)
            // ...and removing heads did change the function (the check above is not vacuous).
            XCTAssertGreaterThan(largestDifference(model.forward(images).logits, actual), 1e-3)
        }
    }

    func testRemovingNeuronsComputesWhatTheModelComputesWithThoseNeuronsZeroed() throws {
        let model = try tinyModel()
        let kept = [[1, 4], [0, 2, 3, 5]]
        let smaller = try StructuredPruning.removing(.neurons, from: model, keeping: kept)
        XCTAssertEqual(smaller.config.blockMlpDims, [2, 4])
        XCTAssertEqual(smaller.byName["blocks.0.mlp.fc1.weight"]!.shape, [2, 8])
        XCTAssertEqual(smaller.byName["blocks.1.mlp.fc2.weight"]!.shape, [8, 4])
        XCTAssertEqual(smaller.byName["blocks.0.mlp.fc1.weight"]!.value.data[0..<8],
                       model.byName["blocks.0.mlp.fc1.weight"]!.value.data[8..<16])

        let zeroed = try copy(model)
        for (block, removed) in [(0, [0, 2, 3, 5]), (1, [1, 4])] {
            let fc1 = zeroed.byName["blocks.\(block).mlp.fc1.weight"]!, bias = zeroed.byName["blocks.\(block).mlp.fc1.bias"]!
            let fc2 = zeroed.byName["blocks.\(block).mlp.fc2.weight"]!
            for j in removed {
                for c in 0..<8 { fc1.value.data[j * 8 + c] = 0 }
                bias.value.data[j] = 0
                for r in 0..<8 { fc2.value.data[r * 6 + j] = 0 }
            }
        }
        let images = randomTensor([3, 3, 8, 8], seed: 10)
        let difference = largestDifference(zeroed.forward(images).logits, smaller.forward(images).logits)
        print("\(difference < 1e-5 ? "OK" : "NOT OK") neurons: largest difference \(difference)")
        XCTAssertLessThan(difference, 1e-5)
    }

    func testBatchNormModelsKeepTheirRunningStatisticsThroughStructuredPruning() throws {
        var config = tinyModelConfig(heads: 4, mlpDim: 6, pool: .mean)
        config.norm = .batch
        var values: [String: Tensor] = [:]
        for (index, (name, shape)) in (ParameterLayout.shapes(config) + ParameterLayout.bufferShapes(config)).enumerated() {
            values[name] = randomTensor(shape, seed: UInt64(100 + index), scale: 0.4)
            if name.hasSuffix("running_var") { values[name] = Tensor(shape: shape, data: values[name]!.data.map { 1 + abs($0) }) }
        }
        let model = try VisionTransformer(config: config, values: values)
        for structure in [StructuredUnit.heads, .neurons] {
            let smaller = try StructuredPruning.removing(structure, from: model, keeping: [[0, 2], [1, 2, 3]])
            XCTAssertEqual(smaller.buffers.map(\.value), model.buffers.map(\.value), "\(structure)")
        }
    }

    func testHeadImportanceIsTheNormOfItsQKVRowsAndProjColumns() throws {
        let model = try tinyModel()
        let qkv = model.byName["blocks.1.attn.qkv.weight"]!.value.data, proj = model.byName["blocks.1.attn.proj.weight"]!.value.data
        var sum: Double = 0  // head 2 of block 1: rows 4-5, 12-13, 20-21 of qkv; columns 4-5 of proj
        for row in [4, 5, 12, 13, 20, 21] { for c in 0..<8 { sum += Double(qkv[row * 8 + c] * qkv[row * 8 + c]) } }
        for r in 0..<8 { for c in [4, 5] { sum += Double(proj[r * 8 + c] * proj[r * 8 + c]) } }
        let importance = StructuredPruning.importance(of: model, unit: .heads)
        XCTAssertEqual(importance.map(\.count), [4, 4])
        XCTAssertEqual(Double(importance[1][2]), sum.squareRoot(), accuracy: 1e-5)
    }

    func testNeuronImportanceIsTheNormOfItsFc1RowAndFc2Column() throws {
        let model = try tinyModel()
        let fc1 = model.byName["blocks.0.mlp.fc1.weight"]!.value.data, fc2 = model.byName["blocks.0.mlp.fc2.weight"]!.value.data
        var sum: Double = 0  // neuron 3: row 3 of fc1 [6, 8], column 3 of fc2 [8, 6]
        for c in 0..<8 { sum += Double(fc1[3 * 8 + c] * fc1[3 * 8 + c]) }
        for r in 0..<8 { sum += Double(fc2[r * 6 + 3] * fc2[r * 6 + 3]) }
        let importance = StructuredPruning.importance(of: model, unit: .neurons)
        XCTAssertEqual(importance.map(\.count), [6, 6])
        XCTAssertEqual(Double(importance[0][3]), sum.squareRoot(), accuracy: 1e-5)
    }

    func testLayerScopeRemovesTheSameFractionOfEachBlock() {
        let kept = StructuredPruning.keptUnits(importance: [[3, 1, 2, 0], [1, 1, 1, 1], [5, 6]], sparsity: 0.5, scope: .layer)
        XCTAssertEqual(kept, [[0, 2], [2, 3], [1]])  // ties: lower indices go first
    }

    func testGlobalScopeRanksAcrossBlocksButKeepsOnePerBlock() {
        let importance: [[Float]] = [[0.1, 0.2, 0.3], [5, 6, 0.05]]
        XCTAssertEqual(StructuredPruning.keptUnits(importance: importance, sparsity: 0.5, scope: .global),
                       [[2], [0, 1]])  // 0.05, 0.1, 0.2 go; 0.3 would empty block 0
        XCTAssertEqual(StructuredPruning.keptUnits(importance: importance, sparsity: 0.8, scope: .global),
                       [[2], [1]])
        XCTAssertEqual(StructuredPruning.keptUnits(importance: importance, sparsity: 0, scope: .global),
                       [[0, 1, 2], [0, 1, 2]])
    }

    func testMasksAreSlicedWithTheirWeights() throws {
        let model = try tinyModel()
        MagnitudePruning.prune(MagnitudePruning.targets(in: model, layers: [.fc1, .fc2]), sparsity: 0.5, scope: .layer)
        let smaller = try StructuredPruning.removing(.neurons, from: model, keeping: [[0, 1, 2], [3, 4, 5]])
        for name in ["blocks.0.mlp.fc1.weight", "blocks.1.mlp.fc2.weight"] {
            let parameter = smaller.byName[name]!
            XCTAssertEqual(parameter.mask?.shape, parameter.shape)
            for (value, mask) in zip(parameter.value.data, parameter.mask!.data) where mask == 0 { XCTAssertEqual(value, 0) }
        }
        XCTAssertNil(smaller.byName["blocks.0.attn.qkv.weight"]!.mask)
    }

    func testKeptUnitsThatDoNotFitTheModelAreRejected() throws {
        let model = try tinyModel()
        XCTAssertThrowsError(try StructuredPruning.removing(.heads, from: model, keeping: [[0]])) { error in
            XCTAssertEqual("\(error)", "structured pruning needs kept units for 2 blocks, got 1")
        }
        XCTAssertThrowsError(try StructuredPruning.removing(.heads, from: model, keeping: [[0], [4]])) { error in
            XCTAssertEqual("\(error)", "block 1: kept units [4] must be ascending, distinct and below 4")
        }
        XCTAssertThrowsError(try StructuredPruning.removing(.neurons, from: model, keeping: [[], [1]]))
    }
}
