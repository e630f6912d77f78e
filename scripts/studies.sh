#!/usr/bin/env bash
# The studies behind reports/: each stage's comparisons and the course report's studies (2.2, 2.3).
#
#   scripts/studies.sh teacher-240 the teacher recipe with every epoch count scaled by 1.5 (240 epochs,
#                                  about 4 hours on 2 cores; resumable: see teacher_240 below)
#   scripts/studies.sh teacher-val the teacher recipe at 200 epochs on 90% of the training set, the post-hoc
#                                  tau chosen on the other 10% (about 5.4 hours on 2 cores; resumable)
#   scripts/studies.sh distill     the pipeline's 150-epoch student recipe alone
#                                  (models/studies/student-alone.h5) and distilled (models/student.h5);
#                                  earlier and shorter: 30 epochs alone and soft, soft with the
#                                  adjusted teacher term or alpha 0.5, with a validation split for a
#                                  post-hoc tau, hardly into a distillation token (DeiT-LT), and 60
#                                  epochs alone, soft and balanced; DISTILL_ONLY=reference, soft,
#                                  adjusted, validation, hard-token or long runs one
#   scripts/studies.sh prune       models/student.h5 pruned one-shot without fine-tuning (by magnitude and
#                                  by first-order Taylor scores), by heads one-shot, and by neurons
#   scripts/studies.sh quantize    int8 static and dynamic of the teacher, the student, a pruned student
#   scripts/studies.sh remedies    imbalance remedies on R = 100: CE, weighted CE, OHEM, balanced
#                                  softmax, self-supervised pre-training (student preset, 30 epochs)
#   scripts/studies.sh ablations   patch size, width and heads, one at a time from the student preset
#                                  (reduced budget: ABLATION_EPOCHS epochs, default 10; widths up to
#                                  ABLATION_MAX_DIM, default 512)
#   scripts/studies.sh architecture  issue 11's study at one budget (30 epochs, R = 100, student size):
#                                  ViT + sequence pooling, the conv tokenizer (CCT), then one recipe
#                                  ingredient at a time: deferred logit adjustment, AutoAugment,
#                                  Mixup/CutMix, weight EMA; RandAugment and TrivialAugment; the course
#                                  report's BatchNorm ViT; DRW (the plain ViT row is the remedies' run)
#   scripts/studies.sh architecture-report   reports/architecture.md alone
#   scripts/studies.sh onnx        every models/*.h5 exported (vit-export) and run by ONNX Runtime on
#                                  the test set beside vit-eval: reports/onnx.md (needs onnxruntime;
#                                  times inference: run it alone)
#   scripts/studies.sh report      reports/{distill,prune,quantize,remedies,ablation-*}.md and plots,
#                                  from the files that exist (prune and quantize time inference: run it alone)
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
# auto: bf16 where the CPU has it natively (the reference runs' machine did), else f32.
LONG_TAIL=(--imbalance-ratio 100 --precision "${PRECISION:-auto}" --seed 0)
NO_OPTIMIZER=(--no-optimizer-state)  # vit-train and vit-distill; vit-prune never stores one
mkdir -p "$DIR" "$REPORTS"

# run OUTPUT COMMAND...: runs the command unless OUTPUT exists; the log goes beside the output.
run() {
  local out=$1; shift
  if [[ -e $out ]]; then echo "kept $out"; return; fi
  echo "== $*"
  "$@" > "${out%.h5}.log" 2>&1 || { echo "failed: see ${out%.h5}.log" >&2; return 1; }
  tail -n 1 "${out%.h5}.log"
}

