// The model's pooling of its final tokens into one vector per image (ModelConfig.Pool):
//   x: [B, N, D] -> pooled [B, D]:  cls = token 0;  mean = mean of the tokens after the prefix;
//   seq = SequencePooling of the tokens after the prefix (prefix: class and distillation tokens).
//   backward: dx [B, N, D], zero where the pooling did not read.

public struct TokenPooling {
    public let kind: ModelConfig.Pool
    public let prefixTokens: Int
    /// The attention_pool layer, for `seq` only.
    public let sequence: SequencePooling?

    public init(kind: ModelConfig.Pool, prefixTokens: Int, sequence: SequencePooling?) {
        precondition((kind == .seq) == (sequence != nil), "TokenPooling: seq pooling, and only it, needs attention_pool")
        self.kind = kind
        self.prefixTokens = prefixTokens
        self.sequence = sequence
    }

    /// The pooled vectors and, for seq pooling with `keepCache`, what its backward needs.
    public func forward(_ x: Tensor, keepCache: Bool) -> (Tensor, SequencePoolingCache?) {
        let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
        switch kind {
        case .cls:
            return (Self.gatherToken(x, index: 0), nil)
        case .mean:
            var result = Tensor(zeros: [batch, width])
            let scale = 1 / Float(tokens - prefixTokens)
            for b in 0..<batch {
                for t in prefixTokens..<tokens {
                    for d in 0..<width { result.data[b * width + d] += x.data[(b * tokens + t) * width + d] * scale }
                }
            }
            return (result, nil)
        case .seq:
            return sequence!.forward(prefixTokens == 0 ? x : Self.dropPrefix(x, prefixTokens), keepCache: keepCache)
        }
    }

    public func backward(_ dPooled: Tensor, cache: SequencePoolingCache?, tokens: Int) -> Tensor {
        let (batch, width) = (dPooled.shape[0], dPooled.shape[1])
        var dx = Tensor(zeros: [batch, tokens, width])
        let dRows: Tensor, range: Range<Int>
        switch kind {
        case .cls:
            dRows = dPooled.reshaped([batch, 1, width])
            range = 0..<1
        case .mean:
            let scale = 1 / Float(tokens - prefixTokens), count = tokens - prefixTokens
            var rows = Tensor(uninitialized: [batch, count, width])
            for b in 0..<batch {
                for t in 0..<count {
                    for d in 0..<width { rows.data[(b * count + t) * width + d] = dPooled.data[b * width + d] * scale }
                }
            }
            (dRows, range) = (rows, prefixTokens..<tokens)
        case .seq:
            (dRows, range) = (sequence!.backward(dPooled, cache: cache!), prefixTokens..<tokens)
        }
        for b in 0..<batch {
            for (row, t) in range.enumerated() {
                for d in 0..<width { dx.data[(b * tokens + t) * width + d] = dRows.data[(b * range.count + row) * width + d] }
            }
        }
        return dx
    }

    /// [B, N, D] -> token `index` of each image: [B, D].
    static func gatherToken(_ x: Tensor, index: Int) -> Tensor {
        let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2])
        var result = Tensor(uninitialized: [batch, width])
        for b in 0..<batch {
            for d in 0..<width { result.data[b * width + d] = x.data[(b * tokens + index) * width + d] }
        }
        return result
    }

    /// [B, N, D] -> [B, N - prefix, D].
    static func dropPrefix(_ x: Tensor, _ prefix: Int) -> Tensor {
        let (batch, tokens, width) = (x.shape[0], x.shape[1], x.shape[2]), kept = tokens - prefix
        var result = Tensor(uninitialized: [batch, kept, width])
        for b in 0..<batch {
            for i in 0..<(kept * width) { result.data[b * kept * width + i] = x.data[(b * tokens + prefix) * width + i] }
        }
        return result
    }
}
