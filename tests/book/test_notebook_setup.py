"""What chapters/_ext/colab_cell.py keeps in every committed chapter notebook.

* the first cell is the current hidden Colab setup cell (repository from _config.yml);
* no saved widget state (``metadata.widgets``: inert weight on every built page);
* the setup cell does nothing outside Colab, and on "Colab" runs the right commands.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

from test_notebooks import NOTEBOOKS, ROOT, committed

_spec = importlib.util.spec_from_file_location("colab_cell", ROOT / "chapters" / "_ext" / "colab_cell.py")
colab_cell = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(colab_cell)
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_current(path):
    text = committed(path)
    nb = json.loads(text)
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: saved widget state (run `make colab-cell`)"
    first = nb["cells"][0]
    assert first.get("id") == colab_cell.CELL_ID and first["metadata"].get("tags") == ["remove-cell"], (
        f"{path.name}: the first cell must be the hidden Colab setup cell (run `make colab-cell`)")
    url, branch = CONFIG["repository"]["url"], CONFIG["repository"].get("branch", "main")
    assert "".join(first["source"]) == "".join(colab_cell.setup_cell(url, branch)["source"]), (
        f"{path.name}: the Colab setup cell is out of date (run `make colab-cell`)")
    assert sum(c.get("id") == colab_cell.CELL_ID for c in nb["cells"]) == 1


def test_refresh_is_idempotent_and_touches_nothing_else():
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"x": 1}}}
    old_cell = colab_cell.setup_cell("https://example.org/old/repo", "dev")
    nb["cells"] = [c for c in nb["cells"] if c.get("id") != colab_cell.CELL_ID]
    others = json.loads(json.dumps(nb["cells"]))
    nb["cells"].insert(3, old_cell)  # a stale copy somewhere else
    once = colab_cell.refresh(nb, "https://github.com/o/book", "main")
    assert colab_cell.refresh(once, "https://github.com/o/book", "main") == once
    assert "widgets" not in once["metadata"]
    assert once["cells"][1:] == others, "every other cell is kept as it was"
    assert "'https://github.com/o/book'" in "".join(once["cells"][0]["source"])


def test_check_mode_reports_a_stale_notebook(tmp_path):
    stale = tmp_path / "05_x.ipynb"
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    nb["cells"] = nb["cells"][1:]
    stale.write_text(colab_cell.dumps(nb), encoding="utf-8")
    before = stale.read_text(encoding="utf-8")
    assert colab_cell.main(["--check", str(stale)]) == 1
    assert stale.read_text(encoding="utf-8") == before, "--check changes nothing"
    assert colab_cell.main([str(stale)]) == 0 and colab_cell.main(["--check", str(stale)]) == 0


def _run_setup(fake_colab: bool, tmp_path):
    """Run the cell's code with subprocess/os.chdir recorded instead of executed."""
    source = "".join(colab_cell.setup_cell("https://github.com/o/book", "main")["source"])
    calls = []
    fake_subprocess = types.SimpleNamespace(run=lambda cmd, check: calls.append(("run", cmd)))
    modules = dict(sys.modules, subprocess=fake_subprocess)
    if fake_colab:
        modules["google.colab"] = types.ModuleType("google.colab")
    else:
        modules.pop("google.colab", None)
    fake_sys = types.SimpleNamespace(modules=modules, executable=sys.executable, path=[])
    fake_os = types.SimpleNamespace(path=__import__("os").path, chdir=lambda d: calls.append(("chdir", d)))
    real_import = __import__

    def fake_import(name, *args, **kwargs):
        return {"os": fake_os, "sys": fake_sys, "subprocess": fake_subprocess}.get(name) or real_import(name, *args, **kwargs)

    namespace = {"__builtins__": {**__builtins__, "__import__": fake_import} if isinstance(__builtins__, dict)
                 else {**vars(__builtins__), "__import__": fake_import}}
    exec(compile(source, "colab-setup", "exec"), namespace)
    assert "_setup_colab" not in namespace, "the cell leaves no name behind"
    return calls, fake_sys


def test_setup_cell_does_nothing_outside_colab(tmp_path):
    calls, _ = _run_setup(False, tmp_path)
    assert calls == []


def test_setup_cell_on_colab_clones_installs_and_enters_chapters(tmp_path):
    calls, fake_sys = _run_setup(True, tmp_path)
    assert calls[0] == ("run", ["git", "clone", "--depth", "1", "--branch", "main",
                                "https://github.com/o/book", "/content/book"])
    assert calls[1] == ("run", [sys.executable, "-m", "pip", "install", "-q", "/content/book", "noto-cjk-sans-otc"])
    assert calls[2] == ("chdir", "/content/book/chapters")
    assert fake_sys.path[0] == "/content/book/chapters", "booktools is importable"


def test_script_and_make_target_cover_every_book_notebook():
    # the appendices too: a notebook the script skips keeps a stale (or no) Colab cell
    assert colab_cell.book_notebooks() == NOTEBOOKS
    assert any(p.name.startswith("appendix_") for p in NOTEBOOKS)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    recipe = makefile[makefile.index(next(l for l in makefile if l.startswith("colab-cell:"))) + 1]
    assert recipe.strip() == "$(PYTHON) chapters/_ext/colab_cell.py", (
        f"`make colab-cell` must refresh every book notebook (no narrower glob): {recipe!r}")


def test_script_without_arguments_checks_every_book_notebook(tmp_path, monkeypatch):
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    nb = json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))
    nb["cells"] = nb["cells"][1:]                                  # no setup cell
    for name in ("01_a.ipynb", "appendix_b.ipynb", "notes.ipynb"):
        (chapters / name).write_text(colab_cell.dumps(nb), encoding="utf-8")
    in_tmp = colab_cell.book_notebooks
    monkeypatch.setattr(colab_cell, "book_notebooks", lambda: in_tmp(chapters))
    assert colab_cell.main(["--check"]) == 1
    assert colab_cell.main([]) == 0 and colab_cell.main(["--check"]) == 0
    first = lambda n: json.loads((chapters / n).read_text(encoding="utf-8"))["cells"][0].get("id")
    assert first("01_a.ipynb") == first("appendix_b.ipynb") == colab_cell.CELL_ID
    assert first("notes.ipynb") != colab_cell.CELL_ID, "not a book notebook: left alone"


def test_script_check_passes_on_the_committed_notebooks():
    out = subprocess.run([sys.executable, str(ROOT / "chapters" / "_ext" / "colab_cell.py"), "--check",
                          *map(str, NOTEBOOKS)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_commit_filter_leaves_committed_notebooks_unchanged(path):
    """The nbstripout filter `make` installs must not rewrite a committed notebook: ids
    kept (--keep-id), layout canonical. Otherwise every notebook shows as modified."""
    pytest.importorskip("nbstripout")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    command = next(line for line in makefile.splitlines() if "filter.nbstripout.clean" in line)
    assert "--keep-id" in command, "without --keep-id nbstripout renumbers every cell id"
    text = committed(path)
    out = subprocess.run([sys.executable, "-m", "nbstripout", "--keep-id", "-t"], input=text,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout == text, f"{path.name}: the commit filter would rewrite it (run `make colab-cell`)"