# One budget for every row: 30 epochs on R = 100, seed 0, evaluated every 10 epochs.
architecture() {
  local common=(--epochs 30 --eval-every 10 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}")
  local cct=(--preset cct-student --lr 5e-4 --weight-decay 0.03)  # CCT's recipe (Hassani et al.)
  local deferred=(--loss balanced-softmax --adjust-from-epoch 24)  # CE, then the prior for the last 20%
  local mix=(--mixup 0.8 --cutmix 1.0 --mix-off-epoch 24)
  run "$DIR/arch-cct.h5" "$BIN/vit-train" "${cct[@]}" --loss balanced-softmax "${common[@]}" \
    --stage study --out "$DIR/arch-cct.h5"
  run "$DIR/arch-cct-deferred.h5" "$BIN/vit-train" "${cct[@]}" "${deferred[@]}" "${common[@]}" \
    --stage study --out "$DIR/arch-cct-deferred.h5"
  run "$DIR/arch-cct-deferred-aa.h5" "$BIN/vit-train" "${cct[@]}" "${deferred[@]}" --policy auto-augment \
    "${common[@]}" --stage study --out "$DIR/arch-cct-deferred-aa.h5"
  run "$DIR/arch-cct-deferred-aa-mix.h5" "$BIN/vit-train" "${cct[@]}" "${deferred[@]}" --policy auto-augment \
    "${mix[@]}" "${common[@]}" --stage study --out "$DIR/arch-cct-deferred-aa-mix.h5"
  run "$DIR/arch-cct-deferred-aa-mix-ema.h5" "$BIN/vit-train" "${cct[@]}" "${deferred[@]}" --policy auto-augment \
    "${mix[@]}" --ema 0.998 "${common[@]}" --stage study --out "$DIR/arch-cct-deferred-aa-mix-ema.h5"
  run "$DIR/arch-vit-seq.h5" "$BIN/vit-train" --preset student --pool seq --loss balanced-softmax "${common[@]}" \
    --stage study --out "$DIR/arch-vit-seq.h5"
  # Stochastic depth off (the preset has 0.1), as in the PyTorch run of shared/notes.
  run "$DIR/arch-cct-deferred-nodroppath.h5" "$BIN/vit-train" "${cct[@]}" --drop-path 0 "${deferred[@]}" \
    "${common[@]}" --stage study --out "$DIR/arch-cct-deferred-nodroppath.h5"
  # The policy, picked by measurement: RandAugment (2 operations, magnitude 9) and TrivialAugment
  # against AutoAugment's CIFAR-10 policy, each on the deferred recipe.
  for policy in rand-augment trivial-augment; do
    run "$DIR/arch-cct-deferred-$policy.h5" "$BIN/vit-train" "${cct[@]}" "${deferred[@]}" --policy "$policy" \
      "${common[@]}" --stage study --out "$DIR/arch-cct-deferred-$policy.h5"
  done
  # The course report's variant: BatchNorm over batch and tokens instead of LayerNorm, no class token.
  run "$DIR/arch-vit-bn.h5" "$BIN/vit-train" --preset student --norm batch --pool mean --loss balanced-softmax \
    "${common[@]}" --stage study --out "$DIR/arch-vit-bn.h5"
  # Deferred re-weighting (LDAM-DRW's class-balanced weights) in place of the deferred prior.
  run "$DIR/arch-cct-drw-aa.h5" "$BIN/vit-train" "${cct[@]}" --loss ce --drw-epoch 24 --policy auto-augment \
    "${common[@]}" --stage study --out "$DIR/arch-cct-drw-aa.h5"
}

# The pipeline's teacher recipe (PipelineCommand.teacherRecipe) with a longer cross-entropy phase:
# every epoch count times 1.5, so balanced softmax and the end of mixing from epoch 192. It keeps
# its optimizer state after every epoch, so an interrupted run continues with
#   vit-train --resume models/studies/teacher-240.h5 --out models/studies/teacher-240.h5.tmp && mv ...
# and vit-eval --out strips the state from the finished file (models/ keeps it stripped).
teacher_240() {
  run "$DIR/teacher-240.h5" "$BIN/vit-train" --preset cct-teacher --loss balanced-softmax --adjust-from-epoch 192 \
    --policy auto-augment --mixup 0.8 --cutmix 1.0 --mix-off-epoch 192 --ema 0.999 --lr 5e-4 --min-lr 1e-5 \
    --weight-decay 0.03 --warmup-epochs 5 --epochs 240 --eval-every 10 "${LONG_TAIL[@]}" --out "$DIR/teacher-240.h5"
}

