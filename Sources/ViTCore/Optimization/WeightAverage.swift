/// An exponential moving average of every parameter value, with timm's ModelEmaV2 semantics:
/// it starts as a copy of the weights and after each optimizer step
///     ema = decay * ema + (1 - decay) * w
/// with a constant decay (no warm-up, so runs compare with PyTorch ones). The initial weights
/// keep a share decay^steps, so pick 1 / (1 - decay) well below the run's step count.
/// The raw weights stay in the model (and in the optimizer's state) so a run resumes from
/// them; the average is swapped in only to evaluate or to save it.
/// Callers pass `model.parametersAndBuffers`: as ModelEmaV2 (which averages the whole state_dict),
/// BatchNorm's running statistics are averaged too, so the averaged weights are evaluated with
/// statistics that drifted as slowly as they did.
public final class WeightAverage {
    public let decay: Float
    /// Averaging steps taken (stored with the average for resuming).
    public private(set) var updates = 0
    /// The averaged value of each parameter, by name; holds the raw weights while swapped in.
    public private(set) var values: [String: Tensor]
    public private(set) var isSwappedIn = false

    public init(parameters: [Parameter], decay: Float) {
        precondition((0..<1).contains(decay), "EMA decay must be in [0, 1), got \(decay)")
        self.decay = decay
        values = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
    }

    /// Folds the current weights in; call after each optimizer step. A pruned weight (mask 0)
    /// is zero in the average too, even if it was pruned after averaging began.
    public func update(_ parameters: [Parameter]) {
        precondition(!isSwappedIn, "WeightAverage.update while the average is swapped in")
        updates += 1
        let keep = decay, take = 1 - decay
        for parameter in parameters {
            guard var average = values[parameter.name] else {
                preconditionFailure("WeightAverage: no average of \(parameter.name)")
            }
            average.data.withUnsafeMutableBufferPointer { a in
                parameter.value.data.withUnsafeBufferPointer { w in
                    for i in a.indices { a[i] = keep * a[i] + take * w[i] }
                }
            }
            if let mask = parameter.mask { Dropout.apply(mask.data, to: &average) }
            values[parameter.name] = average
        }
    }

    /// Exchanges the model's values with the stored ones: the first call puts the average into
    /// the model, the second puts the raw weights back, bit for bit.
    public func swap(_ parameters: [Parameter]) {
        for parameter in parameters {
            guard let stored = values[parameter.name] else {
                preconditionFailure("WeightAverage: no average of \(parameter.name)")
            }
            values[parameter.name] = parameter.value
            parameter.value = stored
        }
        isSwappedIn.toggle()
    }

    /// Runs `body` with the average in the model, then restores the raw weights.
    public func withAverage<T>(_ parameters: [Parameter], _ body: () throws -> T) rethrows -> T {
        precondition(!isSwappedIn, "WeightAverage: the average is already swapped in")
        swap(parameters)
        defer { swap(parameters) }
        return try body()
    }

    /// Restores a saved average (for --resume); every parameter must have one of its shape.
    public func restore(values saved: [String: Tensor], updates: Int, parameters: [Parameter]) throws {
        precondition(!isSwappedIn, "WeightAverage.restore while the average is swapped in")
        let missing = parameters.map(\.name).filter { saved[$0] == nil }
        let unexpected = Set(saved.keys).subtracting(parameters.map(\.name)).sorted()
        if !missing.isEmpty || !unexpected.isEmpty {
            throw ConfigError(message: "EMA weights: missing \(missing), unexpected \(unexpected)")
        }
        for parameter in parameters where saved[parameter.name]!.shape != parameter.shape {
            throw ConfigError(message: "EMA weights: \(parameter.name) has shape \(saved[parameter.name]!.shape), "
                              + "expected \(parameter.shape)")
        }
        values = saved
        self.updates = updates
    }
}
