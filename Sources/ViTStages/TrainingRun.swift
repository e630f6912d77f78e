import Foundation
import ViTCore
import ViTStore

/// What vit-train and vit-distill share: a model with its optimizer and log, new or resumed
/// from a checkpoint, trained epoch by epoch with an atomic save after each, then evaluated.
public struct TrainingRun {
    public var model: VisionTransformer
    public var config: TrainingConfig
    public var logs: [EpochLog]
    public var optimizer: AdamW
    /// The weight average (--ema), saved as the model's weights; nil without --ema.
    public var average: WeightAverage?

    public init(model: VisionTransformer, config: TrainingConfig) {
        self.model = model
        self.config = config
        self.logs = []
        self.optimizer = AdamW(weightDecay: config.weightDecay)
        self.average = config.emaDecay > 0 ? WeightAverage(parameters: model.parametersAndBuffers, decay: config.emaDecay) : nil
    }

    /// The run saved in `path`, to be continued up to `epochs` (default: the file's own).
    public static func resume(from path: String, epochs: Int?, auxiliaryColumn: String? = nil) throws
        -> (TrainingRun, Checkpoint) {
        let file = try Checkpoint.load(from: path)
        guard var config = try ModelRecord(checkpoint: file, file: path).training else {
            throw ConfigError(message: "\(path): has no training settings to resume")
        }
        if let epochs { config.epochs = epochs }
        config.ranks = DataParallel.group.size  // any number of processes can resume
        var run = TrainingRun(model: try file.makeModel(file: path), config: config)
        // A finished run's head biases carry the post-hoc adjustment; training goes on from the biases it learned.
        for parameter in run.model.parametersAndBuffers {
            if let learned = file.optimizer["unadjusted." + parameter.name]?.tensor { parameter.value = learned }
        }
        try file.restoreOptimizer(run.optimizer, model: run.model, file: path)
        if let average = run.average {
            // The file's weights are the average; the raw weights it trains on are kept beside.
            guard let updates = file.optimizer["ema_updates"]?.int64s?.first else {
                throw ConfigError(message: "\(path): has no /optimizer/ema_updates to resume the weight average from")
            }
            try average.restore(values: Dictionary(uniqueKeysWithValues: run.model.parametersAndBuffers.map { ($0.name, $0.value) }),
                                updates: Int(updates), parameters: run.model.parametersAndBuffers)
            for parameter in run.model.parametersAndBuffers {
                guard let raw = file.optimizer["raw." + parameter.name]?.tensor, raw.shape == parameter.shape else {
                    throw ConfigError(message: "\(path): has no raw weight \(parameter.name) under /optimizer/raw")
                }
                parameter.value = raw
            }
        }
        run.logs = try file.epochLogs(file: path, auxiliaryColumn: auxiliaryColumn)
        if run.logs.count >= config.epochs {
            throw ConfigError(message: "\(path) already has \(run.logs.count) epochs; pass --epochs above that to continue")
        }
        print("resuming \(path) after epoch \(run.logs.count)")
        return (run, file)
    }

    /// The images of a run: the training set it learns from with the class counts its losses
    /// use, the test set, and its validation set when the config asks for one (a split of the
    /// training subset with --validation-fraction, or a balanced set with --validation-per-class).
    public struct RunImages {
        public var train: LabeledImages, counts: [Int], test: LabeledImages
        public var split: ValidationSplit?
        public var balanced: BalancedValidation?
    }

    public func loadImages(_ source: DataSource) throws -> RunImages {
        guard config.validationPerClass > 0 else {
            let (loaded, loadedCounts, test) = try source.load(seed: config.seed, imbalanceRatio: config.imbalanceRatio)
            let (train, counts, split) = try carveValidation(from: loaded, counts: loadedCounts)
            return RunImages(train: train, counts: counts, test: test, split: split)
        }
        let (full, kept, _, test) = try source.loadSelection(seed: config.seed, imbalanceRatio: config.imbalanceRatio)
        let balanced = try balancedValidation(full: full, kept: kept, perClass: config.validationPerClass,
                                              seed: config.validationSeed)
        let train = full.subset(balanced.trainingKept)
        let counts = classCounts(train.labels, classes: LabeledImages.classNames.count)
        print(validationLine(balanced, leftOut: full.count - kept.count))
        return RunImages(train: train, counts: counts, test: test, balanced: balanced)
    }

    /// "validation: 50 images of each class (500) from the 37594 training images the long-tailed
    /// subset left out; from the training subset (they leave training): airplane 50; training on 12356".
    private func validationLine(_ balanced: BalancedValidation, leftOut: Int) -> String {
        let perClass = config.validationPerClass
        var line = "validation: \(perClass) images of each class (\(balanced.indices.count)) from the \(leftOut) "
            + "training images the long-tailed subset left out"
        let taken = balanced.fromTraining.enumerated().filter { $0.element > 0 }
        if !taken.isEmpty {
            line += "; from the training subset (they leave training): "
                + taken.map { "\(LabeledImages.classNames[$0.offset]) \($0.element)" }.joined(separator: ", ")
        }
        return line + "; training on \(balanced.trainingKept.count)"
    }

