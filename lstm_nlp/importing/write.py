"""``lstm-nlp-import``'s work: a published model file and its vocabulary in, an lstm-nlp
checkpoint out, written in one step (a temporary file, read back by the commands' own checked
loader, then renamed), so a failure leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstm_nlp.atomic import atomic_path
from lstm_nlp.errors import ConfigError, DataError, LstmNlpError
from lstm_nlp.importing.options import ImportOptions
from lstm_nlp.importing.source import SourceModel
from lstm_nlp.importing.tokenizer import ImportedVocabulary, imported_vocabulary
from lstm_nlp.importing.vocab import Vocabulary, read_vocabulary

WHAT = "a model file (torch.save of the model, of [model, criterion, optimizer] or of a state_dict)"
LAYOUTS = {"word_language_model": "rnn.*", "awd": "rnns.*"}


@dataclass
class ImportResult:
    source: SourceModel
    vocabulary: Vocabulary
    imported: ImportedVocabulary
    out: Path
    difference: float

    def summary(self) -> str:
        """``awd: 3 LSTM layers 1150/1150/400, embedding 400, tied + vocab ... -> out``."""
        s, v = self.source, self.vocabulary
        layers = "/".join(str(size) for size in s.sizes)
        tied = ", tied" if s.tied else ""
        notes = f"; {self.imported.notes()}" if self.imported.notes() else ""
        return (
            f"{s.path} ({s.format}: {len(s.layers)} LSTM layers {layers}, embedding "
            f"{s.embedding_dim}{tied}) + vocab {v.path} ({len(v.words)} words, {v.how}{notes}) "
            f"-> {self.out} (log-probs checked: max difference {self.difference:.1e})"
        )


def model_file(value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_dir():
        raise DataError(f"checkpoint: {str(path)!r} is a folder; give the model file itself")
    if not path.is_file():
        raise DataError(f"checkpoint: {str(path)!r} does not exist")
    return path


def read_source(path: Path, format: str) -> SourceModel:
    """The model in ``path``, read by the reader of its layout (``format=auto``: the one found)."""
    from lstm_nlp.importing.awd import read_awd
    from lstm_nlp.importing.contents import contents_of, format_of
    from lstm_nlp.importing.rnnmodel import read_rnnmodel
    from lstm_nlp.importing.unpickler import read_pickled

    pickled = read_pickled(path, WHAT)
    try:
        contents = contents_of(pickled, path)
        found = format_of(contents, path)
        wanted = "word_language_model" if format == "colorlessgreen" else format
        if wanted not in ("auto", found):
            raise DataError(
                f"{path}: format={format}, but the file has the {found} layout "
                f"({LAYOUTS[found]} weights, not {LAYOUTS[wanted]}); use format=auto or "
                f"format={found}"
            )
        source = (read_awd if found == "awd" else read_rnnmodel)(contents, path)
    except LstmNlpError:
        raise
    except (TypeError, AttributeError, ValueError, KeyError, IndexError) as err:
        # pickled objects of unexpected kinds where a model has tensors, lists and dicts
        first = (str(err).splitlines() or [""])[0][:120]
        raise DataError(f"{path}: a malformed model file ({type(err).__name__}: {first})") from None
    source.format = format if format == "colorlessgreen" else found
    return source


def import_checkpoint(options: ImportOptions) -> ImportResult:
    """Read, convert, check, then write ``options.out`` (see the module docstring)."""
    import torch

    from lstm_nlp.importing.convert import build_model, checkpoint_of
    from lstm_nlp.importing.reference import largest_difference
    from lstm_nlp.tasks.checked_load import load_checked_language_model

    path = model_file(options.checkpoint)
    out = Path(options.out).expanduser()
    if out.exists() and not options.overwrite:
        raise ConfigError(f"out: {str(out)!r} exists (overwrite=true replaces it)")
    source = read_source(path, options.format)
    vocabulary = read_vocabulary(options.vocab, path, options.format == "colorlessgreen")
    if len(vocabulary.words) != source.vocab_size:
        raise DataError(
            f"vocab: {vocabulary.path} has {len(vocabulary.words)} words, but the embedding of "
            f"{path} has {source.vocab_size} rows (expected the vocabulary it was trained with)"
        )
    imported = imported_vocabulary(vocabulary.words)
    model = build_model(source, imported)
    difference = largest_difference(model, source)
    record = {
        "format": source.format,
        "source": str(path),
        "vocab": str(vocabulary.path),
        "renamed": dict(imported.renamed),
        "added": list(imported.added),
    }
    with atomic_path(out) as tmp:
        torch.save(checkpoint_of(model, record), tmp)
        load_checked_language_model(tmp)  # as every command will read it
    return ImportResult(source, vocabulary, imported, out, difference)
