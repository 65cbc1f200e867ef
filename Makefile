# The two commands of the README:
#   make book   install the requirements if needed, then build the website into _build/html
#   make test   install the requirements if needed, then run every test (library + notebooks)

PYTHON ?= python
BUILD  := _build
# jupyter-book's CLI, run by the same interpreter that installed it (no PATH assumptions)
JUPYTER_BOOK := $(PYTHON) -c 'import sys; from jupyter_book.cli.main import main; sys.exit(main())'
STAMP  := $(BUILD)/.install-stamp

# The execution cache of the book is keyed by notebook content only, so it is dropped
# whenever code the notebooks import (minigrad, booktools) or the requirements change.
CACHE_DEPS := $(shell find minigrad chapters/booktools -name "*.py" 2>/dev/null) requirements.txt
CACHE_STAMP := $(BUILD)/.cache-stamp

.PHONY: install book test clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m pip install -r requirements.txt
	@mkdir -p $(BUILD) && touch $@

$(CACHE_STAMP): $(CACHE_DEPS)
	rm -rf $(BUILD)/.jupyter_cache
	@mkdir -p $(BUILD) && touch $@

book: $(STAMP) $(CACHE_STAMP)
	$(JUPYTER_BOOK) build . -W -n --keep-going

test: $(STAMP)
	$(PYTHON) -m pytest

clean:
	rm -rf $(BUILD)
