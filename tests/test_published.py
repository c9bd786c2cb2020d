"""The published numbers shipped with the package (lstm_nlp/evaluation/published.json)."""

import fnmatch
import json
from collections import Counter
from pathlib import Path

import pytest

from lstm_nlp.evaluation import published
from lstm_nlp.evaluation.published import BENCHMARKS, OVERALL

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "lstm_nlp" / "evaluation" / "published.json"

GROUPS = {
    "blimp": {"UID", "linguistics_term", OVERALL},
    "marvin_linzen": {"category"},
    "gulordava": {"type"},
    "linzen": {"attractors"},
    "lakretz": {"file+condition"},
    "syntaxgym": {"circuit", OVERALL},
}
MARVIN_LINZEN = """simple_agrmt sent_comp vp_coord long_vp_coord prep subj_rel obj_rel_across
obj_rel_across_no_that obj_rel_within obj_rel_within_no_that simple_reflexives
reflexive_sent_comp reflexives_across simple_npi npi_across""".split()
CIRCUITS = """agreement licensing garden_path gross_syntactic_state center_embedding
long_distance""".split()


def test_the_table_loads_and_every_entry_is_complete():
    table = published.load()
    assert len(table) > 100
    for p in table:
        assert p.benchmark in BENCHMARKS, p
        assert p.citation.strip() and p.model.strip(), p
        assert 0.0 <= p.value <= 1.0, p
        assert p.group in GROUPS[p.benchmark], p
        assert (p.group == OVERALL) == (p.group_value == ""), p


def test_every_benchmark_has_its_headline_model_and_entries():
    for benchmark in BENCHMARKS:
        model = published.headline_model(benchmark)
        assert model, benchmark
        assert any(p.model == model and p.headline for p in published.entries(benchmark))


def test_no_number_is_listed_twice():
    keys = Counter((p.benchmark, p.group, p.group_value, p.model) for p in published.load())
    assert [k for k, n in keys.items() if n > 1] == []


def test_the_groups_cover_what_the_sources_report():
    def values(benchmark, group):
        return {p.group_value for p in published.entries(benchmark, group)}

    assert values("marvin_linzen", "category") == set(MARVIN_LINZEN)
    assert values("syntaxgym", "circuit") == set(CIRCUITS)
    assert values("gulordava", "type") == {"original", "nonce"}
    assert values("linzen", "attractors") == {"0", "1", "2", "3", "4"}
    assert values("lakretz", "file+condition") == {  # nounpp's numbers only
        "nounpp / singular_singular",
        "nounpp / singular_plural",
        "nounpp / plural_singular",
        "nounpp / plural_plural",
    }
    assert len(values("blimp", "UID")) == 67
    assert len(values("blimp", "linguistics_term")) == 12


@pytest.mark.parametrize(
    "benchmark, group, value, expected",
    [
        ("gulordava", "type", "original", 0.810),
        ("gulordava", "type", "nonce", 0.741),
        ("blimp", "UID", "anaphor_gender_agreement", 0.882),
        ("blimp", "UID", "anaphor_number_agreement", 0.952),
        ("blimp", "linguistics_term", "anaphor_agreement", 0.917),
        ("blimp", "linguistics_term", "determiner_noun_agreement", 0.854),
        ("linzen", "attractors", "0", 0.987),
        ("linzen", "attractors", 4, 0.862),  # the report's text or the field's own value
        ("marvin_linzen", "category", "simple_agrmt", 0.94),
        ("marvin_linzen", "category", "obj_rel_within_no_that", 0.71),
        ("marvin_linzen", "category", "npi_across", 0.41),
        ("lakretz", "file+condition", "nounpp / singular_plural", 0.867),
        ("syntaxgym", "circuit", "gross_syntactic_state", 0.891),
    ],
)
def test_headline_values_are_the_papers(benchmark, group, value, expected):
    p = published.headline(benchmark, group, value)
    assert p is not None and p.headline
    assert p.value == pytest.approx(expected)
    assert published.lookup(benchmark, group, value) == p


def test_the_other_figures_are_kept_under_their_own_model():
    rerun = published.entries("marvin_linzen", "category", "simple_agrmt")
    assert sorted(p.value for p in rerun) == [0.94, 1.0]
    assert published.lookup("linzen", "attractors", "0", model="LSTM 50 units").value == 0.976
    single = "LSTM (Gulordava et al. 2018 English LM, best single model)"
    best = published.lookup("gulordava", "type", "nonce", model=single)
    assert best.value == 0.718 and not best.headline
    assert published.lookup("linzen", "attractors", "0", model="no such model") is None
    jrnn = published.overall("syntaxgym", model="JRNN (Jozefowicz et al. 2016 LSTM)")
    assert jrnn.value == 0.563


def test_linzen_numbers_are_accuracies_and_say_so():
    for p in published.entries("linzen"):
        assert "100 - the published error rate" in p.note
    assert published.lookup("linzen", "attractors", "4", model="LSTM 50 units").value == 0.6535


def test_overall_numbers_and_missing_ones():
    assert published.overall("blimp").value == pytest.approx(0.698, abs=5e-4)
    assert published.overall("syntaxgym").value == 0.551
    assert published.overall("gulordava") is None
    assert published.lookup("blimp", "UID", "no_such_paradigm") is None
    assert published.headline("no_such_benchmark", "UID", "x") is None


def test_group_values_match_as_the_report_writes_them():
    assert published.group_text(2) == "2" and published.group_text(True) == "true"
    # the SyntaxGym source's circuit names
    p = published.headline("syntaxgym", "circuit", "garden-path effects")
    assert p is not None and p.group_value == "garden_path"
    assert published.headline("syntaxgym", "circuit", "Long-distance dependencies").value == 0.729
    assert published.headline("syntaxgym", "circuit", "center embedding").value == 0.661


def test_the_file_is_our_own_table_with_a_citation_per_number():
    data = json.loads(TABLE.read_text(encoding="utf-8"))
    assert set(data["headline"]) == set(BENCHMARKS)
    required = {"benchmark", "group", "group_value", "value", "model", "citation"}
    for entry in data["entries"]:
        assert required <= set(entry) <= required | {"note"}


def test_the_table_ships_as_package_data():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["lstm_nlp.evaluation"]
    assert any(fnmatch.fnmatch(TABLE.name, pattern) for pattern in patterns)
    assert "lstm_nlp.evaluation" in config["tool"]["setuptools"]["packages"]


def test_importing_it_loads_no_torch():
    import subprocess
    import sys

    code = (
        "import sys; from lstm_nlp.evaluation import published; published.load();"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
