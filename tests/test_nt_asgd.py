"""NT-ASGD (``optim=nt_asgd``): the non-monotone trigger, the average, evaluation and checkpoints on
the average, exact resume across the switch, and the fine-tuning start and stop.

The Lightning tests train a 4-weight regression whose validation logs a scripted ``val/loss`` per
epoch (so the trigger's decisions are known in advance) and records the weights it sees.
"""

from __future__ import annotations

import random
from pathlib import Path

import lightning.pytorch as pl
import pytest
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from lstm_nlp.errors import ConfigError
from lstm_nlp.registry import OPTIMIZERS
from lstm_nlp.tasks.nt_asgd import NTASGD
from lstm_nlp.tasks.optim import optimizers_from_config
from lstm_nlp.training.averaged_weights import ITERATE_KEY, AveragedWeights


def awd_rule(losses: list[float], n: int) -> int | None:
    """AWD main.py's switch, written out: the first epoch whose loss is worse than the best of
    the losses before the last ``n`` ones (``len(best_val_loss) > n``)."""
    best_val_loss = []
    for epoch, val_loss in enumerate(losses):
        if len(best_val_loss) > n and val_loss > min(best_val_loss[:-n]):
            return epoch
        best_val_loss.append(val_loss)
    return None


# -- the trigger ----------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5])
def test_the_trigger_fires_exactly_where_awds_rule_does(n):
    rng = random.Random(n)
    sequences = [[5.0, 4.0, 3.0, 3.5, 3.2, 3.6, 2.0], [5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.4]]
    sequences += [[rng.uniform(3, 5) - 0.05 * i for i in range(30)] for _ in range(40)]
    for losses in sequences:
        opt = NTASGD([nn.Parameter(torch.zeros(1))], lr=1.0, nonmono=n)
        verdicts = [opt.observe(v) for v in losses]
        expected = awd_rule(losses, n)
        switched = [i for i, v in enumerate(verdicts) if v == "switch"]
        assert switched == ([] if expected is None else [expected]), (losses, n)
        assert opt.averaging is (expected is not None)
        assert "stop" not in verdicts  # only a fine-tuning run stops
    opt = NTASGD([nn.Parameter(torch.zeros(1))], nonmono=2)
    assert [opt.observe(v) for v in [5.0, 4.0, 3.0, 3.5, 3.2, 3.6]] == [None] * 5 + ["switch"]


def test_a_fine_tuning_optimiser_stops_when_the_rule_fires():
    opt = NTASGD([nn.Parameter(torch.zeros(1))], nonmono=2, finetune_from="x.ckpt")
    opt.start_averaging()  # done by the trainer half when the run starts
    assert [opt.observe(v) for v in [3.0, 2.0, 2.5, 3.5]] == [None, None, None, "stop"]
    assert opt.done


# -- the optimiser --------------------------------------------------------------------------------
def steps(
    opt: torch.optim.Optimizer, weight: nn.Parameter, n: int, start: int = 0
) -> list[torch.Tensor]:
    """Steps ``start`` to ``start + n`` on a moving quadratic; the weights after each."""
    after = []
    for k in range(start, start + n):
        opt.zero_grad()
        loss = ((weight - torch.arange(3.0) * (k % 3)) ** 2).sum()
        loss.backward()
        opt.step()
        after.append(weight.detach().clone())
    return after


def test_the_update_is_sgds_and_asgds_and_the_average_is_the_mean_since_the_switch():
    torch.manual_seed(0)
    init = torch.randn(3)
    mine, sgd, asgd = (nn.Parameter(init.clone()) for _ in range(3))
    opt = NTASGD([mine], lr=0.1, weight_decay=0.01, nonmono=5)
    plain = steps(torch.optim.SGD([sgd], lr=0.1, weight_decay=0.01), sgd, 9)
    # AWD's switch: torch.optim.ASGD(t0=0, lambd=0) updates exactly as SGD
    avg = steps(torch.optim.ASGD([asgd], lr=0.1, t0=0, lambd=0.0, weight_decay=0.01), asgd, 9)
    before = steps(opt, mine, 4)
    assert opt.averages() == []  # nothing averaged before the switch
    opt.start_averaging()
    assert opt.averages() == []  # nor before the first step after it
    after = steps(opt, mine, 5, start=4)
    for a, b, c in zip(before + after, plain, avg, strict=True):
        assert torch.allclose(a, b) and torch.allclose(a, c, atol=1e-6)
    ((param, mean),) = opt.averages()
    assert param is mine and opt.averaged_steps == 5
    assert torch.allclose(mean, torch.stack(after).mean(0), atol=1e-6)


def test_a_step_without_gradients_is_not_averaged():
    weight = nn.Parameter(torch.ones(3))
    opt = NTASGD([weight], lr=0.1)
    opt.start_averaging()
    steps(opt, weight, 2)
    opt.zero_grad()
    opt.step()  # every gradient dropped (nonfinite_loss=skip): no step, no count
    assert opt.averaged_steps == 2