# The 240-epoch run's longer cross-entropy phase at 200 epochs (balanced softmax and the end of
# mixing from epoch 160), trained on 90% of the long-tailed set: the other 10% (class-stratified)
# is the validation split on which vit-train chooses the post-hoc tau that undoes the
# over-correction (reports/teacher.md). Resumable like teacher-240.
teacher_val() {
  run "$DIR/teacher-val.h5" "$BIN/vit-train" --preset cct-teacher --loss balanced-softmax --adjust-from-epoch 160 \
    --policy auto-augment --mixup 0.8 --cutmix 1.0 --mix-off-epoch 160 --ema 0.999 --lr 5e-4 --min-lr 1e-5 \
    --weight-decay 0.03 --warmup-epochs 5 --epochs 200 --eval-every 10 --validation-fraction 0.1 "${LONG_TAIL[@]}" \
    --out "$DIR/teacher-val.h5"
}

# The student recipe of vit-pipeline (PipelineCommand.studentRecipe): the teacher's recipe at 150
# epochs (AutoAugment with Mixup/CutMix and cross-entropy for 120, then balanced softmax without
# mixing; weight EMA), evaluated every 10. The same 150 epochs with crop and flip only is kept as
# student-alone-150-cropflip.h5 (it over-fits). DISTILL_ONLY=reference runs the pair the issue asks for: the baseline
# trained alone with the same data, epochs, augmentation and seed (models/studies/student-alone.h5)
# and the pipeline's distilled student (models/student.h5, soft from models/teacher.h5; the pipeline
# normally makes it first). The other groups are the earlier, shorter studies from the same teacher:
# 30 epochs (soft, adjusted, validation, hard-token; their baseline is the architecture study's
# CCT + deferred run, kept as student-alone-30.h5) and 60 epochs (long). DISTILL_ONLY=reference|
# soft|adjusted|validation|hard-token|long runs one group, so that two can run side by side
# (VITC_THREADS=1 each).
distill() {
  local only=${DISTILL_ONLY:-all}
  if [[ $only == all || $only == reference ]]; then
    local plain=(--preset cct-student --lr 5e-4 --weight-decay 0.03 --loss balanced-softmax
      --adjust-from-epoch 120 --epochs 150 --eval-every 10 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}")
    local reference=("${plain[@]}" --min-lr 1e-5 --warmup-epochs 5 --policy auto-augment --mixup 0.8 --cutmix 1.0
      --mix-off-epoch 120 --ema 0.999)
    [[ -n ${STUDENT_ALONE_ONLY:-} ]] || run "$DIR/student-alone-150-cropflip.h5" "$BIN/vit-train" "${plain[@]}" \
      --stage study --out "$DIR/student-alone-150-cropflip.h5"
    run "$DIR/student-alone.h5" "$BIN/vit-train" "${reference[@]}" --stage study --out "$DIR/student-alone.h5"
    # The distilled one is the pipeline's student stage (vit-pipeline --skip-existing makes it first).
    [[ -n ${STUDENT_ALONE_ONLY:-} ]] || run models/student.h5 "$BIN/vit-distill" --teacher models/teacher.h5 \
      --distill soft "${reference[@]}" --out models/student.h5
  fi
  local teacher=models/teacher.h5
  local recipe=(--preset cct-student --lr 5e-4 --weight-decay 0.03 --loss balanced-softmax --adjust-from-epoch 24
    --epochs 30 --eval-every 10 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}")
  if [[ $only == all || $only == soft ]]; then  # Hinton's soft loss, T 4, alpha 0.9
    [[ -e $DIR/student-alone-30.h5 ]] || architecture  # writes arch-cct-deferred.h5 among its rows
    [[ -e $DIR/student-alone-30.h5 ]] || cp "$DIR/arch-cct-deferred.h5" "$DIR/student-alone-30.h5"
    run "$DIR/student-soft-30.h5" "$BIN/vit-distill" --teacher "$teacher" --distill soft "${recipe[@]}" \
      --out "$DIR/student-soft-30.h5"
  fi
  if [[ $only == all || $only == adjusted ]]; then  # the soft term on logit-adjusted logits too; alpha 0.5
    run "$DIR/student-adjusted.h5" "$BIN/vit-distill" --teacher "$teacher" --distill soft \
      --adjusted-distillation "${recipe[@]}" --out "$DIR/student-adjusted.h5"
    run "$DIR/student-alpha05.h5" "$BIN/vit-distill" --teacher "$teacher" --distill soft --alpha 0.5 \
      "${recipe[@]}" --out "$DIR/student-alpha05.h5"
  fi
  # A 10% validation split to choose a post-hoc tau on (by balanced log loss), alone and distilled,
  # and DeiT-LT's hard distillation token (cross-entropy on both heads, DRW from epoch 24, the
  # distillation head's term re-weighted too) with the same split.
  if [[ $only == all || $only == validation ]]; then
    run "$DIR/student-alone-val.h5" "$BIN/vit-train" "${recipe[@]}" --validation-fraction 0.1 --stage study \
      --out "$DIR/student-alone-val.h5"
    run "$DIR/student-soft-val.h5" "$BIN/vit-distill" --teacher "$teacher" --distill soft "${recipe[@]}" \
      --validation-fraction 0.1 --out "$DIR/student-soft-val.h5"
  fi
  if [[ $only == all || $only == hard-token ]]; then
    run "$DIR/student-hard-token.h5" "$BIN/vit-distill" --teacher "$teacher" --distill hard --dist-token \
      --preset cct-student --lr 5e-4 --weight-decay 0.03 --loss ce --drw-epoch 24 --drw-distillation \
      --validation-fraction 0.1 --epochs 30 --eval-every 10 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}" \
      --out "$DIR/student-hard-token.h5"
  fi
  # Session 6: twice the budget (60 epochs, the prior from epoch 48), alone and distilled. The two
  # distilled endings, plain soft and balanced (the teacher term weighted by class in the adjusted
  # phase), branch from one shared cross-entropy phase saved after epoch 48 (kept in scratch/, with
  # its optimizer state); resume is bit-identical, so each equals its uninterrupted run.
  if [[ $only == all || $only == long ]]; then
    local long=(--preset cct-student --lr 5e-4 --weight-decay 0.03 --loss balanced-softmax --adjust-from-epoch 48
      --epochs 60 --eval-every 10 "${LONG_TAIL[@]}")
    local shared=${SCRATCH_DIR:-scratch}/student-soft-60-e48.h5
    run "$DIR/student-alone-60.h5" "$BIN/vit-train" "${long[@]}" --stage study \
      --out "$DIR/student-alone-60.h5"
    run "$shared" "$BIN/vit-distill" --teacher "$teacher" --distill soft "${long[@]}" \
      --stop-after-epochs 48 --out "$shared"
    run "$DIR/student-soft-60.h5" "$BIN/vit-distill" --resume "$shared" "${NO_OPTIMIZER[@]}" \
      --out "$DIR/student-soft-60.h5"
    run "$DIR/student-balanced-60.h5" "$BIN/vit-distill" --resume "$shared" --balanced-distillation \
      "${NO_OPTIMIZER[@]}" --out "$DIR/student-balanced-60.h5"
    # Seed 1 of the pair, for the seed-to-seed spread (LONG_TAIL's --seed 0 is overridden).
    run "$DIR/student-alone-60-seed1.h5" "$BIN/vit-train" "${long[@]}" --seed 1 "${NO_OPTIMIZER[@]}" --stage study \
      --out "$DIR/student-alone-60-seed1.h5"
    run "$DIR/student-soft-60-seed1.h5" "$BIN/vit-distill" --teacher "$teacher" --distill soft "${long[@]}" \
      --seed 1 "${NO_OPTIMIZER[@]}" --out "$DIR/student-soft-60-seed1.h5"
  fi
}

