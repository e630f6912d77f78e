// Sequence pooling (CCT): attention over the tokens with one learned scoring vector.
//   x: [B, N, D] -> s = x w^T + b: [B, N] (Linear(D, 1): w [1, D], b [1]) -> a = softmax over N: [B, N]
//   -> pooled[b] = sum over n of a[b, n] x[b, n]: [B, D]
//   backward: da[b, n] = x[b, n] . dPooled[b];  ds = softmax backward of da;
//             dx[b, n] = a[b, n] dPooled[b] + ds[b, n] w;  dw += ds^T x, db += sum ds (Linear's backward)

public struct SequencePoolingCache {
    var x: Tensor        // [B, N, D]
    var weights: Tensor  // a: [B, N]
}

public struct SequencePooling {
    public let score: Linear  // attention_pool: weight [1, D], bias [1]

    public init(score: Linear) {
        precondition(score.outFeatures == 1, "SequencePooling: attention_pool must have one output, got \(score.outFeatures)")
        self.score = score
    }

    public func forward(_ x: Tensor, keepCache: Bool) -> (Tensor, SequencePoolingCache?) {
        let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
        var weights = score.forward(x, precision: .f32).reshaped([batch, tokens])
        weights.data.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, rows: batch, columns: tokens) }
        var pooled = Tensor(zeros: [batch, width])
        x.data.withUnsafeBufferPointer { source in
            pooled.data.withUnsafeMutableBufferPointer { target in
                for b in 0..<batch {
                    let out = target.baseAddress! + b * width
                    for n in 0..<tokens {
                        let (a, row) = (weights.data[b * tokens + n], source.baseAddress! + (b * tokens + n) * width)
                        for d in 0..<width { out[d] += a * row[d] }
                    }
                }
            }
        }
        return (pooled, keepCache ? SequencePoolingCache(x: x, weights: weights) : nil)
    }

    /// dx [B, N, D] for dPooled [B, D]; adds the gradients of w and b.
    public func backward(_ dPooled: Tensor, cache: SequencePoolingCache) -> Tensor {
        let (batch, tokens, width) = (cache.x.shape[0], cache.x.shape[1], cache.x.shape[2])
        var dx = Tensor(uninitialized: cache.x.shape)
        var dScores = Tensor(uninitialized: [batch, tokens, 1])
        cache.x.data.withUnsafeBufferPointer { source in
            dPooled.data.withUnsafeBufferPointer { gradOut in
                dx.data.withUnsafeMutableBufferPointer { target in
                    for b in 0..<batch {
                        let gradient = gradOut.baseAddress! + b * width
                        for n in 0..<tokens {
                            let offset = (b * tokens + n) * width, a = cache.weights.data[b * tokens + n]
                            var dot: Float = 0
                            for d in 0..<width {
                                dot += source[offset + d] * gradient[d]
                                target[offset + d] = a * gradient[d]
                            }
                            dScores.data[b * tokens + n] = dot
                        }
                    }
                }
            }
        }
        cache.weights.data.withUnsafeBufferPointer { a in
            dScores.data.withUnsafeMutableBufferPointer { softmaxRowsBackward(probabilities: a.baseAddress!, gradient: $0.baseAddress!,
                                                                              rows: batch, columns: tokens) }
        }
        let dThroughScores = score.backward(dScores, input: cache.x, precision: .f32)!
        return add(dx, dThroughScores)
    }
}
