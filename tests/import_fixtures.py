"""Model files as the published LSTM codebases write them, for ``lstm-nlp-import``'s tests.

:func:`make_originals` writes, in three folders, small modules shaped like the originals
(pytorch/examples word_language_model's ``model.py``/``data.py``, colorlessgreenRNNs'
``model.py``/``dictionary_corpus.py``, salesforce/awd-lstm-lm's ``model.py``/``weight_drop.py``/
``splitcross.py``/``data.py``...: same class names, attributes and forward passes, tiny sizes),
then runs one subprocess that builds the models, saves them the way each codebase does, and
records what the original code computes (``expected.pt``).  The test process never has those
folders on its path unless a test puts them there on purpose, as a trap: every module and every
``__setstate__`` writes to ``$ORIGINAL_CODE_MARKER`` when it runs.

:func:`faithful_log_probs` is the tests' own plain-torch re-implementation of each original
forward pass (embedding -> LSTM(s) -> linear -> log_softmax), from a ``state_dict``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import torch
import torch.nn.functional as F
from cli_helpers import env
from torch import nn

SEQ, BATCH = 7, 3

# every original module starts with this: importing it (in the tests' process) leaves a trace
TRAP = """\
import os as _os
if _os.environ.get("ORIGINAL_CODE_MARKER"):
    open(_os.environ["ORIGINAL_CODE_MARKER"], "a").write(__name__ + " imported\\n")


def _ran(what):
    if _os.environ.get("ORIGINAL_CODE_MARKER"):
        open(_os.environ["ORIGINAL_CODE_MARKER"], "a").write(what + " ran\\n")
"""

CORPUS = {
    "train.txt": "the cat sees the dog\nthe dogs see a big cat\na small dog likes the red cat\n",
    "valid.txt": "the cat near the dog was big\nthe cats were small\n",
    "test.txt": "a dog that ate her cat\nthe dogs who like cats are red\n",
}

WLM_DATA = (
    TRAP
    + """
import torch


class Dictionary(object):
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __setstate__(self, state):
        _ran("Dictionary.__setstate__")
        self.__dict__.update(state)


class Corpus(object):
    def __init__(self, path):
        self.dictionary = Dictionary()
        self.train = self.tokenize(_os.path.join(path, "train.txt"))
        self.valid = self.tokenize(_os.path.join(path, "valid.txt"))
        self.test = self.tokenize(_os.path.join(path, "test.txt"))

    def tokenize(self, path):
        ids = []
        with open(path, encoding="utf8") as f:
            for line in f:
                for word in line.split() + ["<eos>"]:
                    ids.append(self.dictionary.add_word(word))
        return torch.tensor(ids, dtype=torch.int64)

    def __setstate__(self, state):
        _ran("Corpus.__setstate__")
        self.__dict__.update(state)
"""
)

RNN_MODEL = (
    TRAP
    + """
import torch
import torch.nn as nn
import torch.nn.functional as F


class RNNModel(nn.Module):
    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        {NTOKEN}
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ["LSTM", "GRU"]:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {{"RNN_TANH": "tanh", "RNN_RELU": "relu"}}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        nn.init.uniform_(self.encoder.weight, -0.5, 0.5)
        nn.init.uniform_(self.decoder.bias, -0.5, 0.5)
        if not tie_weights:
            nn.init.uniform_(self.decoder.weight, -0.5, 0.5)
        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def __setstate__(self, state):
        _ran("RNNModel.__setstate__")
        super().__setstate__(state)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        {RETURN}

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)
"""
)
# pytorch/examples: keeps ntoken, returns log_softmax (flattened); colorlessgreen: logits
WLM_MODEL = RNN_MODEL.format(
    NTOKEN="self.ntoken = ntoken",
    RETURN="return F.log_softmax(decoded.view(-1, self.ntoken), dim=1), hidden",
)
CG_MODEL = RNN_MODEL.format(NTOKEN="", RETURN="return decoded, hidden")

CG_DICTIONARY = (
    TRAP
    + """
from collections import defaultdict


class Dictionary(object):
    def __init__(self, path):
        vocab = open(_os.path.join(path, "vocab.txt"), encoding="utf8").read()
        self.word2idx = {w: i for i, w in enumerate(vocab.split())}
        self.idx2word = [w for w in vocab.split()]
        self.word2freq = defaultdict(int)

    def __setstate__(self, state):
        _ran("Dictionary.__setstate__")
        self.__dict__.update(state)
