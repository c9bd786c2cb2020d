"""NT-ASGD, the optimiser of AWD-LSTM (Merity, Keskar & Socher 2018, section 3): SGD until the
validation loss stops improving, then SGD that also keeps the running mean of the weights.

:class:`NTASGD` is the optimiser half (``optim=nt_asgd``): SGD with L2 weight decay, the
non-monotone trigger (:meth:`NTASGD.observe`, fed one validation value per check) and, once
triggered, the average.  The trainer half, :class:`~lstm_nlp.training.averaged_weights.
AveragedWeights`, feeds it the monitored metric, validates and checkpoints with the average, and
starts a fine-tuning run.  Everything the optimiser knows (trigger history, switch, averages) is
in its ``state_dict``, so Lightning's checkpoints hold it and a resumed run continues exactly.

Why not ``torch.optim.ASGD(t0=0, lambd=0)``, which AWD builds at the switch: with ``lambd=0`` its
update *is* SGD's, so one optimiser object can do both phases (Lightning keeps one optimiser per
run; swapping it at the switch would break resuming), and its ``mu`` lags a step, so it averages
the weights from the second step after the switch on; here the mean starts at the first.
``torch.optim.swa_utils.AveragedModel`` would keep a second model outside the optimiser state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor

STATE_KEY = "nt_asgd"  # the trigger's history and the switch, beside torch's state and groups


class NTASGD(torch.optim.SGD):
    """SGD (``lr``, ``weight_decay``) that starts averaging when :meth:`observe` says so.

    ``nonmono``: the rule of AWD's main.py: switch when a validation value is worse than the best
    of the values *before* the last ``nonmono`` checks (and more than ``nonmono`` came before).
    ``finetune_from`` (AWD's finetune.py): average from the first step and report ``"stop"`` when
    the rule fires; the weights are loaded by the trainer half.
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 30.0,
        weight_decay: float = 0.0,
        nonmono: int = 5,
        finetune_from: str | None = None,
    ) -> None:
        super().__init__(params, lr=lr, weight_decay=weight_decay)
        if nonmono < 1:
            raise ValueError(f"nonmono must be >= 1, got {nonmono}")
        self.nonmono, self.finetune_from = nonmono, finetune_from
        self.history: list[float] = []  # every observed value, oldest first
        self.averaging = False
        self.averaged_steps = 0  # steps taken since averaging started: the mean's count
        self.done = False  # a fine-tuning run's rule fired: it ends

    # -- the trigger ------------------------------------------------------------------------
    def fires(self, value: float) -> bool:
        """AWD's rule on the values observed so far: ``len(h) > n and value > min(h[:-n])``."""
        n, history = self.nonmono, self.history
        return len(history) > n and value > min(history[:-n])

    def observe(self, value: float) -> str | None:
        """Record one validation value (lower is better). ``"switch"``: averaging starts now;
        ``"stop"``: a fine-tuning run is done (the rule fired again while averaging)."""
        fired = self.fires(value)
        self.history.append(float(value))
        if fired and not self.averaging:
            self.start_averaging()
            return "switch"
        if fired and self.finetune_from is not None:
            self.done = True
            return "stop"
        return None

    def start_averaging(self) -> None:
        """From the next step on, keep the mean of the weights after each step."""
        self.averaging, self.averaged_steps = True, 0
        for state in self.state.values():
            state.pop("ax", None)

    # -- the step ---------------------------------------------------------------------------
    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:
        loss = super().step(closure)
        if not self.averaging or not self._stepped():
            return loss
        self.averaged_steps += 1
        weight = 1.0 / self.averaged_steps
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                if self.averaged_steps == 1:
                    state["ax"] = p.detach().clone()
                else:
                    state["ax"].lerp_(p.detach(), weight)  # ax + (p - ax) / k: the running mean
        return loss

    def _stepped(self) -> bool:
        """A step that changed nothing (every gradient dropped: a skipped batch) is no step."""
        return any(p.grad is not None for g in self.param_groups for p in g["params"])

    def averages(self) -> list[tuple[Tensor, Tensor]]:
        """``(parameter, its mean since the switch)`` pairs; empty before the first averaged
        step."""
        if not self.averaging or self.averaged_steps == 0:
            return []
        return [(p, self.state[p]["ax"]) for g in self.param_groups for p in g["params"]]

    # -- checkpoints ------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        out = super().state_dict()
        out[STATE_KEY] = {
            "history": list(self.history),
            "averaging": self.averaging,
            "averaged_steps": self.averaged_steps,
            "done": self.done,
        }
        return out

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        mine = state_dict.pop(STATE_KEY, None) or {}
        super().load_state_dict(state_dict)
        self.history = [float(v) for v in mine.get("history", [])]
        self.averaging = bool(mine.get("averaging", False))
        self.averaged_steps = int(mine.get("averaged_steps", 0))
        self.done = bool(mine.get("done", False))
