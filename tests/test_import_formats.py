"""``lstm-nlp-import``: the published LSTM language models' files (saved here by small copies of
their code, see ``import_fixtures``) become lstm-nlp checkpoints with the same
log-probabilities, and none of their code runs while they are read."""

from __future__ import annotations

import json
import os
import pickle
import sys

import pytest
import torch
from import_fixtures import BATCH, SEQ, faithful_log_probs, originals_once

import lstm_nlp
from lstm_nlp.errors import DataError
from lstm_nlp.importing.options import ImportOptions
from lstm_nlp.importing.tokenizer import imported_vocabulary
from lstm_nlp.importing.vocab import read_vocabulary
from lstm_nlp.importing.write import import_checkpoint
from lstm_nlp.tasks.checked_load import load_checked_language_model
from lstm_nlp.text.specials import EOS, PAD, UNK

TOL = 1e-5


@pytest.fixture
def originals(tmp_path_factory):
    return originals_once(tmp_path_factory)


def imported(tmp_path, checkpoint, **options):
    out = tmp_path / "imported.ckpt"
    result = import_checkpoint(ImportOptions(checkpoint=str(checkpoint), out=str(out), **options))
    model, tok = load_checked_language_model(out)
    return result, model, tok


@torch.no_grad()
def our_log_probs(model, ids, vocab_size):
    return torch.log_softmax(model(ids)[0], dim=-1)[..., :vocab_size]


def original_state(path):
    return torch.load(path, weights_only=True)  # a state_dict: tensors only, safe to read


