// 3x3 max pooling, stride 2, padding 1 (PyTorch's MaxPool2d(3, 2, 1): the padding never wins), on
// channels-last maps, optionally fused with the ReLU before it; `reference` is the naive twin.
//   x: [B, S, S, C] -> y: [B, T, T, C], T = (S - 1) / 2 + 1 (32 -> 16 -> 8)
//   y[b, i, j, c] = max over ky, kx in 0..<3 of x[b, 2i + ky - 1, 2j + kx - 1, c] (inside the image)
//   rectified: y = max(0, that) = the pooling of ReLU(x), since max and ReLU commute; computing it
//   this way never writes ReLU(x), the largest map of the tokenizer, nor reads it back in backward.
//   backward: each dy goes to the input that won its window (the first largest in ky, kx order),
//   recorded at forward as the tap ky * 3 + kx, or `blocked` where the ReLU let nothing through.
// Hand-written rather than oneDNN's pooling: on an AVX2 CPU that took 42 ms of cct-student's 360 ms
// training step (about 2 GB/s); this loop keeps each image's map in cache and runs 8 channels a
// vector. Both cores split the batch; every value is computed as in the direct loops (bit-exact).

public enum MaxPool {
    /// The winner record's value where no tap won: a rectified window whose inputs were all <= 0.
    public static let blocked: UInt8 = 255

    public static func outputSize(_ size: Int) -> Int { (size - 1) / 2 + 1 }

    /// [B, T, T, C] for an input of [B, S, S, C].
    public static func outputShape(_ inputShape: [Int]) -> [Int] {
        [inputShape[0], outputSize(inputShape[1]), outputSize(inputShape[2]), inputShape[3]]
    }

    /// y, and with `keepWinners` each output's winning tap, which backward needs.
    public static func forward(_ x: Tensor, rectified: Bool = false,
                               keepWinners: Bool) -> (Tensor, winners: [UInt8]?) {
        let (batch, size, channels) = (x.shape[0], x.shape[1], x.shape[3]), out = outputSize(size)
        var y = Tensor(uninitialized: [batch, out, out, channels])
        var winners = [UInt8](repeating: 0, count: keepWinners ? y.count : 0)
        let floor: Float = rectified ? 0 : -.infinity
        x.data.withUnsafeBufferPointer { source in
            y.data.withUnsafeMutableBufferPointer { target in
                winners.withUnsafeMutableBufferPointer { record in
                    // An empty array's buffer may still have an address: ask keepWinners, not the address.
                    let (from, to, taps) = (source.baseAddress!, target.baseAddress!, keepWinners ? record.baseAddress : nil)
                    parallelRanges(batch, minimumPerWorker: 1) { images in
                        for b in images {
                            poolImageKernel(from + b * size * size * channels, to + b * out * out * channels,
                                            taps.map { $0 + b * out * out * channels },
                                            size: size, channels: channels, floor: floor)
                        }
                    }
                }
            }
        }
        return (y, keepWinners ? winners : nil)
    }

    /// dx [B, S, S, C] for dy [B, T, T, C] and the forward's winners.
    public static func backward(_ dy: Tensor, winners: [UInt8], inputShape: [Int]) -> Tensor {
        precondition(winners.count == dy.count, "MaxPool.backward: \(winners.count) winners for \(dy.count) values")
        let (batch, size, channels) = (inputShape[0], inputShape[1], inputShape[3]), out = outputSize(size)
        var dx = Tensor(uninitialized: inputShape)
        dy.data.withUnsafeBufferPointer { gradOut in
            dx.data.withUnsafeMutableBufferPointer { gradIn in
                winners.withUnsafeBufferPointer { record in
                    let (from, to, taps) = (gradOut.baseAddress!, gradIn.baseAddress!, record.baseAddress!)
                    parallelRanges(batch, minimumPerWorker: 1) { images in
                        for b in images {
                            unpoolImageKernel(from + b * out * out * channels, taps + b * out * out * channels,
                                              to + b * size * size * channels, size: size, channels: channels)
                        }
                    }
                }
            }
        }
        return dx
    }

