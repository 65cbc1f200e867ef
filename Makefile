# The two commands of the README:
#   make book   install the requirements if needed, then build the Korean and the English
#               edition of the website: _build/html/ko/, _build/html/en/ (+ a root index.html)
#   make test   install the requirements if needed, then run every test (library + notebooks)
# Others:
#   make notebooks-ko / notebooks-en   single-language copies of the notebooks to run locally
#   make colab-cell                    refresh the notebooks' hidden Colab setup cell
#   make git-filter                    strip notebook outputs at commit time (nbstripout)

# The interpreter: the active virtualenv (or conda env), else a project venv in .venv,
# created here with python3 (a stock Debian/Ubuntu has no `python` command, and its
# system Python refuses pip: PEP 668). The venv sees the system's site-packages, so a
# machine that already has the requirements (or CI's PyTorch) does not install them twice.
VENV := .venv
ACTIVE_ENV := $(or $(VIRTUAL_ENV),$(CONDA_PREFIX))
ifeq ($(origin PYTHON),undefined)
  ifneq ($(ACTIVE_ENV),)
    PYTHON := $(ACTIVE_ENV)/bin/python
  else
    PYTHON := $(VENV)/bin/python
  endif
endif
BUILD  := _build
EDITIONS := ko en
# jupyter-book's CLI, run by the same interpreter that installed it (no PATH assumptions)
JUPYTER_BOOK := $(PYTHON) -c 'import sys; from jupyter_book.cli.main import main; sys.exit(main())'
STAMP  := $(BUILD)/.install-stamp

# The execution cache of the book is keyed by notebook content only, so it is dropped
# whenever code the notebooks import (minigrad, booktools, with the widgets' JavaScript
# that their outputs inline) or the requirements change;
# so are the editions' Sphinx environments, which would otherwise keep the pages of
# unchanged notebooks (and their old outputs) without reading them again.
CACHE_DEPS := $(shell find minigrad chapters/booktools \( -name "*.py" -o -name "*.js" \) 2>/dev/null) requirements.txt
CACHE_STAMP := $(BUILD)/.cache-stamp

# (edition-% and notebooks-% are not .PHONY: make skips pattern rules for phony targets)
.PHONY: install python book test clean git-filter colab-cell
# only the project venv has a rule; any other interpreter must exist already
MAKE_VENV := $(filter $(VENV)/bin/python,$(PYTHON))

install: $(STAMP)

# prints the interpreter the other targets use (creating the venv if needed); .ci/run uses it
python: $(MAKE_VENV)
	@echo $(PYTHON)

$(VENV)/bin/python:
	python3 -m venv --system-site-packages $(VENV) || { rm -rf $(VENV); \
	    echo "cannot create $(VENV): on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }

$(STAMP): requirements.txt pyproject.toml | $(MAKE_VENV)
	$(PYTHON) -m pip install -r requirements.txt
	@$(MAKE) --no-print-directory git-filter PYTHON=$(PYTHON)
	@mkdir -p $(BUILD) && touch $@

# Outputs never reach a commit, even when JupyterLab autosaved them: git runs every
# notebook through nbstripout when it is staged (.gitattributes names the filter).
# Skipped outside a git checkout, and in a linked worktree (its config is the main one's).
git-filter:
	@if [ "$$(git rev-parse --git-dir 2>/dev/null)" != "$$(git rev-parse --git-common-dir 2>/dev/null)" ]; then \
	    echo "git-filter: linked worktree, nbstripout filter not installed (run it in the main checkout)"; \
	elif git rev-parse --git-dir >/dev/null 2>&1; then \
	    git config filter.nbstripout.clean "'$(abspath $(PYTHON))' -m nbstripout --keep-id" && \
	    git config filter.nbstripout.smudge cat && \
	    git config diff.ipynb.textconv "'$(abspath $(PYTHON))' -m nbstripout -t" && \
	    echo "git-filter: notebooks are stripped of outputs when staged (nbstripout)"; \
	fi

$(CACHE_STAMP): $(CACHE_DEPS)
	rm -rf $(BUILD)/.jupyter_cache $(BUILD)/out
	@mkdir -p $(BUILD) && touch $@

book: $(addprefix edition-,$(EDITIONS))
	@# drop what an older single-site build left at the root, then write the root page
	@find $(BUILD)/html -mindepth 1 -maxdepth 1 $(foreach e,$(EDITIONS),! -name $(e)) -exec rm -rf {} +
	$(PYTHON) chapters/_ext/editions.py index $(BUILD)/html

# One edition: its sources (chapters/_ext/editions.py), then a Jupyter Book build that
# executes the notebooks with BOOK_LANG set (figure text in that language; own cache).
edition-%: $(STAMP) $(CACHE_STAMP)
	@start=$$(date +%s); \
	$(PYTHON) chapters/_ext/editions.py sources $* $(BUILD)/src/$* && \
	BOOK_LANG=$* $(JUPYTER_BOOK) build $(BUILD)/src/$* --path-output $(BUILD)/out/$* -W -n --keep-going && \
	rm -rf $(BUILD)/html/$* && mkdir -p $(BUILD)/html && cp -a $(BUILD)/out/$*/_build/html $(BUILD)/html/$* && \
	echo "[book] $* edition built in $$(( $$(date +%s) - start )) s: $(BUILD)/html/$*/"

notebooks-%: $(STAMP)
	$(PYTHON) chapters/_ext/editions.py sources $* $(BUILD)/notebooks/$*
	@echo "run them with: jupyter lab $(BUILD)/notebooks/$*/chapters"

colab-cell: $(STAMP)
	$(PYTHON) chapters/_ext/colab_cell.py

test: $(STAMP)
	$(PYTHON) -m pytest

clean:
	rm -rf $(BUILD)
