import Foundation
import ViTCore
import ViTStore

/// What `quantize` needs: the float parent, the int8 settings (their parent fields are filled
/// in from the file), where calibration images come from, and whether to evaluate the result.
public struct QuantizeSettings {
    public var parent: String
    public var output: String
    public var quantization: QuantizationSettings
    public var data: DataSource
    /// Leave the test-set evaluation (and /eval) out.
    public var skipEvaluation = false
    /// The command line recorded in the output file (the command passes its own; the stage reads no process state).
    public var command: [String] = []

    public init(parent: String, output: String, quantization: QuantizationSettings, data: DataSource) {
        self.parent = parent
        self.output = output
        self.quantization = quantization
        self.data = data
    }
}

private let calibrationBatchSize = 64

/// Post-training int8 quantization of a float checkpoint (vit-quantize, the pipeline's int8 files).
public func quantize(_ stage: QuantizeSettings) throws {
    var settings = stage.quantization
    try settings.validate()
    settings.parent = URL(fileURLWithPath: stage.parent).lastPathComponent
    settings.parentSHA256 = try Checkpoint.sha256(ofFile: stage.parent)
    let checkpoint = stage.parent, out = stage.output
    try OutputFile.prepare(out, inputs: [checkpoint])
    let parent = try Checkpoint.load(from: checkpoint)
    if (try? parent.stage(file: checkpoint))?.isQuantized == true || parent.hasInt8Weights {
        throw QuantizationError("\(checkpoint) is already int8: quantize its float parent instead")
    }
    let model = try parent.makeModel(file: checkpoint)
    // The parent's record with its quantization; the parent is the lineage, not the parent's teacher.
    var record = try ModelRecord(checkpoint: parent, file: checkpoint)
    record.stage = .int8
    record.seed = settings.seed
    record.quantization = settings
    record.parent = ModelRecord.Source(name: settings.parent ?? "", sha256: settings.parentSHA256 ?? "")
    record.teacher = nil
    printSettings(record)

    let start = Date()
    var batches: [[Int]] = []
    var training = LabeledImages(pixels: [], labels: [])
    if settings.mode == .static {
        training = try stage.data.load(seed: settings.seed, quiet: true).train
        guard settings.calibrationImages <= training.count else {
            throw QuantizationError("--calibration-images \(settings.calibrationImages) exceeds the "
                                    + "\(training.count) training images")
        }
        batches = calibrationBatches(count: settings.calibrationImages, of: training, seed: settings.seed)
    }
    let loader = BatchLoader.evaluation(images: training, batchSize: calibrationBatchSize,
                                        normalization: ChannelNormalization(mean: model.config.mean, std: model.config.std))
    var pixels = Tensor(zeros: [0]), labels: [Int32] = []
    try PostTrainingQuantization.quantize(model, settings: settings, batchCount: batches.count) { i in
        loader.makeBatch(indices: batches[i], epoch: 0, into: &pixels, labels: &labels)
        return pixels
    }

    var file = Checkpoint(model: model, record: record, command: stage.command)
    // An int8 model is not trained further, so its masks go: its zeros are exact int8 zeros.
    // A pruned parent's file stays compressed (zeros cost next to nothing); a dense one's int8
    // weights barely deflate, and the chunk indexes would cost more than deflate saves.
    file.masks = [:]
    file.compressWeights = parent.compressWeights || !parent.masks.isEmpty
    file.storeQuantizedWeights(of: model)
    file.logs = parent.logs
    if !stage.skipEvaluation {
        // Through the int8 path itself: the accuracy recorded is the quantized model's.
        let result = try evaluate(model, on: try stage.data.loadTest())
        print(describe(result))
        let counts = parent.eval["class_counts"]?.int64s?.map { Int($0) } ?? []
        file.storeEvaluation(result, model: model, classCounts: counts)
    }
    try file.save(to: out)

    let layers = model.parameters.filter { $0.quantized != nil }.count
    let (before, after) = (try fileSize(of: checkpoint), try fileSize(of: out))
    print(String(format: "quantized %d layers (%@%@) in %.1f s", layers, settings.mode.rawValue,
                 settings.mode == .static ? ", \(settings.calibration.rawValue) on \(settings.calibrationImages) images" : "",
                 Date().timeIntervalSince(start)))
    print(String(format: "wrote %@: %d bytes, %.1f%% of the parent file (%d bytes)", out, after,
                 100 * Double(after) / Double(max(1, before)), before))
}

/// The first `count` images of a seeded shuffle of the training set, in batches.
func calibrationBatches(count: Int, of images: LabeledImages, seed: UInt64) -> [[Int]] {
    let shuffled = BatchLoader(images: images, batchSize: images.count, augmentation: .none,
                               normalization: ChannelNormalization(mean: [0, 0, 0], std: [1, 1, 1]),
                               shuffle: true, dropLast: false, seed: seed).epoch(0).joined()
    let chosen = Array(shuffled.prefix(count))
    return stride(from: 0, to: chosen.count, by: calibrationBatchSize).map {
        Array(chosen[$0 ..< min(chosen.count, $0 + calibrationBatchSize)])
    }
}

private func fileSize(of path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
}
