"""Checks on the committed chapter notebooks (their source, not their execution).

nbval executes every notebook as part of `python -m pytest`; these tests check how
the notebooks are stored and written:

* committed without outputs or execution counts (outputs belong to the build); what is
  checked is the version git commits (the staged one), so outputs that JupyterLab
  autosaved into the working copy do not fail the tests: the nbstripout filter that
  `make` installs strips them when the notebook is staged;
* every tab set is a language switch: `:sync-group: lang`, exactly two tab items,
  Korean (`:sync: ko`) first and English (`:sync: en`) second, both non-empty,
  Korean prose in the Korean tab and English prose in the English tab;
* no prose outside the tab sets, and headings carry both languages;
* code cells wrap at about 90 columns: no line of a code cell is longer than
  `MAX_CODE_LINE` (92) characters, except in the generated hidden Colab setup cell
  (chapters/_ext/colab_cell.py writes it; tests/book/test_notebook_setup.py checks it).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb")) + sorted(CHAPTERS.glob("appendix_*.ipynb"))

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
OPEN = re.compile(r"^(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:[\w-]+:")
#: Longest code-cell line allowed (code cells wrap at ~90 columns; 2 columns of slack).
MAX_CODE_LINE = 92
#: Id of the generated Colab setup cell (chapters/_ext/colab_cell.py CELL_ID), not checked.
COLAB_CELL_ID = "colab-setup"


def test_there_are_notebooks():
    assert NOTEBOOKS, "no chapters/NN_*.ipynb found"


class Directive:
    def __init__(self, name, arg, fence):
        self.name, self.arg, self.fence = name, arg, fence
        self.options: dict[str, str] = {}
        self.lines: list[str] = []       # body lines, nested directives included
        self.children: list[Directive] = []

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def parse(source: str):
    """Split MyST text into directives (colon or backtick fences) and top-level lines.

    Returns ``(directives, outside)``: every directive found (nested ones too, in
    document order) and the lines that are inside no directive.
    """
    root = Directive("root", "", "")
    stack = [root]
    found = []
    in_options = False
    for line in source.splitlines():
        stripped = line.strip()
        top = stack[-1]
        m = OPEN.match(stripped)
        if m:
            d = Directive(m["name"], m["arg"].strip(), m["fence"])
            for outer in stack[1:]:
                outer.lines.append(line)
            top.children.append(d)
            stack.append(d)
            found.append(d)
            in_options = True
            continue
        if top is not root and stripped and set(stripped) == {top.fence[0]} and len(stripped) >= len(top.fence):
            stack.pop()
            for outer in stack[1:]:
                outer.lines.append(line)
            in_options = False
            continue
        if top is not root and in_options and OPTION.match(stripped):
            key, _, value = stripped[1:].partition(":")
            top.options[key] = value.strip()
            continue
        in_options = False
        if top is root:
            root.lines.append(line)
        else:
            for d in stack[1:]:
                d.lines.append(line)
    assert len(stack) == 1, f"unclosed directive {stack[-1].name!r} ({stack[-1].fence})"
    return found, root.lines


def strip_nonprose(lines: list[str]) -> list[str]:
    """Drop math blocks, code fences, tables, labels and blank lines."""
    out, in_math, in_code = [], False, False
    for line in lines:
        s = line.strip()
        if s.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if s.startswith("$$"):
            # a one-line block "$$ ... $$" or a block delimiter (possibly "$$ (label)")
            if not (len(s) > 2 and s.count("$$") >= 2):
                in_math = not in_math
            continue
        if in_math or not s or s.startswith("|") or re.fullmatch(r"\([\w:-]+\)=", s):
            continue
        out.append(s)
    return out


def markdown_cells(path: Path):
    nb = nbformat.read(path, as_version=4)
    return [(i, c.source) for i, c in enumerate(nb.cells) if c.cell_type == "markdown"]


def committed(path: Path) -> str:
    """The notebook as git commits it (the staged version); the file outside a git checkout."""
    try:
        out = subprocess.run(["git", "show", f":{path.relative_to(ROOT).as_posix()}"], cwd=ROOT,
                             capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return path.read_text(encoding="utf-8")  # no git, or a notebook not yet added
    return out.stdout.decode("utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = nbformat.reads(committed(path), as_version=4)
    nbformat.validate(nb)
    dirty = [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} have outputs or execution counts; clear them "
        "before committing (e.g. `jupyter nbconvert --clear-output --inplace`)"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", f"{path.name}: kernelspec must be python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tab_sets_hold_both_languages(path):
    n_sets = 0
    for index, source in markdown_cells(path):
        directives, _ = parse(source)
        for d in directives:
            if d.name != "tab-set":
                continue
            n_sets += 1
            where = f"{path.name}, markdown cell {index}"
            assert d.options.get("sync-group") == "lang", f"{where}: tab-set needs ':sync-group: lang'"
            items = [c for c in d.children if c.name == "tab-item"]
            assert len(items) == 2 and len(d.children) == 2, f"{where}: a tab-set holds exactly two tab-items"
            ko, en = items
            assert ko.options.get("sync") == "ko", f"{where}: the first tab-item must be ':sync: ko'"
            assert en.options.get("sync") == "en", f"{where}: the second tab-item must be ':sync: en'"
            assert ko.arg == "한국어" and en.arg == "English", f"{where}: tab titles are '한국어' and 'English'"
            assert HANGUL.search(ko.text), f"{where}: the Korean tab is empty or has no Korean text"
            en_letters = LATIN_WORD.findall(en.text)
            assert en_letters, f"{where}: the English tab is empty"
            hangul_share = len(HANGUL.findall(en.text)) / max(1, len("".join(en_letters)))
            assert hangul_share < 0.05, f"{where}: the English tab contains Korean prose"
            for item in (ko, en):
                inner = [line for line in strip_nonprose(item.lines) if re.match(r"#{1,6} ", line)]
                assert not inner, (
                    f"{where}: heading {inner[0]!r} inside a tab; put headings outside the tabs, "
                    "in both languages ('## 한국어 · English'), so both appear in the contents"
                )
    assert n_sets > 0, f"{path.name}: no language tab sets at all"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_prose_outside_tabs_and_bilingual_headings(path):
    for index, source in markdown_cells(path):
        _, outside = parse(source)
        where = f"{path.name}, markdown cell {index}"
        for line in strip_nonprose(outside):
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
                assert HANGUL.search(heading) and LATIN_WORD.search(heading) and " · " in heading, (
                    f"{where}: heading {heading!r} must carry both languages as '한국어 · English'"
                )
                continue
            assert not HANGUL.search(line) and len(LATIN_WORD.findall(line)) < 4, (
                f"{where}: prose outside a language tab-set: {line[:80]!r}"
            )


def long_code_lines(nb, limit: int = MAX_CODE_LINE) -> list[tuple[int, int, int]]:
    """(cell index, line number from 1, length) of every code line longer than ``limit``."""
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or (index == 0 and cell.get("id") == COLAB_CELL_ID):
            continue
        for number, line in enumerate(cell.source.splitlines(), start=1):
            if len(line) > limit:
                out.append((index, number, len(line)))
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_width(path):
    nb = nbformat.read(path, as_version=4)
    too_long = [f"{path.name}, code cell {index}, line {number}: {length} characters"
                for index, number, length in long_code_lines(nb)]
    assert not too_long, (
        f"code lines longer than {MAX_CODE_LINE} characters (wrap at ~90: implicit continuation "
        "inside brackets, named intermediates, split strings):\n" + "\n".join(too_long))


def test_line_checker_skips_only_the_colab_cell():
    """Guard the check above: a long line is reported with its cell and line, except in the
    generated Colab cell (first cell, id ``colab-setup``)."""
    long = "x = " + "1 + " * 30 + "1"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(long, id=COLAB_CELL_ID),
        nbformat.v4.new_markdown_cell(long),
        nbformat.v4.new_code_cell("y = 1\n" + long),
        nbformat.v4.new_code_cell(long[:MAX_CODE_LINE]),
    ])
    assert long_code_lines(nb) == [(2, 2, len(long))]
    nb.cells.insert(0, nbformat.v4.new_code_cell("z = 0"))  # the setup cell is only ever first
    assert long_code_lines(nb) == [(1, 1, len(long)), (3, 2, len(long))]


def test_parser_catches_a_missing_language():
    """The checks above must fail on a tab-set that lacks English (guards the parser)."""
    bad = "::::{tab-set}\n:sync-group: lang\n\n:::{tab-item} 한국어\n:sync: ko\n\n본문\n:::\n::::\n"
    (d,) = [x for x in parse(bad)[0] if x.name == "tab-set"]
    assert [c.options.get("sync") for c in d.children] == ["ko"]
    nested = (
        ":::::{exercise}\n:label: x\n\n::::{tab-set}\n:sync-group: lang\n\n:::{tab-item} 한국어\n:sync: ko\n\n"
        "가\n:::\n\n:::{tab-item} English\n:sync: en\n\nText here\n:::\n::::\n:::::\n"
    )
    directives, outside = parse(nested)
    tab_set = [x for x in directives if x.name == "tab-set"][0]
    assert [c.options["sync"] for c in tab_set.children] == ["ko", "en"]
    assert strip_nonprose(outside) == []
    assert strip_nonprose(["Some English prose outside the tabs here"]) != []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_control_characters_in_the_sources(path):
    """A tab or another control character in a cell is almost always an escape gone wrong
    (the "\\t" of "\\theta" written from a Python string), and breaks the math it sits in."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = [(i, repr(ch)) for i, cell in enumerate(nb["cells"])
             for ch in set("".join(cell["source"])) if ord(ch) < 32 and ch != "\n"]
    assert not found, f"{path.name}: control characters (cell index, character): {found}"
