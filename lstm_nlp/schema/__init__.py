"""Options as dataclasses: their rules (:func:`option`), the checks of a config node against them,
and the ``--help`` text made from them.  The option dataclasses themselves live with the
components they configure; this package is only the machinery."""

from lstm_nlp.schema.options import CommandOptions, Options
from lstm_nlp.schema.rules import option
from lstm_nlp.schema.validate import options_from_node, validate_node

__all__ = ["CommandOptions", "Options", "option", "options_from_node", "validate_node"]
