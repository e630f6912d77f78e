import XCTest
@testable import ViTCore

final class TaylorCriterionTests: XCTestCase {
    private func tinyModel() throws -> VisionTransformer {
        let config = tinyModelConfig(heads: 4, mlpDim: 6)
        var values: [String: Tensor] = [:]
        for (index, (name, shape)) in ParameterLayout.shapes(config).enumerated() {
            values[name] = randomTensor(shape, seed: UInt64(300 + index), scale: name.contains("norm") ? 1 : 0.4)
        }
        return try VisionTransformer(config: config, values: values)
    }

    private let batch = (images: randomTensor([6, 3, 8, 8], seed: 9), labels: [Int32]([0, 1, 2, 0, 1, 2]))
    private let loss = ClassificationLoss(kind: .ce)

    private func lossValue(_ model: VisionTransformer) -> Double {
        let logits = model.forward(batch.images).logits
        return Double(loss.compute(logits: logits, targets: MixedTargets(labels: batch.labels), epoch: 0).loss)
    }

    func testScoreIsTheGradientTimesTheWeightAgainstFiniteDifferences() throws {
        let model = try tinyModel()
        let fc1 = model.byName["blocks.1.mlp.fc1.weight"]!
        let criterion = TaylorCriterion.measure(model, batches: [batch], loss: loss, epoch: 0, precision: .f32,
                                                parameters: [fc1])
        let scores = criterion.scores(fc1)
        for index in [0, 7, 23, 40] {
            let weight = fc1.value.data[index], eps: Float = 1e-3
            fc1.value.data[index] = weight + eps
            let up = lossValue(model)
            fc1.value.data[index] = weight - eps
            let down = lossValue(model)
            fc1.value.data[index] = weight
            let expected = abs((up - down) / Double(2 * eps) * Double(weight))
            XCTAssertEqual(Double(scores.data[index]), expected, accuracy: 2e-2 * max(expected, 1e-3), "weight \(index)")
        }
        XCTAssertEqual(model.parameters.map { $0.gradient.data.allSatisfy { $0 == 0 } }, model.parameters.map { _ in true },
                       "gradients are left zeroed")
    }

    func testScoresAreTheRootMeanSquareOverBatches() throws {
        let model = try tinyModel()
        let proj = model.byName["blocks.0.attn.proj.weight"]!
        let other = (images: randomTensor([6, 3, 8, 8], seed: 10), labels: [Int32]([2, 2, 1, 1, 0, 0]))
        let one = TaylorCriterion.measure(model, batches: [batch], loss: loss, epoch: 0, precision: .f32, parameters: [proj])
        let two = TaylorCriterion.measure(model, batches: [other], loss: loss, epoch: 0, precision: .f32, parameters: [proj])
        let both = TaylorCriterion.measure(model, batches: [batch, other], loss: loss, epoch: 0, precision: .f32,
                                           parameters: [proj])
        let (a, b, c) = (one.scores(proj).data, two.scores(proj).data, both.scores(proj).data)
        for i in stride(from: 0, to: c.count, by: 5) {
            XCTAssertEqual(c[i], ((a[i] * a[i] + b[i] * b[i]) / 2).squareRoot(), accuracy: 1e-6 * max(1, c[i]))
        }
    }

    func testAHeadThatFeedsNothingScoresZeroUnderTaylorButNotUnderMagnitude() throws {
        let model = try tinyModel()
        // Head 1 of block 0 writes nothing: its columns of proj are zero, so no gradient reaches its qkv rows.
        let proj = model.byName["blocks.0.attn.proj.weight"]!
        for row in 0..<8 { for column in 2..<4 { proj.value.data[row * 8 + column] = 0 } }
        let parameters = MagnitudePruning.targets(in: model, layers: [.qkv, .proj])
        let taylor = TaylorCriterion.measure(model, batches: [batch], loss: loss, epoch: 0, precision: .f32,
                                             parameters: parameters)
        let byTaylor = StructuredPruning.importance(of: model, unit: .heads, criterion: taylor)
        let byMagnitude = StructuredPruning.importance(of: model, unit: .heads)
        XCTAssertEqual(byTaylor[0][1], 0)
        XCTAssertTrue(byTaylor[0].enumerated().allSatisfy { $0.offset == 1 || $0.element > 0 })
        XCTAssertGreaterThan(byMagnitude[0][1], 0.5, "its qkv rows are as large as the others'")
        XCTAssertEqual(StructuredPruning.keptUnits(importance: byTaylor, sparsity: 0.25, scope: .layer)[0], [0, 2, 3])
    }

    func testMagnitudeCriterionScoresAreAbsoluteWeights() throws {
        let model = try tinyModel()
        let qkv = model.byName["blocks.0.attn.qkv.weight"]!
        XCTAssertEqual(MagnitudeCriterion().scores(qkv).data, qkv.value.data.map(abs))
    }

    func testUnstructuredTaylorPruningRemovesTheLowestScores() throws {
        let model = try tinyModel()
        let fc2 = model.byName["blocks.1.mlp.fc2.weight"]!
        let taylor = TaylorCriterion.measure(model, batches: [batch], loss: loss, epoch: 0, precision: .f32, parameters: [fc2])
        let scores = taylor.scores(fc2).data
        MagnitudePruning.prune([fc2], sparsity: 0.5, scope: .layer, criterion: taylor)
        let kept = scores.indices.filter { fc2.mask!.data[$0] == 1 }.map { scores[$0] }
        let removed = scores.indices.filter { fc2.mask!.data[$0] == 0 }.map { scores[$0] }
        XCTAssertEqual(removed.count, scores.count / 2)
        XCTAssertLessThanOrEqual(removed.max()!, kept.min()!)
    }
}
