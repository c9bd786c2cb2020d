#!/usr/bin/env bash
# The one prepared run of issue 15's GPU checks, for a lent GPU machine (one GPU, minutes of
# device time): scripts/bench_gpu.py, a one-GPU scripts/train_multi_gpu.sh run of a few hundred
# steps and scripts/gpu_determinism.py, each under `timeout`, every output under $OUT.
set -uo pipefail

PROG=scripts/gpu_checks.sh
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

usage() {
    cat <<'EOF'
Usage:
  scripts/gpu_checks.sh prepare   on the session's own machine, before the device call
  scripts/gpu_checks.sh [run]     on the GPU machine (what the device call runs)
  scripts/gpu_checks.sh setup     only the Python setup and its import check (any machine)

prepare: the GPU machine's image has torch (CUDA), lightning, torchmetrics, tokenizers, numpy,
  matplotlib, rich, pyparsing, PyYAML, ... but not hydra-core, omegaconf or antlr4 (as listed in
  the workplace's device notes), and it cannot reach a package registry. They are pure Python,
  so this copies them from this checkout's .venv into .gpu_site/ (ignored through
  .git/info/exclude), to be carried. Then call the device tool with
      command: bash scripts/gpu_checks.sh      carry: [".gpu_site"]      timeout_s: 540
run: makes lstm_nlp importable without installing it (a copy in /tmp with conf/ as
  lstm_nlp/conf, as pip would lay it out), then runs, with a shared time budget,
      1. scripts/bench_gpu.py --device cuda                     -> bench_gpu.{log,json}
      2. scripts/train_multi_gpu.sh 1 ... (a few hundred steps)  -> train_1gpu.log, train_1gpu_metrics.json
      3. scripts/gpu_determinism.py                             -> gpu_determinism.{log,json}
  plus env.txt (GPU, versions, imports) and summary.txt (exit code and seconds of each step):
  8 files, the most the device tool brings back. Without $OUT it writes to ./gpu_checks_out.

Environment:
  PYTHON                 interpreter with torch (default: python3; prepare: .venv/bin/python)
  GPU_CHECKS_BUDGET_S    seconds for all three steps together (default 420)
  BENCH_ARGS             extra arguments for bench_gpu.py (default: none)
  TRAIN_PRECISION        trainer.precision of the training run (default bf16-mixed; a failed
                         bf16 run is retried once in 32-true if time is left)
EOF
}

fail() {
    echo "$PROG: error: $*" >&2
    exit 2
}

# -- prepare (here) --------------------------------------------------------------------------

prepare() {
    local py=${PYTHON:-$REPO/.venv/bin/python} dest=$REPO/.gpu_site site exclude
    site=$("$py" -c 'import hydra, os; print(os.path.dirname(os.path.dirname(hydra.__file__)))') ||
        fail "$py cannot import hydra: set PYTHON to the project's interpreter"
    rm -rf "$dest" && mkdir -p "$dest"
    for pkg in hydra omegaconf antlr4; do
        cp -r "$site/$pkg" "$dest/" || fail "no $pkg in $site"
    done
    # their metadata too (importlib.metadata.version("hydra-core") and the like)
    cp -r "$site"/hydra_core-*.dist-info "$site"/omegaconf-*.dist-info \
        "$site"/antlr4_python3_runtime-*.dist-info "$dest/" 2>/dev/null || true
    find "$dest" -name __pycache__ -type d -prune -exec rm -rf {} +
    # ignored, so it travels only when carried and never shows in `git status`
    exclude=$(cd "$REPO" && realpath -m "$(git rev-parse --git-path info/exclude)") ||
        fail "$REPO is not a git checkout"
    mkdir -p "$(dirname "$exclude")"
    grep -qxF '/.gpu_site/' "$exclude" 2>/dev/null || echo '/.gpu_site/' >>"$exclude"
    echo "$PROG: $(du -sh "$dest" | cut -f1) in .gpu_site (hydra, omegaconf, antlr4 from $site)"
    echo "$PROG: now call the device tool: command 'bash scripts/gpu_checks.sh', carry [\".gpu_site\"], timeout_s 540"
}

# -- setup (there) ---------------------------------------------------------------------------

