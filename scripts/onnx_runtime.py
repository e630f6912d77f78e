#!/usr/bin/env python3
"""Accuracy and speed of an exported model (vit-export) under ONNX Runtime on the balanced
CIFAR-10 test set, read from the official binary file; prints one JSON object.

    python3 scripts/onnx_runtime.py MODEL.onnx [--data DIR] [--threads 2] [--batch 256]

Images are scaled to [0, 1] and normalised with the mean and std the exporter stored in the
model's metadata, as vitc does. Only session.run is timed (the same batches as vit-eval)."""
import argparse, json, os, sys, time

import numpy as np
import onnxruntime as ort


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--data", default=os.environ.get("VITC_DATA", "data/cifar-10-batches-bin"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()

    raw = np.fromfile(os.path.join(args.data, "test_batch.bin"), dtype=np.uint8)
    if raw.size != 10000 * 3073:
        sys.exit(f"{args.data}/test_batch.bin: expected 30730000 bytes, found {raw.size}")
    raw = raw.reshape(10000, 3073)
    labels = raw[:, 0].astype(np.int64)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    mean = np.array(json.loads(meta["mean"]), dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.array(json.loads(meta["std"]), dtype=np.float32).reshape(1, 3, 1, 1)
    images = (raw[:, 1:].reshape(10000, 3, 32, 32).astype(np.float32) / 255 - mean) / std

    session.run(["logits"], {"images": images[: args.batch]})  # warm-up: first-run allocations
    predictions, seconds = [], 0.0
    for start in range(0, len(images), args.batch):
        batch = np.ascontiguousarray(images[start : start + args.batch])
        began = time.perf_counter()
        (logits,) = session.run(["logits"], {"images": batch})
        seconds += time.perf_counter() - began
        predictions.append(logits.argmax(axis=1))
    predictions = np.concatenate(predictions)
    per_class = [float((predictions[labels == k] == k).mean()) for k in range(10)]
    print(json.dumps({"model": args.model, "accuracy": float((predictions == labels).mean()),
                      "per_class_accuracy": per_class, "images_per_second": len(images) / seconds,
                      "onnxruntime": ort.__version__, "threads": args.threads}))


if __name__ == "__main__":
    main()