    /// Direct loops: slow and obviously right, for tests.
    public static func reference(_ x: Tensor) -> Tensor {
        let (batch, size, channels) = (x.shape[0], x.shape[1], x.shape[3]), out = outputSize(size)
        var y = Tensor(zeros: [batch, out, out, channels])
        for b in 0..<batch { for i in 0..<out { for j in 0..<out { for c in 0..<channels {
            var best = -Float.infinity
            for ky in 0..<3 { for kx in 0..<3 {
                let (row, column) = (2 * i + ky - 1, 2 * j + kx - 1)
                guard (0..<size).contains(row), (0..<size).contains(column) else { continue }
                best = max(best, x.data[((b * size + row) * size + column) * channels + c])
            } }
            y.data[((b * out + i) * out + j) * channels + c] = best
        } } } }
        return y
    }
}

/// The window's taps that lie inside a size x size image, as (tap, offset of the pixel) for the
/// output pixel (i, j); offsets count pixels from the image's start.
@inline(__always)
private func windowTaps(_ i: Int, _ j: Int, size: Int, _ body: (Int, Int) -> Void) {
    for ky in 0..<3 where 2 * i + ky - 1 >= 0 && 2 * i + ky - 1 < size {
        for kx in 0..<3 where 2 * j + kx - 1 >= 0 && 2 * j + kx - 1 < size {
            body(ky * 3 + kx, (2 * i + ky - 1) * size + 2 * j + kx - 1)
        }
    }
}

/// One image: y = max(floor, window maxima), 8 channels a vector; a tap wins only when strictly
/// larger than the best so far (the first largest wins; nothing wins a rectified window of values <= 0).
@inline(never)
private func poolImageKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                             _ winners: UnsafeMutablePointer<UInt8>?, size: Int, channels: Int, floor: Float) {
    let out = MaxPool.outputSize(size), vectorChannels = channels & ~7
    for i in 0..<out {
        for j in 0..<out {
            let target = (i * out + j) * channels
            var c = 0
            while c < vectorChannels {
                var best = SIMD8<Float>(repeating: floor), won = SIMD8<Int32>(repeating: Int32(MaxPool.blocked))
                windowTaps(i, j, size: size) { tap, pixel in
                    let value = UnsafeRawPointer(x + pixel * channels + c).loadUnaligned(as: SIMD8<Float>.self)
                    let larger = value .> best
                    best.replace(with: value, where: larger)
                    won.replace(with: Int32(tap), where: larger)
                }
                UnsafeMutableRawPointer(y + target + c).storeBytes(of: best, as: SIMD8<Float>.self)
                if let winners {
                    UnsafeMutableRawPointer(winners + target + c)
                        .storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: won), as: SIMD8<UInt8>.self)
                }
                c += 8
            }
            while c < channels {
                var best = floor, won = MaxPool.blocked
                windowTaps(i, j, size: size) { tap, pixel in
                    let value = x[pixel * channels + c]
                    if value > best { (best, won) = (value, UInt8(tap)) }
                }
                y[target + c] = best
                winners?[target + c] = won
                c += 1
            }
        }
    }
}

/// One image: dx = 0, then each dy added to its window's winner, 8 channels a vector (each tap adds
/// the dy it won and zero elsewhere, so that the channels need no gather).
@inline(never)
private func unpoolImageKernel(_ dy: UnsafePointer<Float>, _ winners: UnsafePointer<UInt8>,
                               _ dx: UnsafeMutablePointer<Float>, size: Int, channels: Int) {
    let out = MaxPool.outputSize(size), vectorChannels = channels & ~7
    dx.initialize(repeating: 0, count: size * size * channels)
    for i in 0..<out {
        for j in 0..<out {
            let source = (i * out + j) * channels
            var c = 0
            while c < vectorChannels {
                let gradient = UnsafeRawPointer(dy + source + c).loadUnaligned(as: SIMD8<Float>.self)
                // As floats: Swift compiles a float comparison to one vector compare, an integer one not.
                let won = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded:
                    UnsafeRawPointer(winners + source + c).loadUnaligned(as: SIMD8<UInt8>.self)))
                windowTaps(i, j, size: size) { tap, pixel in
                    let address = UnsafeMutableRawPointer(dx + pixel * channels + c)
                    var sum = address.loadUnaligned(as: SIMD8<Float>.self)
                    sum += SIMD8<Float>(repeating: 0).replacing(with: gradient, where: won .== Float(tap))
                    address.storeBytes(of: sum, as: SIMD8<Float>.self)
                }
                c += 8
            }
            while c < channels {
                let won = winners[source + c]
                windowTaps(i, j, size: size) { tap, pixel in
                    if won == UInt8(tap) { dx[pixel * channels + c] += dy[source + c] }
                }
                c += 1
            }
        }
    }
}