def test_the_optimiser_state_round_trips():
    weight = nn.Parameter(torch.ones(3))
    opt = NTASGD([weight], lr=0.1, nonmono=1)
    for v in (3.0, 2.0, 3.5):  # the switch
        opt.observe(v)
    steps(opt, weight, 3)
    saved = opt.state_dict()
    copy = nn.Parameter(weight.detach().clone())
    again = NTASGD([copy], lr=0.1, nonmono=1)
    again.load_state_dict(saved)
    assert (again.history, again.averaging, again.averaged_steps) == ([3.0, 2.0, 3.5], True, 3)
    assert torch.equal(again.averages()[0][1], opt.averages()[0][1])
    for a, b in zip(steps(opt, weight, 2), steps(again, copy, 2), strict=True):
        assert torch.equal(a, b)


def test_optim_nt_asgd_is_an_option_with_awds_defaults():
    options = OPTIMIZERS.options({"name": "nt_asgd"})
    assert (options.lr, options.weight_decay, options.nonmono) == (30.0, 1.2e-6, 5)
    opt = optimizers_from_config([nn.Parameter(torch.zeros(1))], {"name": "nt_asgd", "nonmono": 3})
    assert isinstance(opt, NTASGD) and opt.nonmono == 3 and opt.finetune_from is None
    with pytest.raises(ConfigError, match=r"^optim.nonmono must be an integer >= 1"):
        OPTIMIZERS.options({"name": "nt_asgd", "nonmono": 0})
    with pytest.raises(ConfigError, match=r"^optim.finetune_from: 'nowhere.ckpt' does not exist"):
        OPTIMIZERS.options({"name": "nt_asgd", "finetune_from": "nowhere.ckpt"})


# -- in a Lightning run ---------------------------------------------------------------------------
SCRIPT = [5.0, 4.0, 3.0, 3.5, 3.2, 3.6, 3.1, 2.9]  # nonmono=2: the switch comes at epoch 5
SWITCH = awd_rule(SCRIPT, 2)
BATCHES = 4  # training steps per epoch


class Scripted(pl.LightningModule):
    """A linear regression; validation logs ``script[epoch]`` and records the weights it sees."""

    def __init__(self, script: list[float], finetune_from: str | None = None) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.layer = nn.Linear(3, 1)
        self.script, self.finetune_from = script, finetune_from
        self.seen: dict[int, list[torch.Tensor]] = {}  # epoch -> weights at its validation
        self.after_step: list[list[torch.Tensor]] = []  # weights after every training step
        self.at_start: list[torch.Tensor] = []

    def weights(self) -> list[torch.Tensor]:
        return [p.detach().clone() for p in self.parameters()]

    def training_step(self, batch, batch_idx):
        x, y = batch
        return ((self.layer(x) - y) ** 2).mean()

    def on_train_start(self) -> None:
        self.at_start = self.weights()

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        self.after_step.append(self.weights())

    def validation_step(self, batch, batch_idx):
        self.seen[self.current_epoch] = self.weights()
        epoch = min(self.current_epoch, len(self.script) - 1)  # validate() after the fit: last
        self.log("val/loss", torch.tensor(self.script[epoch]))

    def configure_optimizers(self):
        return NTASGD(self.parameters(), lr=0.05, nonmono=2, finetune_from=self.finetune_from)

    def train_dataloader(self):
        g = torch.Generator().manual_seed(1)
        x = torch.randn(BATCHES * 2, 3, generator=g)
        return DataLoader(TensorDataset(x, x.sum(1, keepdim=True) + 1), batch_size=2)

    def val_dataloader(self):
        return DataLoader(TensorDataset(torch.zeros(1, 3), torch.zeros(1, 1)), batch_size=1)


def fit(module: Scripted, run_dir: Path, epochs: int, resume: Path | None = None) -> pl.Trainer:
    folder = {"dirpath": run_dir / "checkpoints", "enable_version_counter": False}
    best = ModelCheckpoint(filename="best", monitor="val/loss", **folder)
    last = ModelCheckpoint(filename="last", **folder)  # at every validation (Lightning's
    # save_last=True writes last.ckpt only when it writes a best checkpoint)
    trainer = pl.Trainer(
        max_epochs=epochs,
        callbacks=[best, last, AveragedWeights()],
        default_root_dir=run_dir,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        accelerator="cpu",
    )
    trainer.fit(module, ckpt_path=str(resume) if resume else None, weights_only=True)
    return trainer


def mean(weights: list[list[torch.Tensor]]) -> list[torch.Tensor]:
    return [torch.stack(ws).mean(0) for ws in zip(*weights, strict=True)]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.allclose(x, y, atol=1e-6) for x, y in zip(a, b, strict=True))


