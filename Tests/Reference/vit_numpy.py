"""An independent forward pass of a vitc checkpoint in numpy, written from timm's
VisionTransformer (not from vitc's Swift code), for the tests to compare logits against.
The conv tokenizer and sequence pooling follow SHI-Labs' Compact-Transformers (CCT).
norm "batch" models (the course report's) use torch.nn.BatchNorm1d in eval mode on the
[B*N, D] token rows: the running statistics stored beside each norm's weight and bias.

usage: vit_numpy.py CHECKPOINT.h5 INPUTS.h5   (INPUTS holds /images [B, C, S, S], float32)
prints one line: the logits as JSON.
"""
import json
import math
import sys

import h5py
import numpy as np


def layer_norm(x, weight, bias, eps=1e-6):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def batch_norm(x, weight, bias, running_mean, running_var, eps=1e-5):
    return (x - running_mean) / np.sqrt(running_var + eps) * weight + bias


def gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def conv3x3(x, weight):
    """Conv2d(kernel 3, stride 1, padding 1, bias=False): x [B, C, S, S], weight [O, C, 3, 3]."""
    size = x.shape[2]
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((x.shape[0], weight.shape[0], size, size))
    for ky in range(3):
        for kx in range(3):
            window = padded[:, :, ky:ky + size, kx:kx + size]
            out += np.einsum("bchw,oc->bohw", window, weight[:, :, ky, kx])
    return out


def max_pool3x3s2(x):
    """MaxPool2d(kernel 3, stride 2, padding 1): the padding is -inf, so it never wins."""
    size = x.shape[2]
    out_size = (size + 2 - 3) // 2 + 1
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    out = np.full(x.shape[:2] + (out_size, out_size), -np.inf)
    for ky in range(3):
        for kx in range(3):
            out = np.maximum(out, padded[:, :, ky:ky + 2 * out_size - 1:2, kx:kx + 2 * out_size - 1:2])
    return out


def tokenize(w, cfg, images):
    """images [B, C, S, S] -> tokens [B, T, D]."""
    batch, dim = images.shape[0], cfg["dim"]
    if cfg.get("tokenizer", "patch") == "conv":
        # CCT's Tokenizer: (Conv2d -> ReLU -> MaxPool2d) per layer, then flatten(2).transpose(1, 2).
        x = images
        for i in range(cfg["conv_layers"]):
            x = max_pool3x3s2(np.maximum(conv3x3(x, w(f"tokenizer.conv_layers.{i}.0.weight")), 0))
        return x.reshape(batch, dim, -1).transpose(0, 2, 1)
    # Conv2d with kernel = stride = P, as timm's PatchEmbed.
    p = cfg["patch_size"]
    grid = images.shape[2] // p
    patches = images.reshape(batch, images.shape[1], grid, p, grid, p).transpose(0, 2, 4, 1, 3, 5)
    patches = patches.reshape(batch, grid * grid, -1)
    return patches @ w("patch_embed.proj.weight").reshape(dim, -1).T + w("patch_embed.proj.bias")


def forward(weights, cfg, images):
    w = lambda name: np.asarray(weights[name.replace(".", "/")], dtype=np.float64)
    batch, dim = images.shape[0], cfg["dim"]
    x = tokenize(w, cfg, images)
    prefix = []
    if cfg["pool"] == "cls":
        prefix.append(np.broadcast_to(w("cls_token"), (batch, 1, dim)))
    if cfg.get("distillation_token"):
        prefix.append(np.broadcast_to(w("dist_token"), (batch, 1, dim)))
    x = np.concatenate(prefix + [x], axis=1) + w("pos_embed")
    head_width = dim // cfg["heads"]

    def norm(prefix, x):
        if cfg.get("norm", "layer") == "batch":
            return batch_norm(x, w(prefix + ".weight"), w(prefix + ".bias"), w(prefix + ".running_mean"),
                              w(prefix + ".running_var"))
        return layer_norm(x, w(prefix + ".weight"), w(prefix + ".bias"))

    for i in range(cfg["depth"]):
        b = f"blocks.{i}."
        h = norm(b + "norm1", x)
        qkv = h @ w(b + "attn.qkv.weight").T + w(b + "attn.qkv.bias")
        heads = qkv.shape[-1] // 3 // head_width
        qkv = qkv.reshape(batch, -1, 3, heads, head_width).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_width)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attention = scores / scores.sum(-1, keepdims=True)
        out = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, -1, heads * head_width)
        x = x + out @ w(b + "attn.proj.weight").T + w(b + "attn.proj.bias")
        h = norm(b + "norm2", x)
        h = gelu(h @ w(b + "mlp.fc1.weight").T + w(b + "mlp.fc1.bias"))
        x = x + h @ w(b + "mlp.fc2.weight").T + w(b + "mlp.fc2.bias")
    x = norm("norm", x)
    n_prefix = len(prefix)
    if cfg["pool"] == "cls":
        pooled = x[:, 0]
    elif cfg["pool"] == "mean":
        pooled = x[:, n_prefix:].mean(1)
    else:  # CCT's sequence pooling: softmax over the tokens of Linear(D, 1), then the weighted sum
        tokens = x[:, n_prefix:]
        scores = tokens @ w("attention_pool.weight").T + w("attention_pool.bias")  # [B, N, 1]
        scores = np.exp(scores - scores.max(1, keepdims=True))
        pooled = (scores / scores.sum(1, keepdims=True) * tokens).sum(1)
    logits = pooled @ w("head.weight").T + w("head.bias")
    if cfg.get("distillation_token"):
        # head_dist reads the distillation token: after the class token (1), or first without one (0).
        index = 1 if cfg["pool"] == "cls" else 0
        logits = 0.5 * (logits + x[:, index] @ w("head_dist.weight").T + w("head_dist.bias"))
    return logits


def main():
    with h5py.File(sys.argv[1], "r") as checkpoint, h5py.File(sys.argv[2], "r") as inputs:
        assert checkpoint.attrs["format"] == "vitc"
        cfg = json.loads(checkpoint.attrs["config"])
        logits = forward(checkpoint["weights"], cfg, np.asarray(inputs["images"], dtype=np.float64))
    print(json.dumps(logits.tolist()))


if __name__ == "__main__":
    main()
