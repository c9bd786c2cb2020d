#!/usr/bin/env bash
# Data-parallel training on several GPUs: one node through Lightning's DDP, several through torchrun.
set -euo pipefail

PROG=scripts/train_multi_gpu.sh

usage() {
    cat <<'EOF'
Usage:
  scripts/train_multi_gpu.sh [--dry-run] NUM_GPUS [OVERRIDES...]
  scripts/train_multi_gpu.sh --nnodes N [--rdzv-endpoint HOST:PORT] [--rdzv-id ID] [--dry-run] NUM_GPUS run_dir=DIR [OVERRIDES...]

Trains with Lightning's DDP strategy (trainer=ddp), one process per GPU; each process reads
its own contiguous shard of the data, and gradients are averaged over all of them.

One node (no --nnodes): runs
    python -m lstm_nlp.cli.train trainer=ddp trainer.accelerator=gpu trainer.devices=NUM_GPUS OVERRIDES...
and Lightning starts the other NUM_GPUS-1 processes itself.

Several nodes (--nnodes N): run the same command on every node; it runs torchrun
    python -m torch.distributed.run --nnodes=N --nproc-per-node=NUM_GPUS --rdzv-backend=c10d
        --rdzv-endpoint=HOST:PORT --rdzv-id=ID -m lstm_nlp.cli.train trainer=ddp
        trainer.accelerator=gpu trainer.devices=NUM_GPUS trainer.num_nodes=N run_dir=DIR OVERRIDES...
and Lightning takes ranks and addresses from torchrun's environment (TorchElasticEnvironment).
HOST:PORT is a free port on one of the nodes (required when N > 1; with --nnodes 1 torchrun
picks a local port). run_dir=DIR is required: every process composes its own config, so the
run directory must be named, and with several nodes it must be on a filesystem all nodes share.

Options:
  --nnodes N               number of machines; selects torchrun
  --rdzv-endpoint H:P      torchrun's rendezvous address (c10d backend), the same on every node
  --rdzv-id ID             the job's rendezvous id, the same on every node (default: lstm-nlp)
  --dry-run                print the command instead of running it
  -h, --help               this text

Environment:
  ACCELERATOR   trainer.accelerator (default: gpu); ACCELERATOR=cpu runs NUM_GPUS CPU processes
                (gloo backend), e.g. to try the setup on a machine without GPUs
  PYTHON        the Python interpreter with lstm-nlp installed (default: python)

Examples:
  scripts/train_multi_gpu.sh 4 experiment=ptb_small data.path=data/ptb
  # on each of two machines, node0 being the first one's host name:
  scripts/train_multi_gpu.sh --nnodes 2 --rdzv-endpoint node0:29400 4 run_dir=/shared/runs/ptb experiment=ptb_small data.path=data/ptb
EOF
}

fail() {
    echo "$PROG: error: $*" >&2
    exit 2
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

nnodes="" endpoint="" rdzv_id="lstm-nlp" dry_run=0
while (($#)); do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --dry-run) dry_run=1; shift ;;
        --nnodes | --rdzv-endpoint | --rdzv-id)
            (($# >= 2)) || fail "$1 needs a value (see --help)"
            case "$1" in
                --nnodes) nnodes=$2 ;;
                --rdzv-endpoint) endpoint=$2 ;;
                --rdzv-id) rdzv_id=$2 ;;
            esac
            shift 2 ;;
        --nnodes=* | --rdzv-endpoint=* | --rdzv-id=*)
            value=${1#*=}
            case "$1" in
                --nnodes=*) nnodes=$value ;;
                --rdzv-endpoint=*) endpoint=$value ;;
                --rdzv-id=*) rdzv_id=$value ;;
            esac
            shift ;;
        -*) fail "unknown option '$1' (see --help)" ;;
        *) break ;;
    esac
done

(($#)) || fail "NUM_GPUS is required, e.g. $PROG 4 experiment=ptb_small (see --help)"
gpus=$1
shift
is_count "$gpus" || fail "NUM_GPUS must be a positive integer (GPUs per node), got '$gpus'"
for arg in "$@"; do
    case "$arg" in
        -m | --multirun) fail "a sweep (-m) cannot run inside one DDP job: run this script once per sweep point (see docs/how-to/multi-gpu.md)" ;;
        trainer.devices=* | trainer.num_nodes=*)
            fail "'$arg' is set by this script: NUM_GPUS is trainer.devices, --nnodes is trainer.num_nodes" ;;
    esac
done

python=${PYTHON:-python}
accelerator=${ACCELERATOR:-gpu}
train=(trainer=ddp "trainer.accelerator=$accelerator" "trainer.devices=$gpus")

if [[ -z "$nnodes" ]]; then
    # Lightning starts the other processes by re-running this command. Inside a SLURM allocation
    # it would otherwise take SLURM's task count to mean that srun started them.
    unset SLURM_NTASKS
    cmd=("$python" -m lstm_nlp.cli.train "${train[@]}" "$@")
else
    is_count "$nnodes" || fail "--nnodes must be a positive integer, got '$nnodes'"
    has_run_dir=0
    for arg in "$@"; do
        [[ "$arg" == run_dir=* ]] && has_run_dir=1
    done
    ((has_run_dir)) || fail "with --nnodes, run_dir=DIR is required (the same path on every node, on a shared filesystem)"
    if [[ -n "$endpoint" ]]; then
        rdzv=(--rdzv-backend=c10d "--rdzv-endpoint=$endpoint" "--rdzv-id=$rdzv_id")
    elif ((nnodes == 1)); then
        rdzv=(--standalone)  # a local rendezvous on a free port
    else
        fail "--nnodes $nnodes needs --rdzv-endpoint HOST:PORT (a free port on one of the nodes, the same on every node)"
    fi
    cmd=("$python" -m torch.distributed.run "--nnodes=$nnodes" "--nproc-per-node=$gpus" "${rdzv[@]}"
         -m lstm_nlp.cli.train "${train[@]}" "trainer.num_nodes=$nnodes" "$@")
fi

if ((dry_run)); then  # the command, quoted for a shell where it needs quotes
    for arg in "${cmd[@]}"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then printf '%s ' "$arg"; else printf '%q ' "$arg"; fi
    done
    printf '\n'
    exit 0
fi
exec "${cmd[@]}"
