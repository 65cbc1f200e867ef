"""Keep every book notebook's hidden Colab setup cell current; strip inert widget state.

A notebook opened from the book's Colab button is a bare copy of the file: the helpers it
imports (``minigrad``, ``chapters/booktools``) are not there. Its first cell (tagged
``remove-cell``, so the book does not show it) clones the repository named in
``_config.yml`` and installs them, on Colab only; anywhere else it does nothing.

The script is idempotent: it (re)writes that one cell, drops ``metadata.widgets`` (saved
widget state of removed live-widget cells, dead weight on every page), leaves every other
cell as it was, and writes nbformat's canonical layout (the one the nbstripout commit
filter writes). Run it after merging notebook edits::

    python chapters/_ext/colab_cell.py            # every book notebook; or: make colab-cell
    python chapters/_ext/colab_cell.py --check    # change nothing; exit 1 if one is out of date

Without arguments it takes every notebook of the book (:func:`book_notebooks`: the numbered
chapters and the appendices); named notebooks are taken instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
CELL_ID = "colab-setup"
#: The book's notebooks, as globs in chapters/: numbered chapters, then the appendices.
NOTEBOOK_GLOBS = ("[0-9][0-9]_*.ipynb", "appendix_*.ipynb")
TAG = "remove-cell"

TEMPLATE = '''\
# Colab only (the book hides this cell): fetch the book's repository and install
# minigrad and the notebook helpers, then run from its chapters/ folder like the book.
def _setup_colab(repository, branch):
    import os
    import subprocess
    import sys

    if "google.colab" not in sys.modules:
        return
    clone = os.path.join("/content", repository.rstrip("/").rsplit("/", 1)[-1])
    if not os.path.isdir(clone):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", branch, repository, clone], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", clone, "noto-cjk-sans-otc"], check=True)
    sys.path.insert(0, os.path.join(clone, "chapters"))
    os.chdir(os.path.join(clone, "chapters"))


_setup_colab({url!r}, {branch!r})
del _setup_colab'''


def book_notebooks(chapters: Path = ROOT / "chapters") -> list[Path]:
    """Every notebook of the book, chapters then appendices, each glob sorted."""
    return [path for pattern in NOTEBOOK_GLOBS for path in sorted(chapters.glob(pattern))]


def repository(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` of the book's repository, from ``_config.yml``."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    repo = config.get("repository") or {}
    url, branch = str(repo.get("url", "")).rstrip("/"), str(repo.get("branch", "main"))
    if not url.startswith("https://"):
        raise ValueError(f"{config_path}: repository.url must be an https URL, got {url!r}")
    return url, branch


def setup_cell(url: str, branch: str) -> dict:
    source = TEMPLATE.format(url=url, branch=branch)
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": CELL_ID,
        "metadata": {"tags": [TAG]},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def refresh(nb: dict, url: str, branch: str) -> dict:
    """The notebook with a current setup cell first and no saved widget state."""
    cells = [c for c in nb["cells"] if c.get("id") != CELL_ID]
    nb = {**nb, "cells": [setup_cell(url, branch), *cells]}
    metadata = {k: v for k, v in nb.get("metadata", {}).items() if k != "widgets"}
    return {**nb, "metadata": metadata}


def dumps(nb: dict) -> str:
    """nbformat's canonical text: what the nbstripout commit filter writes, so that a
    notebook this script wrote shows no change under the filter (``git status``)."""
    # (reading joins each cell's source, writing splits it at line ends, as nbstripout does)
    return nbformat.writes(nbformat.reads(json.dumps(nb), as_version=4)) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to refresh (default: every notebook of the book)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    args = parser.parse_args(argv)
    url, branch = repository()
    stale = []
    for path in args.notebooks or book_notebooks():
        text = path.read_text(encoding="utf-8")
        new = dumps(refresh(json.loads(text), url, branch))
        if new != text:
            stale.append(path)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    verb = "out of date" if args.check else "updated"
    for path in stale:
        print(f"{path}: {verb}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
