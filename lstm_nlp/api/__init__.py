"""The Python face of lstm-nlp: :func:`load` a trained language model (a checkpoint, a run
directory or an exported folder) as a :class:`~lstm_nlp.api.handle.LanguageModelHandle`, and
:func:`train` one as ``lstm-nlp-train`` does.  ``lstm_nlp.load`` and ``lstm_nlp.train`` are these.

    import lstm_nlp

    lm = lstm_nlp.load("runs/language_model/2025-01-01_12-00-00")
    lm.logprobs("the keys to the cabinet are here")
    lm.compare("the keys to the cabinet are here", "the keys to the cabinet is here")
    lm.states("the keys to the cabinet are").layers[0].forget
"""

from lstm_nlp.api.loading import load
from lstm_nlp.api.training import train

__all__ = ["load", "train"]
