// Decoding that accepts checkpoints written before a key existed: the keys added with the
// conv tokenizer (tokenizer, conv_layers, conv_channels, drop_path) and with BatchNorm (norm:
// older files are LayerNorm models) take their defaults when absent; every older key stays required.

extension ModelConfig {
    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        imageSize = try values.decode(Int.self, forKey: .imageSize)
        channels = try values.decode(Int.self, forKey: .channels)
        tokenizer = try values.decodeIfPresent(Tokenizer.self, forKey: .tokenizer) ?? .patch
        patchSize = try values.decode(Int.self, forKey: .patchSize)
        convLayers = try values.decodeIfPresent(Int.self, forKey: .convLayers) ?? 2
        convChannels = try values.decodeIfPresent(Int.self, forKey: .convChannels) ?? 64
        dim = try values.decode(Int.self, forKey: .dim)
        depth = try values.decode(Int.self, forKey: .depth)
        heads = try values.decode(Int.self, forKey: .heads)
        mlpDim = try values.decode(Int.self, forKey: .mlpDim)
        numClasses = try values.decode(Int.self, forKey: .numClasses)
        pool = try values.decode(Pool.self, forKey: .pool)
        norm = try values.decodeIfPresent(Norm.self, forKey: .norm) ?? .layer
        dropout = try values.decode(Float.self, forKey: .dropout)
        dropPath = try values.decodeIfPresent(Float.self, forKey: .dropPath) ?? 0
        distillationToken = try values.decode(Bool.self, forKey: .distillationToken)
        blockHeads = try values.decodeIfPresent([Int].self, forKey: .blockHeads)
        blockMlpDims = try values.decodeIfPresent([Int].self, forKey: .blockMlpDims)
        mean = try values.decode([Float].self, forKey: .mean)
        std = try values.decode([Float].self, forKey: .std)
    }
}
