"""How well one unit's activation separates plural from singular subjects.

For each unit and each state (``cell``, ``hidden``) the activation ``x`` at the verb position (the
state after the prefix that precedes the verb) of every item is compared between the items with
a plural subject (P) and a singular one (S):

* ``auc``: the area under the ROC curve of ``x`` as a score for "plural", i.e. the probability that
  a random P item's ``x`` exceeds a random S item's (ties count one half; the Mann-Whitney U
  statistic over ``|P|·|S|``).  0.5: no separation; 1: every plural above every singular; 0: the
  reverse (the unit codes number with the opposite sign, just as well);
* ``separation = |2·auc − 1|`` (0..1), the statistic units are ranked by (``rank_by=cell|hidden``);
* ``t``: Welch's t statistic ``(mean_P − mean_S) / sqrt(var_P/|P| + var_S/|S|)``, for reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

STATES = ("cell", "hidden")


def average_ranks(values: torch.Tensor) -> torch.Tensor:
    """Ranks 1..n down each column of ``values (n, units)``, ties given their average rank."""
    import torch

    n = values.size(0)
    order = values.argsort(dim=0, stable=True)
    ordered = values.gather(0, order)
    new_run = torch.ones_like(ordered, dtype=torch.bool)
    new_run[1:] = ordered[1:] != ordered[:-1]
    run_id = new_run.long().cumsum(0) - 1  # 0-based run number of each sorted position
    positions = (
        torch.arange(1, n + 1, dtype=torch.float64, device=values.device)
        .unsqueeze(1)
        .expand_as(ordered)
    )
    sums = torch.zeros(ordered.shape, dtype=torch.float64, device=values.device).scatter_add_(
        0, run_id, positions
    )
    counts = torch.zeros(ordered.shape, dtype=torch.float64, device=values.device).scatter_add_(
        0, run_id, torch.ones_like(positions)
    )
    mean_rank = (sums / counts.clamp(min=1)).gather(0, run_id)
    return torch.empty_like(mean_rank).scatter_(0, order, mean_rank)


def auc(values: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """P(x of a positive > x of a negative) per column of ``values (n, units)``; ``labels`` bool
    ``(n,)``."""
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("auc needs items of both classes")
    ranks = average_ranks(values.double())
    u = ranks[labels].sum(dim=0) - positives * (positives + 1) / 2
    return u / (positives * negatives)


def welch_t(values: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    p, s = values[labels].double(), values[~labels].double()
    spread = (p.var(dim=0) / len(p) + s.var(dim=0) / len(s)).sqrt().clamp(min=1e-12)
    return (p.mean(dim=0) - s.mean(dim=0)) / spread


@dataclass
class UnitScore:
    layer: int
    unit: int
    auc_cell: float
    auc_hidden: float
    t_cell: float
    t_hidden: float
    separation: float  # |2 auc - 1| of the rank_by state
    rank: int = 0  # 1 = separates best

    @property
    def name(self) -> str:
        return f"L{self.layer}:{self.unit}"

    def to_dict(self) -> dict:
        return {"name": self.name, **asdict(self)}


def rank_units(
    at_verb: Sequence[dict[str, torch.Tensor]], labels: torch.Tensor, rank_by: str = "cell"
) -> list[UnitScore]:
    """Every unit of every layer, best-separating first.

    ``at_verb[layer][state]`` is ``(items, units)``: the states at the verb position; ``labels``
    is True for a plural subject.
    """
    if rank_by not in STATES:
        from lstm_nlp.errors import ConfigError

        raise ConfigError(f"rank_by must be one of {', '.join(STATES)}, got {rank_by!r}")
    scores = []
    for layer, states in enumerate(at_verb):
        a = {s: auc(states[s], labels) for s in STATES}
        t = {s: welch_t(states[s], labels) for s in STATES}
        sep = (2 * a[rank_by] - 1).abs()
        for unit in range(sep.numel()):
            scores.append(
                UnitScore(
                    layer,
                    unit,
                    float(a["cell"][unit]),
                    float(a["hidden"][unit]),
                    float(t["cell"][unit]),
                    float(t["hidden"][unit]),
                    float(sep[unit]),
                )
            )
    scores.sort(key=lambda s: (-s.separation, s.layer, s.unit))
    for rank, score in enumerate(scores, 1):
        score.rank = rank
    return scores
