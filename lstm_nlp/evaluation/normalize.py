"""Raw sentences to the words of a PTB/WikiText-style training corpus.

Text is split on whitespace, as the training corpus is.  ``lowercase`` lowercases
first.  ``split_punctuation`` then splits each word's leading and trailing
punctuation (Unicode category P*) off as tokens of their own:

* ``themselves.`` -> ``themselves .``; ``"Hello,"`` -> ``" Hello , "``;
  ``Wait...`` -> ``Wait ...`` (a run of one repeated character stays one token);
* punctuation inside a word stays: ``don't``, ``well-known``, ``3.5``; contractions
  are not split (PTB would write ``do n't``, so a PTB-trained model may not know
  ``don't``; such items show up in the coverage report);
* a word that is only punctuation stays as it is (``--``, ``...``, WikiText's ``@-@``);
* an apostrophe that starts a word stays on it (PTB's clitics ``'s``, ``'re``; ``'90s``);
  one that ends a word is split off (``girls'`` -> ``girls '``, as PTB does);
* the final period of an abbreviation stays (``U.S.``, ``e.g.``, ``Mr.``, ``Dr.``).

The tokenizer's own normalizer (``data.lowercase`` at training time) applies on
top when the words are mapped to ids.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import groupby

ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "corp"}
)
_DOTTED = re.compile(r"(?:[^\W\d_]+\.)+[^\W\d_]+")  # U.S, e.g, Ph.D (before the final period)
_APOSTROPHES = "'\u2019"


def normalize(text: str, lowercase: bool = False, split_punctuation: bool = False) -> list[str]:
    """The words of ``text`` after the options above."""
    if lowercase:
        text = text.lower()
    words = text.split()
    if not split_punctuation:
        return words
    return [token for word in words for token in split_word(word)]


def split_word(word: str) -> list[str]:
    """One whitespace-free word with its leading and trailing punctuation split off."""
    if all(_is_punct(ch) for ch in word):
        return [word]
    start = 0
    while _is_punct(word[start]) and not (
        word[start] in _APOSTROPHES and word[start + 1].isalnum()
    ):
        start += 1
    end = len(word)
    while _is_punct(word[end - 1]):
        end -= 1
    core, trail = word[start:end], word[end:]
    if trail.startswith(".") and (core.lower() in ABBREVIATIONS or _DOTTED.fullmatch(core)):
        core, trail = core + ".", trail[1:]
    return _runs(word[:start]) + [core] + _runs(trail)


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _runs(chars: str) -> list[str]:
    """``'.,"'`` -> ``['.', ',', '"']``; a repeated character stays together (``'...'``)."""
    return ["".join(group) for _, group in groupby(chars)]
