"""Whether a benchmark's sentences were in a model's training text, and how much of their
vocabulary the model knows.

* :func:`ngram_overlap`: the share of benchmark sentences that share at least one word n-gram
  (default 8) with the training corpus.  A sentence shorter than ``n`` counts when it occurs
  whole, as a contiguous sequence, in a corpus line; an empty one never counts.  Corpus lines
  are separate texts: no n-gram spans a line break.  The benchmark's n-grams (the small side)
  go in a hash set and the corpus streams past once, so a corpus of any size fits in memory.
* :func:`vocabulary_coverage`: the share of word tokens and types in a vocabulary.
* :func:`training_corpus`: the text files a run trained on (its training split only), read from
  the run's config (``RUN_DIR/.hydra/config.yaml``: a checkpoint's ``hyper_parameters`` hold
  the model's settings, not the data's); :func:`checkpoint_corpus` from a checkpoint or run
  directory.  ``data=text``: the folder's train file; ``data=grammar``: the generated corpus's
  ``train.txt`` in the cache, regenerated from its parameters when missing (under a second per
  20k sentences), by this version's generator (a run from an older ``GENERATOR_VERSION`` saw
  other text, which is not recovered).  Other sources: None (not available).

Words are compared as given: pass words without ``<eos>``, lowercased when the model's
vocabulary is (``data.lowercase``; :func:`corpus_lines` can lowercase the corpus).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from lstm_nlp.errors import ConfigError, DataError

TOP_OOV = 50  # out-of-vocabulary words listed by vocabulary_coverage


# -- overlap ---------------------------------------------------------------------------------
def _grams(words: tuple[str, ...], k: int) -> Iterator[tuple[str, ...]]:
    return (words[i : i + k] for i in range(len(words) - k + 1))


def ngram_overlap(
    sentences: Iterable[list[str]], corpus_lines: Iterable[list[str]], n: int = 8
) -> dict[str, Any]:
    """How many ``sentences`` share a word ``n``-gram with ``corpus_lines`` (see the module doc):
    ``sentences``, ``contaminated``, ``share``, the same for ``short`` sentences (fewer than
    ``n`` words), ``empty``, the benchmark's distinct ``ngrams`` and ``ngrams_found``,
    ``corpus_lines``, ``corpus_words``, and ``contaminated_index`` (the sentences' positions)."""
    if n < 1:
        raise ValueError(f"ngram_overlap: n must be at least 1, got {n}")
    sents = [tuple(s) for s in sentences]
    wanted: dict[int, set[tuple[str, ...]]] = {}  # length -> sequences (n, or a short sentence's)
    for s in sents:
        if s:
            k = min(n, len(s))
            wanted.setdefault(k, set()).update(_grams(s, k))
    starts: dict[str, list[int]] = {}  # first word -> lengths of the sequences it starts
    for k, grams in wanted.items():
        for first in {g[0] for g in grams}:
            starts.setdefault(first, []).append(k)
    found: set[tuple[str, ...]] = set()
    lines = words = 0
    for line in corpus_lines:
        line = tuple(line)
        lines, words, size = lines + 1, words + len(line), len(line)
        for i, word in enumerate(line):
            for k in starts.get(word, ()):
                if i + k <= size and line[i : i + k] in wanted[k]:
                    found.add(line[i : i + k])
    hits = [
        i for i, s in enumerate(sents) if s and any(g in found for g in _grams(s, min(n, len(s))))
    ]
    short = [i for i, s in enumerate(sents) if 0 < len(s) < n]
    short_hits = set(hits).intersection(short)
    return {
        "n": n,
        "sentences": len(sents),
        "contaminated": len(hits),
        "share": len(hits) / len(sents) if sents else None,
        "short": len(short),
        "short_contaminated": len(short_hits),
        "short_share": len(short_hits) / len(short) if short else None,
        "empty": sum(not s for s in sents),
        "ngrams": sum(len(g) for g in wanted.values()),
        "ngrams_found": len(found),
        "corpus_lines": lines,
        "corpus_words": words,
        "contaminated_index": hits,
    }


def vocabulary_coverage(words: Iterable[str], vocab: Container[str]) -> dict[str, Any]:
    """The share of word tokens and of word types in ``vocab`` (a set, a tokenizer's
    ``get_vocab()``, ...), and the most frequent words outside it (``oov``: word -> count)."""
    counts = Counter(words)
    known = {w for w in counts if w in vocab}
    tokens, known_tokens = sum(counts.values()), sum(counts[w] for w in known)
    oov = Counter({w: c for w, c in counts.items() if w not in known})
    return {
        "tokens": tokens,
        "tokens_in_vocab": known_tokens,
        "token_share": known_tokens / tokens if tokens else None,
        "types": len(counts),
        "types_in_vocab": len(known),
        "type_share": len(known) / len(counts) if counts else None,
        "oov": dict(oov.most_common(TOP_OOV)),
    }


def corpus_lines(
    paths: Iterable[str | os.PathLike], lowercase: bool = False, encoding_errors: str = "strict"
) -> Iterator[list[str]]:
    """The words of each line of each file, streamed (an empty line: ``[]``); read as the
    corpus reader reads training text."""
    from lstm_nlp.text.chunks import iter_line_batches

    for path in paths:
        for batch in iter_line_batches(path, encoding_errors):
            for line in batch:
                yield (line.lower() if lowercase else line).split()


# -- which text a run trained on -------------------------------------------------------------
def _data_node(config: Mapping[str, Any]) -> Mapping[str, Any] | None:
    data = config.get("data")
    if isinstance(data, Mapping):
        return data
    inner = config.get("hyper_parameters")
    return _data_node(inner) if isinstance(inner, Mapping) else None


def _under(base: str | os.PathLike | None, path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else Path(base or Path.cwd()) / p


def training_corpus(
    config: Mapping[str, Any], base: str | os.PathLike | None = None, generate: bool = True
) -> list[Path] | None:
    """The training split's text files of the run whose config is ``config`` (its
    ``.hydra/config.yaml`` as a mapping: ``data``, ``cache_dir``; a mapping whose
    ``hyper_parameters`` hold ``data`` also works); relative paths are taken from ``base``,
    the folder training ran in (default: the current one).  None when not available: a folder
    that is gone, a source that cannot give its files now (``data=hf`` offline with nothing
    cached), or a grammar corpus not in the cache with ``generate=False`` (with
    ``generate=True`` it is generated there, as training would)."""
    data = _data_node(config)
    if data is None:
        return None
    if data.get("name") == "text":
        path = data.get("path")
        if not isinstance(path, str) or path in ("", "???") or "${" in path:
            return None
        from lstm_nlp.text.corpus import find_splits

        try:
            return [find_splits(_under(base, path), ("train",))["train"]]
        except DataError:
            return None
    if data.get("name") == "grammar":
        return _grammar_corpus(data, config.get("cache_dir"), base, generate)
    return _source_corpus(data, config.get("cache_dir"), base)


def _source_corpus(
    data: Mapping[str, Any], cache: Any, base: str | os.PathLike | None
) -> list[Path] | None:
    """Any other registered source's training split (``data=hf``, a plugin's), as the source
    gives it to training: from its cache entry, made there first if it can be."""
    from lstm_nlp.errors import LstmNlpError
    from lstm_nlp.registry import DATA_SOURCES

    cache_dir = _under(base, cache) if isinstance(cache, str) and cache else None
    try:
        source = DATA_SOURCES.get(str(data.get("name")))
        files = source(DATA_SOURCES.options(data), cache_dir)
        return [files.splits["train"]]
    except (LstmNlpError, KeyError):  # KeyError: a source that gives no training split
        return None


def _grammar_corpus(
    data: Mapping[str, Any], cache: Any, base: str | os.PathLike | None, generate: bool
) -> list[Path] | None:
    from lstm_nlp.grammar.source import corpus_folder, grammar_corpus
    from lstm_nlp.paths import cache_dir
    from lstm_nlp.registry import DATA_SOURCES

    try:
        options = DATA_SOURCES.options(data)  # checked as training checks them
    except ConfigError:  # settings this version cannot generate
        return None
    root = cache_dir(_under(base, cache) if isinstance(cache, str) and cache else None)
    train = corpus_folder(options, root) / "train.txt"
    if train.is_file():
        return [train]
    return [grammar_corpus(options, root).splits["train"]] if generate else None


def run_dir_of(path: str | os.PathLike) -> Path | None:
    """The run directory of a checkpoint file or run directory: the folder with ``.hydra/``."""
    path = Path(path).expanduser()
    for folder in (path, path.parent, path.parent.parent):
        if (folder / ".hydra" / "config.yaml").is_file():
            return folder
    return None


def run_config(path: str | os.PathLike) -> dict[str, Any] | None:
    """The config of the run of a checkpoint or run directory, as plain data (``data`` and
    ``cache_dir`` with interpolations resolved where they can be); None without one."""
    from omegaconf import OmegaConf

    run_dir = run_dir_of(path)
    if run_dir is None:
        return None
    try:
        cfg = OmegaConf.load(run_dir / ".hydra" / "config.yaml")
        plain = OmegaConf.to_container(cfg, resolve=False)
    except Exception:  # omegaconf and yaml raise many types for a damaged file
        return None
    if not isinstance(plain, dict):
        return None
    for key in ("data", "cache_dir"):
        try:
            node = cfg[key]  # a value's interpolation resolves here, a node's just below
            plain[key] = (
                OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node
            )
        except Exception:  # one only the run could resolve, or no such key: kept as written
            pass
    return plain


def run_cwd(path: str | os.PathLike) -> Path | None:
    """The folder the run of a checkpoint or run directory was started in (Hydra's
    ``hydra.runtime.cwd``), where its relative paths point; None when unknown."""
    from omegaconf import OmegaConf

    run_dir = run_dir_of(path)
    hydra = run_dir / ".hydra" / "hydra.yaml" if run_dir else None
    if hydra is None or not hydra.is_file():
        return None
    try:
        cwd = OmegaConf.select(OmegaConf.load(hydra), "hydra.runtime.cwd")
    except Exception:  # a damaged file: the cwd is unknown
        return None
    return Path(cwd) if isinstance(cwd, str) and cwd else None


def checkpoint_corpus(path: str | os.PathLike, generate: bool = True) -> list[Path] | None:
    """:func:`training_corpus` of the run of a checkpoint file or run directory (relative paths
    from the folder the run started in); None when its config or corpus is not available."""
    config = run_config(path)
    if config is None:
        return None
    return training_corpus(config, base=run_cwd(path), generate=generate)
