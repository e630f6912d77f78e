#!/usr/bin/env python3
"""Data-parallel scaling estimate (issue 13): the step time of vitc's data-parallel training at
N nodes under a ring all-reduce model, and the efficiency that follows.

  python3 scripts/scaling_estimate.py --params 3331531 --images-per-second 212 --batch-per-node 128

Model. Each node is a machine like the one measured (one process, its cores), trains
`--batch-per-node` images per step at `--images-per-second` (measured: vit-bench or
scripts/data_parallel_bench.sh), so the global batch is N times that (weak scaling; set
vit-train's --batch-size to it). After backward one fused buffer of float32 gradients (the
parameters, plus 3 figures) is all-reduced. A ring all-reduce sends and receives
2 (N - 1) / N of the buffer per node and takes 2 (N - 1) latency-bound steps:
    t_allreduce = 2 (N - 1) / N * bytes / bandwidth + 2 (N - 1) * latency
Computation and communication do not overlap in vitc (the all-reduce follows backward), so
    step = t_compute + t_allreduce,   efficiency = t_compute / step.
"""
import argparse

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--params", type=int, required=True, help="trainable parameters (float32 gradients)")
parser.add_argument("--images-per-second", type=float, required=True, help="one node's training speed")
parser.add_argument("--batch-per-node", type=int, default=128)
parser.add_argument("--latency-us", type=float, default=30.0, help="per message, TCP over Ethernet")
parser.add_argument("--nodes", default="8,64")
parser.add_argument("--links-gbps", default="10,100")
parser.add_argument("--name", default="model")
args = parser.parse_args()

buffer = 4 * (args.params + 3)
compute = args.batch_per_node / args.images_per_second
print(f"{args.name}: {args.params:,} parameters, {buffer / 1e6:.2f} MB all-reduced per step; "
      f"compute {1000 * compute:.0f} ms per step of {args.batch_per_node} images per node")
print()
print("| nodes | link | all-reduce | step | efficiency |")
print("| --- | --- | --- | --- | --- |")
for n in (int(x) for x in args.nodes.split(",")):
    for gbps in (float(x) for x in args.links_gbps.split(",")):
        transfer = 2 * (n - 1) / n * buffer / (gbps * 1e9 / 8)
        latency = 2 * (n - 1) * args.latency_us * 1e-6
        allreduce = transfer + latency
        step = compute + allreduce
        print(f"| {n} | {gbps:g} Gb/s | {1000 * allreduce:.1f} ms | {1000 * step:.0f} ms | {100 * compute / step:.1f}% |")