    /// The training images the run learns from: all of `train`, or (--validation-fraction) all
    /// but a class-stratified validation split, returned with the counts the losses use.
    public func carveValidation(from train: LabeledImages, counts: [Int]) throws
        -> (train: LabeledImages, counts: [Int], split: ValidationSplit?) {
        guard config.validationFraction > 0 else { return (train, counts, nil) }
        let split = try validationSplit(train, fraction: config.validationFraction, seed: config.validationSeed)
        let remaining = classCounts(split.train.labels, classes: counts.count)
        print("validation split: \(split.validation.count) images held out, training on \(split.train.count): \(remaining)")
        return (split.train, remaining, split)
    }

    /// Where and how the checkpoints of a run are written.
    public struct Output {
        public var path: String
        /// How the model is made (stage, settings, teacher, seed), written into every checkpoint.
        public var record: ModelRecord
        /// Written beside the record (a pre-trained encoder's `init` and `init_sha256`).
        public var attributes: [String: AttributeValue] = [:]
        public var auxiliaryColumn: String?
        public var keepOptimizerState = true
        /// --tensorboard: a folder for TensorBoard event files beside the HDF5 log.
        public var tensorboard: String?

        /// The command line the file records.
        public var command: [String]

        public init(path: String, record: ModelRecord, command: [String]) {
            self.path = path
            self.record = record
            self.command = command
        }
    }

    /// Trains the remaining epochs, saving after each, then evaluates and writes the final file.
    @discardableResult
    public func execute(training: LabeledImages, classCounts: [Int], test: LabeledImages, output: Output,
                        validation: ValidationSplit? = nil, balanced: BalancedValidation? = nil, stopAfter: Int? = nil,
                        step: @escaping StepFunction) throws -> EvaluationResult {
        let trainer = Trainer(model: model, config: config, training: training, test: test, logs: logs,
                              average: average, step: step)
        trainer.validationImages = balanced?.images
        if let directory = output.tensorboard, DataParallel.group.rank == 0 { try TensorBoardLog(directory: directory).attach(to: trainer) }
        func checkpoint(withOptimizer: Bool) -> Checkpoint {
            let makeFile = {
                Checkpoint(model: model, record: output.record, command: output.command)
            }
            // With --ema the file's weights are the average; the raw ones stay for --resume.
            var file = average.map { $0.withAverage(model.parametersAndBuffers, makeFile) } ?? makeFile()
            if let average, withOptimizer {
                for parameter in model.parametersAndBuffers { file.optimizer["raw." + parameter.name] = StoredArray(parameter.value) }
                file.optimizer["ema_updates"] = StoredArray(scalar: average.updates)
            }
            for (name, value) in output.attributes { file.attributes[name] = value }
            file.storeLogs(trainer.logs, auxiliaryColumn: output.auxiliaryColumn)
            file.eval["class_counts"] = StoredArray(ints: classCounts)
            if let balanced {
                file.eval["balanced_validation_indices"] = StoredArray(ints: balanced.indices)
                file.eval["balanced_validation_from_training"] = StoredArray(ints: balanced.fromTraining)
            }
            if withOptimizer { file.storeOptimizer(optimizer) }
            return file
        }
        try trainer.run(stopAfter: stopAfter) { _ in try checkpoint(withOptimizer: true).save(to: output.path) }
        let result = try trainer.evaluateAveraged()
        print(describe(result))
        var final = checkpoint(withOptimizer: output.keepOptimizerState)
        final.storeEvaluation(result, model: model, classCounts: classCounts)
        if let balanced {
            let checked = try trainer.evaluateAveraged(on: balanced.images)
            final.eval["validation_accuracy"] = StoredArray(shape: [], values: .float64([checked.accuracy]))
            final.eval["validation_per_class_accuracy"] = StoredArray(doubles: checked.perClassAccuracy)
        }
        var outcome = result
        if let validation {
            outcome = try storePostHocAdjustment(on: validation.validation, indices: validation.validationIndices,
                                                 classCounts: classCounts, test: test, into: &final,
                                                 path: output.path, keepLearnedBiases: output.keepOptimizerState)
        } else if let balanced {
            // Chosen on the balanced validation set, as on a split; the indices are stored already.
            outcome = try storePostHocAdjustment(on: balanced.images, indices: nil, classCounts: classCounts, test: test,
                                                 into: &final, path: output.path,
                                                 keepLearnedBiases: output.keepOptimizerState)
        }
        try final.save(to: output.path)
        print("wrote \(output.path)")
        return outcome
    }

    /// The post-hoc adjustment (PostHocAdjustment), chosen on the weights the file saves (the average with --ema).
    private func storePostHocAdjustment(on validation: LabeledImages, indices: [Int]?, classCounts: [Int],
                                        test: LabeledImages, into file: inout Checkpoint, path: String,
                                        keepLearnedBiases: Bool) throws -> EvaluationResult {
        var collected: (logits: Tensor, labels: [Int32])?
        let collect = { collected = collectLogits(model, on: validation, precision: config.precision) }
        if let average { try average.withAverage(model.parameters, collect) } else { collect() }
        let adjustment = PostHocAdjustment(validationLogits: collected!.logits, validationLabels: collected!.labels,
                                           validationIndices: indices, classCounts: classCounts)
        return try adjustment.fold(into: &file, path: path, test: test, precision: config.precision,
                                   keepLearnedBiases: keepLearnedBiases)
    }
}
