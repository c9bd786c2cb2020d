#!/usr/bin/env bash
# Submit training runs (one, or a sweep) to SLURM through Hydra's submitit launcher; no sbatch script to write.
set -euo pipefail

PROG=scripts/slurm.sh

usage() {
    cat <<'EOF'
Usage: scripts/slurm.sh [--dry-run] GPUS_PER_NODE [OVERRIDES...]

Submits one SLURM job per sweep point (comma lists make a sweep: optim.lr=10,20) through
hydra-submitit-launcher (pip install 'lstm-nlp[slurm]') and waits for them. Each job gets
NODES machines with GPUS_PER_NODE GPUs each; submitit starts one task per GPU with srun, and
Lightning takes ranks and addresses from SLURM's environment (SLURMEnvironment). It runs
    python -m lstm_nlp.cli.train -m hydra/launcher=slurm trainer=ddp trainer.accelerator=gpu
        trainer.devices=GPUS_PER_NODE trainer.num_nodes=NODES [hydra.launcher.KEY=...] OVERRIDES...
(with one GPU on one node, the default single-device trainer instead of trainer=ddp).
Jobs write to run_dir/JOB_NUMBER, and submitit's logs go to run_dir/.submitit/. Any key of
conf/hydra/launcher/slurm.yaml can be overridden too (hydra.launcher.qos=high, ...).

Options:
  --dry-run     print the command instead of running it
  -h, --help    this text

Environment (each one optional):
  NODES          machines per job (default: 1)
  PARTITION      hydra.launcher.partition (default: the cluster's default partition)
  ACCOUNT        hydra.launcher.account
  TIMEOUT_MIN    hydra.launcher.timeout_min, the job's time limit in minutes (default: 1440)
  CPUS_PER_TASK  hydra.launcher.cpus_per_task (default: 4)
  MEM_GB         hydra.launcher.mem_gb, memory per node (default: the partition's default)
  PYTHON         the Python interpreter with lstm-nlp installed (default: python)

Example:
  NODES=2 PARTITION=gpu scripts/slurm.sh 4 experiment=ptb_small data.path=data/ptb optim.lr=10,20 run_dir=runs/ptb_lr
EOF
}

fail() {
    echo "$PROG: error: $*" >&2
    exit 2
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

dry_run=0
while (($#)); do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        --dry-run) dry_run=1; shift ;;
        -m | --multirun) shift ;;  # always a multirun: the launcher only runs in one
        -*) fail "unknown option '$1' (see --help)" ;;
        *) break ;;
    esac
done

(($#)) || fail "GPUS_PER_NODE is required, e.g. $PROG 4 experiment=ptb_small (see --help)"
gpus=$1
shift
is_count "$gpus" || fail "GPUS_PER_NODE must be a positive integer, got '$gpus'"
nodes=${NODES:-1}
is_count "$nodes" || fail "NODES must be a positive integer, got '$nodes'"
for arg in "$@"; do
    case "$arg" in
        trainer.devices=* | trainer.num_nodes=*)
            fail "'$arg' is set by this script: GPUS_PER_NODE is trainer.devices, NODES is trainer.num_nodes" ;;
        -m | --multirun) ;;
        -*) fail "unknown option '$arg' (options go before GPUS_PER_NODE; see --help)" ;;
    esac
done

python=${PYTHON:-python}
if ((gpus * nodes > 1)); then
    train=(trainer=ddp trainer.accelerator=gpu "trainer.devices=$gpus" "trainer.num_nodes=$nodes")
else
    train=(trainer.accelerator=gpu trainer.devices=1)
fi
launcher=()
[[ -n "${PARTITION:-}" ]] && launcher+=("hydra.launcher.partition=$PARTITION")
[[ -n "${ACCOUNT:-}" ]] && launcher+=("hydra.launcher.account=$ACCOUNT")
if [[ -n "${TIMEOUT_MIN:-}" ]]; then
    is_count "$TIMEOUT_MIN" || fail "TIMEOUT_MIN must be a positive integer (minutes), got '$TIMEOUT_MIN'"
    launcher+=("hydra.launcher.timeout_min=$TIMEOUT_MIN")
fi
if [[ -n "${CPUS_PER_TASK:-}" ]]; then
    is_count "$CPUS_PER_TASK" || fail "CPUS_PER_TASK must be a positive integer, got '$CPUS_PER_TASK'"
    launcher+=("hydra.launcher.cpus_per_task=$CPUS_PER_TASK")
fi
if [[ -n "${MEM_GB:-}" ]]; then
    is_count "$MEM_GB" || fail "MEM_GB must be a positive integer (GB per node), got '$MEM_GB'"
    launcher+=("hydra.launcher.mem_gb=$MEM_GB")
fi
cmd=("$python" -m lstm_nlp.cli.train -m hydra/launcher=slurm "${train[@]}" "${launcher[@]}" "$@")

if ((dry_run)); then  # the command, quoted for a shell where it needs quotes
    for arg in "${cmd[@]}"; do
        if [[ "$arg" =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then printf '%s ' "$arg"; else printf '%q ' "$arg"; fi
    done
    printf '\n'
    exit 0
fi
"$python" -c "import hydra_plugins.hydra_submitit_launcher" 2>/dev/null ||
    fail "hydra/launcher=slurm needs hydra-submitit-launcher, which is not installed for $python: pip install 'lstm-nlp[slurm]'"
command -v sbatch >/dev/null || fail "sbatch is not on PATH: run this on a machine that submits SLURM jobs (a login node)"
exec "${cmd[@]}"
