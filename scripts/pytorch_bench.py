#!/usr/bin/env python3
"""PyTorch eager on the same models as vit-bench, for the side-by-side speed figures.

    python3 scripts/pytorch_bench.py --model cct-student,cct-teacher --threads 2

Builds each vitc preset in PyTorch (timm's pre-norm block, conv tokenizer as in Compact
Transformers, sequence pooling), then times training steps (forward, label-smoothed CE, backward,
AdamW) at batch 128 and inference at batch 256, in float32 and with bf16 autocast, as the median of
--repeats windows of --seconds each after a warm-up, like vit-bench. Prints one JSON object a line.

The attention is written three ways (--attention): `mha` (nn.MultiheadAttention), `plain`
(softmax(q k^T * scale) v on a fused qkv, as timm writes it without fused attention) and `sdpa`
(F.scaled_dot_product_attention). Which is fastest depends on the machine and the precision, so a
fair comparison takes the fastest of them: each line says which variant it timed, and a closing
line per model, mode and precision (`"attention": "fastest"`) repeats the best.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # name: (tokenizer, patch or conv layers, conv channels, dim, depth, heads, mlp, pool, drop_path)
    "teacher": ("patch", 4, 0, 256, 6, 8, 512, "cls", 0.0),
    "student": ("patch", 4, 0, 128, 4, 4, 256, "cls", 0.0),
    "cct-teacher": ("conv", 2, 64, 256, 6, 4, 512, "seq", 0.1),
    "cct-student": ("conv", 2, 64, 128, 4, 2, 128, "seq", 0.1),
}


class ProductAttention(nn.Module):
    """timm's Attention: a fused qkv projection, then softmax(q k^T * scale) v written out, or sdpa."""

    def __init__(self, dim, heads, fused):
        super().__init__()
        self.heads, self.fused = heads, fused
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        if self.fused:
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = (q @ k.transpose(-2, -1) * (d // self.heads) ** -0.5).softmax(dim=-1) @ v
        return self.proj(o.transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp, drop_path, attention):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attention = attention
        if attention == "mha":
            self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        else:
            self.attn = ProductAttention(dim, heads, fused=attention == "sdpa")
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp), nn.GELU(), nn.Linear(mlp, dim))
        self.drop_path = drop_path

    def drop(self, x):
        if not self.training or self.drop_path == 0:
            return x
        keep = torch.empty(x.shape[0], 1, 1).bernoulli_(1 - self.drop_path)
        return x * keep / (1 - self.drop_path)

    def forward(self, x):
        h = self.norm1(x)
        if self.attention == "mha":
            x = x + self.drop(self.attn(h, h, h, need_weights=False)[0])
        else:
            x = x + self.drop(self.attn(h))
        return x + self.drop(self.mlp(self.norm2(x)))


class Model(nn.Module):
    def __init__(self, tokenizer, size, channels, dim, depth, heads, mlp, pool, drop_path, attention="mha"):
        super().__init__()
        if tokenizer == "patch":
            self.tokenizer = nn.Conv2d(3, dim, size, stride=size)
            tokens = (32 // size) ** 2
        else:
            widths = [3] + [channels] * (size - 1) + [dim]
            self.tokenizer = nn.Sequential(*[
                nn.Sequential(nn.Conv2d(widths[i], widths[i + 1], 3, padding=1, bias=False), nn.ReLU(),
                              nn.MaxPool2d(3, 2, 1)) for i in range(size)])
            tokens = (32 // 2 ** size) ** 2
        self.pool = pool
        if pool == "cls":
            self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
            tokens += 1
        else:
            self.attention_pool = nn.Linear(dim, 1)
        self.pos_embed = nn.Parameter(torch.randn(1, tokens, dim) * 0.02)
        rates = torch.linspace(0, drop_path, depth).tolist()
        self.blocks = nn.Sequential(*[Block(dim, heads, mlp, r, attention) for r in rates])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, 10)

    def forward(self, x):
        x = self.tokenizer(x).flatten(2).transpose(1, 2)
        if self.pool == "cls":
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = self.norm(self.blocks(x + self.pos_embed))
        if self.pool == "cls":
            x = x[:, 0]
        else:
            x = (F.softmax(self.attention_pool(x), dim=1) * x).sum(dim=1)
        return self.head(x)


def windows(body, images, seconds, repeats):
    body()  # warm-up
    rates = []
    for _ in range(repeats):
        start, calls = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            body()
            calls += 1
        rates.append(calls * images / (time.perf_counter() - start))
    return sorted(rates)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="cct-student,cct-teacher")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", default="f32,bf16")
    parser.add_argument("--mode", default="train,infer", help="train, infer, or both (comma-separated)")
    parser.add_argument("--attention", default="mha,plain,sdpa",
                        help="attention variants to time, comma-separated: mha, plain, sdpa")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.model.split(","):
        best = {}
        for attention in args.attention.split(","):
            torch.manual_seed(0)
            model = Model(*PRESETS[name], attention=attention)
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)
            train_x, train_y = torch.randn(128, 3, 32, 32), torch.arange(128) % 10
            infer_x = torch.randn(256, 3, 32, 32)
            for precision in args.precision.split(","):
                autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")

                def step():
                    with autocast():
                        loss = F.cross_entropy(model(train_x), train_y, label_smoothing=0.1)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    optimizer.step()

                def infer():
                    with torch.no_grad(), autocast():
                        model(infer_x)

                timed = []
                if "train" in args.mode.split(","):
                    model.train()
                    timed.append(("train", 128, windows(step, 128, args.seconds, args.repeats)))
                if "infer" in args.mode.split(","):
                    model.eval()
                    timed.append(("infer", 256, windows(infer, 256, args.seconds, args.repeats)))
                for mode, batch, rates in timed:
                    line = {"framework": f"pytorch {torch.__version__}", "model": name, "mode": mode,
                            "precision": precision, "attention": attention, "batch": batch,
                            "threads": args.threads, "parameters": sum(p.numel() for p in model.parameters()),
                            "images_per_second": round(rates[len(rates) // 2], 1),
                            "range": [round(rates[0], 1), round(rates[-1], 1)]}
                    print(json.dumps(line), flush=True)
                    key = (mode, precision)
                    if key not in best or line["images_per_second"] > best[key]["images_per_second"]:
                        best[key] = line
        for line in best.values():
            print(json.dumps(dict(line, attention="fastest", variant=line["attention"])), flush=True)

if __name__ == "__main__":
    main()
