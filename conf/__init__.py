"""Hydra configs of lstm-nlp; installed as the package ``lstm_nlp.conf`` so that an installed
entry point finds them from any folder (see pyproject.toml: package-dir).

The YAML files are defaults lists, Hydra's settings and presets; the options themselves are
dataclasses registered in Hydra's ConfigStore.  Importing this package registers them (and the
installed plugins'), so these configs compose wherever Hydra reads them: the commands, or
``hydra.compose`` in a notebook or a test.
"""

from lstm_nlp.cli.common import register_configs

register_configs()
