# learnlake: `make demo` runs the whole thing on a synthetic site; `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install demo test services lint typecheck pytest bench lock docs clean native

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,clickhouse]'
	touch $(STAMP)

demo: install
	$(BIN)/learnlake demo --dir .demo

services:
	bash scripts/services.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	bash scripts/pytest.sh $(PYTEST_ARGS)

test: install services lint typecheck pytest

bench: install
	$(BIN)/python bench/synth.py

# Optional: the xAPI transformer compiled with mypyc (about 2x faster, same output); pure Python
# runs whenever the build is absent or older than the sources.
native: install
	$(BIN)/learnlake xapi native build

# Re-pin every dependency to what is installed now (after changing pyproject.toml).
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^learnlake' > constraints.txt

docs: install
	$(BIN)/learnlake config docs --readme README.md

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
