# lstm-nlp: `make train` trains a language model on the embedded corpus; `make test` runs the tests
# (`make test-fast`: all but the slow ones, in a minute; `make lint`: ruff check and format).
# Both create (or reuse) the virtual environment $(VENV) and install what they need.
# TORCH_SPEC picks the torch release, TORCH_INDEX adds pip options for it, e.g. the CPU-only
# wheels:  make train TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
# Changing either reinstalls torch in the existing environment.
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
ARGS ?=
# optional extras installed with the package: dev (tests), sweep (Optuna sweeper; its test runs too),
# export (onnx, onnxruntime: lstm-nlp-export format=onnx and its test), hub (datasets: data=hf),
# docs (MkDocs and the notebook runner: make docs)
EXTRAS ?= dev,sweep,export,hub,docs
# test processes (pytest-xdist, worksteal: an idle process takes tests queued for a busy one, so a
# few long tests do not leave the other process waiting); the suite is mostly subprocess runs
TEST_WORKERS ?= 2
BIN := $(VENV)/bin
STAMP := $(VENV)/.lstm-nlp-installed
TORCH_STAMP := $(VENV)/.torch-spec
export OMP_NUM_THREADS ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: train test test-fast lint docs docs-serve install clean FORCE

# Rewritten only when TORCH_SPEC/TORCH_INDEX/EXTRAS change, so that a change triggers a reinstall.
$(TORCH_STAMP): FORCE
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo '$(TORCH_SPEC) $(TORCH_INDEX) $(EXTRAS)' | cmp -s - $@ || echo '$(TORCH_SPEC) $(TORCH_INDEX) $(EXTRAS)' > $@

$(STAMP): $(TORCH_STAMP) pyproject.toml plugins/lstm-nlp-pos/pyproject.toml Makefile
	echo "$(TORCH_SPEC)" > $(VENV)/constraints.txt
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)" $(TORCH_INDEX)
	$(BIN)/python -m pip install -q -c $(VENV)/constraints.txt -e ".[$(EXTRAS)]"
	$(BIN)/python -m pip install -q -c $(VENV)/constraints.txt --no-deps -e plugins/lstm-nlp-pos
	touch $(STAMP)

install: $(STAMP)

train: $(STAMP)
	$(BIN)/lstm-nlp-train $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal tests plugins/lstm-nlp-pos/tests $(ARGS)

# everything but the tests marked slow (subprocesses, end-to-end training)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not slow" tests plugins/lstm-nlp-pos/tests $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# the docs site into site/ (mkdocs build --strict: a broken link or page fails); it executes
# docs/tutorials/lstm_step_by_step.ipynb, which trains its model in about a minute
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

clean:
	rm -rf $(VENV) runs outputs multirun .pytest_cache site .cache

FORCE:
