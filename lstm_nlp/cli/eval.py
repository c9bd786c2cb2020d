"""``lstm-nlp-eval``: minimal-pair accuracy of a trained language model (BLiMP-style suites)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, ListConfig

from lstm_nlp.cli.common import guard, run_app
from lstm_nlp.errors import ConfigError, DataError

PROG = "lstm-nlp-eval"
OPTION_KEYS = ("score", "state", "final_eos", "lowercase", "split_punctuation", "oov", "batch_size")


def scoring_options(cfg: DictConfig):
    from lstm_nlp.evaluation.scoring import ScoringOptions

    warmup = cfg.warmup_text
    if cfg.warmup_file is not None:
        if warmup is not None:
            raise ConfigError("give warmup_text or warmup_file, not both")
        warmup = read_text(Path(str(cfg.warmup_file)).expanduser(), "warmup_file")
    return ScoringOptions(
        **{k: cfg[k] for k in OPTION_KEYS}, warmup_text=None if warmup is None else str(warmup)
    )


def read_text(path: Path, key: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{key}: cannot read {str(path)!r} ({e.strerror or e})") from None
    try:
        return raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise DataError(
            f"{path}:{line}: bytes that are not UTF-8 (save the file as UTF-8)"
        ) from None


def group_list(value: Any) -> list[str]:
    """``group_by=[a,b+c]`` or ``group_by=a``."""
    if value is None:
        return []
    if isinstance(value, (list, ListConfig)):
        return [str(v) for v in value]
    return [str(value)]


def check_run_options(cfg: DictConfig) -> None:
    threads = cfg.threads
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ConfigError(f"threads must be an integer >= 1, got {threads!r}")
    if not isinstance(cfg.plot, bool):
        raise ConfigError(f"plot must be true or false, got {cfg.plot!r}")


def device_of(name: str):
    import torch

    try:
        device = torch.device(str(name))
    except RuntimeError:
        raise ConfigError(f"device must be cpu, cuda or cuda:N, got {name!r}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device={name}: no CUDA device is available here (use device=cpu)")
    return device


def out_dir(cfg: DictConfig) -> Path:
    if cfg.out:
        return Path(str(cfg.out)).expanduser()
    from lstm_nlp.evaluation.pairs import SUFFIXES

    pairs = Path(str(cfg.pairs)).expanduser().resolve()
    return Path("eval_out") / (pairs.stem if pairs.suffix in SUFFIXES else pairs.name)


def evaluate(cfg: DictConfig) -> tuple[dict, Path]:
    """Check the options and inputs (before loading torch), score, write the results."""
    from lstm_nlp.checkpoints import resolve_checkpoint
    from lstm_nlp.evaluation.pairs import read_pairs
    from lstm_nlp.evaluation.report import group_fields

    options, group_by = scoring_options(cfg), group_list(cfg.group_by)
    check_run_options(cfg)
    checkpoint = resolve_checkpoint(cfg.checkpoint)
    items = read_pairs(str(cfg.pairs))
    group_fields(items, group_by)
    summary, scores = score_items(cfg, checkpoint, items, options, group_by)
    out = out_dir(cfg)
    write_outputs(out, summary, items, scores, group_by, cfg.plot)
    return summary, out


def score_items(cfg, checkpoint, items, options, group_by) -> tuple[dict, list]:
    import torch

    from lstm_nlp.checkpoints import load_language_model
    from lstm_nlp.evaluation.report import summarize
    from lstm_nlp.evaluation.scoring import PairScorer

    torch.set_num_threads(cfg.threads)
    device = device_of(cfg.device)
    model, tokenizer = load_language_model(checkpoint)
    start = time.perf_counter()
    scores = PairScorer(model.to(device), tokenizer, options).score(items)
    seconds = time.perf_counter() - start
    summary = summarize(items, scores, group_by)
    options_used = {k: getattr(options, k) for k in OPTION_KEYS}
    options_used["warmup"] = cfg.warmup_file or (None if cfg.warmup_text is None else "warmup_text")
    rate = summary["coverage"]["scored"] / max(seconds, 1e-9)
    summary.update(
        checkpoint=str(checkpoint),
        pairs=str(cfg.pairs),
        options=options_used,
        group_by=group_by,
        seconds=round(seconds, 3),
        pairs_per_second=round(rate, 1),
    )
    return summary, scores


def write_outputs(out: Path, summary: dict, items, scores, group_by: list[str], plot: bool) -> None:
    from lstm_nlp.evaluation.plots import plot_accuracy
    from lstm_nlp.evaluation.report import write_results

    write_results(out, summary, items, scores)
    if plot:
        plot_accuracy(summary, out / "accuracy.png", group_by)


def print_summary(summary: dict, out: Path) -> None:
    from lstm_nlp.evaluation.report import text_table

    cov, overall = summary["coverage"], summary["overall"]
    reasons = ", ".join(f"{r} {n:,}" for r, n in cov["excluded_by_reason"].items())
    print(
        f"{PROG}: {cov['read']:,} items read, {cov['scored']:,} scored, {cov['excluded']:,} "
        "excluded" + (f" ({reasons})" if reasons else "")
    )
    print(text_table(summary))
    acc = "-" if overall["accuracy"] is None else f"{overall['accuracy']:.3f}"
    ci = f" [{overall['ci95'][0]:.3f}, {overall['ci95'][1]:.3f}]" if overall["ci95"] else ""
    print(
        f"{PROG}: accuracy {acc}{ci} | {summary['pairs_per_second']:,.0f} pairs/s | results in "
        f"{out}",
        flush=True,
    )


@hydra.main(config_path="pkg://lstm_nlp.conf", config_name="eval", version_base="1.3")
def _app(cfg: DictConfig) -> None:
    with guard(PROG):
        summary, out = evaluate(cfg)
        print_summary(summary, out)


def main() -> None:
    run_app(PROG, _app, "eval")


if __name__ == "__main__":
    main()
