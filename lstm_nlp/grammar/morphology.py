"""Regular English inflection: noun plurals, verb third-person singular and past forms.

Irregular forms are written out in the word lists; these rules cover the rest.
"""

from __future__ import annotations

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")
_VOWELS = "aeiou"


def _consonant_y(word: str) -> bool:
    return len(word) > 1 and word.endswith("y") and word[-2] not in _VOWELS


def plural(noun: str) -> str:
    """``key`` -> ``keys``, ``box`` -> ``boxes``, ``city`` -> ``cities``."""
    if noun.endswith(_SIBILANT_ENDINGS):
        return noun + "es"
    if _consonant_y(noun):
        return noun[:-1] + "ies"
    return noun + "s"


def third_singular(verb: str) -> str:
    """``laugh`` -> ``laughs``, ``watch`` -> ``watches``, ``go`` -> ``goes``, ``cry`` ->
    ``cries``."""
    if verb.endswith(_SIBILANT_ENDINGS) or verb.endswith("o"):
        return verb + "es"
    if _consonant_y(verb):
        return verb[:-1] + "ies"
    return verb + "s"


def past(verb: str) -> str:
    """``laugh`` -> ``laughed``, ``like`` -> ``liked``, ``cry`` -> ``cried`` (no consonant
    doubling)."""
    if verb.endswith("e"):
        return verb + "d"
    if _consonant_y(verb):
        return verb[:-1] + "ied"
    return verb + "ed"


def indefinite_article(next_word: str) -> str:
    """``a`` or ``an`` before ``next_word``, by its spelling (good enough for this lexicon)."""
    vowel_sound = next_word[:1] in _VOWELS and not next_word.startswith(("uni", "use", "eu", "one"))
    return "an" if vowel_sound or next_word.startswith(("heir", "hour", "honest")) else "a"
