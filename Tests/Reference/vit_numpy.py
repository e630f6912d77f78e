"""An independent forward pass of a vitc checkpoint in numpy, written from timm's
VisionTransformer (not from vitc's Swift code), for the tests to compare logits against.

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


def gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def forward(weights, cfg, images):
    w = lambda name: np.asarray(weights[name.replace(".", "/")], dtype=np.float64)
    batch, p, dim = images.shape[0], cfg["patch_size"], cfg["dim"]
    # Conv2d with kernel = stride = P, as timm's PatchEmbed.
    grid = images.shape[2] // p
    patches = images.reshape(batch, images.shape[1], grid, p, grid, p).transpose(0, 2, 4, 1, 3, 5)
    patches = patches.reshape(batch, grid * grid, -1)
    x = patches @ w("patch_embed.proj.weight").reshape(dim, -1).T + w("patch_embed.proj.bias")
    prefix = []
    if cfg["pool"] == "cls":
        prefix.append(np.broadcast_to(w("cls_token"), (batch, 1, dim)))
    if cfg.get("distillation_token"):
        prefix.append(np.broadcast_to(w("dist_token"), (batch, 1, dim)))
    x = np.concatenate(prefix + [x], axis=1) + w("pos_embed")
    head_width = dim // cfg["heads"]
    for i in range(cfg["depth"]):
        b = f"blocks.{i}."
        h = layer_norm(x, w(b + "norm1.weight"), w(b + "norm1.bias"))
        qkv = h @ w(b + "attn.qkv.weight").T + w(b + "attn.qkv.bias")
        heads = qkv.shape[-1] // 3 // head_width
        qkv = qkv.reshape(batch, -1, 3, heads, head_width).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head_width)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        attention = scores / scores.sum(-1, keepdims=True)
        out = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, -1, heads * head_width)
        x = x + out @ w(b + "attn.proj.weight").T + w(b + "attn.proj.bias")
        h = layer_norm(x, w(b + "norm2.weight"), w(b + "norm2.bias"))
        h = gelu(h @ w(b + "mlp.fc1.weight").T + w(b + "mlp.fc1.bias"))
        x = x + h @ w(b + "mlp.fc2.weight").T + w(b + "mlp.fc2.bias")
    x = layer_norm(x, w("norm.weight"), w("norm.bias"))
    n_prefix = len(prefix)
    pooled = x[:, 0] if cfg["pool"] == "cls" else x[:, n_prefix:].mean(1)
    logits = pooled @ w("head.weight").T + w("head.bias")
    if cfg.get("distillation_token"):
        logits = 0.5 * (logits + x[:, 1] @ w("head_dist.weight").T + w("head_dist.bias"))
    return logits


def main():
    with h5py.File(sys.argv[1], "r") as checkpoint, h5py.File(sys.argv[2], "r") as inputs:
        assert checkpoint.attrs["format"] == "vitc"
        cfg = json.loads(checkpoint.attrs["config"])
        logits = forward(checkpoint["weights"], cfg, np.asarray(inputs["images"], dtype=np.float64))
    print(json.dumps(logits.tolist()))


if __name__ == "__main__":
    main()
