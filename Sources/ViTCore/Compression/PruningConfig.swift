public enum PruningSchedule: String, CaseIterable, Codable, Sendable { case oneshot, gradual }

/// Every setting of a vit-prune run; stored in the checkpoint's config JSON under "pruning".
public struct PruningConfig: Codable, Equatable, Sendable {
    /// The target: a fraction of the chosen weights (unstructured) or of the heads or neurons.
    public var sparsity = 0.5
    public var scope = PruningScope.layer
    public var schedule = PruningSchedule.oneshot
    public var structure = PruningStructure.unstructured
    /// The matrices unstructured pruning acts on.
    public var layers = PrunableLayer.defaults
    public var finetuneEpochs = 0
    /// Gradual: the epochs over which sparsity rises to the target (nil: every fine-tuning epoch).
    public var rampEpochs: Int?
    /// Gradual: training steps between mask updates.
    public var pruneInterval = 50
    /// The fine-tuning run's settings; nil without fine-tuning.
    public var finetune: TrainingConfig?
    /// What ranks the weights (or units); nil means magnitude, as in every file written before it.
    public var criterion: PruningCriterionKind?
    /// Taylor: calibration batches of the training set whose gradients it averages.
    public var criterionBatches: Int?

    enum CodingKeys: String, CodingKey {
        case sparsity, scope, schedule, structure, layers, finetune, criterion
        case criterionBatches = "criterion_batches"
        case finetuneEpochs = "finetune_epochs", rampEpochs = "ramp_epochs", pruneInterval = "prune_interval"
    }

    public init() {}

    /// Throws a one-line error for settings that cannot run.
    public func validate() throws {
        func fail(_ message: String) throws { throw ConfigError(message: message) }
        if !(sparsity >= 0 && sparsity < 1) { try fail("sparsity must be in [0, 1), got \(sparsity)") }
        if finetuneEpochs < 0 { try fail("fine-tuning epochs must not be negative, got \(finetuneEpochs)") }
        if layers.isEmpty { try fail("no layers to prune") }
        if structure != .unstructured && layers != PrunableLayer.defaults {
            try fail("layers apply to unstructured pruning only; \(structure.rawValue) pruning acts on its own matrices")
        }
        if criterion == .taylor && schedule == .gradual {
            try fail("the Taylor criterion ranks once, before one-shot pruning; the gradual schedule uses magnitude")
        }
        if let criterionBatches, criterionBatches < 1 { try fail("criterion batches must be at least 1, got \(criterionBatches)") }
        if pruneInterval < 1 { try fail("prune interval must be at least 1 step, got \(pruneInterval)") }
        switch schedule {
        case .oneshot:
            if rampEpochs != nil { try fail("ramp epochs apply to the gradual schedule only") }
        case .gradual:
            if structure != .unstructured { try fail("the gradual schedule is for unstructured pruning only") }
            if finetuneEpochs < 1 { try fail("the gradual schedule prunes while fine-tuning: needs at least 1 fine-tuning epoch") }
            if let rampEpochs, !(1...max(1, finetuneEpochs)).contains(rampEpochs) {
                try fail("ramp epochs must be between 1 and the \(finetuneEpochs) fine-tuning epochs, got \(rampEpochs)")
            }
        }
    }
}
