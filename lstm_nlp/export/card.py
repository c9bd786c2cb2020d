"""The model card (``README.md``) of an exported folder: what the model is, the data it was
trained on, its metrics and the command that trained it (from its run directory, when the
checkpoint sits in one)."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_nlp.export.config import ModelConfig

SHOWN_METRICS = ("val/ppl", "test/ppl", "val/loss", "test/loss", "epochs", "global_step")


@dataclass
class RunRecord:
    """What a run directory says about the checkpoint's training (empty outside one)."""

    folder: Path | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    overrides: list[str] | None = None
    data: dict[str, Any] = field(default_factory=dict)


def run_record(checkpoint: Path) -> RunRecord:
    """``RUN/metrics.json``, ``RUN/.hydra/overrides.yaml`` and the ``data`` node of
    ``RUN/.hydra/config.yaml`` for ``RUN/checkpoints/NAME.ckpt`` (what is readable of them)."""
    if checkpoint.parent.name != "checkpoints":
        return RunRecord()
    run = checkpoint.parent.parent
    metrics = read_json(run / "metrics.json")
    overrides = read_yaml(run / ".hydra" / "overrides.yaml")
    config = read_yaml(run / ".hydra" / "config.yaml")
    data = config.get("data") if isinstance(config, dict) else None
    return RunRecord(
        run,
        metrics if isinstance(metrics, dict) else {},
        [str(o) for o in overrides] if isinstance(overrides, list) else None,
        data if isinstance(data, dict) else {},
    )


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return None


def model_card(config: ModelConfig, checkpoint: Path, run: RunRecord) -> str:
    """The card's Markdown, with Hugging Face's metadata block first."""
    parts = [front_matter(), "# LSTM language model (lstm-nlp)\n", model_section(config)]
    parts += [data_section(run), metrics_section(run), command_section(run), usage_section()]
    parts.append(f"Exported from `{checkpoint}` by `lstm-nlp-export`.\n")
    return "\n".join(parts)


def front_matter() -> str:
    return (
        "---\nlibrary_name: lstm-nlp\npipeline_tag: text-generation\n"
        "tags:\n- lstm\n- language-model\n- lstm-nlp\n---\n"
    )


def model_section(config: ModelConfig) -> str:
    enc, task = config.encoder, config.task
    rows = [
        ("encoder", enc.get("name")),
        ("layers", enc.get("num_layers")),
        ("hidden size", enc.get("hidden_size")),
        ("embedding size", task.get("embedding_dim")),
        ("vocabulary", config.vocab_size),
        ("output layer", task.get("head")),
        ("tied embedding and output", task.get("tie_weights")),
    ]
    return "## Model\n\n" + table(("setting", "value"), rows)


def data_section(run: RunRecord) -> str:
    if not run.data:
        return "## Data\n\nNot recorded (the checkpoint was not in a run directory).\n"
    rows = [(key, value) for key, value in run.data.items() if value not in (None, {}, [])]
    return "## Data\n\n" + table(("data option", "value"), rows)


def metrics_section(run: RunRecord) -> str:
    rows = [(key, fmt(run.metrics[key])) for key in SHOWN_METRICS if key in run.metrics]
    if not rows:
        return "## Metrics\n\nNot recorded (no metrics.json in the run directory).\n"
    return "## Metrics\n\n" + table(("metric", "value"), rows)


def command_section(run: RunRecord) -> str:
    if run.overrides is None:
        return "## Training command\n\nNot recorded (no .hydra/overrides.yaml).\n"
    line = " ".join(["lstm-nlp-train", *(shlex.quote(o) for o in run.overrides)])
    return f"## Training command\n\n```sh\n{line}\n```\n"


def usage_section() -> str:
    return (
        '## Use\n\n```python\nimport lstm_nlp\n\nlm = lstm_nlp.load("THIS_FOLDER")\n'
        'lm.logprobs("the keys to the cabinet are here")\n'
        'lm.compare("the keys are here", "the keys is here")\n```\n\n'
        "Files: `model.safetensors` (weights), `config.json` (settings), `tokenizer.json` "
        "(the word-level vocabulary, `<eos>` after each line).\n"
    )


def table(header: tuple[str, str], rows: list[tuple[str, Any]]) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {key} | {fmt(value)} |" for key, value in rows]
    return "\n".join(lines) + "\n"


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value).replace("|", "\\|")