"""
)

# AWD-LSTM's data.py: the same dictionary, which also counts the words
AWD_DATA = (
    WLM_DATA.replace("import torch\n", "import torch\nfrom collections import Counter\n")
    .replace(
        "        self.idx2word = []\n",
        "        self.idx2word = []\n        self.counter = Counter()\n        self.total = 0\n",
    )
    .replace(
        "        return self.word2idx[word]\n",
        "        self.counter[self.word2idx[word]] += 1\n        self.total += 1\n"
        "        return self.word2idx[word]\n",
    )
)

AWD_WEIGHT_DROP = (
    TRAP
    + """
import torch
from torch.nn import Parameter


class WeightDrop(torch.nn.Module):
    def __init__(self, module, weights, dropout=0, variational=False):
        super().__init__()
        self.module = module
        self.weights = weights
        self.dropout = dropout
        self.variational = variational
        self._setup()

    def widget_demagnetizer_y2k_edition(*args, **kwargs):
        return

    def _setup(self):
        if issubclass(type(self.module), torch.nn.RNNBase):
            self.module.flatten_parameters = self.widget_demagnetizer_y2k_edition
        for name_w in self.weights:
            w = getattr(self.module, name_w)
            del self.module._parameters[name_w]
            self.module.register_parameter(name_w + "_raw", Parameter(w.data))

    def _setweights(self):
        for name_w in self.weights:
            raw_w = getattr(self.module, name_w + "_raw")
            w = torch.nn.functional.dropout(raw_w, p=self.dropout, training=self.training)
            setattr(self.module, name_w, Parameter(w))

    def forward(self, *args):
        self._setweights()
        return self.module.forward(*args)

    def __setstate__(self, state):
        _ran("WeightDrop.__setstate__")
        super().__setstate__(state)
"""
)

AWD_SPLITCROSS = (
    TRAP
    + """
import torch
import torch.nn as nn


class SplitCrossEntropyLoss(nn.Module):
    def __init__(self, hidden_size, splits, verbose=False):
        super().__init__()
        self.hidden_size = hidden_size
        self.splits = [0] + splits + [100 * 1000000]
        self.nsplits = len(self.splits) - 1
        if self.nsplits > 1:
            self.tail_vectors = nn.Parameter(torch.zeros(self.nsplits - 1, hidden_size))
            self.tail_bias = nn.Parameter(torch.zeros(self.nsplits - 1))

    def __setstate__(self, state):
        _ran("SplitCrossEntropyLoss.__setstate__")
        super().__setstate__(state)
"""
)

AWD_MODEL = (
    TRAP
    + """
import torch
import torch.nn as nn

from weight_drop import WeightDrop


class LockedDropout(nn.Module):
    def forward(self, x, dropout=0.5):
        if not self.training or not dropout:
            return x
        m = x.new_empty(1, x.size(1), x.size(2)).bernoulli_(1 - dropout) / (1 - dropout)
        return m.expand_as(x) * x


class RNNModel(nn.Module):
    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, dropouth=0.5,
                 dropouti=0.5, dropoute=0.1, wdrop=0, tie_weights=False):
        super().__init__()
        self.lockdrop = LockedDropout()
        self.idrop = nn.Dropout(dropouti)
        self.hdrop = nn.Dropout(dropouth)
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnns = [torch.nn.LSTM(ninp if l == 0 else nhid,
                                   nhid if l != nlayers - 1 else (ninp if tie_weights else nhid),
                                   1, dropout=0) for l in range(nlayers)]
        if wdrop:
            self.rnns = [WeightDrop(rnn, ["weight_hh_l0"], dropout=wdrop) for rnn in self.rnns]
        self.rnns = torch.nn.ModuleList(self.rnns)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.encoder.weight.data.uniform_(-0.5, 0.5)
        self.decoder.bias.data.uniform_(-0.5, 0.5)
        self.rnn_type = rnn_type
        self.ninp = ninp
        self.nhid = nhid
        self.nlayers = nlayers
        self.dropout = dropout
        self.dropouti = dropouti
        self.dropouth = dropouth
        self.dropoute = dropoute
        self.tie_weights = tie_weights

    def __setstate__(self, state):
        _ran("RNNModel.__setstate__")
        super().__setstate__(state)

    def forward(self, input, hidden):
        emb = self.encoder(input)
        raw_output = self.lockdrop(emb, self.dropouti)
        new_hidden = []
        for l, rnn in enumerate(self.rnns):
            raw_output, new_h = rnn(raw_output, hidden[l])
            new_hidden.append(new_h)
            if l != self.nlayers - 1:
                raw_output = self.lockdrop(raw_output, self.dropouth)
        output = self.lockdrop(raw_output, self.dropout)
        return self.decoder(output), new_hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters()).data
        last = self.ninp if self.tie_weights else self.nhid
        return [(weight.new_zeros(1, bsz, self.nhid if l != self.nlayers - 1 else last),
                 weight.new_zeros(1, bsz, self.nhid if l != self.nlayers - 1 else last))
                for l in range(self.nlayers)]