# The pipeline writes the fine-tuned sweep (models/student-pruned-s*.h5) and half the heads removed
# (models/student-heads50.h5); these are the comparisons around them.
prune() {
  run "$DIR/student-oneshot-s90.h5" "$BIN/vit-prune" models/student.h5 --sparsity 0.3,0.5,0.7,0.8,0.9 \
    --out "$DIR/student-oneshot.h5"
  # The pipeline's fine-tuning (PipelineCommand.pruneStage): AutoAugment, balanced softmax, soft
  # distillation from the student's teacher.
  local tune=(--finetune-epochs 5 --warmup-epochs 0 --lr 1e-4 --policy auto-augment "${LONG_TAIL[@]}"
    --loss balanced-softmax --teacher models/teacher.h5 --distill soft)
  # The control: the same fine-tuning without pruning, to tell recovery from extra training.
  [[ -n ${STUDY_SKIP_CONTROL:-} ]] || run "$DIR/student-finetuned-s0.h5" "$BIN/vit-prune" models/student.h5 \
    --sparsity 0 "${tune[@]}" --out "$DIR/student-finetuned-s0.h5"
  if [[ -z ${STUDY_SKIP_NEURONS:-} ]]; then
    run "$DIR/student-neurons50.h5" "$BIN/vit-prune" models/student.h5 --structure neurons --sparsity 0.5 \
      "${tune[@]}" --out "$DIR/student-neurons50.h5"
  fi
  # The criterion: first-order Taylor scores (|g w| over 16 training batches, balanced softmax)
  # against magnitude, one-shot (no fine-tuning, so the ranking alone decides), for weights and heads.
  run "$DIR/student-taylor-oneshot-s90.h5" "$BIN/vit-prune" models/student.h5 --sparsity 0.3,0.5,0.7,0.8,0.9 \
    --criterion taylor "${LONG_TAIL[@]}" --loss balanced-softmax --out "$DIR/student-taylor-oneshot.h5"
  run "$DIR/student-heads50-oneshot.h5" "$BIN/vit-prune" models/student.h5 --structure heads --sparsity 0.5 \
    "${LONG_TAIL[@]}" --out "$DIR/student-heads50-oneshot.h5"
  run "$DIR/student-taylor-heads50-oneshot.h5" "$BIN/vit-prune" models/student.h5 --structure heads --sparsity 0.5 \
    --criterion taylor "${LONG_TAIL[@]}" --loss balanced-softmax --out "$DIR/student-taylor-heads50-oneshot.h5"
}

