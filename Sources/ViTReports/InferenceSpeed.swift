import Foundation
import ViTCore

/// Images/s of forward passes at `batch` on synthetic images, after one warm-up pass.
public func measureInferenceSpeed(_ model: VisionTransformer, batch: Int = 256, seconds: Double,
                                  precision: Precision = .f32) -> Double {
    measureInferenceWindows(model, batch: batch, seconds: seconds, repeats: 1, precision: precision)[0]
}

/// Images/s of each of `repeats` timed windows of at least `seconds`, after one warm-up pass
/// (oneDNN compiles its kernels on first use).
public func measureInferenceWindows(_ model: VisionTransformer, batch: Int, seconds: Double, repeats: Int,
                                    precision: Precision = .f32) -> [Double] {
    var generator = SeededGenerator(seed: 7)
    let config = model.config
    let shape = [batch, config.channels, config.imageSize, config.imageSize]
    let images = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
    _ = model.forward(images, precision: precision)
    return (0..<repeats).map { _ in
        let start = Date()
        var calls = 0
        repeat {
            _ = model.forward(images, precision: precision)
            calls += 1
        } while Date().timeIntervalSince(start) < seconds
        return Double(calls * batch) / Date().timeIntervalSince(start)
    }
}
