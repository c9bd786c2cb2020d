"""Training loss of lstm-nlp in fp32 or bf16-mixed, mean per 100 steps, from the same weights on
the same stream as ``bench_lm.py --sections bf16`` (WikiText-2 at its 10k most frequent words,
2x200 or --size 650, 1,500 steps): does bf16 train worse, or only validate differently?

    cd scripts && OMP_NUM_THREADS=1 ../.venv/bin/python -m lm_bench.bf16_curve 32-true
    cd scripts && OMP_NUM_THREADS=1 ../.venv/bin/python -m lm_bench.bf16_curve bf16-mixed

``--average-from N`` also keeps the running mean of the weights from step N on (Polyak
averaging, as ASGD's) and reports the validation perplexity of the final and of the averaged
weights, both scored in fp32: at SGD lr 20 the last step's weights scatter by several percent
from one validation to the next, their average much less.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import lightning.pytorch as pl
import torch

HERE = Path(__file__).resolve().parent.parent


class LossRecord(pl.Callback):
    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        loss = outputs["loss"] if isinstance(outputs, dict) else outputs
        self.losses.append(float(loss))


class ValidationRecord(pl.Callback):
    """Validation perplexity at each of Lightning's validations (``val_check_interval``)."""

    def __init__(self) -> None:
        self.points: list[tuple[int, float]] = []

    def on_validation_end(self, trainer, pl_module) -> None:
        if "val/ppl" in trainer.callback_metrics:
            self.points.append((trainer.global_step, float(trainer.callback_metrics["val/ppl"])))


class WeightAverage(pl.Callback):
    """The mean of the weights after each optimizer step from step ``start`` on."""

    def __init__(self, start: int) -> None:
        self.start, self.count, self.mean = start, 0, None

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if trainer.global_step < self.start:
            return
        weights = [p.detach() for p in pl_module.parameters()]
        if self.mean is None:
            self.mean = [w.clone() for w in weights]
        self.count += 1
        torch._foreach_lerp_(self.mean, weights, 1.0 / self.count)

    def swap(self, model: torch.nn.Module) -> None:
        """Exchange the model's weights with the mean (twice: back again)."""
        for p, m in zip(model.parameters(), self.mean):
            p.data, m.data = m.data, p.data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("precision", choices=("32-true", "bf16-mixed"))
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument(
        "--size", type=int, default=200, help="embedding and hidden size (2 layers)"
    )
    parser.add_argument(
        "--validate-every",
        type=int,
        default=0,
        help="also validate on the whole valid split every N steps (0: never)",
    )
    parser.add_argument(
        "--max-size",
        type=int,
        default=10000,
        help="vocabulary: the N most frequent words (0: WikiText-2's whole 33,278)",
    )
    parser.add_argument(
        "--average-from",
        type=int,
        default=0,
        help="also average the weights from step N on and validate final and mean (0: no)",
    )
    parser.add_argument(
        "--corpus", type=Path, default=HERE.parent.parent / "shared" / "data" / "wikitext-2"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    import bench_lm

    from lm_bench.training import LightningLoop, build_model, trainer

    torch.set_num_threads(1)
    bench_lm.quiet_lightning()
    corpus = bench_lm.load_corpus(args.corpus, max_size=args.max_size or None)
    torch.manual_seed(0)
    model = build_model(corpus.vocab_size, args.size, args.size, 2)
    streams = {"train": corpus.streams["train"], "valid": corpus.streams["valid"]}
    torch.manual_seed(1)
    loop = LightningLoop(model, streams, 20, 35, args.precision)
    record, validations = LossRecord(), ValidationRecord()
    average = WeightAverage(args.average_from) if args.average_from else None
    run = trainer(
        args.steps,
        [record, validations, *([average] if average else [])],
        precision=args.precision,
        validate_every=args.validate_every,
    )
    run.fit(loop.model, datamodule=loop.data)
    windows = [record.losses[i : i + 100] for i in range(0, len(record.losses), 100)]
    means = [sum(w) / len(w) for w in windows]
    final = {}
    if average is not None:
        final["final_val_ppl_fp32"] = round(loop.validation_ppl(), 2)
        average.swap(loop.model)
        final["averaged_val_ppl_fp32"] = round(loop.validation_ppl(), 2)
        final["averaged_steps"] = average.count
    print(
        json.dumps(
            {
                "precision": args.precision,
                "size": args.size,
                "vocabulary": corpus.vocab_size,
                "loss_per_100_steps": [round(m, 3) for m in means],
                "val_ppl": [(step, round(ppl, 2)) for step, ppl in validations.points],
                **final,
            }
        )
    )


if __name__ == "__main__":
    main()
