import Foundation
import ViTCore

extension Checkpoint {
    /// A checkpoint holding a model's weights (and masks, when pruned), its record and the command
    /// line. The caller adds logs, eval, optimizer state and stage-specific attributes.
    public init(model: VisionTransformer, record: ModelRecord, command: [String]) {
        self.init()
        for parameter in model.parametersAndBuffers {
            weights[parameter.name] = StoredArray(parameter.value)
            if let mask = parameter.mask { masks[parameter.name] = StoredArray(mask) }
        }
        compressWeights = !masks.isEmpty
        record.write(into: &self)
        attributes["command"] = .string(command.joined(separator: " "))
        attributes["created"] = .string(ISO8601DateFormatter().string(from: Date()))
    }

    public func string(_ name: String, file: String) throws -> String {
        guard case .string(let value)? = attributes[name] else {
            throw StoreError.missingAttribute(file: file, object: "/", name: name)
        }
        return value
    }

    public func modelConfig(file: String) throws -> ModelConfig {
        try ConfigJSON.decodeModel(try string("config", file: file), file: file)
    }

    /// Rebuilds the model: every expected weight present, float32 (or int8 with its scales, see
    /// Checkpoint+Int8), with its shape; no unexpected ones (a file from another architecture
    /// fails here, by name).
    public func makeModel(file: String) throws -> VisionTransformer {
        let config = try modelConfig(file: file)
        do { try config.validate() } catch {
            throw StoreError.operationFailed(file: file, action: "cannot read the config attribute", detail: "\(error)")
        }
        var values: [String: Tensor] = [:]
        let expected = ParameterLayout.shapes(config) + ParameterLayout.bufferShapes(config)
        for (name, shape) in expected {
            let path = "/weights/" + name.replacingOccurrences(of: ".", with: "/")
            guard let stored = weights[name] else { throw StoreError.missingDataset(file: file, path: path) }
            guard stored.shape == shape else {
                throw StoreError.shapeMismatch(file: file, path: path, found: stored.shape, expected: shape)
            }
            guard let tensor = try stored.tensor ?? dequantizedWeight(name, stored, file: file) else {
                throw StoreError.wrongElementType(file: file, path: path, stored: stored.elementType, requested: .float32)
            }
            values[name] = tensor
        }
        let known = Set(expected.map(\.0))
        // Quantization scales and a pre-training decoder sit beside the weights; anything else is foreign.
        if let extra = weights.keys.filter({ !known.contains($0) && !$0.hasSuffix("_scale")
                                              && !$0.hasSuffix("_zero_point") && !$0.hasPrefix("decoder.") }).sorted().first {
            throw StoreError.unexpectedDataset(file: file, path: "/weights/" + extra.replacingOccurrences(of: ".", with: "/"))
        }
        let model = try VisionTransformer(config: config, values: values)
        try attachQuantizedWeights(to: model, file: file)
        for (name, stored) in masks {
            guard let parameter = model.byName[name], let mask = stored.tensor, mask.shape == parameter.shape else {
                throw StoreError.unexpectedDataset(file: file, path: "/masks/" + name.replacingOccurrences(of: ".", with: "/"))
            }
            parameter.mask = mask
        }
        return model
    }

    /// AdamW's moments as /optimizer/m/<name>, /optimizer/v/<name> and /optimizer/step.
    public mutating func storeOptimizer(_ optimizer: AdamW) {
        optimizer.firstMoments.forEach { self.optimizer["m." + $0.key] = StoredArray($0.value) }
        optimizer.secondMoments.forEach { self.optimizer["v." + $0.key] = StoredArray($0.value) }
        self.optimizer["step"] = StoredArray(scalar: optimizer.step)
    }

    public func restoreOptimizer(_ optimizer: AdamW, model: VisionTransformer, file: String) throws {
        guard let step = self.optimizer["step"]?.int64s?.first else {
            throw StoreError.missingDataset(file: file, path: "/optimizer/step (saved without optimizer state?)")
        }
        var first: [String: Tensor] = [:], second: [String: Tensor] = [:]
        for parameter in model.parameters {
            guard let m = self.optimizer["m." + parameter.name]?.tensor, let v = self.optimizer["v." + parameter.name]?.tensor,
                  m.shape == parameter.shape, v.shape == parameter.shape else {
                throw StoreError.missingDataset(file: file, path: "/optimizer/m/" + parameter.name.replacingOccurrences(of: ".", with: "/"))
            }
            first[parameter.name] = m
            second[parameter.name] = v
        }
        optimizer.restore(step: Int(step), firstMoments: first, secondMoments: second)
    }

