"""Reading a Hugging Face ``datasets`` dataset for the ``hf`` data source
(:mod:`lstm_nlp.text.hub_source`): where it is, its splits and text column checked, its records
written one per line.

Every failure is one :class:`~lstm_nlp.errors.LstmNlpError` line naming the config key at fault
(``data.path``, ``data.config``, ``data.text_field``, ...) and what is expected: ``datasets``
raises many exception types (missing dataset, config, files, network), translated here.  The
package is imported on the first call (:func:`import_datasets`), never at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lstm_nlp.errors import ConfigError, DataError, LstmNlpError
from lstm_nlp.schema.help import shown

if TYPE_CHECKING:
    from lstm_nlp.text.hub_source import HubDataOptions

INSTALL = "data=hf needs the datasets package: pip install 'lstm-nlp[hub]'"
KINDS = (
    "a Hub dataset id (Salesforce/wikitext), a folder saved with save_to_disk, or a folder of "
    "data files"
)
TEXT_TYPES = ("string", "large_string")
BATCH = 4096  # records read at a time


@dataclass(frozen=True)
class Location:
    """Where ``data.path`` points."""

    kind: str  # "hub", "saved" (a save_to_disk folder) or "files" (a folder of data files)
    target: str  # what load_dataset / load_from_disk gets
    key: str  # the dataset's identity in the cache key: the Hub id or the absolute folder
    title: str  # for messages and the run's summary


@dataclass
class OpenedSplits:
    """The train/valid/test parts of a loaded dataset, ready to write."""

    parts: dict[str, Any]  # train/valid/test -> a Dataset or IterableDataset
    labels: dict[str, str]  # train/valid/test -> what it is, in words, for messages
    keys: dict[str, str]  # train/valid/test -> the config key that chose it
    fingerprints: dict[str, str | None]  # the splits' fingerprints (None: none, streaming)
    version: str  # the datasets package's version


def import_datasets() -> ModuleType:
    """The ``datasets`` package, or a one-line :class:`ConfigError` saying how to install it."""
    try:
        import datasets
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] == "datasets":
            raise ConfigError(INSTALL) from None
        raise ConfigError(f"data=hf: the datasets package cannot be imported: {err}") from None
    except ImportError as err:
        raise ConfigError(f"data=hf: the datasets package cannot be imported: {err}") from None
    return datasets


def locate(options: HubDataOptions) -> Location:
    """What ``data.path`` names, with the options that do not apply to it refused."""
    raw = options.path
    if not raw or raw == "???":
        raise ConfigError(f"data.path is required with data=hf: {KINDS}")
    suffix = f":{options.config}" if options.config else ""
    path = Path(raw).expanduser()
    if path.is_dir():
        root = path.resolve()
        saved = (root / "dataset_dict.json").is_file() or (root / "state.json").is_file()
        if options.revision is not None:
            raise ConfigError(
                f"data.revision={options.revision}: a revision pins a Hub dataset, and "
                f"data.path={raw} is a local folder; set data.revision=null"
            )
        if saved and options.config is not None:
            raise ConfigError(
                f"data.config={options.config}: {raw} is a folder saved with save_to_disk, which "
                "has no configurations; set data.config=null"
            )
        if saved and options.streaming:
            raise ConfigError(
                f"data.streaming=true: {raw} is a folder saved with save_to_disk, read "
                "memory-mapped already; set data.streaming=false"
            )
        return Location("saved" if saved else "files", str(root), str(root), root.name + suffix)
    if path.exists():
        raise ConfigError(f"data.path={raw} is a file; expected {KINDS} (the folder holding it)")
    if raw.startswith(("/", ".", "~")) or raw.count("/") > 1 or "\\" in raw:
        raise ConfigError(f"data.path={raw}: no such folder; expected {KINDS}")
    return Location("hub", raw, raw, raw + suffix)


def open_splits(options: HubDataOptions, where: Location) -> OpenedSplits:
    """Load the dataset and pick its train/valid/test parts, each checked to hold the text."""
    ds = import_datasets()
    try:
        if where.kind == "saved":
            loaded = ds.load_from_disk(where.target)
        else:
            loaded = ds.load_dataset(
                where.target,
                options.config,
                revision=options.revision,
                streaming=options.streaming,
            )
    except LstmNlpError:
        raise
    except Exception as err:  # datasets, huggingface_hub, fsspec and pyarrow raise many types
        raise load_error(err, options) from None
    single = isinstance(loaded, (ds.Dataset, ds.IterableDataset))
    available: dict[str, Any] = {"train": loaded} if single else dict(loaded)
    parts, labels, keys, fingerprints = {}, {}, {}, {}
    for part, key in (("train", "train_split"), ("valid", "valid_split"), ("test", "test_split")):
        name = getattr(options, key)
        if name is not None:
            parts[part] = pick(available, f"data.{key}", name, where)
            labels[part] = f"split {name!r} of {where.title}"
            keys[part] = f"data.{key}={name}"
            fingerprints[name] = getattr(parts[part], "_fingerprint", None)
    for part in parts:
        check_column(parts[part], options.text_field, labels[part], ds)
    carve(parts, labels, keys, options)
    return OpenedSplits(parts, labels, keys, fingerprints, ds.__version__)


def pick(available: Mapping[str, Any], key: str, name: str, where: Location) -> Any:
    if name in available:
        return available[name]
    known = ", ".join(available) or "(none)"
    hint = (
        ""
        if key == "data.train_split"
        else f"; or {key}=null data.held_out=0.01 to set aside the last 1% of the training records"
    )
    raise ConfigError(
        f"{key}={name}: {where.title} has no split {name!r} (its splits: {known}){hint}"
    )


def carve(
    parts: dict[str, Any], labels: dict[str, str], keys: dict[str, str], options: HubDataOptions
) -> None:
    """Set the last ``held_out`` fraction of the training records aside for each null split:
    contiguous, in order (valid before test), so no shuffling or seed is involved."""
    missing = [p for p in ("valid", "test") if p not in parts]
    if not missing:
        return
    train = parts["train"]
    n = len(train)
    k = max(1, round(n * options.held_out))
    kept = n - k * len(missing)
    if kept < 1:
        raise ConfigError(
            f"data.held_out={options.held_out}: {labels['train']} has {n} records, too few to "
            f"set aside {len(missing)} x {k} of them"
        )
    parts["train"] = train.select(range(kept))
    label = labels["train"]
    labels["train"] = f"records 1-{kept} of {label}"
    for i, part in enumerate(missing):
        start = kept + i * k
        parts[part] = train.select(range(start, start + k))
        labels[part] = f"records {start + 1}-{start + k} of {label}"
        keys[part] = f"data.held_out={options.held_out}"


def check_column(dataset: Any, field: str, label: str, ds: ModuleType) -> None:
    """``field`` is a text column of ``dataset`` (where its columns are known: not always when
    streaming; records are checked as they are written anyway)."""
    columns = dataset.column_names
    if columns is not None and field not in columns:
        raise ConfigError(
            f"data.text_field={field}: {label} has no column {field!r} (its columns: "
            f"{', '.join(columns) or '(none)'})"
        )
    features = dataset.features
    if features is None or field not in features:
        return
    if not is_text(features[field], ds):
        texts = [name for name, f in features.items() if is_text(f, ds)]
        raise ConfigError(
            f"data.text_field={field}: column {field!r} of {label} holds {features[field]}, not "
            f"text (its text columns: {', '.join(texts) or '(none)'})"
        )


def is_text(feature: Any, ds: ModuleType) -> bool:
    return isinstance(feature, ds.Value) and feature.dtype in TEXT_TYPES


def write_splits(opened: OpenedSplits, field: str, folder: Path) -> dict[str, int]:
    """Write ``train.txt``, ``valid.txt``, ``test.txt`` into ``folder``; records per split."""
    records = {}
    for part, dataset in opened.parts.items():
        label = opened.labels[part]
        records[part] = write_split(dataset, field, label, folder / f"{part}.txt")
        if records[part] == 0:
            raise DataError(f"{opened.keys[part]}: {label} has no records")
    return records


def write_split(dataset: Any, field: str, label: str, out: Path) -> int:
    """One line per record of ``field`` (its count returned): the text without its trailing
    newline, so a record that is a line (wikitext's) gives back that line, an empty record an
    empty line; newlines inside a record stay, so its lines are lines of the corpus."""
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        for text in values(dataset, field, label):
            if not isinstance(text, str):
                what = "null" if text is None else type(text).__name__
                raise DataError(
                    f"data.text_field={field}: record {n + 1} of {label} is {what}, not text"
                )
            f.write(line_of(text))
            n += 1
    return n


def line_of(text: str) -> str:
    """``text`` ending in exactly one ``\\n``: its own trailing newline (``\\n``, ``\\r\\n`` or
    ``\\r``), if any, replaced."""
    if text.endswith("\r\n"):
        return text[:-2] + "\n"
    if text.endswith(("\n", "\r")):
        return text[:-1] + "\n"
    return text + "\n"


def values(dataset: Any, field: str, label: str) -> Iterator[Any]:
    """The values of ``field``, a batch read at a time; a failure while reading (a stream cut,
    a damaged file) is one line."""
    batches = iter(dataset.select_columns([field]).iter(batch_size=BATCH))
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except Exception as err:  # network, fsspec, pyarrow errors while reading
            raise DataError(f"data.path: cannot read {label}: {reason(err)}") from None
        yield from batch[field]


def load_error(err: Exception, options: HubDataOptions) -> ConfigError:
    """``datasets``' failure to load, as one line naming the key at fault."""
    text = reason(err)
    cause = type(err.__cause__).__name__ if err.__cause__ is not None else ""
    path = f"data.path={options.path}"
    if isinstance(err, ConnectionError):
        return ConfigError(
            f"{path}: not in the Hugging Face cache, and the Hub cannot be reached ({text}); "
            "run once with network access to download it (HF_DATASETS_OFFLINE=1 then reads the "
            "cache), or give a local folder"
        )
    if cause == "RevisionNotFoundError" or text.startswith("Revision "):
        return ConfigError(f"data.revision={shown(options.revision)}: {text}")
    if isinstance(err, ValueError) and re.search(r"config", text, re.IGNORECASE):
        return ConfigError(f"data.config={shown(options.config)}: {text}")
    if type(err).__name__ == "DatasetNotFoundError":
        return ConfigError(f"{path}: {text} (expected {KINDS}; a gated one needs `hf auth login`)")
    if isinstance(err, FileNotFoundError):
        return ConfigError(f"{path}: {text} (expected {KINDS})")
    return ConfigError(f"{path}: cannot load the dataset: {type(err).__name__}: {text}")


def reason(err: BaseException) -> str:
    """An exception's message on one line (usage examples that some messages append cut off)."""
    text = str(err).split("Example of usage")[0]
    text = " ".join(text.split())
    if len(text) > 400:
        text = text[:397] + "..."
    return text or type(err).__name__