# The pipeline writes the static int8 student and pruned student (models/*-int8.h5); these add the
# teacher and dynamic activation scales.
quantize() {
  run "$DIR/teacher-int8.h5" "$BIN/vit-quantize" models/teacher.h5 --mode static --imbalance-ratio 100 \
    --seed 0 --out "$DIR/teacher-int8.h5"
  for source in models/teacher.h5 models/student.h5 models/student-pruned-s50.h5; do
    local name; name=$(basename "$source" .h5)
    run "$DIR/$name-int8-dynamic.h5" "$BIN/vit-quantize" "$source" --mode dynamic --imbalance-ratio 100 \
      --seed 0 --out "$DIR/$name-int8-dynamic.h5"
  done
}

remedies() {
  for loss in ce weighted-ce ohem balanced-softmax; do
    run "$DIR/student-$loss.h5" "$BIN/vit-train" --preset student --stage student --loss "$loss" \
      --epochs 30 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}" --out "$DIR/student-$loss.h5"
  done
  # Pre-training on the long-tailed training images alone (no labels), then the course report's
  # fine-tuning: plain CE, the encoder at 1/100 of the learning rate.
  run "$DIR/student-pretrained.h5" "$BIN/vit-pretrain" --preset student --imbalance-ratio 100 \
    --precision "${PRECISION:-auto}" --seed 0 --epochs "${PRETRAIN_EPOCHS:-10}" --out "$DIR/student-pretrained.h5"
  run "$DIR/student-pretrained-ce.h5" "$BIN/vit-train" --preset student --stage student --loss ce \
    --init "$DIR/student-pretrained.h5" --encoder-lr-scale 0.01 --epochs 30 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}" \
    --out "$DIR/student-pretrained-ce.h5"
  # The same with the encoder at the full learning rate: pre-training as an initialisation only.
  run "$DIR/student-pretrained-ce-full.h5" "$BIN/vit-train" --preset student --stage student --loss ce \
    --init "$DIR/student-pretrained.h5" --encoder-lr-scale 1 --epochs 30 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}" \
    --out "$DIR/student-pretrained-ce-full.h5"
}

# ablation NAME FLAGS...: the student preset, balanced softmax, with FLAGS changed.
ablation() {
  local name=$1; shift
  run "$DIR/ablation-$name.h5" "$BIN/vit-train" --preset student --stage student --loss balanced-softmax \
    --epochs "$ABLATION_EPOCHS" --warmup-epochs 2 "${LONG_TAIL[@]}" "${NO_OPTIMIZER[@]}" "$@" --out "$DIR/ablation-$name.h5"
}