setup_python() {
    # lstm_nlp as installed: the package with conf/ inside it as lstm_nlp.conf. The checks run
    # from another folder, so the checkout's own lstm_nlp/ (no conf inside) never shadows it.
    local overlay=/tmp/gpu_checks_site
    rm -rf "$overlay" && mkdir -p "$overlay"
    cp -r "$REPO/lstm_nlp" "$overlay/lstm_nlp" && cp -r "$REPO/conf" "$overlay/lstm_nlp/conf" ||
        fail "could not copy lstm_nlp and conf to $overlay"
    PYTHONPATH=$overlay
    [[ -d "$REPO/.gpu_site" ]] && PYTHONPATH=$PYTHONPATH:$REPO/.gpu_site
    export PYTHONPATH=$PYTHONPATH${ORIG_PYTHONPATH:+:$ORIG_PYTHONPATH}
    export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false WANDB_MODE=disabled
    export LSTM_NLP_CACHE=/tmp/gpu_checks_cache
    PY=${PYTHON:-python3}
    [[ $PY == */* && $PY != /* ]] && PY=$PWD/$PY  # the steps run from another folder
    return 0
}

import_check() {
    (cd /tmp && "$PY" - <<'EOF'
import importlib, sys
print("python", sys.version.split()[0], sys.executable)
for name in ("torch", "lightning", "hydra", "omegaconf", "lstm_nlp", "lstm_nlp.conf"):
    try:
        module = importlib.import_module(name)
        print(f"import {name}: ok {getattr(module, '__version__', '')} {module.__file__}")
    except Exception as error:
        print(f"import {name}: FAILED {type(error).__name__}: {error}")
import torch
print("cuda available:", torch.cuda.is_available(), "| torch.version.cuda:", torch.version.cuda,
      "| cudnn:", torch.backends.cudnn.version() if torch.cuda.is_available() else None)
if torch.cuda.is_available():
    print("device:", torch.cuda.get_device_name(0), "| bf16:", torch.cuda.is_bf16_supported())
EOF
    )
}

# -- run (there) -----------------------------------------------------------------------------

START=$SECONDS

# step NAME CAP_S CMD...: CMD under `timeout`, at most CAP_S and what is left of the budget;
# output to $OUT/NAME.log, a line in $OUT/summary.txt.
step() {
    local name=$1 cap=$2 left limit rc began
    shift 2
    left=$((BUDGET - (SECONDS - START)))
    limit=$((cap < left ? cap : left))
    if ((limit < 30)); then
        echo "$name: skipped (${left}s of the ${BUDGET}s budget left)" | tee -a "$OUT/summary.txt"
        return 0
    fi
    began=$SECONDS
    echo "== $name (limit ${limit}s): $*" | tee -a "$OUT/$name.log"
    (cd "$RUNS" && timeout -k 10 "$limit" "$@") >>"$OUT/$name.log" 2>&1
    rc=$?
    local verdict="rc=$rc"
    ((rc == 124 || rc == 137)) && verdict="rc=$rc (timed out at ${limit}s)"
    echo "$name: $verdict, $((SECONDS - began))s" | tee -a "$OUT/summary.txt"
    return "$rc"
}

train_1gpu() {
    local precision=$1 dir=$RUNS/train_1gpu_$1
    step train_1gpu "$2" env PYTHON="$PY" "$REPO/scripts/train_multi_gpu.sh" 1 \
        "run_dir=$dir" "trainer.precision=$precision" \
        encoder.hidden_size=650 encoder.num_layers=2 task.embedding_dim=650 \
        task.batch_size=20 task.bptt=35 trainer.max_epochs=5 +trainer.max_steps=300 \
        trainer.enable_progress_bar=false trainer.enable_model_summary=false \
        logger=none checkpoint_every_minutes=null
    local rc=$?
    [[ -f "$dir/metrics.json" ]] && cp "$dir/metrics.json" "$OUT/train_1gpu_metrics.json"
    return "$rc"
}

run_checks() {
    OUT=${OUT:-$PWD/gpu_checks_out}
    BUDGET=${GPU_CHECKS_BUDGET_S:-420}
    RUNS=/tmp/gpu_checks_runs
    mkdir -p "$OUT" "$RUNS" || fail "cannot create $OUT or $RUNS"
    setup_python
    {
        date -u
        nvidia-smi 2>&1 || echo "nvidia-smi: not available"
        import_check 2>&1
        echo "PYTHONPATH=$PYTHONPATH"
        echo "git: $(git -C "$REPO" rev-parse HEAD 2>/dev/null) $(git -C "$REPO" status --short 2>/dev/null | wc -l) changed files"
    } >"$OUT/env.txt" 2>&1
    cat "$OUT/env.txt"
    : >"$OUT/summary.txt"
    if grep -qE 'import (hydra|omegaconf|lstm_nlp.conf): FAILED' "$OUT/env.txt"; then
        echo "$PROG: warning: hydra, omegaconf or lstm_nlp.conf does not import: the training" \
            "steps will fail (run '$PROG prepare' on the session's machine and carry .gpu_site)" |
            tee -a "$OUT/summary.txt"
    fi

    # 1. speed: eager rows, then compiled ones while its own budget lasts (JSON after each row)
    # shellcheck disable=SC2086  # BENCH_ARGS is a list of words
    step bench_gpu 180 "$PY" "$REPO/scripts/bench_gpu.py" --device cuda --time-budget 120 \
        --json "$OUT/bench_gpu.json" ${BENCH_ARGS:-}

    # 2. one-GPU DDP training through the launcher: ~300 steps of a 2x650 model on the
    #    embedded grammar corpus (no corpus can be fetched there)
    local precision=${TRAIN_PRECISION:-bf16-mixed} began=$SECONDS rc
    train_1gpu "$precision" 90
    rc=$?
    if ((rc != 0 && rc != 124 && rc != 137 && SECONDS - began < 60)) && [[ $precision != 32-true ]]; then
        echo "train_1gpu: $precision failed quickly: once more in 32-true" | tee -a "$OUT/summary.txt"
        train_1gpu 32-true 60
    fi

    # 3. same seed, same result; SIGKILL and exact resume (five short trainings)
    step gpu_determinism 200 "$PY" "$REPO/scripts/gpu_determinism.py" --out "$RUNS/determinism"
    [[ -f "$RUNS/determinism/gpu_determinism.json" ]] &&
        cp "$RUNS/determinism/gpu_determinism.json" "$OUT/gpu_determinism.json"

    echo "== total $((SECONDS - START))s of ${BUDGET}s"
    echo "== summary" && cat "$OUT/summary.txt"
    echo "== bench_gpu" && grep -v '^==' "$OUT/bench_gpu.log" | tail -n 30
    echo "== train_1gpu" && grep -E 'tokens/s|ppl|rror' "$OUT/train_1gpu.log" | tail -n 8
    echo "== gpu_determinism" && tail -n 40 "$OUT/gpu_determinism.log"
    return 0
}

ORIG_PYTHONPATH=${PYTHONPATH:-}
case "${1:-run}" in
    -h | --help) usage ;;
    prepare) prepare ;;
    setup) setup_python && import_check ;;
    run) run_checks ;;
    *) fail "unknown mode '$1' (prepare, run or setup; see --help)" ;;
esac
