"""lstm-nlp-inspect mode=units: ablation cuts a unit out, fast scoring equals PairScorer, the
ranking, the CLI."""

import csv
import itertools
import json
import statistics

import pytest
import torch
from cli_helpers import run_cli
from inspect_helpers import VERB_CATEGORIES, build_model, tiny_run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("inspect_units") / "run", steps=60, hidden=6)


def layered(model):
    from lstm_nlp.insight.ablation import LayeredLM
    from lstm_nlp.insight.states import lstm_weights

    return LayeredLM(model, lstm_weights(model.encoder))


@pytest.mark.parametrize(
    "layer, tie, head", [(0, False, "softmax"), (1, True, "softmax"), (1, False, "adaptive")]
)
def test_an_ablated_unit_carries_no_signal(layer, tie, head):
    from lstm_nlp.insight.ablation import ablated

    torch.manual_seed(0)
    model, _ = build_model(vocab_size=40, layers=2, hidden=16, tie=tie, head=head)
    model.eval()
    lm, unit = layered(model), 5
    tokens = torch.randint(0, 40, (9, 3))
    before = {k: v.clone() for k, v in lm.state_dict().items()}
    embedding = model.embedding.weight.detach().clone()
    with torch.no_grad():
        torch.testing.assert_close(
            lm(tokens)[0], model(tokens)[0], atol=1e-5, rtol=1e-5
        )  # the copy is the model
        with ablated(lm, layer, unit):
            # nothing gets in: the unit's cell and hidden state stay 0 for any input
            ref = model.encoder.as_reference()
            ref.load_state_dict(lm.nn_lstm_state_dict())
            _, _, gates = ref.forward_with_gates(model.embedding(tokens))
            assert gates[layer]["cell"][:, :, unit].abs().max() == 0
            assert gates[layer]["hidden"][:, :, unit].abs().max() == 0
            # nothing gets out: whatever the unit held at the start changes no output
            h0, c0 = torch.zeros(2, 3, 16), torch.zeros(2, 3, 16)
            quiet = lm(tokens, (h0, c0))[0]
            h0[layer, :, unit], c0[layer, :, unit] = 5.0, -7.0
            torch.testing.assert_close(lm(tokens, (h0, c0))[0], quiet, atol=0, rtol=0)
            assert not torch.equal(quiet, model(tokens)[0])  # and the ablation did change the model
            assert torch.equal(
                model.embedding.weight, embedding
            )  # a tied decoder was untied, not zeroed
    after = lm.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # restored


def test_suffix_scorer_equals_pair_scorer_and_the_cache_is_exact(run):
    from lstm_nlp.cli.inspect import load_inspectable
    from lstm_nlp.evaluation.pairs import PairItem
    from lstm_nlp.evaluation.scoring import PairScorer
    from lstm_nlp.insight.ablation import ablated
    from lstm_nlp.insight.agreement_items import generate_suite
    from lstm_nlp.insight.suffix_scoring import SuffixScorer

    insp = load_inspectable(run)
    items = generate_suite(
        insp.vocabulary(),
        ["simple_agreement", "pp", "obj_rel", "vp_coord_long"],
        3,
        2,
        0,
        {"max_lemmas": 6},
    )
    lm = layered(insp.model)
    scorer = SuffixScorer(
        lm, items, insp.ids, insp.eos_id(), insp.tokenizer.get_vocab_size(), batch_size=7
    )
    pairs = [
        PairItem(
            " ".join(it.words),
            " ".join((*it.words[: it.target], it.bad, *it.words[it.target + 1 :])),
        )
        for it in items
    ]
    reference = PairScorer(insp.model, insp.tokenizer).score(pairs)
    expected = torch.tensor([s.good - s.bad for s in reference], dtype=torch.float64)
    torch.testing.assert_close(scorer.margins(0), expected, atol=1e-4, rtol=0)
    with ablated(lm, 1, 2):  # layer 0 is untouched: its cached outputs are still exact
        torch.testing.assert_close(scorer.margins(1), scorer.margins(0), atol=1e-9, rtol=0)
        assert not torch.allclose(scorer.margins(1), expected, atol=1e-4)


