// 3x3 convolution, stride 1, zero padding 1 (PyTorch's Conv2d(Cin, Cout, 3, padding=1)), as im2col + Linear.
//   x: [B, Cin, S, S] -> columns: [B, S*S, Cin*9], feature c*9 + ky*3 + kx (the memory order of W [Cout, Cin, 3, 3])
//   -> columns W^T + b: [B, S*S, Cout] -> y: [B, Cout, S, S]
//   backward: dColumns = dy^T W (dy read as [B, S*S, Cout]); dx[pixel] = sum of the 9 columns that read it;
//             dW += dy^T columns;  db += sum of dy

public struct Convolution3x3 {
    public let linear: Linear  // weight [Cout, Cin, 3, 3] viewed as [Cout, Cin*9], bias [Cout]

    public init(weight: Parameter, bias: Parameter) {
        precondition(weight.shape.count == 4 && weight.shape[2] == 3 && weight.shape[3] == 3,
                     "Convolution3x3: weight \(weight.shape) is not [Cout, Cin, 3, 3]")
        linear = Linear(weight: weight, bias: bias)
    }

    /// Returns y and the columns (the cache backward needs).
    public func forward(_ x: Tensor, precision: Precision) -> (Tensor, columns: Tensor) {
        let columns = Self.columns(x)
        let y = linear.forward(columns, precision: precision)
        return (Self.swapLastTwo(y, toChannelsFirst: true, channels: linear.outFeatures), columns)
    }

    public func backward(_ dy: Tensor, columns: Tensor, inputShape: [Int], precision: Precision) -> Tensor {
        let dyRows = Self.swapLastTwo(dy, toChannelsFirst: false, channels: linear.outFeatures)
        let dColumns = linear.backward(dyRows, input: columns, precision: precision)!
        return Self.gatherColumns(dColumns, shape: inputShape)
    }

    /// im2col: [B, C, S, S] -> [B, S*S, C*9], zeros where the window leaves the image.
    static func columns(_ x: Tensor) -> Tensor {
        let (batch, channels, size) = (x.shape[0], x.shape[1], x.shape[2])
        var columns = Tensor(zeros: [batch, size * size, channels * 9])
        x.data.withUnsafeBufferPointer { source in
            columns.data.withUnsafeMutableBufferPointer { target in
                let (from, to) = (source.baseAddress!, target.baseAddress!)
                parallelRanges(batch, minimumPerWorker: 8) { range in
                    for b in range {
                        visitWindows(size: size) { pixel, tap, input in
                            for c in 0..<channels {
                                to[(b * size * size + pixel) * channels * 9 + c * 9 + tap] =
                                    from[(b * channels + c) * size * size + input]
                            }
                        }
                    }
                }
            }
        }
        return columns
    }

    /// col2im, the backward of `columns`: each input pixel sums the gradients of the taps that read it.
    static func gatherColumns(_ dColumns: Tensor, shape: [Int]) -> Tensor {
        let (batch, channels, size) = (shape[0], shape[1], shape[2])
        var dx = Tensor(zeros: shape)
        dColumns.data.withUnsafeBufferPointer { source in
            dx.data.withUnsafeMutableBufferPointer { target in
                let (from, to) = (source.baseAddress!, target.baseAddress!)
                parallelRanges(batch, minimumPerWorker: 8) { range in
                    for b in range {
                        visitWindows(size: size) { pixel, tap, input in
                            for c in 0..<channels {
                                to[(b * channels + c) * size * size + input] +=
                                    from[(b * size * size + pixel) * channels * 9 + c * 9 + tap]
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    /// Calls body(output pixel, tap ky*3 + kx, input pixel) for every tap inside the image.
    @inline(__always)
    private static func visitWindows(size: Int, _ body: (Int, Int, Int) -> Void) {
        for oy in 0..<size {
            for ky in 0..<3 where oy + ky - 1 >= 0 && oy + ky - 1 < size {
                for ox in 0..<size {
                    for kx in 0..<3 where ox + kx - 1 >= 0 && ox + kx - 1 < size {
                        body(oy * size + ox, ky * 3 + kx, (oy + ky - 1) * size + ox + kx - 1)
                    }
                }
            }
        }
    }

    /// [B, S*S, C] <-> [B, C, S*S] (the shape of the result is [B, C, S, S] or [B, S*S, C]).
    static func swapLastTwo(_ x: Tensor, toChannelsFirst: Bool, channels: Int) -> Tensor {
        let batch = x.shape[0], pixels = x.count / (batch * channels)
        let size = Int(Double(pixels).squareRoot().rounded())
        var y = Tensor(uninitialized: toChannelsFirst ? [batch, channels, size, size] : [batch, pixels, channels])
        x.data.withUnsafeBufferPointer { source in
            y.data.withUnsafeMutableBufferPointer { target in
                let (from, to) = (source.baseAddress!, target.baseAddress!)
                parallelRanges(batch, minimumPerWorker: 8) { range in
                    for b in range {
                        let base = b * pixels * channels
                        for p in 0..<pixels {
                            for c in 0..<channels {
                                if toChannelsFirst {
                                    to[base + c * pixels + p] = from[base + p * channels + c]
                                } else {
                                    to[base + p * channels + c] = from[base + c * pixels + p]
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }
}
