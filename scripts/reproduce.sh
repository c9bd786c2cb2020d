#!/usr/bin/env bash
# Train an experiment preset and print its published beside its measured perplexity.
set -euo pipefail

PROG=scripts/reproduce.sh

usage() {
    cat <<'USAGE'
Usage: scripts/reproduce.sh NAME [DATA_DIR] [OVERRIDES...]

Trains experiment preset NAME (conf/experiment/NAME.yaml) with lstm-nlp-train, on DATA_DIR when
given (data=text data.path=DATA_DIR: train.txt valid.txt test.txt, or ptb.*.txt, wiki.*.tokens),
then prints the published perplexities (scripts/published.yaml) beside the run's metrics.json,
with the wall time and the machine, and writes them to RUN_DIR/reproduction.json.

The run directory is runs/reproduce/NAME unless an override says run_dir=...; running the same
command again resumes the run (the wall time printed is then that of the last command).

Examples:
  scripts/reproduce.sh zaremba_small ~/data/ptb
  scripts/reproduce.sh zaremba_large ~/data/ptb trainer.accelerator=gpu
  scripts/reproduce.sh ptb_small ~/data/ptb trainer.max_epochs=6
  scripts/reproduce.sh zaremba_small ~/data/wikitext-2 +trainer.max_steps=100 run_dir=runs/try

Environment:
  PYTHON   the interpreter with lstm-nlp installed (default: .venv/bin/python beside this
           repository's scripts/ when it exists, else python)
USAGE
}

if [[ $# -lt 1 ]]; then
    usage >&2
    exit 2
fi
case "$1" in
    -h | --help)
        usage
        exit 0
        ;;
esac
NAME=$1
shift

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$HERE/../.venv/bin/python" ]]; then
        PYTHON="$HERE/../.venv/bin/python"
    else
        PYTHON=python
    fi
fi

ARGS=("experiment=$NAME")
if [[ $# -ge 1 && "$1" != *=* && "$1" != -* ]]; then
    if [[ ! -d "$1" ]]; then
        echo "$PROG: error: $1 is not a folder (a corpus folder: train.txt valid.txt test.txt)" >&2
        exit 2
    fi
    ARGS+=(data=text "data.path=$1")
    shift
fi
RUN_DIR="runs/reproduce/$NAME"
OWN_RUN_DIR=1
for arg in "$@"; do
    case "$arg" in
        run_dir=*)
            RUN_DIR=${arg#run_dir=}
            OWN_RUN_DIR=0
            ;;
    esac
done
if [[ $OWN_RUN_DIR == 1 ]]; then
    ARGS+=("run_dir=$RUN_DIR")
fi

"$PYTHON" "$HERE/reproduce.py" published "$NAME"
echo "$PROG: $PYTHON -m lstm_nlp.cli.train ${ARGS[*]} $*"
START=$(date +%s)
"$PYTHON" -m lstm_nlp.cli.train "${ARGS[@]}" "$@"
END=$(date +%s)
"$PYTHON" "$HERE/reproduce.py" compare "$NAME" "$RUN_DIR" --seconds "$((END - START))"
