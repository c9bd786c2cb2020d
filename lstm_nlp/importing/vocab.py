"""A published model's vocabulary, word ``i`` being the model's id ``i``, from whichever file the
user has: ``vocab.txt`` (colorlessgreenRNNs: one word per line), a pickled ``Dictionary`` or
``Corpus`` (AWD-LSTM's ``corpus.<md5>.data``; read with the restricted unpickler), or the corpus
folder itself, the dictionary rebuilt exactly as the code's ``data.py`` builds it:

* word_language_model and AWD-LSTM: words in order of first appearance over ``train.txt``,
  ``valid.txt``, ``test.txt``, each line's words followed by ``<eos>``;
* colorlessgreenRNNs (``dictionary_corpus.py``): its ``vocab.txt`` when the folder has one, else
  the words of ``train.txt`` in order of first appearance (its text carries ``<eos>`` itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_nlp.errors import DataError
from lstm_nlp.importing.stubs import Stub, attribute, class_name, short_name
from lstm_nlp.text.specials import EOS

VOCAB_FILE = "vocab.txt"
PICKLED = "a pickled Dictionary or Corpus (word2idx, idx2word)"
TEXT = "one word per line"


@dataclass
class Vocabulary:
    words: list[str]  # words[i] is the model's id i
    path: Path
    how: str  # how it was read, for the summary


def read_vocabulary(vocab: str | None, checkpoint: Path, colorlessgreen: bool) -> Vocabulary:
    """The vocabulary ``vocab=`` names, or the one beside the checkpoint when it names none."""
    if vocab is None:
        return _beside(checkpoint, colorlessgreen)
    path = Path(vocab).expanduser()
    if path.is_dir():
        return _folder(path, colorlessgreen)
    if not path.is_file():
        raise DataError(f"vocab: {str(path)!r} does not exist")
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as err:
        raise DataError(f"vocab: {str(path)!r}: cannot read ({err.strerror})") from None
    if head.startswith((b"\x80", b"PK\x03\x04")):
        return _pickled(path)
    return Vocabulary(_text_words(path), path, TEXT)


def _beside(checkpoint: Path, colorlessgreen: bool) -> Vocabulary:
    folder = checkpoint.parent
    if (folder / VOCAB_FILE).is_file():
        return read_vocabulary(str(folder / VOCAB_FILE), checkpoint, colorlessgreen)
    pickled = sorted(folder.glob("corpus.*.data"))
    if len(pickled) == 1:
        return read_vocabulary(str(pickled[0]), checkpoint, colorlessgreen)
    found = f"{len(pickled)} corpus.*.data files" if pickled else "no vocab.txt or corpus.*.data"
    raise DataError(
        f"vocab: not given, and {found} beside {checkpoint}: give vocab=PATH (a vocab.txt, "
        "a pickled Dictionary or Corpus, or the corpus folder the model was trained on)"
    )


def _folder(folder: Path, colorlessgreen: bool) -> Vocabulary:
    from lstm_nlp.text.corpus import find_splits

    if (folder / VOCAB_FILE).is_file():
        return Vocabulary(_text_words(folder / VOCAB_FILE), folder / VOCAB_FILE, TEXT)
    try:
        splits = find_splits(folder, ("train",) if colorlessgreen else ("train", "valid", "test"))
    except DataError as err:
        raise DataError(f"vocab: {err} (or a {VOCAB_FILE})") from None
    words: dict[str, None] = {}
    for split in splits.values():
        try:
            with open(split, encoding="utf-8") as f:
                for line in f:
                    words.update(dict.fromkeys(line.split()))
                    if not colorlessgreen:
                        words.setdefault(EOS)
        except UnicodeDecodeError as err:
            raise DataError(f"vocab: {split}: not UTF-8 text ({err.reason})") from None
    how = "rebuilt from train.txt" if colorlessgreen else "rebuilt from train/valid/test"
    return Vocabulary(_checked(list(words), folder), folder, how)


def _text_words(path: Path) -> list[str]:
    """``vocab.txt``: word ``i`` on line ``i + 1``; a blank line or two words on one are refused
    (they would shift every id after them)."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise DataError(f"vocab: {path}: not a UTF-8 text file ({err.reason})") from None
    lines = text.splitlines()
    words = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) != 1:
            what = "is empty" if not parts else f"holds {len(parts)} words"
            raise DataError(f"vocab: {path}: line {number} {what}; expected one word per line")
        words.append(parts[0])
    return _checked(words, path)


def _pickled(path: Path) -> Vocabulary:
    from lstm_nlp.importing.unpickler import read_pickled

    obj = read_pickled(path, PICKLED)
    return Vocabulary(_checked(words_of(obj, path), path), path, f"a pickled {short_name(obj)}")


def words_of(obj: Any, path: Path) -> list[str]:
    """``idx2word`` of a Dictionary (or of a Corpus's), a list of words, or ``word2idx``."""
    if isinstance(obj, Stub) and attribute(obj, "dictionary") is not None:
        obj = attribute(obj, "dictionary")  # a Corpus
    if isinstance(obj, Stub):
        idx2word, word2idx = attribute(obj, "idx2word"), attribute(obj, "word2idx")
        if isinstance(idx2word, list):
            _agree(idx2word, word2idx, path)
            return idx2word
        obj = word2idx
    if isinstance(obj, (list, tuple)):
        return list(obj)
    if isinstance(obj, Mapping) and obj and all(isinstance(i, int) for i in obj.values()):
        order = sorted(obj, key=obj.__getitem__)
        if [obj[w] for w in order] == list(range(len(order))):
            return order
        raise DataError(f"vocab: {path}: its word2idx ids are not 0..{len(order) - 1}")
    raise DataError(f"vocab: {path}: holds {class_name(obj)}; expected {PICKLED}")


def _agree(idx2word: list, word2idx: Any, path: Path) -> None:
    if isinstance(word2idx, Mapping) and any(word2idx.get(w) != i for i, w in enumerate(idx2word)):
        raise DataError(f"vocab: {path}: its word2idx and idx2word disagree")


def _checked(words: Iterable[Any], path: Path) -> list[str]:
    words = list(words)
    if not words:
        raise DataError(f"vocab: {path}: no words")
    odd = next((w for w in words if not isinstance(w, str) or not w), None)
    if odd is not None:
        raise DataError(f"vocab: {path}: {odd!r} is not a word")
    seen: dict[str, int] = {}
    for i, word in enumerate(words):
        if word in seen:
            raise DataError(f"vocab: {path}: {word!r} is there twice (ids {seen[word]} and {i})")
        seen[word] = i
    return words
