"""The options of ``lstm-nlp-import`` (no torch here: ``--help`` and the checks read them)."""

from __future__ import annotations

from dataclasses import dataclass

from lstm_nlp.schema import CommandOptions, option

FORMATS = ("auto", "word_language_model", "colorlessgreen", "awd")


@dataclass
class ImportOptions(CommandOptions):
    """lstm-nlp-import: a published LSTM language model (pytorch/examples word_language_model,
    colorlessgreenRNNs, AWD-LSTM) as an lstm-nlp checkpoint that every command reads

    Examples:
      lstm-nlp-import checkpoint=model.pt vocab=data/wikitext-2 out=wlm.ckpt
      lstm-nlp-import checkpoint=hidden650_batch128_dropout0.2_lr20.0.pt vocab=vocab.txt out=cg.ckpt
      lstm-nlp-import checkpoint=PTB.pt vocab=corpus.ba0a8b2d4e7e1b9c.data out=awd.ckpt

    The file is read with a restricted unpickler: only tensors and vocabularies come out of it,
    none of its classes is imported and none of its code runs.  The model's log-probabilities are
    checked against a plain-torch computation of the original architecture before OUT is
    written (in one step: never half-written)."""

    checkpoint: str = option(
        "???",
        help="the published model file: torch.save of the model, of [model, criterion, "
        "optimizer] (AWD-LSTM), or of its state_dict",
    )
    out: str = option("???", help="the lstm-nlp checkpoint (.ckpt) to write")
    vocab: str | None = option(
        None,
        help="the model's vocabulary: vocab.txt (one word per line, line i = id i), a pickled "
        "Dictionary or Corpus (AWD's corpus.<md5>.data), or the corpus folder (its vocab.txt, "
        "else the dictionary rebuilt as the code's data.py builds it); null: vocab.txt or the "
        "one corpus.*.data beside the checkpoint",
    )
    format: str = option(
        "auto",
        choices=FORMATS,
        help="auto: by the file's layout (rnn.*: word_language_model, rnns.*: awd) | "
        "colorlessgreen: the word_language_model layout, its vocabulary from vocab.txt",
    )
    overwrite: bool = option(False, help="replace an existing out file")
