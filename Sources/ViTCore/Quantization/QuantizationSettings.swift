/// Post-training quantization settings, printed at start-up and stored in the int8 checkpoint
/// (the `quantization` section of `config`). What is quantized: the weights of every linear
/// layer (qkv, proj, fc1, fc2, head, head_dist; the patch embedding when `patchEmbedding`)
/// and those layers' inputs. LayerNorm, softmax, GELU, residual adds and the attention products
/// QK^T and PV stay float32: they are a small share of the time, and LayerNorm and softmax
/// outputs are where 8 bits lose the most accuracy.
public struct QuantizationSettings: Codable, Equatable, Sendable {
    public enum Mode: String, Codable, CaseIterable, Sendable {
        /// Activation scales and zero points fixed by calibration and stored in the file.
        case `static`
        /// Each layer call quantizes its input with that batch's own min and max.
        case dynamic
    }

    public enum Calibration: String, Codable, CaseIterable, Sendable {
        /// The full range seen on the calibration images.
        case minmax
        /// Both tails clipped: [percentile (100 - p), percentile p] of the values seen.
        case percentile
    }

    public var mode = Mode.static
    public var calibration = Calibration.minmax
    public var percentile: Double = 99.99
    public var calibrationImages = 512
    public var patchEmbedding = false
    /// Chooses the calibration images (the first N of a shuffle of the training set).
    public var seed: UInt64 = 0
    /// The float checkpoint's file name and SHA-256.
    public var parent: String?
    public var parentSHA256: String?

    enum CodingKeys: String, CodingKey {
        case mode, calibration, percentile, calibrationImages = "calibration_images"
        case patchEmbedding = "patch_embedding", seed, parent, parentSHA256 = "parent_sha256"
    }

    public init() {}

    public func validate() throws {
        if calibrationImages < 1 {
            throw QuantizationError("--calibration-images must be at least 1, got \(calibrationImages)")
        }
        if !(percentile > 50 && percentile <= 100) {
            throw QuantizationError("--percentile must be in (50, 100], got \(percentile)")
        }
    }
}

public struct QuantizationError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
