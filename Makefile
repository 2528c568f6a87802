# gan_zoo — every target creates .venv and installs into it when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

DEMO_DIR ?= runs/demo
# Class-conditional DCGAN with a projection discriminator on 4,000 real MNIST digits (offline).
DEMO_PRESET ?= cgan_projection_mnist
DEMO_FLAGS ?=

.PHONY: demo test test-slow lint format bench bench-quality reliability clean install

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/train.py --preset=$(DEMO_PRESET) --out_dir=$(DEMO_DIR) --verbose=2 $(DEMO_FLAGS)
	$(BIN)/python examples/generate.py --model_dir=$(DEMO_DIR)/saved_model --num=80 --labels=rows --seed=0 --output=$(DEMO_DIR)/generated.png

# Two pytest workers (pytest-xdist): most test time is single-threaded tracing, so two
# processes keep both cores of a 2-core machine busy (16 -> 10 minutes measured here).
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" -q -n $(TEST_WORKERS) --durations=10

test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow -q -n $(TEST_WORKERS) --durations=10

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Training img/s and GFLOP/s of the core presets, XLA off and on, beside this machine's fp32
# matmul rate measured in the same run (~10 minutes on 2 cores); writes bench_results/.
# BENCH_FLAGS narrows or extends it, e.g. --presets=dcgan_mnist --breakdown (see the script).
BENCH_FLAGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py $(BENCH_FLAGS)

# Sample quality: the 2-D VEEGAN protocol (5 seeds x 25,000 iterations per preset) and the
# digits suite. Hours on a 2-core CPU; QUALITY_FLAGS narrows it (see benchmarks/quality.py).
QUALITY_FLAGS ?= --jobs=2
bench-quality: $(STAMP)
	$(BIN)/python benchmarks/quality.py $(QUALITY_FLAGS)

# Damage a real run directory in every way users do (truncated checkpoints, garbage index and
# JSON files, kills mid-checkpoint and mid-export, a second trainer, --restart on the wrong
# folder, bad paths, flags and devices) and run the CLIs on it: a table of case, outcome and
# files lost (~7 minutes on 2 cores). RELIABILITY_FLAGS: e.g. --cases=export --markdown.
RELIABILITY_FLAGS ?=
reliability: $(STAMP)
	$(BIN)/python scripts/reliability.py $(RELIABILITY_FLAGS)

clean:
	rm -rf runs .pytest_cache .ruff_cache
