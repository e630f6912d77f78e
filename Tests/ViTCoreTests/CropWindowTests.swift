import XCTest
@testable import ViTCore

final class CropWindowTests: XCTestCase {
    private let normalization = ChannelNormalization.cifar10
    private let image = syntheticImages(labels: [0], seed: 11).pixels

    private func render(_ window: CropWindow, _ source: [UInt8]? = nil) -> [Float] {
        var output = [Float](repeating: .nan, count: 3072)
        (source ?? image).withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                window.render(source.baseAddress!, into: output.baseAddress!, normalization: normalization)
            }
        }
        return output
    }

    /// The normalised value of source pixel (c, y, x), or of zero padding outside the image.
    private func expected(_ c: Int, _ y: Int, _ x: Int, _ source: [UInt8]? = nil) -> Float {
        let inside = (0..<32).contains(y) && (0..<32).contains(x)
        return normalization.normalize(inside ? (source ?? image)[c * 1024 + y * 32 + x] : 0, channel: c)
    }

    func testUnshiftedCropIsTheNormalisedImage() {
        // RandomCrop's offset (4, 4) in the padded image is the image itself.
        let output = render(CropWindow(top: 4 - 4, left: 4 - 4, height: 32, width: 32, flip: false))
        for c in 0..<3 { for y in 0..<32 { for x in 0..<32 {
            XCTAssertEqual(output[c * 1024 + y * 32 + x], expected(c, y, x))
        } } }
    }

    func testFlipMirrorsColumnsOfTheCrop() {
        let window = CropWindow(top: -2, left: 3, height: 32, width: 32, flip: false)
        var mirrored = window
        mirrored.flip = true
        let plain = render(window), flipped = render(mirrored)
        for c in 0..<3 { for y in 0..<32 { for x in 0..<32 {
            XCTAssertEqual(flipped[c * 1024 + y * 32 + x], plain[c * 1024 + y * 32 + 31 - x])
        } } }
    }

    func testCornerCropShowsZeroPaddingAsNormalisedZero() {
        // Offset (0, 0) in the padded image: four rows and columns of padding, then the image.
        let output = render(CropWindow(top: -4, left: -4, height: 32, width: 32, flip: false))
        for c in 0..<3 { for y in 0..<32 { for x in 0..<32 {
            XCTAssertEqual(output[c * 1024 + y * 32 + x], expected(c, y - 4, x - 4))
        } } }
        XCTAssertEqual(output[0], -0.4914 / 0.2470, accuracy: 1e-5)
    }

    func testResizeMatchesDirectBilinearFormula() {
        // Independent twin of the resize: half-pixel centres, clamped, written out in Double.
        for window in [CropWindow(top: 3, left: 1, height: 29, width: 30, flip: false),
                       CropWindow(top: 0, left: 5, height: 27, width: 26, flip: true),
                       CropWindow(top: 10, left: 12, height: 7, width: 5, flip: false)] {
            let output = render(window)
            var largest: Float = 0
            for c in 0..<3 { for y in 0..<32 { for x in 0..<32 {
                let sy = min(max((Double(y) + 0.5) * Double(window.height) / 32 - 0.5, 0), Double(window.height - 1))
                let column = window.flip ? 31 - x : x
                let sx = min(max((Double(column) + 0.5) * Double(window.width) / 32 - 0.5, 0), Double(window.width - 1))
                let y0 = Int(sy), x0 = Int(sx), y1 = min(y0 + 1, window.height - 1), x1 = min(x0 + 1, window.width - 1)
                func at(_ yy: Int, _ xx: Int) -> Double { Double(expected(c, window.top + yy, window.left + xx)) }
                let ly = sy - Double(y0), lx = sx - Double(x0)
                let value = (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x1)) + ly * ((1 - lx) * at(y1, x0) + lx * at(y1, x1))
                largest = max(largest, abs(output[c * 1024 + y * 32 + x] - Float(value)))
            } } }
            print(largest < 1e-4 ? "OK" : "NOT OK", "resize \(window): largest difference \(largest)")
            XCTAssertLessThan(largest, 1e-4)
        }
    }

    func testResizeOfConstantImageIsConstant() {
        let grey = [UInt8](repeating: 77, count: 3072)
        let output = render(CropWindow(top: 2, left: 4, height: 28, width: 25, flip: true), grey)
        for c in 0..<3 { for i in 0..<1024 {
            XCTAssertEqual(output[c * 1024 + i], normalization.normalize(77, channel: c), accuracy: 1e-5)
        } }
    }
}