def load(path: Path) -> dict:
    return torch.load(path, weights_only=True)


def test_validation_checkpoints_and_test_use_the_average(tmp_path):
    module = Scripted(SCRIPT)
    trainer = fit(module, tmp_path, len(SCRIPT))
    opt = trainer.optimizers[0]
    assert SWITCH == 5 and opt.history == pytest.approx(SCRIPT) and opt.averaging
    since = (SWITCH + 1) * BATCHES  # the first averaged step is the first after the switch
    assert opt.averaged_steps == len(module.after_step) - since
    for epoch, seen in module.seen.items():
        done = (epoch + 1) * BATCHES
        if epoch <= SWITCH:  # SGD's weights, as trained
            assert same(seen, module.after_step[done - 1]), epoch
        else:  # the mean of the weights after every step since the switch
            assert same(seen, mean(module.after_step[since:done])), epoch
    final_mean = mean(module.after_step[since:])
    assert same(module.weights(), final_mean)  # the fit leaves the mean in the model

    names = [name for name, _ in module.named_parameters()]
    best = load(tmp_path / "checkpoints" / "best.ckpt")  # lowest val/loss: the last epoch's
    last = load(tmp_path / "checkpoints" / "last.ckpt")
    for ckpt in (best, last):
        assert same([ckpt["state_dict"][n] for n in names], final_mean)
        assert same([ckpt[ITERATE_KEY][n] for n in names], module.after_step[-1])  # SGD's

    # validating (testing) the best checkpoint evaluates its weights, the mean: not swapped again
    module.seen.clear()
    trainer.validate(module, ckpt_path=str(tmp_path / "checkpoints" / "best.ckpt"), verbose=False)
    assert same(next(iter(module.seen.values())), final_mean)


def test_exact_resume_across_the_switch(tmp_path):
    reference = Scripted(SCRIPT)
    fit(reference, tmp_path / "reference", len(SCRIPT))
    for stop in (SWITCH + 1, SWITCH + 2):  # saved at the switch's validation; one epoch later
        run_dir = tmp_path / f"stopped{stop}"
        fit(Scripted(SCRIPT), run_dir, stop)
        saved = load(run_dir / "checkpoints" / "last.ckpt")
        assert (ITERATE_KEY in saved) is (stop > SWITCH + 1)  # no mean yet at the switch
        resumed = Scripted(SCRIPT)
        fit(resumed, run_dir, len(SCRIPT), resume=run_dir / "checkpoints" / "last.ckpt")
        assert same(resumed.weights(), reference.weights())
        assert same(resumed.after_step[-1], reference.after_step[-1])
        a = load(tmp_path / "reference" / "checkpoints" / "last.ckpt")
        b = load(run_dir / "checkpoints" / "last.ckpt")
        for key in ("state_dict", ITERATE_KEY):
            assert a[key].keys() == b[key].keys()
            assert all(torch.allclose(a[key][k], b[key][k], atol=1e-6) for k in a[key]), key
        opt_a, opt_b = a["optimizer_states"][0], b["optimizer_states"][0]
        assert opt_a["nt_asgd"] == opt_b["nt_asgd"]
        for k, state in opt_a["state"].items():
            assert torch.allclose(state["ax"], opt_b["state"][k]["ax"], atol=1e-6)


def test_fine_tuning_starts_from_the_checkpoint_averages_at_once_and_stops(tmp_path):
    first = Scripted(SCRIPT)
    fit(first, tmp_path / "first", len(SCRIPT))
    best = tmp_path / "first" / "checkpoints" / "best.ckpt"
    script = [3.0, 2.0, 3.5, 3.6, 1.0, 1.0]  # nonmono=2: the rule fires at epoch 3
    tuned = Scripted(script, finetune_from=str(best))
    trainer = fit(tuned, tmp_path / "tuned", len(script))
    assert same(tuned.at_start, [load(best)["state_dict"][n] for n, _ in tuned.named_parameters()])
    opt = trainer.optimizers[0]
    assert opt.done and trainer.current_epoch == 4 and len(tuned.after_step) == 4 * BATCHES
    assert opt.averaged_steps == 4 * BATCHES  # from the first step on
    assert same(tuned.seen[0], mean(tuned.after_step[:BATCHES]))
    # re-running the finished run resumes it and trains no further
    again = Scripted(script, finetune_from=str(best))
    last = tmp_path / "tuned" / "checkpoints" / "last.ckpt"
    trainer = fit(again, tmp_path / "tuned", len(script), resume=last)
    assert again.after_step == [] and trainer.global_step == 4 * BATCHES
    # fine-tuning into the run directory it starts from is refused
    with pytest.raises(ConfigError, match="lies in this run's run_dir"):
        fit(Scripted(script, finetune_from=str(best)), tmp_path / "first", 9)
