"""lstm-nlp-inspect: what a user can get wrong is one line on stderr (exit 2), naming what is
wrong."""

import pytest
from cli_helpers import config_error, one_line_error, run_in_process
from inspect_helpers import tiny_run

from lstm_nlp.errors import DataError

PROG = "lstm-nlp-inspect"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory.mktemp("inspect_errors") / "run", steps=0, hidden=6)


def error(*args: str) -> str:
    return one_line_error(run_in_process("inspect", *args), prog=PROG)


def test_missing_checkpoint(tmp_path):
    line = error(
        f"checkpoint={tmp_path / 'nope.ckpt'}", "sentence=the dog", f"out={tmp_path / 'o'}"
    )
    assert "nope.ckpt" in line and "does not exist" in line


def test_sentence_without_a_known_word_names_the_unknown_words(run, tmp_path):
    line = error(f"checkpoint={run}", "sentence='glorp frobnicates'", f"out={tmp_path / 'o'}")
    assert (
        "no word is in the model's vocabulary" in line
        and "'glorp'" in line
        and "'frobnicates'" in line
    )


def test_units_out_of_range(run, tmp_path):
    line = error(f"checkpoint={run}", "sentence=the", "units=[2,6]", f"out={tmp_path / 'o'}")
    assert "units: 6 is out of range" in line and "6 units (0..5)" in line


def test_option_mistakes_are_refused_before_the_command_runs(tmp_path):
    args = ["checkpoint=c", f"out={tmp_path / 'o'}"]
    assert "max_units must be null or an integer in [1, 1000000], got 0" in config_error(
        "inspect", "mode=units", "max_units=0", *args
    )
    assert "logger=csv cannot show images" in config_error(
        "inspect", "mode=probe", "logger=csv", *args
    )
    assert "sentence is required" in config_error("inspect", *args)
    assert "Did you mean 'units'?" in config_error("inspect", "mode=unit", *args)


def test_bad_options_of_units_and_probe(run, tmp_path):
    assert "path: " in error(
        "mode=probe",
        f"checkpoint={run}",
        f"path={tmp_path / 'none.jsonl'}",
        f"out={tmp_path / 'o'}",
    )
    assert "suite= is now path=" in error(
        "mode=probe", f"checkpoint={run}", f"suite={tmp_path}", f"out={tmp_path / 'o'}"
    )
    (tmp_path / "other.jsonl").write_text(
        '{"sentence_good": "the dog", "sentence_bad": "dog the"}\n'
    )
    line = error(
        "mode=units",
        f"checkpoint={run}",
        f"path={tmp_path / 'other.jsonl'}",
        f"out={tmp_path / 'o'}",
    )
    assert "path: no agreement pair" in line and "not_one_word_apart 1" in line
    line = error(
        "mode=units",
        f"checkpoint={run}",
        "plot_category=nope",
        "n_per_cell=1",
        f"out={tmp_path / 'o'}",
    )
    assert (
        "plot_category=nope has no items; categories here: " in line and "simple_agreement" in line
    )


def test_known_words_follow_the_tokenizers_lowercasing():
    """A model trained with data.lowercase=true reads "The" as "the": it is not an unknown word."""
    from tokenizers import Tokenizer, normalizers
    from tokenizers.models import WordLevel

    from lstm_nlp.insight.states import KnownWords

    tok = Tokenizer(WordLevel({"the": 0, "<unk>": 1}, unk_token="<unk>"))
    assert "The" not in KnownWords(tok) and "the" in KnownWords(tok)
    tok.normalizer = normalizers.Lowercase()
    assert "The" in KnownWords(tok) and "dog" not in KnownWords(tok) and {"the"} <= KnownWords(tok)


@pytest.fixture(scope="module")
def mogrifier_run(tmp_path_factory):
    encoder = {"name": "mogrifier_lstm", "rounds": 2}
    folder = tmp_path_factory.mktemp("inspect_mogrifier")
    return tiny_run(folder / "run", steps=0, hidden=6, layers=1, encoder=encoder)


def test_inspect_asks_for_a_capability_not_a_class(mogrifier_run, tmp_path):
    """The Mogrifier LSTM exposes its gates (mode=gates works) but has no nn.LSTM weights to
    ablate (mode=units is refused, naming what is missing)."""
    from lstm_nlp.cli.inspect import load_inspectable
    from lstm_nlp.insight.mode_units import run as units
    from lstm_nlp.insight.options import InspectOptions

    insp = load_inspectable(str(mogrifier_run))
    options = InspectOptions(mode="units", checkpoint=str(mogrifier_run), out=str(tmp_path / "u"))
    refusal = r"does not have nn.LSTM's weights, which lstm-nlp-inspect mode=units \(it ablates"
    with pytest.raises(DataError, match=refusal):
        units(options, insp, None)
    assert not (tmp_path / "u").exists()
    from lstm_nlp.insight.mode_gates import run as gates

    options = InspectOptions(checkpoint=str(mogrifier_run), out=str(tmp_path / "g"), sentence="the")
    lines = gates(options, insp, None)
    assert (tmp_path / "g" / "gates.json").is_file() and "1 layer(s) of 6 units" in lines[0]
