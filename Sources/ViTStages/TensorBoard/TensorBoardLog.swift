import ViTCore

/// --tensorboard DIR: a trainer's figures as TensorBoard scalars, in a new event file in DIR.
/// Every step writes `step/loss`, `step/accuracy` (the batch's) and `step/lr` at the global step
/// (1-based); every epoch writes `epoch/train_loss`, `epoch/train_accuracy`, `epoch/lr` and, when
/// the epoch was evaluated, `epoch/test_accuracy`, `epoch/head`, `epoch/medium`, `epoch/tail`
/// (accuracies as fractions) at the epoch number, plus what `extra` adds (gradual pruning's
/// `epoch/sparsity`).
final class TensorBoardLog {
    let writer: EventFileWriter

    init(directory: String) throws {
        writer = try EventFileWriter(directory: directory)
        print("TensorBoard events: \(writer.path)")
    }

    func attach(to trainer: Trainer, extra: @escaping () -> [(tag: String, value: Double)] = { [] }) {
        let writer = self.writer
        trainer.stepObserver = { record in
            try writer.scalars([("step/loss", record.loss), ("step/accuracy", record.accuracy),
                                ("step/lr", record.learningRate)], step: record.step)
        }
        trainer.epochObserver = { log, evaluation in
            var values: [(tag: String, value: Double)] = [("epoch/train_loss", log.trainLoss),
                                                          ("epoch/train_accuracy", log.trainAccuracy),
                                                          ("epoch/lr", log.learningRate)]
            if let evaluation {
                values += [("epoch/test_accuracy", evaluation.accuracy), ("epoch/head", evaluation.head),
                           ("epoch/medium", evaluation.medium), ("epoch/tail", evaluation.tail)]
            }
            try writer.scalars(values + extra(), step: log.epoch)
        }
    }
}