def test_auc_is_the_pairwise_definition_with_ties():
    from lstm_nlp.insight.ranking import auc

    gen = torch.Generator().manual_seed(0)
    values = torch.randint(0, 4, (30, 5), generator=gen).float()  # many ties
    labels = torch.rand(30, generator=gen) > 0.4
    for u in range(5):
        pos, neg = values[labels, u], values[~labels, u]
        wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
        assert abs(float(auc(values, labels)[u]) - wins / (len(pos) * len(neg))) < 1e-12
    separated = torch.cat([labels.float().unsqueeze(1), -labels.float().unsqueeze(1)], dim=1)
    assert auc(separated, labels).tolist() == [1.0, 0.0]


def test_sign_test_is_the_exact_binomial_tail():
    from lstm_nlp.insight.units import sign_test

    assert sign_test(5, 0) == 1 / 32 and sign_test(0, 0) == 1.0 and sign_test(0, 4) == 1.0
    assert sign_test(3, 3) == 42 / 64  # P(X >= 3), X ~ Binomial(6, 1/2)


def test_sampled_selection_keeps_the_top_and_a_seeded_sample():
    from lstm_nlp.insight.ranking import UnitScore
    from lstm_nlp.insight.units import above_median, select_units

    ranking = [
        UnitScore(k // 10, k % 10, 0.5, 0.5, 0, 0, 1 - k / 20, rank=k + 1) for k in range(20)
    ]
    chosen = select_units(ranking, max_units=8, ablate_top=10, seed=3)
    assert [u.rank for u in chosen.units[:4]] == [1, 2, 3, 4]  # min(ablate_top, max_units // 2)
    assert len(chosen.units) == 8 and len({u.name for u in chosen.units}) == 8
    assert chosen.median_over == [u.name for u in chosen.units[4:]]
    assert [u.name for u in select_units(ranking, 8, 10, 3).units] == [u.name for u in chosen.units]
    records = [
        {"name": u.name, "drop": d}
        for u, d in zip(chosen.units, [0.3, 0.2, 0.0, 0.1, 0.0, 0.05, 0.0, 0.0])
    ]
    median, named = above_median(sorted(records, key=lambda r: -r["drop"]), chosen.median_over)
    assert median == 0.0 and named == [chosen.units[i].name for i in (0, 1, 3, 5)]


@pytest.mark.slow
def test_units_command_ablates_every_unit_and_names_those_above_the_median(run, tmp_path):
    out = tmp_path / "out"
    proc = run_cli(
        "inspect",
        "mode=units",
        f"checkpoint={run}",
        f"out={out}",
        VERB_CATEGORIES,
        "n_per_cell=3",
        "max_attractors=2",
        "plot_units=2",
        "batch_size=16",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "units.json").read_text())
    assert summary["ablated"] == summary["units_total"] == 12 and summary["selection"] == "all"
    assert (
        summary["items"]["generated"]["seed"] == 0 and summary["items"]["used"] > 20
    )  # the run's grammar
    base, records = summary["baseline"], summary["ablations"]
    assert {"sg", "pl", "sg_pl", "pl_sg"} <= set(base)
    drops = [r["drop"] for r in records]
    assert drops == sorted(drops, reverse=True) and summary["median_drop"] == statistics.median(
        drops
    )
    assert summary["above_median"] == [
        r["name"] for r in records if r["drop"] > summary["median_drop"]
    ]
    used = summary["items"]["used"]
    for r in records:
        assert abs(r["accuracy"] + r["drop"] - base["accuracy"]) < 1e-12
        assert (
            abs(r["drop"] - (r["lost"] - r["gained"]) / used) < 1e-12
        )  # the flipped items make the drop
        assert all(
            abs(v["accuracy"] + v["drop"] - base[c]) < 1e-12 for c, v in r["by_condition"].items()
        )
    assert set(summary["significant"]) <= set(summary["above_median"])
    assert all(r["p_value"] < 0.05 / 12 for r in records if r["name"] in summary["significant"])
    assert [u["rank"] for u in summary["ranking"]] == list(range(1, 13))
    rows = list(csv.DictReader((out / "units.csv").open()))
    assert len(rows) == 12 and all(row["drop"] != "" for row in rows)
    assert {row["name"] for row in rows if row["above_median"] == "true"} == set(
        summary["above_median"]
    )
    for name in ("units_ablation.png", "units_cell_by_condition.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "units whose ablation lowers accuracy more" in proc.stdout


@pytest.mark.slow
def test_units_command_with_max_units_samples_and_reads_a_suite_folder(run, tmp_path):
    from lstm_nlp.grammar.suites import write_suites
    from lstm_nlp.text.vocabulary import load_vocabulary

    suites = tmp_path / "suites"
    write_suites(
        suites,
        seed=0,
        n_per_cell=2,
        max_attractors=1,
        vocabulary=load_vocabulary(str(run)),
        categories=["pp", "obj_rel", "reflexive_simple"],
        grammar={"max_lemmas": 6},
    )
    out = tmp_path / "out"
    proc = run_cli(
        "inspect",
        "mode=units",
        f"checkpoint={run}",
        f"out={out}",
        f"path={suites}",
        "categories=[pp,obj_rel]",
        "max_units=5",
        "ablate_top=1",
        "seed=4",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "units.json").read_text())
    assert summary["ablated"] == 5 and summary["units_total"] == 12
    assert (
        summary["items"]["path"] == str(suites)
        and summary["items"]["source"] == "suites"
        and summary["items"]["skipped"]["other_category"] > 0
    )
    selected = {r["name"]: r["selected"] for r in summary["ablations"]}
    assert sorted(selected.values()) == ["random"] * 4 + ["top"]
    assert selected[summary["ranking"][0]["name"]] == "top"
    random_drops = [r["drop"] for r in summary["ablations"] if r["selected"] == "random"]
    assert (
        summary["median_drop"] == statistics.median(random_drops)
        and summary["median_over"] == "the random sample"
    )


