"""A text's perplexity as ``lstm-nlp-ppl`` computes it: each line followed by ``<eos>``, the text
cut into stream columns and read in windows of ``bptt`` tokens, the hidden state carried
(:func:`lstm_nlp.perplexity.stream.score_stream`); a folder's files each from a fresh state."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from lstm_nlp.api.results import Perplexity
from lstm_nlp.perplexity.stream import score_stream
from lstm_nlp.perplexity.texts import Text, check_length, read_text, text_files
from lstm_nlp.text.specials import EOS, UNK


def texts_of(tokenizer: Any, text_or_file: str | os.PathLike) -> list[Text]:
    """A path (a ``Path``, or a one-line string naming an existing file or folder): its files,
    tokenised as the command reads them; any other string: the text itself."""
    if isinstance(text_or_file, os.PathLike) or names_a_path(text_or_file):
        return [read_text(path, tokenizer) for path in text_files(text_or_file)]
    return [text_ids(tokenizer, str(text_or_file))]


def names_a_path(text: str) -> bool:
    return "\n" not in text and bool(text.strip()) and Path(text).expanduser().exists()


def text_ids(tokenizer: Any, text: str) -> Text:
    """A text's ids (one ``<eos>`` after each line), counted as :func:`read_text` counts."""
    from lstm_nlp.text.token_store import encode_lines

    ids = encode_lines(text.splitlines(), tokenizer)
    eos, unk = tokenizer.token_to_id(EOS), tokenizer.token_to_id(UNK)
    words = int(len(ids) - np.count_nonzero(ids == eos))
    return Text(Path("<text>"), ids, words, int(np.count_nonzero(ids == unk)))


def perplexity(
    model: Any, texts: list[Text], batch_size: int | None, bptt: int | None
) -> Perplexity:
    """The token-weighted perplexity of ``texts``; ``None`` sizes are the run's (the columns
    fewer for a text shorter than that many windows), as ``lstm-nlp-ppl`` chooses them."""
    bptt = bptt or model.options.bptt
    if batch_size is None:
        shortest = min(len(t.ids) for t in texts)
        batch_size = max(1, min(model.options.eval_batch_size, shortest // bptt))
    nll, tokens = 0.0, 0
    for text in texts:
        check_length(text, batch_size)
        scored = score_stream(model, text.ids, batch_size, bptt)
        nll, tokens = nll + scored.model_nll, tokens + scored.tokens
    words, oov = sum(t.words for t in texts), sum(t.oov for t in texts)
    return Perplexity(math.exp(nll / tokens), nll, tokens, words, oov)
