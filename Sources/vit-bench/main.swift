import Foundation
import ViTCore

// Temporary quick timing; replaced by the full bench command.
let args = CommandLine.arguments
let preset = args.count > 1 ? args[1] : "teacher"
let precision = Precision(rawValue: args.count > 2 ? args[2] : "f32")!
let config = ModelConfig.preset(named: preset)!
let model = try VisionTransformer(config: config, seed: 0)
let optimizer = AdamW(weightDecay: 0.05)
let step = TrainingStep(loss: ClassificationLoss(kind: .ce, labelSmoothing: 0.1), precision: precision, clipNorm: 1)
let images = randomTensor(shape: [128, 3, 32, 32])
let labels = (0..<128).map { Int32($0 % 10) }
func randomTensor(shape: [Int]) -> Tensor {
    var g = SeededGenerator(seed: 1)
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextNormal() })
}
_ = step.run(model: model, optimizer: optimizer, images: images, labels: labels, learningRate: 1e-3, dropoutSeed: 0)
let start = Date()
for i in 0..<5 { _ = step.run(model: model, optimizer: optimizer, images: images, labels: labels, learningRate: 1e-3, dropoutSeed: UInt64(i)) }
let elapsed = Date().timeIntervalSince(start)
print("train \(preset) \(precision): \(Double(5 * 128) / elapsed) images/s")
let big = randomTensor(shape: [256, 3, 32, 32])
_ = model.forward(big, precision: precision)
let s2 = Date()
for _ in 0..<3 { _ = model.forward(big, precision: precision) }
print("infer \(preset) \(precision): \(Double(3 * 256) / Date().timeIntervalSince(s2)) images/s")