"""
)

SAVE = r"""
import hashlib, json, os, pickle, sys
import torch
root = sys.argv[1]
SEQ, BATCH = int(sys.argv[2]), int(sys.argv[3])
expected = {}


def use(folder, *names):
    for name in names:
        sys.modules.pop(name, None)
    sys.path.insert(0, os.path.join(root, folder))


def done(folder):
    sys.path.remove(os.path.join(root, folder))


def ids_for(n):
    return torch.randint(0, n, (SEQ, BATCH), generator=torch.Generator().manual_seed(1))


# pytorch/examples word_language_model: tied 2-layer LSTM, the corpus rebuilt by data.py
use("wlm", "model", "data")
import data, model
torch.manual_seed(0)
corpus = data.Corpus(os.path.join(root, "corpus"))
n = len(corpus.dictionary.idx2word)
lm = model.RNNModel("LSTM", n, 12, 12, 2, dropout=0.3, tie_weights=True).eval()
torch.save(lm, os.path.join(root, "wlm", "model.pt"))
torch.save(lm.state_dict(), os.path.join(root, "wlm", "state_dict.pt"))
torch.save(corpus.dictionary, os.path.join(root, "wlm", "dictionary.pt"))
with open(os.path.join(root, "wlm", "corpus.pkl"), "wb") as f:
    pickle.dump(corpus, f)
ids = ids_for(n)
with torch.no_grad():
    expected["wlm"] = lm(ids, lm.init_hidden(BATCH))[0].view(SEQ, BATCH, n)
expected["wlm_ids"] = ids
json.dump(corpus.dictionary.idx2word, open(os.path.join(root, "wlm", "words.json"), "w"))
gru = model.RNNModel("GRU", n, 8, 12, 1)
torch.save(gru, os.path.join(root, "wlm", "gru.pt"))
torch.save(gru.state_dict(), os.path.join(root, "wlm", "gru_state_dict.pt"))
done("wlm")

# colorlessgreenRNNs: untied 2-layer LSTM 8 -> 12, its vocab.txt
use("cg", "model", "dictionary_corpus")
import dictionary_corpus, model
torch.manual_seed(1)
dictionary = dictionary_corpus.Dictionary(os.path.join(root, "cg"))
n = len(dictionary.idx2word)
lm = model.RNNModel("LSTM", n, 8, 12, 2, dropout=0.2).eval()
torch.save(lm, os.path.join(root, "cg", "hidden12.pt"))
# the released models are older files: torch's format before 1.6
torch.save(lm, os.path.join(root, "cg", "legacy.pt"), _use_new_zipfile_serialization=False)
ids = ids_for(n)
with torch.no_grad():
    expected["cg"] = torch.log_softmax(lm(ids, lm.init_hidden(BATCH))[0], dim=-1)
expected["cg_ids"] = ids
done("cg")

# AWD-LSTM: 3 layers 8 -> 12 -> 12 -> 8, weight-dropped, tied; [model, criterion, optimizer]
use("awd", "model", "data", "weight_drop", "splitcross")
import data, model, splitcross
torch.manual_seed(2)
corpus = data.Corpus(os.path.join(root, "corpus_unk"))
name = "corpus.{}.data".format(hashlib.md5(b"data/penn").hexdigest())
torch.save(corpus, os.path.join(root, "awd", name))
n = len(corpus.dictionary.idx2word)
lm = model.RNNModel("LSTM", n, 8, 12, 3, 0.4, 0.25, 0.4, 0.1, 0.5, tie_weights=True)
criterion = splitcross.SplitCrossEntropyLoss(8, splits=[])
params = list(lm.parameters()) + list(criterion.parameters())
optimizer = torch.optim.SGD(params, lr=30, weight_decay=1.2e-6)
lm.train()
lm(ids_for(n), lm.init_hidden(BATCH))  # a training step's forward: weight_hh_l0 now stale
lm.eval()
torch.save([lm, criterion, optimizer], os.path.join(root, "awd", "PTB.pt"))
torch.save(lm.state_dict(), os.path.join(root, "awd", "state_dict.pt"))
ids = ids_for(n)
with torch.no_grad():
    expected["awd"] = torch.log_softmax(lm(ids, lm.init_hidden(BATCH))[0], dim=-1)
