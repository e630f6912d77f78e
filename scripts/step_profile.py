#!/usr/bin/env python3
"""Where a training step's time goes: a per-operation breakdown of vit-bench's training step.

    python3 scripts/step_profile.py --model cct-teacher --precision bf16
    python3 scripts/step_profile.py --model cct-teacher --mode infer   # the forward a distillation runs

Runs vit-bench twice: under `perf record`, from the sixth second on so that start-up (the peak
measurement, the model's initial weights, the first touch of the heap) is left out (the share of
the CPU time of each of vitc's own loops,
and of oneDNN's jit code as one block) and with DNNL_VERBOSE=1 (each oneDNN primitive's own
time, which splits the jit block into linear layers, attention products, tokenizer convolutions,
pooling and reorders). Prints one table: operation, share of the step, and milliseconds per step
(the step's time from vit-bench's own figure). Needs `perf` (Debian's linux-perf).
"""
import argparse
import collections
import re
import subprocess
import tempfile

OWN = [  # (pattern in the symbol, operation)
    (r"roundGradient|roundedProduct", "dy rounding with bias sums (GELU backward, drop-path inside)"),
    (r"scaleKernel", "residual adds with drop-path"),
    (r"bfloat16Kernel|convertToBFloat16|gatherHeads", "bf16 rounding of product inputs"),
    (r"gelu", "GELU (forward with derivative)"),
    (r"productKernel", "GELU backward (dy * derivative)"),
    (r"layerNorm", "LayerNorm forward and backward"),
    (r"softmax", "softmax forward and backward"),
    (r"addKernel", "residual adds"),
    (r"addColumnSums", "bias gradients (column sums)"),
    (r"AdamW|WeightAverage", "AdamW"),
    (r"clipGradientNorm", "gradient clipping"),
    (r"DropPath|Dropout", "drop-path"),
    (r"poolImageKernel|unpoolImageKernel", "tokenizer ReLU with max pooling"),
    (r"ConvTokenizer|swapLastTwo", "tokenizer layout"),
    (r"SequencePooling|TokenPooling|assembleTokens|scatterTokens", "token assembly and pooling"),
    (r"ClassificationLoss|softCrossEntropy", "loss"),
    (r"memmove|memcpy|memset", "copies and fills"),
]


def run(command, env=None):
    return subprocess.run(command, capture_output=True, text=True, env=env)


def bench_command(args, seconds):
    return [f"{args.bin}/vit-bench", "--model", args.model, "--mode", args.mode, "--precision", args.precision,
            "--repeats", "1", "--seconds", str(seconds), "--batch-sizes", "128"]


def onednn_split(args):
    import os
    env = dict(os.environ, DNNL_VERBOSE="1")
    out = run(bench_command(args, 3), env).stdout
    times = collections.Counter()
    for line in out.splitlines():
        if not (line.startswith("onednn_verbose,exec") or line.startswith("dnnl_verbose,exec")):
            continue
        fields = line.split(",")
        kind, problem, ms = fields[3], fields[-2], float(fields[-1])
        if kind == "matmul":
            if "8192x1024" in problem or "1024x1024" in problem:
                continue  # vit-bench's peak measurement
            # attention's products are batched over images and heads: 4 dims (B x H x rows x columns)
            name = "attention's batched products" if problem.split(":")[0].count("x") >= 3 else "linear layers"
        elif kind == "convolution":
            name = "tokenizer convolutions"
        elif kind.startswith("pooling"):
            name = "tokenizer max pooling"
        else:
            name = "oneDNN " + kind
        times[name] += ms
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="cct-teacher")
    parser.add_argument("--precision", default="bf16")
    parser.add_argument("--mode", default="train", choices=["train", "infer"],
                        help="a training step, or an inference forward at batch 128 (a distillation's teacher)")
    parser.add_argument("--bin", default=".build/release")
    parser.add_argument("--seconds", type=float, default=12)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".perf") as data:
        bench = run(["perf", "record", "-F", "999", "--delay", "6000", "-o", data.name]
                    + bench_command(args, args.seconds)).stdout
        rate = float(re.search(args.mode + r" \S+ batch 128: ([0-9.]+) images/s", bench).group(1))
        report = run(["perf", "report", "-i", data.name, "--no-children", "--sort", "dso,symbol", "-g", "none",
                      "--stdio"]).stdout
    shares = collections.Counter()
    for line in report.splitlines():
        match = re.match(r"\s*([0-9.]+)%\s+(.+?)\s+\[(.)\]\s+(.*)", line)
        if not match:
            continue
        share, dso, _, symbol = float(match.group(1)), match.group(2), match.group(3), match.group(4)
        if dso.startswith("[JIT]") or "libdnnl" in dso or "libgomp" in dso:
            shares["oneDNN"] += share
        elif dso.startswith("[kernel"):
            shares["kernel (page faults, scheduling)"] += share
        else:
            for pattern, name in OWN:
                if re.search(pattern, symbol, re.IGNORECASE):
                    shares[name] += share
                    break
            else:
                shares["other"] += share
    split = onednn_split(args)
    total_onednn = sum(split.values())
    onednn = shares.pop("oneDNN")
    for name, ms in split.items():
        shares[name] += onednn * ms / total_onednn
    step_ms = 128 / rate * 1000
    whole = sum(shares.values())
    what = "training step" if args.mode == "train" else "inference forward"
    print(f"{args.model} {args.precision} {what}, batch 128: {rate:.1f} images/s, {step_ms:.0f} ms a step")
    print("| operation | share | ms a step |\n| --- | --- | --- |")
    for name, share in shares.most_common():
        print(f"| {name} | {100 * share / whole:.1f}% | {step_ms * share / whole:.0f} |")


if __name__ == "__main__":
    main()
