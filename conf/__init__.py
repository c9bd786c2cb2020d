# Hydra configs of lstm-nlp; installed as the package ``lstm_nlp.conf`` so that an installed
# entry point finds them from any folder (see pyproject.toml: package-dir).