CASES = {  # the model file, its vocabulary, the expected outputs' key, the faithful kind
    "word_language_model, corpus folder": ("wlm/model.pt", {"vocab": "corpus"}, "wlm", "rnn"),
    "word_language_model state_dict, torch.save(dictionary)": (
        "wlm/state_dict.pt",
        {"vocab": "wlm/dictionary.pt"},
        "wlm",
        "rnn",
    ),
    "word_language_model, pickle.dump(corpus)": (
        "wlm/model.pt",
        {"vocab": "wlm/corpus.pkl", "format": "word_language_model"},
        "wlm",
        "rnn",
    ),
    "colorlessgreen, vocab.txt": (
        "cg/hidden12.pt",
        {"vocab": "cg/vocab.txt", "format": "colorlessgreen"},
        "cg",
        "rnn",
    ),
    "colorlessgreen, torch's format before 1.6, vocab.txt beside it": (
        "cg/legacy.pt",
        {},
        "cg",
        "rnn",
    ),
    "awd [model, criterion, optimizer], corpus.<md5>.data beside it": (
        "awd/PTB.pt",
        {},
        "awd",
        "awd",
    ),
    "awd state_dict, corpus folder": (
        "awd/state_dict.pt",
        {"vocab": "corpus_unk", "format": "awd"},
        "awd",
        "awd",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_imported_model_gives_the_originals_log_probabilities(originals, tmp_path, case):
    checkpoint, options, key, kind = CASES[case]
    if "vocab" in options:
        options = {**options, "vocab": str(originals / options["vocab"])}
    _, model, _ = imported(tmp_path, originals / checkpoint, **options)
    expected = original_state(originals / "expected.pt")
    ids, from_their_code = expected[f"{key}_ids"], expected[key]
    state_file = {"wlm": "wlm/state_dict.pt", "awd": "awd/state_dict.pt"}.get(key)
    if state_file:  # the tests' own re-implementation agrees with their code ...
        faithful = faithful_log_probs(kind, original_state(originals / state_file), ids)
        assert torch.allclose(faithful, from_their_code, atol=TOL)
    ours = our_log_probs(model, ids, from_their_code.shape[-1])
    assert ours.shape == (SEQ, BATCH, from_their_code.shape[-1])
    assert (ours - from_their_code).abs().max() <= TOL  # ... and so does the imported model


def test_colorlessgreen_against_the_faithful_forward_pass(originals, tmp_path):
    source = originals / "cg" / "hidden12.pt"
    _, model, tok = imported(tmp_path, source, vocab=str(originals / "cg" / "vocab.txt"))
    state = {k: v for k, v in model.state_dict().items()}
    their_names = {  # our weights under the original names, for the re-implementation
        "encoder.weight": state["embedding.weight"][: len(tok.get_vocab()) - 1],
        "decoder.weight": state["decoder.decoder.weight"][:-1],
        "decoder.bias": state["decoder.decoder.bias"][:-1],
        **{f"rnn.{k[len('encoder.lstm.') :]}": v for k, v in state.items() if "lstm." in k},
    }
    ids = original_state(originals / "expected.pt")["cg_ids"]
    faithful = faithful_log_probs("rnn", their_names, ids)
    assert torch.allclose(faithful, original_state(originals / "expected.pt")["cg"], atol=TOL)


def test_awd_reads_the_raw_weight_not_the_stale_dropped_copy(originals, tmp_path):
    state = original_state(originals / "awd" / "state_dict.pt")
    raw, stale = (state[f"rnns.1.module.weight_hh_l0{s}"] for s in ("_raw", ""))
    assert not torch.equal(raw, stale)  # the file holds a dropped copy beside the weight
    result, model, _ = imported(tmp_path, originals / "awd" / "PTB.pt")
    hidden = model.encoder.lstms[1].weight_hh_l0
    assert torch.equal(hidden, raw)
    encoder, options = model.hparams["encoder"], model.hparams["options"]
    assert (encoder["num_layers"], encoder["hidden_size"], encoder["last_layer_size"]) == (3, 12, 8)
    assert options["tie_weights"] and model.decoder.decoder.weight is model.embedding.weight
    dropouts = ("weight_drop", "input_dropout", "hidden_dropout", "output_dropout")
    assert [encoder[k] for k in dropouts] == [0.5, 0.4, 0.25, 0.4]  # wdrop, dropouti, h, o
    assert options["embedding_dropout"] == 0.1  # dropoute
    assert result.source.sizes == [12, 12, 8] and result.vocabulary.path.name.startswith("corpus.")


def test_every_vocabulary_source_gives_the_original_ids(originals):
    words = json.loads((originals / "wlm" / "words.json").read_text())
    anchor = originals / "wlm" / "model.pt"
    for vocab in ("corpus", "wlm/dictionary.pt", "wlm/corpus.pkl"):
        assert read_vocabulary(str(originals / vocab), anchor, False).words == words, vocab
    cg = read_vocabulary(str(originals / "cg"), anchor, True)  # the folder: its vocab.txt
    assert cg.words == (originals / "cg" / "vocab.txt").read_text().split()


def test_the_tokenizer_keeps_every_original_id_and_appends_missing_specials():
    words = ["the", "</s>", "cat", "<UNK>", "dog"]
    vocab = imported_vocabulary(words)
    tok = vocab.tokenizer()
    assert [tok.token_to_id(w) for w in ("the", "cat", "dog")] == [0, 2, 4]
    assert (tok.token_to_id(EOS), tok.token_to_id(UNK), tok.token_to_id(PAD)) == (1, 3, 5)
    assert vocab.renamed == {"</s>": EOS, "<UNK>": UNK} and vocab.added == [PAD]
    assert tok.encode("the cat flies").ids == [0, 2, 3, 1]  # unknown -> <unk>, then <eos>


def test_added_specials_are_never_predicted(originals, tmp_path):
    _, model, tok = imported(
        tmp_path, originals / "wlm" / "model.pt", vocab=str(originals / "corpus")
    )
    ids = original_state(originals / "expected.pt")["wlm_ids"]
    with torch.no_grad():
        probs = torch.softmax(model(ids)[0], dim=-1)
    for special in (UNK, PAD):  # not in the corpus, so not in their dictionary
        assert (
            tok.token_to_id(special) >= 22
            and float(probs[..., tok.token_to_id(special)].max()) == 0.0
        )


def test_lstm_nlp_load_scores_a_sentence_as_the_original_would(originals, tmp_path):
    imported(tmp_path, originals / "awd" / "PTB.pt")
    lm = lstm_nlp.load(tmp_path / "imported.ckpt")
    scores = lm.logprobs("the cat sees the dog")
    words = read_vocabulary(None, originals / "awd" / "PTB.pt", False).words
    ids = torch.tensor([words.index(w) for w in "<eos> the cat sees the dog <eos>".split()])
    faithful = faithful_log_probs(
        "awd", original_state(originals / "awd" / "state_dict.pt"), ids[:-1, None]
    )
    expected = faithful[:, 0].gather(1, ids[1:, None]).squeeze(1)
    assert [s.token for s in scores] == "the cat sees the dog <eos>".split()
    assert torch.allclose(torch.tensor([s.logprob for s in scores]), expected, atol=TOL)


# -- nothing in the files runs ------------------------------------------------------------------
def test_the_originals_code_never_runs_even_where_it_could_be_imported(
    originals, tmp_path, monkeypatch
):
    marker = tmp_path / "ran.txt"
    monkeypatch.setenv("ORIGINAL_CODE_MARKER", str(marker))
    monkeypatch.syspath_prepend(str(originals / "awd"))  # model, weight_drop, splitcross, data
    names = ("model", "data", "weight_drop", "splitcross")
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    imported(tmp_path, originals / "awd" / "PTB.pt")
    assert not marker.exists() and not any(name in sys.modules for name in names)

    try:  # the trap works: torch's own full unpickling imports their modules and runs them
        torch.load(originals / "awd" / "PTB.pt", weights_only=False)
        assert "RNNModel.__setstate__ ran" in marker.read_text()
    finally:
        for name in names:
            sys.modules.pop(name, None)


class RunsCode:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("how", ["torch.save", "pickle.dump"])
def test_a_hostile_file_is_refused_without_running(tmp_path, how):
    marker, path = tmp_path / "ran", tmp_path / "evil.pt"
    payload = {"encoder.weight": RunsCode(marker)}
    if how == "torch.save":
        torch.save([payload, RunsCode(marker)], path)
    else:
        path.write_bytes(pickle.dumps(RunsCode(marker)))
    with pytest.raises(DataError, match=r"evil.pt: holds .*system.*; expected a model saved"):
        imported(tmp_path, path, vocab=str(tmp_path))
    assert not marker.exists()


def test_a_colorlessgreen_folder_without_vocab_txt_is_rebuilt_as_their_code_does(tmp_path):
    (tmp_path / "train.txt").write_text("the cat <eos>\nthe dogs see <eos>\n")
    vocabulary = read_vocabulary(str(tmp_path), tmp_path / "m.pt", colorlessgreen=True)
    assert vocabulary.words == ["the", "cat", "<eos>", "dogs", "see"]  # train.txt only, as is
    (tmp_path / "valid.txt").write_text("a cat\n")
    (tmp_path / "test.txt").write_text("the end\n")
    examples = read_vocabulary(str(tmp_path), tmp_path / "m.pt", colorlessgreen=False).words
    assert examples == ["the", "cat", "<eos>", "dogs", "see", "a", "end"]  # + <eos> per line


def test_an_imported_awd_model_exports_and_loads_back_the_same(originals, tmp_path):
    from lstm_nlp.export.options import ExportOptions
    from lstm_nlp.export.write import export_checkpoint

    imported(tmp_path, originals / "awd" / "PTB.pt")
    folder = tmp_path / "exported"
    export_checkpoint(ExportOptions(checkpoint=str(tmp_path / "imported.ckpt"), out=str(folder)))
    sentence = "the cat sees the dog"
    from_checkpoint = lstm_nlp.load(tmp_path / "imported.ckpt").logprobs(sentence)
    from_folder = lstm_nlp.load(folder).logprobs(sentence)
    assert [s.logprob for s in from_folder] == pytest.approx([s.logprob for s in from_checkpoint])
