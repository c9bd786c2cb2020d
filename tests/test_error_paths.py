"""Error paths of the contracts and the inspect options, each fed the bad input it names."""

import pytest

from lstm_nlp.errors import ConfigError
from lstm_nlp.insight.options import InspectOptions
from lstm_nlp.modules.mogrifier_lstm import MogrifierLSTM
from lstm_nlp.tasks.base import TaskParts


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mode": "up"}, r"^TaskParts.mode must be 'min' or 'max', got 'up'$"),
        ({"monitor": "loss"}, r"^TaskParts.monitor must be a val/... metric, got 'loss'$"),
    ],
)
def test_a_task_that_breaks_the_runner_contract_is_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TaskParts(module=None, datamodule=None, **kwargs)


@pytest.mark.parametrize("kwargs", [{"rounds": -1}, {"rank": -2}])
def test_a_mogrifier_with_negative_rounds_or_rank_is_refused(kwargs):
    with pytest.raises(ValueError, match=r"^rounds and rank must be >= 0"):
        MogrifierLSTM(4, 4, **kwargs)


def test_inspect_needs_probe_states_and_a_folder_to_write_in(tmp_path):
    with pytest.raises(ConfigError, match=r"^probe_states must name hidden and/or cell"):
        InspectOptions(mode="probe", checkpoint="c", out="o", probe_states=[])
    taken = tmp_path / "file.txt"
    taken.write_text("x")
    with pytest.raises(ConfigError, match=r"must be a folder path$"):
        InspectOptions(mode="probe", checkpoint="c", out=str(taken)).out_dir()


def test_loading_another_tasks_checkpoint_as_a_language_model_names_the_task(tmp_path):
    import torch
    from eval_helpers import save_checkpoint, tiny_model

    from lstm_nlp.errors import DataError
    from lstm_nlp.tasks.checked_load import load_language_model
    from lstm_nlp.text.checkpoint_file import TASK_KEY

    path = save_checkpoint(tiny_model()[0], tmp_path / "best.ckpt")
    checkpoint = torch.load(path, weights_only=False)
    checkpoint[TASK_KEY] = "number_agreement"
    torch.save(checkpoint, path)
    with pytest.raises(DataError, match=r"not a language-model checkpoint \(written by task="):
        load_language_model(path)
