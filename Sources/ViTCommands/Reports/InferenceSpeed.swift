import Foundation
import ViTCore

/// Images/s of forward passes at `batch` on synthetic images, after one warm-up pass.
public func measureInferenceSpeed(_ model: VisionTransformer, batch: Int = 256, seconds: Double,
                                  precision: Precision = .f32) -> Double {
    var generator = SeededGenerator(seed: 7)
    let config = model.config
    let shape = [batch, config.channels, config.imageSize, config.imageSize]
    let images = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
    _ = model.forward(images, precision: precision)
    let start = Date()
    var calls = 0
    repeat {
        _ = model.forward(images, precision: precision)
        calls += 1
    } while Date().timeIntervalSince(start) < seconds
    return Double(calls * batch) / Date().timeIntervalSince(start)
}
