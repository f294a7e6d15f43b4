# bigmodel-course: `make lab` to learn, `make test` to check everything.
# Both create .venv from requirements.txt on first use and reuse it while it is up to date.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
KERNEL := bigmodel-course
# Extra arguments for JupyterLab, e.g. `make lab LAB_ARGS="--no-browser --port 8889"`.
LAB_ARGS ?=
# Which notebooks `make execute` re-runs, e.g. `make execute NB=notebooks/01_*.ipynb` (default: chapters and solutions).
NB ?= notebooks/*.ipynb solutions/*.ipynb
# Tests and notebook runs never reach the network: everything comes from data/ and installed packages.
OFFLINE := HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1

.PHONY: help setup lab test test-unit test-notebooks test-colab execute book bench bench-gpt bench-scaling bench-realworld bench-recipes bench-lora env clean
help:
	@echo "make lab       set up .venv (first time) and open JupyterLab on notebooks/"
	@echo "make test      set up .venv (first time), run the unit tests and every notebook (chapters, solutions) under nbval"
	@echo "make execute   re-run notebooks in place to refresh their committed outputs (NB=... for some)"
	@echo "make book      build the course website offline into build/book/html (no notebook is re-run)"
	@echo "make test-colab run every notebook top to bottom the way Colab would (fake Colab, local clone)"
	@echo "make bench     throughput and peak memory of python -m course_utils.evaluate (needs the chapter 06 and 08 models)"
	@echo "make bench-realworld  accuracy on the course test split and real UCI sentences (baselines, LSTM, BERT), and section 9.1's recipes against the targets (about a minute)"
	@echo "make bench-recipes training recipes against real sentences (ARGS=--quick by default; see the script's docstring)"
	@echo "make bench-gpt chapter 11's GPT recipe against nanoGPT's CPU recipe: time to validation loss 1.88 (4-5 min)"
	@echo "make bench-lora chapter 10's LoRA rank sweep (about 10 minutes on 2 cores); rewrites data/benchmarks/lora_rank_sweep.json"
	@echo "make env       print the environment report (versions against requirements.txt, devices)"
	@echo "make clean     remove .venv and caches (not the trained models in models/)"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "No python3 found: install Python 3.11 (python.org or your package manager)."; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed (3.11 recommended); found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --user --name $(KERNEL) --display-name "Python (bigmodel-course)" >/dev/null
	@touch $(STAMP)
	@echo "Set-up done: .venv is ready and the Jupyter kernel '$(KERNEL)' is registered."

lab: setup
	$(BIN)/jupyter lab notebooks/ $(LAB_ARGS)

test: setup
	$(OFFLINE) $(BIN)/python -m pytest tests/ notebooks/ solutions/ --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 -p no:cacheprovider

test-unit: setup
	$(OFFLINE) $(BIN)/python -m pytest tests/ -p no:cacheprovider

test-notebooks: setup
	$(OFFLINE) $(BIN)/python -m pytest notebooks/ solutions/ --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 -p no:cacheprovider

execute: setup
	$(OFFLINE) $(BIN)/python tools/execute_notebooks.py $(NB)

book: setup
	$(BIN)/python tools/build_book.py

# Every notebook top to bottom as on Colab: course_utils from a clone of HEAD, not from .venv (slow: all chapters).
test-colab: setup
	$(OFFLINE) $(BIN)/python tools/colab_rehearsal.py notebooks/*.ipynb solutions/*.ipynb

# Speed targets live in benchmarks/, not in the tests.
bench: setup
	$(OFFLINE) $(BIN)/python benchmarks/bench_evaluate.py

# Chapter 11's recipe against nanoGPT's CPU recipe, alternating in one process (4 to 5 minutes on 2 idle cores).
bench-gpt: setup
	$(OFFLINE) $(BIN)/python benchmarks/bench_gpt.py --threads 1

# In-domain (course test split) against out-of-domain (UCI sentences) accuracy of the baselines and the chapter 06/08 models.
bench-realworld: setup
	$(OFFLINE) $(BIN)/python benchmarks/bench_realworld.py

# Which training recipes make the chapter 06/08 models generalise to real sentences (protocol in the docstring).
# `make bench-recipes ARGS="--only bert"` for more; the full set takes hours on 2 cores.
ARGS ?= --quick
bench-recipes: setup
	$(OFFLINE) $(BIN)/python benchmarks/realworld_recipes.py $(ARGS)

# Chapter 10's LoRA rank sweep (seven runs, about 10 minutes on 2 idle cores); rewrites data/benchmarks/lora_rank_sweep.json.
bench-lora: setup
	$(OFFLINE) $(BIN)/python benchmarks/lora_rank_sweep.py --jobs 2

# Chapter 12's full scaling sweep (about 15 minutes on 2 idle cores); rewrites data/scaling/sweep.json.
bench-scaling: setup
	$(OFFLINE) $(BIN)/python benchmarks/bench_scaling.py

env: setup
	$(BIN)/python -m course_utils.env_report

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
