/// One image's augmentation, drawn by `Augmentation.window`: the window of the source image
/// [top, top + height) x [left, left + width) is resized to 32x32, then mirrored if `flip`.
/// A 32x32 window may reach past the border into zero padding (RandomCrop with padding);
/// a window of any other size must lie inside the image (RandomResizedCrop).
public struct CropWindow: Equatable, Sendable {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int
    public var flip: Bool

    public init(top: Int, left: Int, height: Int, width: Int, flip: Bool) {
        (self.top, self.left, self.height, self.width, self.flip) = (top, left, height, width, flip)
    }

    public static let identity = CropWindow(top: 0, left: 0, height: 32, width: 32, flip: false)

    /// source: [3, 32, 32] bytes; output: [3, 32, 32] normalised floats.
    /// Padding is the byte 0, so it comes out as -mean/std, as torchvision pads before Normalize.
    public func render(_ source: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Float>,
                       normalization: ChannelNormalization) {
        render(source, into: output, affine: normalization.affine)
    }

    // The batch loop computes the affine map once per batch, not once per image and channel.
    func render(_ source: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Float>,
                affine: (scale: SIMD4<Float>, bias: SIMD4<Float>)) {
        let side = LabeledImages.side, plane = side * side
        withUnsafeTemporaryAllocation(of: Tap.self, capacity: side) { columns in
            if height != side || width != side {
                for x in 0..<side { columns[x] = Tap(x, step: Float(width) / Float(side), size: width) }
            }
            for c in 0..<LabeledImages.channels {
                let out = output + c * plane
                if height == side && width == side {
                    shift(source + c * plane, into: out, scale: affine.scale[c], bias: affine.bias[c])
                } else {
                    resize(source + c * plane, into: out, columns: columns, scale: affine.scale[c], bias: affine.bias[c])
                }
                if flip {
                    for y in 0..<side {
                        var row = UnsafeMutableBufferPointer(start: out + y * side, count: side)
                        row.reverse()
                    }
                }
            }
        }
    }

    // One plane, [32, 32]: a translated copy with zero padding outside the image.
    private func shift(_ source: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Float>,
                       scale: Float, bias: Float) {
        let side = LabeledImages.side
        let first = min(max(-left, 0), side), end = max(min(side - left, side), first)  // columns inside
        for y in 0..<side {
            let row = output + y * side, sourceY = top + y
            guard sourceY >= 0 && sourceY < side else {
                row.update(repeating: bias, count: side)
                continue
            }
            let sourceRow = source + sourceY * side + left
            row.update(repeating: bias, count: first)
            for x in first..<end { row[x] = Float(sourceRow[x]) * scale + bias }
            (row + end).update(repeating: bias, count: side - end)
        }
    }

    // One plane, [32, 32]: bilinear resize of the window, with the arithmetic of PyTorch's
    // upsample_bilinear2d (align_corners=False) so results match torchvision's RandomResizedCrop.
    private func resize(_ source: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Float>,
                        columns: UnsafeMutableBufferPointer<Tap>, scale: Float, bias: Float) {
        let side = LabeledImages.side
        for y in 0..<side {
            let rowTap = Tap(y, step: Float(height) / Float(side), size: height)
            let row0 = source + (top + rowTap.near) * side + left, row1 = source + (top + rowTap.far) * side + left
            let row = output + y * side, ly = rowTap.weight
            for x in 0..<side {
                let tap = columns[x], lx = tap.weight
                let upper = (1 - lx) * Float(row0[tap.near]) + lx * Float(row0[tap.far])
                let lower = (1 - lx) * Float(row1[tap.near]) + lx * Float(row1[tap.far])
                row[x] = ((1 - ly) * upper + ly * lower) * scale + bias
            }
        }
    }

    /// Where output pixel o of a resize reads: its centre sits at (o + 0.5) * step - 0.5 in the
    /// window, clamped at the near edge; the far neighbour repeats the last pixel at the far edge.
    struct Tap {
        var near: Int, far: Int, weight: Float

        init(_ o: Int, step: Float, size: Int) {
            let position = max((Float(o) + 0.5) * step - 0.5, 0)
            near = Int(position)
            far = near + (near < size - 1 ? 1 : 0)
            weight = position - Float(near)
        }
    }
}
