"""``mode=probe``: where does the LSTM hold the subject's number, and when does it fade?

A diagnostic classifier (Hupkes et al. 2018): logistic regression on the frozen states of one
layer (``hidden``, optionally ``cell``) at one position predicts whether the subject is plural.
The items' good sentences are split into train and test by sentence (a seeded shuffle; no
sentence is on both sides); features are standardised with the train mean and deviation; the
weights minimise the mean logistic loss + ``l2·|w|²`` (L-BFGS, float64, from zeros: deterministic).

Positions are aligned two ways:

* by word position: state index ``s`` (after reading ``<eos> w1 ... ws``), over the items long
  enough; a position needs ``min_items`` training items (of both numbers) and ``min_items`` test
  items;
* by landmark: ``start`` (after ``<eos>``), ``before_subject`` (after the word before the subject
  noun), ``subject`` (after it), ``attractor`` (after the attractor, items with one), ``verb``
  (the state that predicts the verb), ``after_verb`` and ``end`` (after the final word).

Chance is the test accuracy of always answering the training set's majority number.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import torch

from lstm_nlp.insight.agreement_items import AgreementItem

LANDMARKS: dict[str, Callable[[AgreementItem], int | None]] = {
    "start": lambda it: 0,
    "before_subject": lambda it: it.subject,
    "subject": lambda it: None if it.subject is None else it.subject + 1,
    "attractor": lambda it: None if it.attractor is None else it.attractor + 1,
    "verb": lambda it: it.target,
    "after_verb": lambda it: it.target + 1,
    "end": lambda it: len(it.words),
}


def split_by_sentence(
    items: Sequence[AgreementItem], test_fraction: float, seed: int
) -> tuple[list[int], list[int]]:
    """Item indices for training and testing; items with the same sentence stay on one side."""
    sentences = sorted({it.words for it in items})
    random.Random(seed).shuffle(sentences)
    test = set(sentences[: max(1, round(test_fraction * len(sentences)))])
    train_idx = [i for i, it in enumerate(items) if it.words not in test]
    test_idx = [i for i, it in enumerate(items) if it.words in test]
    return train_idx, test_idx


def fit_logistic(
    x: torch.Tensor, y: torch.Tensor, l2: float, max_iter: int = 200
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(weights, bias, mean, std)`` of an L2-regularised logistic regression on ``x (n, d)``,
    ``y (n,)`` in {0, 1}."""
    x, y = x.double(), y.double()
    mean, std = x.mean(dim=0), x.std(dim=0, unbiased=False).clamp(min=1e-6)
    z = (x - mean) / std
    w = torch.zeros(x.size(1), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = (
            torch.nn.functional.binary_cross_entropy_with_logits(z @ w + b, y) + l2 * w.pow(2).sum()
        )
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return w.detach(), b.detach(), mean, std


def probe_accuracy(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    l2: float,
) -> float:
    w, b, mean, std = fit_logistic(x_train, y_train, l2)
    predicted = (((x_test.double() - mean) / std) @ w + b) > 0
    return float((predicted == y_test.bool()).double().mean())


def chance(y_train: torch.Tensor, y_test: torch.Tensor) -> float:
    majority = bool(y_train.double().mean() >= 0.5)
    return float((y_test.bool() == majority).double().mean())


def probe_at(
    features: torch.Tensor,
    labels: torch.Tensor,
    where: Sequence[int | None],
    train: Sequence[int],
    test: Sequence[int],
    l2: float,
    min_items: int,
) -> dict | None:
    """One probe on ``features[where[i], i]`` (``features``: steps x items x units); None if too few
    items."""
    tr = [i for i in train if where[i] is not None]
    te = [i for i in test if where[i] is not None]
    y_tr, y_te = labels[tr], labels[te]
    if len(tr) < min_items or len(te) < min_items or y_tr.min() == y_tr.max():
        return None
    pick = lambda idx: features[torch.tensor([where[i] for i in idx]), torch.tensor(idx)]  # noqa: E731
    acc = probe_accuracy(pick(tr), y_tr, pick(te), y_te, l2)
    return {"accuracy": acc, "chance": chance(y_tr, y_te), "train": len(tr), "test": len(te)}


def probe_series(
    features: torch.Tensor,
    items: Sequence[AgreementItem],
    train: Sequence[int],
    test: Sequence[int],
    l2: float,
    min_items: int,
) -> tuple[list[dict], dict[str, dict]]:
    """Probe results by word position and by landmark for one layer and state."""
    labels = torch.tensor([it.label for it in items])
    lengths = [len(it.words) + 1 for it in items]
    by_position = []
    for s in range(max(lengths)):
        result = probe_at(
            features, labels, [s if s < n else None for n in lengths], train, test, l2, min_items
        )
        if result is not None:
            by_position.append({"position": s, **result})
    by_landmark = {}
    for name, where in LANDMARKS.items():
        result = probe_at(features, labels, [where(it) for it in items], train, test, l2, min_items)
        if result is not None:
            by_landmark[name] = result
    return by_position, by_landmark
