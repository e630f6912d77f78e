import Foundation
import ViTCore

/// Images/s of forward passes at `batch` on synthetic images, after one warm-up pass.
public func measureInferenceSpeed(_ model: VisionTransformer, batch: Int = 256, seconds: Double,
                                  precision: Precision = .f32) -> Double {
    measureInferenceWindows(model, batch: batch, seconds: seconds, repeats: 1, precision: precision)[0]
}

/// Images/s of each of `repeats` timed windows of forward passes at `batch`.
public func measureInferenceWindows(_ model: VisionTransformer, batch: Int, seconds: Double, repeats: Int,
                                    precision: Precision = .f32) -> [Double] {
    let images = syntheticImages(batch, model.config)
    return timedWindows(imagesPerCall: batch, seconds: seconds, repeats: repeats) {
        _ = model.forward(images, precision: precision)
    }
}

/// Images/s of each of `repeats` windows of at least `seconds` in which `body` (handling
/// `imagesPerCall` images) runs again and again, after one warm-up call (oneDNN compiles its
/// kernels on first use). vit-bench and the reports' speed columns both time this way.
public func timedWindows(imagesPerCall: Int, seconds: Double, repeats: Int, _ body: () -> Void) -> [Double] {
    body()
    return (0..<repeats).map { _ in
        let start = Date()
        var calls = 0
        repeat { body(); calls += 1 } while Date().timeIntervalSince(start) < seconds
        return Double(calls * imagesPerCall) / Date().timeIntervalSince(start)
    }
}

/// A batch of standard-normal images shaped for `config`, the same for every call (seed 7).
public func syntheticImages(_ batch: Int, _ config: ModelConfig) -> Tensor {
    var generator = SeededGenerator(seed: 7)
    let shape = [batch, config.channels, config.imageSize, config.imageSize]
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in generator.nextNormal() })
}