# The base (patch 4, width 128, 4 heads) is one run shared by the three ablations. Each part can
# run on its own (base first): scripts/studies.sh ablations base|patch|heads|width.
ablations() {
  local which=${1:-all}
  if [[ $which == all || $which == base ]]; then ablation base; fi
  if [[ $which == all || $which == patch ]]; then
    for p in 8 16; do ablation "patch$p" --patch-size "$p"; done
  fi
  if [[ $which == all || $which == heads ]]; then
    for h in 2 8 16; do ablation "heads$h" --heads "$h"; done
  fi
  if [[ $which == all || $which == width ]]; then
    for d in 64 256 512; do
      (( d <= ${ABLATION_MAX_DIM:-512} )) && ablation "dim$d" --dim "$d" --mlp-dim $((2 * d))
    done
  fi
  return 0
}

existing() { for f in "$@"; do [[ -e $f ]] && echo "$f"; done; return 0; }

# The architecture study's report (also part of `report`).
architecture_report() {
  mapfile -t files < <(existing "$DIR"/student-balanced-softmax.h5 "$DIR"/arch-vit-{seq,bn}.h5 "$DIR/arch-cct.h5" \
    "$DIR"/arch-cct-deferred{,-nodroppath,-aa,-rand-augment,-trivial-augment,-aa-mix,-aa-mix-ema}.h5 "$DIR/arch-cct-drw-aa.h5")
  "$BIN/vit-report" table "${files[@]}" --title "Architecture and recipe on R = 100 (student size, 30 epochs)" \
    --out "$REPORTS/architecture.md" --plot architecture.svg --x class-images --notes "$REPORTS/notes/architecture.md"
}

