#!/usr/bin/env python3
"""A diagnostic, never a way to choose: the balanced test accuracy (with head / medium / tail)
of a finished model's logits shifted by z - tau * log prior over a grid of tau, to tell how much
of what a long-tail correction gained or lost is a shift of the class prior.

    python3 scripts/tau_sweep.py MODEL.h5 MODEL.onnx [--data DIR] [--threads 2]

MODEL.onnx is MODEL.h5 exported by vit-export (ONNX Runtime runs it); the prior is the class
counts stored in MODEL.h5 (/eval/class_counts). It reads the test set, so any tau it shows is an
oracle: reports quote it as an upper bound, and a model's tau is chosen on a validation split
(vit-train --validation-fraction), never here. Prints a markdown table."""
import argparse, json, os, sys

import h5py
import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("model")
    parser.add_argument("--data", default=os.environ.get("VITC_DATA", "data/cifar-10-batches-bin"))
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    raw = np.fromfile(os.path.join(args.data, "test_batch.bin"), dtype=np.uint8)
    if raw.size != 10000 * 3073:
        sys.exit(f"{args.data}/test_batch.bin: expected 30730000 bytes, found {raw.size}")
    raw = raw.reshape(10000, 3073)
    labels = raw[:, 0].astype(np.int64)
    with h5py.File(args.checkpoint, "r") as checkpoint:
        if checkpoint.attrs.get("format") != "vitc" or "eval/class_counts" not in checkpoint:
            sys.exit(f"{args.checkpoint}: not a vitc checkpoint with /eval/class_counts")
        counts = np.asarray(checkpoint["eval/class_counts"], dtype=np.float64)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    mean = np.array(json.loads(meta["mean"]), dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.array(json.loads(meta["std"]), dtype=np.float32).reshape(1, 3, 1, 1)
    images = (raw[:, 1:].reshape(10000, 3, 32, 32).astype(np.float32) / 255 - mean) / std
    logits = np.concatenate([session.run(["logits"], {"images": images[start:start + 250]})[0]
                             for start in range(0, len(images), 250)]).astype(np.float64)

    log_prior = np.log(counts / counts.sum())
    print("| tau | accuracy | head (0-2) | medium (3-6) | tail (7-9) |")
    print("| --- | --- | --- | --- | --- |")
    for tau in np.round(np.arange(-0.5, 0.51, 0.05), 2):
        predicted = (logits - tau * log_prior).argmax(axis=1)
        per_class = np.array([(predicted[labels == c] == c).mean() for c in range(len(counts))])
        print(f"| {tau:+.2f} | {100 * per_class.mean():.2f}% | {100 * per_class[:3].mean():.2f}% | "
              f"{100 * per_class[3:7].mean():.2f}% | {100 * per_class[7:].mean():.2f}% |")


if __name__ == "__main__":
    main()
