"""Accuracy summaries: Wilson intervals, groups, coverage, markdown and the plot."""

import pytest

from lstm_nlp.errors import ConfigError
from lstm_nlp.evaluation.pairs import PairItem
from lstm_nlp.evaluation.plots import plot_accuracy, plot_group
from lstm_nlp.evaluation.report import markdown, summarize, text_table, wilson
from lstm_nlp.evaluation.scoring import ItemScore


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (50, 100, 0.4038, 0.5962),
        (1, 1, 0.2065, 1.0),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_interval_known_values(k, n, low, high):
    lo, hi = wilson(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)


def test_wilson_of_nothing():
    assert wilson(0, 0) is None


def scored(correct):
    return ItemScore(good=-1.0, bad=-2.0 if correct else -0.5, correct=correct)


ITEMS = [
    PairItem("a", "b", meta={"file": "pp", "attractors": a, "category": c})
    for a, c in [(0, "x"), (0, "x"), (1, "x"), (1, "y"), (2, "y"), (10, "y")]
]
SCORES = [
    scored(True),
    scored(False),
    scored(True),
    ItemScore(excluded="oov_compared", oov=["zebra"]),
    scored(False),
    ItemScore(excluded="identical"),
]


def test_summary_groups_counts_and_coverage():
    s = summarize(ITEMS, SCORES, group_by=["category", "category+attractors"])
    assert (
        s["overall"]["n"] == 4 and s["overall"]["correct"] == 2 and s["overall"]["accuracy"] == 0.5
    )
    assert s["overall"]["ci95"] == pytest.approx(list(wilson(2, 4)))
    assert list(s["groups"]) == ["file", "attractors", "category", "category+attractors"]
    assert list(s["groups"]["attractors"]) == ["0", "1", "2", "10"]  # numeric order
    assert s["groups"]["attractors"]["1"] == {
        "n": 1,
        "correct": 1,
        "accuracy": 1.0,
        "ci95": pytest.approx(list(wilson(1, 1))),
        "excluded": 1,
    }
    assert (
        s["groups"]["attractors"]["10"]["accuracy"] is None
        and s["groups"]["attractors"]["10"]["excluded"] == 1
    )
    assert s["groups"]["category+attractors"]["y / 1"]["excluded"] == 1
    assert s["coverage"] == {
        "read": 6,
        "scored": 4,
        "excluded": 2,
        "oov_types": 1,
        "oov_words": {"zebra": 1},
        "excluded_by_reason": {"identical": 1, "oov_compared": 1},
    }


def test_defaults_need_no_metadata_and_unknown_groups_are_config_errors():
    items = [PairItem("a", "b"), PairItem("a", "b", meta={"UID": "u"})]
    s = summarize(items, [scored(True), scored(True)])
    assert s["groups"] == {} and s["overall"]["n"] == 2
    assert summarize(items, [scored(True)] * 2, ["UID"])["groups"]["UID"]["(missing)"]["n"] == 1
    with pytest.raises(ConfigError, match="group_by: no item has a field 'category'.*UID"):
        summarize(items, [scored(True)] * 2, ["UID+category"])


def test_markdown_and_text_table():
    s = summarize(ITEMS, SCORES, ["category"])
    md = markdown(s)
    assert "| group | value | n | accuracy | 95% CI | excluded |" in md
    assert (
        "| attractors | 0 | 2 | 0.500 |" in md
        and "`zebra` (1)" in md
        and "6 read, 4 scored, 2 excluded" in md
    )
    assert text_table(s).splitlines()[1].split()[:3] == ["overall", "4", "0.500"]


def test_plot_picks_attractors_then_group_by_then_file(tmp_path, monkeypatch):
    import matplotlib

    def no_global_backend(*args, **kwargs):
        raise AssertionError("plots must not switch the process-wide backend")

    monkeypatch.setattr(matplotlib, "use", no_global_backend)
    s = summarize(ITEMS, SCORES, ["category"])
    assert plot_group(s, ["category"]) == "attractors"
    no_attractors = {**s, "groups": {k: v for k, v in s["groups"].items() if k != "attractors"}}
    assert (
        plot_group(no_attractors, ["category"]) == "category"
        and plot_group(no_attractors) == "file"
    )
    assert plot_group({**s, "groups": {}}) is None
    for name, summary in (("a.png", s), ("b.png", no_attractors), ("c.png", {**s, "groups": {}})):
        plot_accuracy(summary, tmp_path / name, ["category"])
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_wilson_bounds_hold_the_proportion_exactly_at_the_extremes():
    from lstm_nlp.evaluation.report import wilson

    for n in range(1, 3000):
        low, high = wilson(n, n)
        assert high == 1.0 and low <= 1.0
        low, high = wilson(0, n)
        assert low == 0.0 and high >= 0.0
        k = n // 3
        low, high = wilson(k, n)
        assert low <= k / n <= high


def test_plot_with_perfect_and_zero_groups(tmp_path):
    from lstm_nlp.evaluation.plots import plot_accuracy
    from lstm_nlp.evaluation.report import stats
    from lstm_nlp.evaluation.scoring import ItemScore

    perfect = stats([ItemScore(good=0.0, bad=-1.0, correct=True)] * 250)
    zero = stats([ItemScore(good=-1.0, bad=0.0, correct=False)] * 675)
    summary = {
        "overall": perfect,
        "groups": {"category": {"a": perfect, "b": zero}},
        "coverage": {},
    }
    plot_accuracy(summary, tmp_path / "a.png", group_by=["category"])
    assert (tmp_path / "a.png").stat().st_size > 0
