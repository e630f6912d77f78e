import XCTest
@testable import ViTCore

final class MagnitudePruningTests: XCTestCase {
    private func tinyModel(distillationToken: Bool = false) throws -> VisionTransformer {
        try VisionTransformer(config: tinyModelConfig(distillationToken: distillationToken), seed: 3)
    }

    private func maskedIndices(_ parameter: Parameter) -> [Int] {
        parameter.mask!.data.indices.filter { parameter.mask!.data[$0] == 0 }
    }

    /// Every pruned |w| is at most every kept |w| (the values before pruning).
    private func assertThreshold(_ original: [[Float]], _ parameters: [Parameter], file: StaticString = #filePath,
                                 line: UInt = #line) {
        var largestPruned: Float = 0, smallestKept = Float.infinity
        for (values, parameter) in zip(original, parameters) {
            for (i, value) in values.enumerated() {
                if parameter.mask!.data[i] == 0 { largestPruned = max(largestPruned, abs(value)) }
                else { smallestKept = min(smallestKept, abs(value)) }
            }
        }
        XCTAssertLessThanOrEqual(largestPruned, smallestKept, file: file, line: line)
    }

    func testLayerScopePrunesTheSameExactFractionOfEachMatrix() {
        let a = makeParameter("blocks.0.attn.qkv.weight", [6, 5], seed: 1, scale: 0.01)
        let b = makeParameter("blocks.0.mlp.fc1.weight", [7, 3], seed: 2, scale: 1)
        let original = [a.value.data, b.value.data]
        let achieved = MagnitudePruning.prune([a, b], sparsity: 0.3, scope: .layer)
        XCTAssertEqual(maskedIndices(a).count, 9)   // round(0.3 * 30)
        XCTAssertEqual(maskedIndices(b).count, 6)   // round(0.3 * 21) = round(6.3)
        XCTAssertEqual(achieved, 15.0 / 51.0, accuracy: 1e-12)
        for (values, parameter) in zip(original, [a, b]) { assertThreshold([values], [parameter]) }
        for parameter in [a, b] {
            for i in maskedIndices(parameter) { XCTAssertEqual(parameter.value.data[i], 0) }
        }
    }

    func testGlobalScopeUsesOneThresholdSoSmallMatricesLoseMore() {
        let small = makeParameter("blocks.0.attn.qkv.weight", [6, 5], seed: 1, scale: 0.1)
        let large = makeParameter("blocks.0.mlp.fc1.weight", [7, 3], seed: 2)
        large.value.data = large.value.data.map { 1 + abs($0) }  // every |w| above 1
        small.value.data[0] = 5  // one large weight in the small matrix survives
        let original = [small.value.data, large.value.data]
        let achieved = MagnitudePruning.prune([small, large], sparsity: 0.5, scope: .global)
        XCTAssertEqual(maskedIndices(small).count, 26)  // round(0.5 * 51) = round(25.5), all from the small matrix
        XCTAssertEqual(maskedIndices(large), [])
        XCTAssertEqual(achieved, 26.0 / 51.0, accuracy: 1e-12)
        assertThreshold(original, [small, large])
    }

