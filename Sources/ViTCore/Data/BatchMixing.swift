/// Mixup and CutMix over a whole batch, as timm's Mixup in its 'batch' mode with prob 1: each
/// batch is mixed with its own reverse, by Mixup or (with `switchProbability`) by CutMix when
/// both alphas are positive, else by the one whose alpha is.
public struct BatchMixing: Equatable, Sendable {
    public var mixupAlpha: Float
    public var cutmixAlpha: Float
    public var switchProbability: Float

    /// The DeiT recipe's alphas (timm's --mixup 0.8 --cutmix 1.0).
    public static let defaultMixupAlpha: Float = 0.8, defaultCutmixAlpha: Float = 1.0

    public init(mixupAlpha: Float = BatchMixing.defaultMixupAlpha, cutmixAlpha: Float = BatchMixing.defaultCutmixAlpha,
                switchProbability: Float = 0.5) {
        (self.mixupAlpha, self.cutmixAlpha, self.switchProbability) = (mixupAlpha, cutmixAlpha, switchProbability)
    }

    /// One batch's mixing. A CutMix box is rows [top, bottom) and columns [left, right), and its
    /// lambda is already corrected to the box's actual area.
    public enum Draw: Equatable, Sendable {
        case mixup(lambda: Float)
        case cutmix(top: Int, bottom: Int, left: Int, right: Int, lambda: Float)

        public var lambda: Float {
            switch self {
            case .mixup(let lambda), .cutmix(_, _, _, _, let lambda): lambda
            }
        }
    }

    /// nil when both alphas are 0 (no mixing).
    public func draw(height: Int, width: Int, generator: inout SeededGenerator) -> Draw? {
        let useCutmix: Bool
        switch (mixupAlpha > 0, cutmixAlpha > 0) {
        case (false, false): return nil
        case (true, true): useCutmix = generator.nextUniform() < switchProbability
        case (false, true): useCutmix = true
        case (true, false): useCutmix = false
        }
        let alpha = Double(useCutmix ? cutmixAlpha : mixupAlpha)
        let lambda = generator.nextBeta(alpha, alpha)
        guard useCutmix else { return .mixup(lambda: Float(lambda)) }
        // timm's rand_bbox: a box of sides int(side * sqrt(1 - lambda)) centred on a uniform pixel,
        // clipped to the image.
        let ratio = (1 - lambda).squareRoot()
        let cutHeight = Int(Double(height) * ratio), cutWidth = Int(Double(width) * ratio)
        let centreY = generator.nextInt(below: height), centreX = generator.nextInt(below: width)
        let top = min(max(centreY - cutHeight / 2, 0), height), bottom = min(max(centreY + cutHeight / 2, 0), height)
        let left = min(max(centreX - cutWidth / 2, 0), width), right = min(max(centreX + cutWidth / 2, 0), width)
        let area = Float((bottom - top) * (right - left)) / Float(height * width)
        return .cutmix(top: top, bottom: bottom, left: left, right: right, lambda: 1 - area)
    }

    /// pixels: [B, C, H, W], mixed in place with its reverse along B: Mixup takes
    /// lambda * x[b] + (1 - lambda) * x[B-1-b]; CutMix pastes x[B-1-b]'s box into x[b].
    public static func apply(_ draw: Draw, to pixels: inout Tensor) {
        precondition(pixels.shape.count == 4, "BatchMixing: pixels must be [B, C, H, W], got \(pixels.shape)")
        let (count, channels, height, width) = (pixels.shape[0], pixels.shape[1], pixels.shape[2], pixels.shape[3])
        let image = channels * height * width
        pixels.data.withUnsafeMutableBufferPointer { x in
            // Pairs (b, B-1-b) swap or blend symmetrically, so no copy of the batch is needed;
            // the middle image of an odd batch is its own partner.
            for b in 0 ..< count / 2 {
                let first = x.baseAddress! + b * image, second = x.baseAddress! + (count - 1 - b) * image
                switch draw {
                case .mixup(let lambda):
                    for i in 0..<image {
                        let (u, v) = (first[i], second[i])
                        first[i] = lambda * u + (1 - lambda) * v
                        second[i] = lambda * v + (1 - lambda) * u
                    }
                case .cutmix(let top, let bottom, let left, let right, _):
                    for c in 0..<channels { for y in top..<bottom { for column in left..<right {
                        swap(&first[(c * height + y) * width + column], &second[(c * height + y) * width + column])
                    } } }
                }
            }
        }
    }
}