    static let logColumns = ["epoch", "train_loss", "train_accuracy", "test_accuracy", "lr", "seconds"]

    /// The log columns; `auxiliaryColumn` names the auxiliary loss (e.g. distill_loss) when rows
    /// have it; `extraColumns` adds per-epoch columns of a stage's own (e.g. sparsity).
    public mutating func storeLogs(_ rows: [EpochLog], auxiliaryColumn: String? = nil,
                                   extraColumns: [String: [Double]] = [:]) {
        logs["epoch"] = StoredArray(doubles: rows.map { Double($0.epoch) })
        logs["train_loss"] = StoredArray(doubles: rows.map(\.trainLoss))
        logs["train_accuracy"] = StoredArray(doubles: rows.map(\.trainAccuracy))
        logs["test_accuracy"] = StoredArray(doubles: rows.map(\.testAccuracy))
        logs["lr"] = StoredArray(doubles: rows.map(\.learningRate))
        logs["seconds"] = StoredArray(doubles: rows.map(\.seconds))
        if let auxiliaryColumn, rows.allSatisfy({ $0.auxiliaryLoss != nil }) {
            logs[auxiliaryColumn] = StoredArray(doubles: rows.map { $0.auxiliaryLoss! })
        }
        if !rows.isEmpty, rows.allSatisfy({ $0.validationAccuracy != nil }) {
            logs["validation_accuracy"] = StoredArray(doubles: rows.map { $0.validationAccuracy! })
        }
        for (name, column) in extraColumns { logs[name] = StoredArray(doubles: column) }
    }

    public func epochLogs(file: String, auxiliaryColumn: String? = nil) throws -> [EpochLog] {
        guard let epochs = logs["epoch"]?.doubles else { return [] }
        func column(_ name: String) throws -> [Double] {
            guard let values = logs[name]?.doubles, values.count == epochs.count else {
                throw StoreError.missingDataset(file: file, path: "/logs/" + name)
            }
            return values
        }
        let (loss, trainAccuracy, testAccuracy, rate, seconds) =
            (try column("train_loss"), try column("train_accuracy"), try column("test_accuracy"),
             try column("lr"), try column("seconds"))
        let auxiliary = try auxiliaryColumn.flatMap { logs[$0] == nil ? nil : try column($0) }
        let validation = logs["validation_accuracy"] == nil ? nil : try column("validation_accuracy")
        return epochs.indices.map {
            var row = EpochLog(epoch: Int(epochs[$0]), trainLoss: loss[$0], trainAccuracy: trainAccuracy[$0],
                               testAccuracy: testAccuracy[$0], learningRate: rate[$0], seconds: seconds[$0],
                               auxiliaryLoss: auxiliary?[$0])
            row.validationAccuracy = validation?[$0]
            return row
        }
    }

    public mutating func storeEvaluation(_ result: EvaluationResult, model: VisionTransformer, classCounts: [Int]) {
        eval["accuracy"] = StoredArray(shape: [], values: .float64([result.accuracy]))
        eval["per_class_accuracy"] = StoredArray(doubles: result.perClassAccuracy)
        let classes = result.classes
        eval["confusion"] = StoredArray(shape: [classes, classes], values: .int64(result.confusion.map { Int64($0) }))
        eval["params"] = StoredArray(scalar: model.parameterCount)
        eval["nonzero_params"] = StoredArray(scalar: model.nonzeroParameterCount)
        eval["class_counts"] = StoredArray(ints: classCounts)
        eval["head_accuracy"] = StoredArray(shape: [], values: .float64([result.head]))
        eval["medium_accuracy"] = StoredArray(shape: [], values: .float64([result.medium]))
        eval["tail_accuracy"] = StoredArray(shape: [], values: .float64([result.tail]))
    }
}