    func testTiesAtTheThresholdGoInPositionOrderSoTheFractionIsExact() {
        let a = Parameter(name: "blocks.0.mlp.fc1.weight", value: Tensor(shape: [2, 3], data: [1, -1, 1, 1, -1, 1]), decays: true)
        MagnitudePruning.prune([a], sparsity: 0.5, scope: .layer)
        XCTAssertEqual(a.mask!.data, [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(a.value.data, [0, 0, 0, 1, -1, 1])

        let first = Parameter(name: "blocks.0.mlp.fc1.weight", value: Tensor(repeating: 2, shape: [2, 2]), decays: true)
        let second = Parameter(name: "blocks.0.mlp.fc2.weight", value: Tensor(shape: [2, 2], data: [2, 0.5, 2, 2]), decays: true)
        MagnitudePruning.prune([first, second], sparsity: 0.25, scope: .global)  // 2 of 8: 0.5, then the first 2
        XCTAssertEqual(first.mask!.data, [0, 1, 1, 1])
        XCTAssertEqual(second.mask!.data, [1, 0, 1, 1])
    }

    func testZeroSparsityMasksNothingButRecordsMasks() {
        let a = makeParameter("blocks.0.attn.proj.weight", [4, 4], seed: 5)
        let before = a.value
        XCTAssertEqual(MagnitudePruning.prune([a], sparsity: 0, scope: .global), 0)
        XCTAssertEqual(a.mask, Tensor(repeating: 1, shape: [4, 4]))
        XCTAssertEqual(a.value, before)
    }

    func testOnlyTheChosenWeightMatricesArePrunedNeverBiasesNormsOrEmbeddings() throws {
        let model = try tinyModel(distillationToken: true)
        let defaults = MagnitudePruning.targets(in: model, layers: PrunableLayer.defaults).map(\.name)
        XCTAssertEqual(defaults, (0..<2).flatMap { i in
            ["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"].map { "blocks.\(i).\($0).weight" }
        })
        let all = MagnitudePruning.targets(in: model, layers: PrunableLayer.allCases).map(\.name)
        XCTAssertEqual(Set(all), Set(defaults + ["patch_embed.proj.weight", "head.weight", "head_dist.weight"]))

        let untouched = model.parameters.filter { !defaults.contains($0.name) }.map { ($0.name, $0.value) }
        MagnitudePruning.prune(MagnitudePruning.targets(in: model, layers: PrunableLayer.defaults), sparsity: 0.7, scope: .global)
        for (name, value) in untouched {
            XCTAssertEqual(model.byName[name]!.value, value, name)
            XCTAssertNil(model.byName[name]!.mask, name)
        }
    }

    func testBatchNormBuffersAreNeverPruningTargets() throws {
        var config = tinyModelConfig(pool: .mean)
        config.norm = .batch
        let model = try VisionTransformer(config: config, seed: 1)
        let targets = MagnitudePruning.targets(in: model, layers: PrunableLayer.allCases).map(\.name)
        XCTAssertFalse(targets.contains { $0.contains("norm") })
        MagnitudePruning.prune(MagnitudePruning.targets(in: model, layers: PrunableLayer.allCases), sparsity: 0.9, scope: .global)
        XCTAssertTrue(model.buffers.allSatisfy { $0.mask == nil })
    }

    func testLayerKindsComeFromTheFullNameNotASuffix() {
        XCTAssertEqual(PrunableLayer(weightName: "patch_embed.proj.weight"), .patchEmbed)
        XCTAssertEqual(PrunableLayer(weightName: "blocks.3.attn.proj.weight"), .proj)
        XCTAssertEqual(PrunableLayer(weightName: "head_dist.weight"), .head)
        for name in ["blocks.3.attn.proj.bias", "blocks.0.norm1.weight", "norm.weight", "pos_embed", "cls_token",
                     "head.bias", "patch_embed.proj.bias"] {
            XCTAssertNil(PrunableLayer(weightName: name), name)
        }
    }

    func testLayerListsNameUnknownAndRepeatedLayers() throws {
        XCTAssertEqual(try PrunableLayer.parseList("qkv, fc2,patch_embed"), [.qkv, .fc2, .patchEmbed])
        XCTAssertThrowsError(try PrunableLayer.parseList("qkv,attn")) { error in
            XCTAssertEqual("\(error)", "unknown layer 'attn' (expected some of qkv, proj, fc1, fc2, patch_embed, head)")
        }
        XCTAssertThrowsError(try PrunableLayer.parseList("fc1,fc1")) { error in
            XCTAssertEqual("\(error)", "layer 'fc1' is listed twice")
        }
    }

    func testPruningAgainOnlyAddsZerosNeverRevivesAWeight() {
        let a = makeParameter("blocks.0.mlp.fc1.weight", [10, 10], seed: 7)
        MagnitudePruning.prune([a], sparsity: 0.5, scope: .layer)
        let first = Set(maskedIndices(a))
        // A weight that grew back would outrank small live ones; the mask must still win.
        a.value.data[first.first!] = 100
        MagnitudePruning.prune([a], sparsity: 0.7, scope: .layer)
        XCTAssertTrue(first.isSubset(of: Set(maskedIndices(a))))
        XCTAssertEqual(maskedIndices(a).count, 70)
        MagnitudePruning.prune([a], sparsity: 0.3, scope: .layer)
        XCTAssertEqual(maskedIndices(a).count, 70)
        XCTAssertEqual(MagnitudePruning.maskedFraction([a]), 0.7)
    }

    func testApplyMasksLeavesPositiveZeros() {
        let a = Parameter(name: "blocks.0.mlp.fc1.weight", value: Tensor(shape: [3], data: [-0.0, 2, -3]), decays: true)
        a.mask = Tensor(shape: [3], data: [0, 1, 0])
        MagnitudePruning.applyMasks([a])
        XCTAssertEqual(a.value.data.map(\.bitPattern), [0, Float(2).bitPattern, 0])
    }
}
