#!/usr/bin/env bash
# The course report's studies as reproducible commands (sections 2.2 and 2.3).
#
#   scripts/studies.sh remedies    imbalance remedies on R = 100: CE, weighted CE, OHEM, balanced
#                                  softmax, self-supervised pre-training (student preset, 30 epochs)
#   scripts/studies.sh ablations   patch size, width and heads, one at a time from the student preset
#                                  (reduced budget: ABLATION_EPOCHS epochs, default 10)
#   scripts/studies.sh report      reports/remedies.md and reports/ablation-*.md with their plots
#
# A run whose output exists is kept, so an interrupted study resumes where it stopped. Run two
# studies side by side on a 2-core machine with VITC_THREADS=1 each. Needs a release build
# (swift build -c release) and the data ($VITC_DATA or --data's default).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VITC_BIN:-.build/release}
DIR=${STUDIES_DIR:-models/studies}
REPORTS=${REPORTS_DIR:-reports}
ABLATION_EPOCHS=${ABLATION_EPOCHS:-10}
LONG_TAIL=(--imbalance-ratio 100 --precision bf16 --seed 0 --no-optimizer-state)
mkdir -p "$DIR" "$REPORTS"

# run OUTPUT COMMAND...: runs the command unless OUTPUT exists; the log goes beside the output.
run() {
  local out=$1; shift
  if [[ -e $out ]]; then echo "kept $out"; return; fi
  echo "== $*"
  "$@" > "${out%.h5}.log" 2>&1 || { echo "failed: see ${out%.h5}.log" >&2; return 1; }
  tail -n 1 "${out%.h5}.log"
}

remedies() {
  for loss in ce weighted-ce ohem balanced-softmax; do
    run "$DIR/student-$loss.h5" "$BIN/vit-train" --preset student --stage student --loss "$loss" \
      --epochs 30 "${LONG_TAIL[@]}" --out "$DIR/student-$loss.h5"
  done
  # Pre-training on the long-tailed training images alone (no labels), then the course report's
  # fine-tuning: plain CE, the encoder at 1/100 of the learning rate.
  run "$DIR/student-pretrained.h5" "$BIN/vit-pretrain" --preset student --imbalance-ratio 100 \
    --precision bf16 --seed 0 --epochs "${PRETRAIN_EPOCHS:-10}" --out "$DIR/student-pretrained.h5"
  run "$DIR/student-pretrained-ce.h5" "$BIN/vit-train" --preset student --stage student --loss ce \
    --init "$DIR/student-pretrained.h5" --encoder-lr-scale 0.01 --epochs 30 "${LONG_TAIL[@]}" \
    --out "$DIR/student-pretrained-ce.h5"
}

# ablation NAME FLAGS...: the student preset, balanced softmax, with FLAGS changed.
ablation() {
  local name=$1; shift
  run "$DIR/ablation-$name.h5" "$BIN/vit-train" --preset student --stage student --loss balanced-softmax \
    --epochs "$ABLATION_EPOCHS" --warmup-epochs 2 "${LONG_TAIL[@]}" "$@" --out "$DIR/ablation-$name.h5"
}

# The base (patch 4, width 128, 4 heads) is one run shared by the three ablations.
ablations() {
  local which=${1:-all}
  ablation base
  if [[ $which == all || $which == patch ]]; then
    for p in 8 16; do ablation "patch$p" --patch-size "$p"; done
  fi
  if [[ $which == all || $which == heads ]]; then
    for h in 2 8 16; do ablation "heads$h" --heads "$h"; done
  fi
  if [[ $which == all || $which == width ]]; then
    for d in 64 256 512; do ablation "dim$d" --dim "$d" --mlp-dim $((2 * d)); done
  fi
}

existing() { for f in "$@"; do [[ -e $f ]] && echo "$f"; done; return 0; }

report() {
  mapfile -t files < <(existing "$DIR"/student-{ce,weighted-ce,ohem,balanced-softmax,pretrained-ce}.h5)
  "$BIN/vit-report" table "${files[@]}" --title "Imbalance remedies on R = 100 (student, 30 epochs)" \
    --out "$REPORTS/remedies.md" --plot remedies.svg --x class-images \
    ${REMEDIES_NOTES:+--notes "$REMEDIES_NOTES"}
  for axis in patch-size dim heads; do
    case $axis in
      patch-size) mapfile -t files < <(existing "$DIR"/ablation-{base,patch8,patch16}.h5) ;;
      dim) mapfile -t files < <(existing "$DIR"/ablation-{dim64,base,dim256,dim512}.h5) ;;
      heads) mapfile -t files < <(existing "$DIR"/ablation-{heads2,base,heads8,heads16}.h5) ;;
    esac
    [[ ${#files[@]} -gt 0 ]] || continue
    "$BIN/vit-report" table "${files[@]}" --title "Ablation: $axis ($ABLATION_EPOCHS epochs, R = 100)" \
      --out "$REPORTS/ablation-$axis.md" --plot "ablation-$axis.svg" --x "$axis"
  done
}

case ${1:-} in
  remedies) remedies ;;
  ablations) ablations "${2:-all}" ;;
  report) report ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
