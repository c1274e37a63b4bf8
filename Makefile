# The two README commands: `make run` and `make test`. Both work from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD := build
NODE_PEERS := $(BUILD)/node-peers

.PHONY: run test lint pytest node-peers bench dist package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-dist: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dist]'
	touch $@ $(VENV)/.installed-run

# ably-js, the official JavaScript SDK, used as an interop peer by tests/interop.
$(NODE_PEERS)/node_modules/ably/package.json: tests/interop/js/package.json
	mkdir -p $(NODE_PEERS)
	cp tests/interop/js/package.json $(NODE_PEERS)/package.json
	cd $(NODE_PEERS) && npm install --no-audit --no-fund --loglevel=error
	touch $@

node-peers: $(NODE_PEERS)/node_modules/ably/package.json

run: $(VENV)/.installed-run
	$(BIN)/tokenlab

lint: $(VENV)/.installed-test
	$(BIN)/ruff check tokenlab tests
	$(BIN)/ruff format --check tokenlab tests
	$(BIN)/mypy --strict tokenlab
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test node-peers
	QT_QPA_PLATFORM=offscreen TOKENLAB_NODE_PEERS=$(abspath $(NODE_PEERS)) $(BIN)/pytest

test: lint pytest

# Each benchmark prints its figures and ratios; the target fails if any benchmark missed a target.
bench: $(VENV)/.installed-test
	status=0; for f in tests/bench/bench_*.py; do \
	  echo "== $$f"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$f || status=1; \
	done; exit $$status

# The frozen one-folder app in dist/tokenlab/, built and then run (--selftest, a CLI inspect).
dist: $(VENV)/.installed-dist
	packaging/dist.sh $(BIN)/python

# The wheel and sdist in dist/, checked by twine.
package: $(VENV)/.installed-dist
	rm -f dist/tokenlab-*.whl dist/tokenlab-*.tar.gz
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/tokenlab-*.whl dist/tokenlab-*.tar.gz

clean:
	rm -rf $(VENV) $(BUILD) dist .mypy_cache .pytest_cache .ruff_cache