report() {
  architecture_report
  # The teacher first, then the comparison runs that exist.
  mapfile -t files < <(existing models/teacher.h5 "$DIR/teacher-240.h5" "$DIR/plain-vit-teacher.h5")
  [[ -e models/teacher.h5 ]] && "$BIN/vit-report" training "${files[@]}" \
    --title "Reference teacher (cct-teacher) on CIFAR-10-LT (R = 100)" --notes "$REPORTS/notes/teacher.md" \
    --out "$REPORTS/teacher.md"
  mapfile -t files < <(existing models/teacher.h5 "$DIR/student-alone.h5" models/student.h5 "$DIR/student-alone-150-cropflip.h5" \
    "$DIR/student-alone-30.h5" "$DIR/student-soft-30.h5" "$DIR/student-adjusted.h5" "$DIR/student-alpha05.h5" "$DIR/student-alone-val.h5" "$DIR/student-soft-val.h5" "$DIR/student-hard-token.h5" \
    "$DIR/student-hard-token-nosplit.h5" "$DIR/student-alone-60.h5" "$DIR/student-soft-60.h5" \
    "$DIR/student-balanced-60.h5" "$DIR/student-alone-60-seed1.h5" "$DIR/student-soft-60-seed1.h5")
  "$BIN/vit-report" table "${files[@]}" --title "Distillation on R = 100 (cct-student, 150, 30 and 60 epochs, deferred balanced softmax)" \
    --out "$REPORTS/distill.md" --plot distill.svg --x class-images --notes "$REPORTS/notes/distill.md"
  mapfile -t files < <(existing models/student.h5 "$DIR/student-finetuned-s0.h5" "$DIR"/student-oneshot-s{30,50,70,80,90}.h5 \
    "$DIR"/student-taylor-oneshot-s{30,50,70,80,90}.h5 models/student-pruned-s{30,50,70,80,90}.h5 \
    "$DIR/student-heads50-oneshot.h5" "$DIR/student-taylor-heads50-oneshot.h5" models/student-heads50.h5 \
    "$DIR/student-neurons50.h5")
  "$BIN/vit-report" table "${files[@]}" --title "Pruning the student" --out "$REPORTS/prune.md" \
    --plot prune.svg --x sparsity --speed-seconds 1 --repeats 3 --notes "$REPORTS/notes/prune.md"
  mapfile -t files < <(existing models/teacher.h5 "$DIR"/teacher-int8{,-dynamic}.h5 \
    models/student.h5 models/student-int8.h5 "$DIR"/student-int8-dynamic.h5 \
    models/student-pruned-s50.h5 models/student-pruned-s50-int8.h5 "$DIR"/student-pruned-s50-int8-dynamic.h5)
  "$BIN/vit-report" table "${files[@]}" --title "Int8 quantization" --out "$REPORTS/quantize.md" \
    --speed-seconds 2 --repeats 3 --notes "$REPORTS/notes/quantize.md"
  mapfile -t files < <(existing "$DIR"/student-{ce,weighted-ce,ohem,balanced-softmax,pretrained-ce,pretrained-ce-full}.h5)
  "$BIN/vit-report" table "${files[@]}" --title "Imbalance remedies on R = 100 (student, 30 epochs)" \
    --out "$REPORTS/remedies.md" --plot remedies.svg --x class-images --notes "$REPORTS/notes/remedies.md"
  for axis in patch-size dim heads; do
    case $axis in
      patch-size) mapfile -t files < <(existing "$DIR"/ablation-{base,patch8,patch16}.h5) ;;
      dim) mapfile -t files < <(existing "$DIR"/ablation-{dim64,base,dim256,dim512}.h5) ;;
      heads) mapfile -t files < <(existing "$DIR"/ablation-{heads2,base,heads8,heads16}.h5) ;;
    esac
    [[ ${#files[@]} -gt 0 ]] || continue
    "$BIN/vit-report" table "${files[@]}" --title "Ablation: $axis ($ABLATION_EPOCHS epochs, R = 100)" \
      --out "$REPORTS/ablation-$axis.md" --plot "ablation-$axis.svg" --x "$axis" --notes "$REPORTS/notes/ablations.md"
  done
}

# Each model in models/ exported to ONNX and run by ONNX Runtime (scripts/onnx_runtime.py) and by
# vit-eval, one after the other on the same 10,000 test images at batch 256 and 2 threads (f32 for
# float files, int8 for int8 files), in the same minute.
onnx() {
  local out=${ONNX_DIR:-scratch/onnx} rows=()
  mkdir -p "$out"
  for model in models/*.h5; do
    local name; name=$(basename "$model" .h5)
    "$BIN/vit-export" "$model" --out "$out/$name.onnx" > /dev/null
    local vitc ort
    vitc=$(VITC_THREADS=2 "$BIN/vit-eval" "$model" --json --precision f32)
    ort=$(python3 scripts/onnx_runtime.py "$out/$name.onnx" --threads 2)
    rows+=("$(python3 -c 'import json, os, sys
v, o = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("| %s | %s | %.2f%% | %.2f%% | %d | %.0f (%s) | %.0f |" % (sys.argv[3], v["stage"], 100 * v["accuracy"],
      100 * o["accuracy"], os.path.getsize(sys.argv[4]), v["images_per_second"], v["precision"], o["images_per_second"]))' \
      "$vitc" "$ort" "$name.h5" "$out/$name.onnx")")
  done
  {
    echo "# vitc models under ONNX Runtime"
    echo
    echo "Generated by \`scripts/studies.sh onnx\` on $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
    echo "($(nproc) cores; $(grep -o 'avx512[a-z_0-9]*' /proc/cpuinfo | sort -u | grep -c . ) AVX-512 feature flags), ONNX Runtime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)')."
    echo "Each file is exported by \`vit-export\` and run on the 10,000-image balanced test set at batch 256"
    echo "with 2 threads, by vit-eval (f32 products for float files, int8 for int8 files) and by ONNX"
    echo "Runtime (only \`session.run\` timed), one after the other."
    echo
    echo "| model | stage | vitc accuracy | ONNX Runtime accuracy | .onnx bytes | vitc images/s | ONNX Runtime images/s |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
  } > "$REPORTS/onnx.md"
  cat "$REPORTS/onnx.md"
}

case ${1:-} in
  onnx) onnx ;;
  teacher-240) teacher_240 ;;
  teacher-val) teacher_val ;;
  distill) distill ;;
  prune) prune ;;
  quantize) quantize ;;
  remedies) remedies ;;
  architecture) architecture ;;
  architecture-report) architecture_report ;;
  ablations) ablations "${2:-all}" ;;
  report) report ;;
  *) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 2 ;;
esac
