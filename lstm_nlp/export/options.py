"""The options of ``lstm-nlp-export`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.schema import CommandOptions, option

FORMATS = ("safetensors", "onnx", "torchscript")


@dataclass
class ExportOptions(CommandOptions):
    """lstm-nlp-export: a trained language model as a folder that loads without Lightning or
    Hydra (the layout of a Hugging Face model folder)

    Examples:
      lstm-nlp-export checkpoint=RUN_DIR out=exported
      lstm-nlp-export checkpoint=RUN_DIR/checkpoints/last.ckpt out=exported format=onnx

    Writes OUT/model.safetensors, config.json, tokenizer.json and a model card README.md (the
    run's data, metrics and training command); lstm_nlp.load(OUT) reads the folder back.
    format=onnx adds model.onnx, format=torchscript model.torchscript.pt: the language-model
    step (ids (seq, batch), h, c -> log-probabilities (seq, batch, vocab), h, c), each checked
    against the model before the command ends."""

    checkpoint: str = option(
        "???", help="a .ckpt written by lstm-nlp-train (task=language_model), or its run directory"
    )
    out: str = option("???", help="the folder to write (created; must be empty or new)")
    format: str = option(
        "safetensors",
        choices=FORMATS,
        help="safetensors: the folder only | onnx: also model.onnx | torchscript: also "
        "model.torchscript.pt",
    )
    overwrite: bool = option(False, help="replace the files of an earlier export in out")
