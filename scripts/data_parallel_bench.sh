#!/usr/bin/env bash
# Data-parallel training speed (issue 13): images/s of one epoch of vit-train on the first IMAGES
# training images, in three set-ups on this machine:
#   1 process, 2 threads           vit-train with VITC_THREADS=2
#   1 rank,    1 thread            mpirun -np 1, VITC_THREADS=1
#   2 ranks,   1 thread each       mpirun -np 2, VITC_THREADS=1 (the epoch line also gives the
#                                  all-reduce's share of step time)
# images/s is the training loop's own figure (the last progress line of the epoch: images trained
# over the epoch's seconds so far, evaluation excluded). Run it alone on the machine.
#
#   scripts/data_parallel_bench.sh            PRESET=student BATCH=128 IMAGES=2560 PRECISION=f32
#   scripts/data_parallel_bench.sh --data DIR (further flags go to vit-train)
#
# Needs a release build (swift build -c release), Open MPI (openmpi-bin) and the data ($VITC_DATA
# or --data's default).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-student}
BATCH=${BATCH:-128}
IMAGES=${IMAGES:-2560}
PRECISION=${PRECISION:-f32}
# VITC_BIN=.build/debug checks the script itself on a debug build (its speeds mean nothing).
TRAIN=${VITC_BIN:-.build/release}/vit-train
[ -x "$TRAIN" ] || { echo "build first: swift build -c release" >&2; exit 1; }
ROOT_FLAG=""
[ "$(id -u)" = 0 ] && ROOT_FLAG="--allow-run-as-root"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
FLAGS=(--preset "$PRESET" --batch-size "$BATCH" --limit-train "$IMAGES" --limit-test 256 --epochs 1
       --warmup-epochs 0 --precision "$PRECISION" "$@")

# The last "img/s" figure and the all-reduce share from one run's output.
summarise() {
    local speed share
    speed=$(grep -o '[0-9.]* img/s' "$1" | tail -1 | cut -d' ' -f1 || true)
    share=$(grep -o 'all-reduce [0-9.]*% of step time' "$1" | tail -1 | cut -d' ' -f2 || true)
    echo "| $2 | ${speed:-?} | ${share:--} |"
}

VITC_THREADS=2 "$TRAIN" "${FLAGS[@]}" --out "$OUT/threads.h5" > "$OUT/threads.log"
VITC_THREADS=1 mpirun -q -np 1 $ROOT_FLAG -x VITC_THREADS "$TRAIN" "${FLAGS[@]}" --out "$OUT/one.h5" > "$OUT/one.log"
VITC_THREADS=1 mpirun -q -np 2 --oversubscribe $ROOT_FLAG -x VITC_THREADS "$TRAIN" "${FLAGS[@]}" --out "$OUT/two.h5" \
    > "$OUT/two.log"

echo "$PRESET, batch $BATCH, $IMAGES images, $PRECISION"
echo
echo "| set-up | images/s | all-reduce share of step time |"
echo "| --- | --- | --- |"
summarise "$OUT/threads.log" "1 process, 2 threads"
summarise "$OUT/one.log" "1 rank, 1 thread"
summarise "$OUT/two.log" "2 ranks, 1 thread each"