expected["awd_ids"] = ids
split = splitcross.SplitCrossEntropyLoss(8, splits=[10, 20])
torch.save([lm, split, optimizer], os.path.join(root, "awd", "split.pt"))
done("awd")
torch.save(expected, os.path.join(root, "expected.pt"))
"""


def make_originals(root: Path) -> Path:
    """Write the original-like modules and corpora under ``root``, save every model file with
    the original code in a subprocess, and return ``root``."""
    corpus = root / "corpus"
    corpus_unk = root / "corpus_unk"  # PTB-like: <unk> in the text
    for folder in (corpus, corpus_unk):
        folder.mkdir(parents=True)
        for name, text in CORPUS.items():
            if folder is corpus_unk:
                text = text.replace("red", "<unk>")
            (folder / name).write_text(text, encoding="utf-8")
    files = {
        "wlm": {"model.py": WLM_MODEL, "data.py": WLM_DATA},
        "cg": {"model.py": CG_MODEL, "dictionary_corpus.py": CG_DICTIONARY},
        "awd": {
            "model.py": AWD_MODEL,
            "data.py": AWD_DATA,
            "weight_drop.py": AWD_WEIGHT_DROP,
            "splitcross.py": AWD_SPLITCROSS,
        },
    }
    for folder, modules in files.items():
        (root / folder).mkdir()
        for name, text in modules.items():
            (root / folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    words = ["<unk>", "<eos>"] + sorted(set(" ".join(CORPUS.values()).split()))
    (root / "cg" / "vocab.txt").write_text("\n".join(words), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", SAVE, str(root), str(SEQ), str(BATCH)],
        capture_output=True,
        text=True,
        env={k: v for k, v in env().items() if k != "ORIGINAL_CODE_MARKER"},
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root


# -- the tests' own re-implementation of the originals' forward passes ------------------------
@torch.no_grad()
def faithful_log_probs(kind: str, state: dict, ids: torch.Tensor) -> torch.Tensor:
    """``(seq, batch, vocab)`` log-probabilities of the original model in eval mode, from zero
    state: embedding -> LSTM layer(s) -> linear -> log_softmax, in plain torch."""
    x = F.embedding(ids, state["encoder.weight"])
    if kind == "awd":  # one single-layer LSTM per layer; WeightDrop's _raw is the weight
        k = 0
        while any(key.startswith(f"rnns.{k}.") for key in state):
            pre = f"rnns.{k}.module."
            w_ih, w_hh = state[pre + "weight_ih_l0"], state[pre + "weight_hh_l0_raw"]
            lstm = nn.LSTM(w_ih.shape[1], w_hh.shape[1], 1)
            lstm.load_state_dict(
                {
                    "weight_ih_l0": w_ih,
                    "weight_hh_l0": w_hh,
                    "bias_ih_l0": state[pre + "bias_ih_l0"],
                    "bias_hh_l0": state[pre + "bias_hh_l0"],
                }
            )
            x, _ = lstm(x)
            k += 1
    else:  # one nn.LSTM of nlayers layers
        rnn = {key[4:]: v for key, v in state.items() if key.startswith("rnn.")}
        layers = sum(1 for key in rnn if key.startswith("weight_ih_l"))
        lstm = nn.LSTM(x.shape[-1], rnn["weight_hh_l0"].shape[1], layers)
        lstm.load_state_dict(rnn)
        x, _ = lstm(x)
    logits = F.linear(x, state["decoder.weight"], state["decoder.bias"])
    return torch.log_softmax(logits, dim=-1)


_MADE: dict[str, Path] = {}


def originals_once(tmp_path_factory) -> Path:
    """:func:`make_originals` once per test process (its subprocess takes seconds)."""
    if "root" not in _MADE:
        _MADE["root"] = make_originals(tmp_path_factory.mktemp("originals"))
    return _MADE["root"]
