"""``lstm-nlp-export``'s work: a checkpoint in, an exported folder out (see the package)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_nlp.atomic import atomic_path, write_text
from lstm_nlp.errors import ConfigError, DataError
from lstm_nlp.export.config import (
    CARD_FILE,
    CONFIG_FILE,
    STEP_FILES,
    TOKENIZER_FILE,
    WEIGHTS_FILE,
    ModelConfig,
)
from lstm_nlp.export.options import ExportOptions

EXPORT_FILES = (CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE, CARD_FILE, *STEP_FILES.values())


@dataclass
class ExportResult:
    """What an export wrote: the folder, its files, and the step file's largest difference from
    the model (None without a step file)."""

    folder: Path
    checkpoint: Path
    files: list[str]
    step_difference: float | None = None


def export_checkpoint(options: ExportOptions) -> ExportResult:
    """Write ``options.out`` from ``options.checkpoint`` (a .ckpt or its run directory)."""
    from lstm_nlp.export.step_files import require
    from lstm_nlp.tasks.checked_load import load_checked_language_model
    from lstm_nlp.text.checkpoint_file import resolve_checkpoint

    if options.format == "onnx":
        require("onnx", "onnxruntime")  # before anything is written
    checkpoint = resolve_checkpoint(options.checkpoint)
    trained, tokenizer = load_checked_language_model(checkpoint)
    config = model_config(trained)
    model = exported_copy(trained, config, checkpoint)
    out = Path(options.out).expanduser()
    difference = step_first(model, out, options)
    files = write_folder(out, model, tokenizer, config, checkpoint)
    return ExportResult(out, checkpoint, files, difference)


def step_first(model: Any, out: Path, options: ExportOptions) -> float | None:
    """The folder made (or emptied of an earlier export) and the step file written first: a
    step that does not export leaves nothing behind (a new folder is removed again)."""
    new = not out.exists()
    prepared_folder(out, options.overwrite)
    step = STEP_FILES.get(options.format)
    try:
        return write_step(model, out / step, options.format) if step else None
    except DataError:
        if new:
            out.rmdir()
        raise


def write_folder(
    out: Path, model: Any, tokenizer: Any, config: ModelConfig, checkpoint: Path
) -> list[str]:
    """The weights, tokenizer, config and card (the step file, if any, is there already)."""
    from lstm_nlp.export.card import model_card, run_record

    step = next((name for name in STEP_FILES.values() if (out / name).is_file()), None)
    config.files = {"weights": WEIGHTS_FILE, "tokenizer": TOKENIZER_FILE, "step": step}
    save_weights(model, out / WEIGHTS_FILE)
    write_text(out / TOKENIZER_FILE, tokenizer.to_str())
    write_text(out / CONFIG_FILE, config.to_json())
    write_text(out / CARD_FILE, model_card(config, checkpoint, run_record(checkpoint)))
    return [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE, CARD_FILE, *([step] if step else [])]


def model_config(model: Any) -> ModelConfig:
    """The ``config.json`` of a trained :class:`LanguageModel` (from its hyperparameters)."""
    from lstm_nlp.registry import ENCODERS

    hparams = model.hparams
    options = ENCODERS.options(hparams["encoder"])
    kwargs = options if isinstance(options, dict) else options.as_dict()
    encoder = model.encoder
    state = {
        "layout": list(getattr(encoder, "state_layout", ())),
        "layers": encoder.num_layers * (2 if encoder.bidirectional else 1),
        "size": getattr(encoder, "state_size", encoder.hidden_size),
    }
    return ModelConfig(
        vocab_size=int(hparams["vocab_size"]),
        encoder={"name": hparams["encoder"].get("name", "lstm"), **kwargs},
        task=dict(hparams["options"]),
        state=state,
        lstm_nlp_version=package_version(),
    )


def package_version() -> str:
    """The installed lstm-nlp's version ("" when it runs from a source tree only)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lstm-nlp")
    except PackageNotFoundError:
        return ""


def exported_copy(trained: Any, config: ModelConfig, checkpoint: Path) -> Any:
    """The model rebuilt from ``config`` alone, holding the trained weights: proof that the
    folder is complete."""
    from lstm_nlp.export.model import ExportedLanguageModel

    model = ExportedLanguageModel(config)
    try:
        model.load_state_dict(trained.state_dict())
    except RuntimeError as err:
        first = str(err).strip().splitlines()[-1].strip()
        raise DataError(
            f"{checkpoint}: its weights do not fit the exported model ({first})"
        ) from None
    model.tokenizer_json = trained.tokenizer_json
    return model.eval()


def prepared_folder(out: Path, overwrite: bool) -> None:
    """``out``, made; an existing one must be empty, or ``overwrite`` replaces its export."""
    if out.is_dir() and any(out.iterdir()):
        if not overwrite:
            raise ConfigError(
                f"out: {str(out)!r} is not empty; choose a new folder, or add overwrite=true "
                "to replace an earlier export there"
            )
        for name in EXPORT_FILES:
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def save_weights(model: Any, path: Path) -> None:
    """``model.safetensors``: each tensor once (a tied matrix under its first name), no pickle."""
    from safetensors.torch import save

    with atomic_path(path) as tmp:
        tmp.write_bytes(save(unique_tensors(model), metadata={"format": "pt"}))


def unique_tensors(model: Any) -> dict[str, Any]:
    """The model's weights by name, a tensor shared by several names under the first only."""
    seen: set[int] = set()
    tensors = {}
    for name, tensor in model.state_dict().items():
        if tensor.data_ptr() not in seen:
            seen.add(tensor.data_ptr())
            tensors[name] = tensor.detach().contiguous()
    return tensors


def write_step(model: Any, path: Path, kind: str) -> float:
    """``model.onnx`` or ``model.torchscript.pt``, checked; its largest difference."""
    from lstm_nlp.export.step_files import write_onnx, write_torchscript

    return (write_onnx if kind == "onnx" else write_torchscript)(model, path)
