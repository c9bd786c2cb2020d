"""An imported vocabulary as lstm-nlp's word-level tokenizer, every original id kept.

The ids stay the model's own (word ``i`` of the vocabulary is id ``i``), so the weights need no
permutation and ids read off this tokenizer are the original code's ids.  lstm-nlp's tokenizer
needs ``<unk>``, ``<eos>`` and ``<pad>``: a vocabulary that spells one of them otherwise
(``<UNK>``, ``</s>``, ...) has that word renamed in place; one that lacks it gets it appended
after the last id, with an output the model never predicts (see
:mod:`~lstm_nlp.importing.convert`).  Our specials then need not be ids 0-2: every reader looks
them up by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tokenizers import Tokenizer

from lstm_nlp.text.specials import EOS, PAD, SPECIALS, UNK

# other spellings of the specials in published vocabularies, tried in this order
ALIASES = {
    UNK: ("<UNK>", "<oov>", "<OOV>", "[UNK]"),
    EOS: ("<EOS>", "</s>"),
    PAD: ("<PAD>", "[PAD]"),
}


@dataclass
class ImportedVocabulary:
    ids: dict[str, int]  # every word's id, the specials included
    original: int  # ids below this are the model's own
    renamed: dict[str, str] = field(default_factory=dict)  # original spelling -> our special
    added: list[str] = field(default_factory=list)  # specials appended after the original ids

    def tokenizer(self) -> Tokenizer:
        from lstm_nlp.text.tokenizer import word_level_tokenizer

        return word_level_tokenizer(self.ids)

    def notes(self) -> str:
        """The changes, for the summary: ``</s> as <eos>, added <pad>`` (empty: none)."""
        parts = [f"{old} as {new}" for old, new in self.renamed.items()]
        if self.added:
            parts.append("added " + ", ".join(self.added) + " (never predicted)")
        return "; ".join(parts)


def imported_vocabulary(words: list[str]) -> ImportedVocabulary:
    ids = {word: i for i, word in enumerate(words)}
    result = ImportedVocabulary(ids, len(words))
    for special in SPECIALS:
        if special in ids:
            continue
        alias = next((a for a in ALIASES[special] if a in ids), None)
        if alias is not None:
            ids[special] = ids.pop(alias)
            result.renamed[alias] = special
        else:
            ids[special] = len(ids)
            result.added.append(special)
    result.ids = dict(sorted(ids.items(), key=lambda item: item[1]))
    return result
