"""The ``hf`` data source's options (``data=hf data.path=Salesforce/wikitext
data.config=wikitext-2-v1``): a Hugging Face ``datasets`` dataset read into the same cached token
streams as the other sources, one line (one ``<eos>``) per record.

``data.path`` is a Hub id, a folder saved with ``save_to_disk``, or a folder of data files that
``load_dataset`` reads (``train.jsonl``, ``validation.txt``, ...).  This module, imported to
register the source, imports nothing heavy: the cache entry is :mod:`lstm_nlp.text.hub_corpus`,
the reading of the dataset (``datasets``, the ``hub`` extra, imported on first use)
:mod:`lstm_nlp.text.hub_files`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import DATA_SOURCES
from lstm_nlp.schema import option
from lstm_nlp.text.sources import VocabularyOptions


@DATA_SOURCES.component("hf", "lstm_nlp.text.hub_corpus:hub_corpus")
@dataclass
class HubDataOptions(VocabularyOptions):
    """``data=hf``: a Hugging Face ``datasets`` dataset (needs pip install 'lstm-nlp[hub]'), its
    text column written once into the cache, one record per line (one <eos> per line);
    data.name=ID is read as data.path=ID, the dataset's name as the Hub calls it."""

    name_option: ClassVar[str] = "path"  # data=hf data.name=ID means data.path=ID

    path: str = option(
        "???",
        help="a Hub dataset id (Salesforce/wikitext), a folder saved with save_to_disk, or a "
        "folder of data files load_dataset reads (train.jsonl, validation.jsonl, ...)",
    )
    config: str | None = option(
        None, help="the dataset's configuration (wikitext-2-v1); null: its only one"
    )
    revision: str | None = option(
        None, help="a Hub branch, tag or commit to pin; null: the default branch"
    )
    text_field: str = option("text", help="the column written out, one record per line")
    train_split: str = option("train", help="the split trained on")
    valid_split: str | None = option(
        "validation", help="the validation split; null: carved from the training split (held_out)"
    )
    test_split: str | None = option(
        "test", help="the test split; null: carved from the training split (held_out)"
    )
    held_out: float = option(
        0.0,
        ge=0.0,
        lt=0.5,
        help="fraction of the training records set aside, from its end, for each of "
        "valid_split/test_split that is null",
    )
    streaming: bool = option(
        False,
        help="read a Hub dataset record by record instead of downloading it whole; the entry "
        "is then keyed without fingerprint (pin revision) and reused without the Hub",
    )

    def check(self) -> None:
        if not self.text_field:
            raise ConfigError("text_field must name a column of the dataset, got ''")
        nulls = [k for k in ("valid_split", "test_split") if getattr(self, k) is None]
        if nulls and self.held_out == 0:
            raise ConfigError(
                f"{nulls[0]}=null needs held_out > 0: the fraction of the training records to "
                "set aside for it (e.g. held_out=0.01)"
            )
        if self.held_out > 0 and not nulls:
            raise ConfigError(
                f"held_out={self.held_out} is used only when valid_split or test_split is null "
                "(carved from the training split); set one to null, or held_out=0"
            )
        if self.held_out > 0 and self.streaming:
            raise ConfigError(
                "held_out needs the number of training records: not with streaming=true"
            )
        named = [s for s in (self.train_split, self.valid_split, self.test_split) if s]
        if len(set(named)) < len(named) or "" in (self.valid_split, self.test_split):
            raise ConfigError(
                "train_split, valid_split and test_split must name different splits (null: "
                f"carved), got {self.train_split!r}, {self.valid_split!r}, {self.test_split!r}"
            )
