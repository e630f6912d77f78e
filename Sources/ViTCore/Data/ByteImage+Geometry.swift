import Foundation

// The geometric operations of torchvision's AutoAugment on uint8 tensors: an affine map with
// nearest-neighbour sampling, as F.affine / F.rotate do through grid_sample(align_corners=False).
// Pixels whose source falls outside the image take `fill`; torchvision's default for tensors
// (fill=None) is 0, so that is the default here too.
extension ByteImage {
    /// out(x, y) = in(x + m * (y + 0.5), y): torchvision's ShearX, whose shear angle is atan(m)
    /// about the top-left corner.
    public func shearX(_ m: Float, fill: UInt8 = 0) {
        affine(InverseMap(1, m, m * Float(height) / 2, 0, 1, 0), fill: fill)
    }

    /// out(x, y) = in(x, y + m * (x + 0.5)).
    public func shearY(_ m: Float, fill: UInt8 = 0) {
        affine(InverseMap(1, 0, 0, m, 1, m * Float(width) / 2), fill: fill)
    }

    /// Moves the content `pixels` to the right (left when negative).
    public func translateX(_ pixels: Int, fill: UInt8 = 0) { affine(InverseMap(1, 0, Float(-pixels), 0, 1, 0), fill: fill) }

    /// Moves the content `pixels` down (up when negative).
    public func translateY(_ pixels: Int, fill: UInt8 = 0) { affine(InverseMap(1, 0, 0, 0, 1, Float(-pixels)), fill: fill) }

    /// Rotates counter-clockwise by `degrees` about the image centre, keeping the size.
    public func rotate(_ degrees: Float, fill: UInt8 = 0) {
        let angle = Double(degrees) * Double.pi / 180
        let c = Float(cos(angle)), s = Float(sin(angle))
        affine(InverseMap(c, -s, 0, s, c, 0), fill: fill)
    }

    /// `inverse` maps an output pixel to its source, both in coordinates centred on the image
    /// (pixel centres at x - W/2 + 0.5), as torchvision's _get_inverse_affine_matrix returns it.
    /// Nearest rounds halves to even, as grid_sample's nearbyint does.
    func affine(_ inverse: InverseMap, fill: UInt8) {
        let h = height, w = width, halfW = Float(w) / 2, halfH = Float(h) / 2
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { copy in
            _ = copy.initialize(from: UnsafeBufferPointer(start: pixels, count: count))
            for y in 0..<h {
                let yc = Float(y) - halfH + 0.5
                for x in 0..<w {
                    let xc = Float(x) - halfW + 0.5
                    let sx = (inverse.xx * xc + inverse.xy * yc + inverse.x0 + halfW - 0.5).rounded(.toNearestOrEven)
                    let sy = (inverse.yx * xc + inverse.yy * yc + inverse.y0 + halfH - 0.5).rounded(.toNearestOrEven)
                    let inside = sx >= 0 && sx < Float(w) && sy >= 0 && sy < Float(h)
                    let source = inside ? Int(sy) * w + Int(sx) : -1
                    for c in 0..<Self.channels {
                        pixels[c * planeCount + y * w + x] = inside ? copy[c * planeCount + source] : fill
                    }
                }
            }
        }
    }

    /// source x = xx * x + xy * y + x0, source y = yx * x + yy * y + y0, in centred coordinates.
    struct InverseMap {
        var xx, xy, x0, yx, yy, y0: Float
        init(_ xx: Float, _ xy: Float, _ x0: Float, _ yx: Float, _ yy: Float, _ y0: Float) {
            (self.xx, self.xy, self.x0, self.yx, self.yy, self.y0) = (xx, xy, x0, yx, yy, y0)
        }
    }
}