def write_lakretz(path, items):
    """Items in Lakretz et al.'s NA-task layout: prefix ending in the verb, condition, verdict,
    id; two rows per id."""
    word = {"sg": "singular", "pl": "plural"}
    rows = []
    for k, it in enumerate(items):
        other = it.number if it.attractors == 0 else ("pl" if it.number == "sg" else "sg")
        condition = f"{word[it.number]}_{word[other]}"
        prefix = " ".join(it.words[: it.target])
        rows.append(f"{prefix} {it.good}\t{condition}\tcorrect\t{k}")
        rows.append(f"{prefix} {it.bad}\t{condition}\twrong\t{k}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_units_command_reads_a_native_lakretz_file(run, tmp_path):
    from lstm_nlp.cli.inspect import load_inspectable
    from lstm_nlp.insight.agreement_items import generate_suite

    insp = load_inspectable(run)
    items = generate_suite(insp.vocabulary(), ["pp"], 3, 1, 0, {"max_lemmas": 6})
    write_lakretz(tmp_path / "nounpp.txt", items)
    out = tmp_path / "out"
    proc = run_cli(
        "inspect", "mode=units", f"checkpoint={run}", f"out={out}",
        f"path={tmp_path / 'nounpp.txt'}", "max_units=3", "ablate_top=1",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "units.json").read_text())
    found = summary["items"]
    assert found["source"] == "lakretz" and found["used"] == len(items) == found["read"]
    expected = {"sg_sg", "pl_pl", "sg_pl", "pl_sg"}
    assert set(found["conditions"]) == expected and set(summary["baseline"]) >= expected
    header = (out / "units.csv").read_text().splitlines()[0].split(",")
    assert {f"drop_{c}" for c in expected} <= set(header)
    assert (out / "units_cell_by_condition.png").stat().st_size > 0
