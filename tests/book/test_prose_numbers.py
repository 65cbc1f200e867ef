"""The numbers the prose quotes: the same in both languages, and tied to assertions.

Two rules, checked on every chapter notebook without running it:

1. **Both tabs quote the same numbers.** In every language tab set the set of numbers in
   the Korean tab equals the set in the English tab. Numbers are read from the whole tab
   text, inside ``$...$`` and code spans too, after normalising: thousands separators
   (``4,550`` and ``10\\,000``) are dropped, the unicode minus ``−`` is ``-``, and powers of ten
   are read as the code writes them (``$3 \\times 10^{-5}$`` is ``3e-5``, ``$10^{-9}$`` is ``1e-9``); a sign
   counts only when it stands before the number (``−0.8``, ``= -1``), not in ``n - 1``.
   Not numbers: digits inside identifiers and roles (``x_2``, ``{eq}`gd-update```,
   citation keys) and the order words of each language, Korean ``1차``/``2차원`` and English
   ``1-D``, ``2-D``, ``1st``, ``2nd``. Korean writes zero as ``0`` ("0이 된다"), so the English
   word ``zero`` counts as ``0``.

   Escape, for a justified exception only: a MyST comment line inside the tab,
   ``% numbers: 2 10 -- reason``, exempts the listed numbers of that tab set from the
   comparison (in either tab). The reason after ``--`` is required.

2. **Every claim quotes the prose.** Each ``claim(what, value, quoted)`` call in a code cell
   (``booktools.checks.claim``) must give ``quoted`` as a string literal, and the number in
   it must appear in the prose of both languages in that notebook. So a number that is
   asserted is a number the reader reads, and changing one without the other fails.

``EXPECTED_FAILURES`` lists notebooks that do not follow the rules yet (other authors are
revising them); they are marked xfail. Empty it once they are fixed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from test_notebooks import parse

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")) + sorted((ROOT / "chapters").glob("appendix_*.ipynb"))

#: Notebooks that fail a rule on this branch, as (notebook, rule) pairs. The lead empties it
#: after merging the chapters that fix them.
EXPECTED_FAILURES: set[tuple[str, str]] = set()

ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")                 # {eq}`label`, {cite}`key`, {doc}`x`
ORDER_WORDS = re.compile(r"\d+(?=차)|\d+-?D\b|\d+(?:st|nd|rd|th)\b")
SCIENTIFIC = re.compile(r"(?:(?P<m>\d+(?:\.\d+)?)\s*\\times\s*)?10\^\{?(?P<e>[-−]?\d+)\}?")
THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:(?:,|\\,)\d{3})+(?![\d])")
NUMBER = re.compile(r"(?<![A-Za-z_\d.\\])(?P<sign>[-−])?(?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")
LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
ESCAPE = re.compile(r"^\s*%\s*numbers:\s*(?P<nums>[^\n]*?)\s+--\s+\S")


def _mark(notebook: Path, rule: str):
    if (notebook.name, rule) in EXPECTED_FAILURES:
        return pytest.param(notebook, marks=pytest.mark.xfail(reason=f"{rule}: being revised", strict=False),
                            id=notebook.name)
    return pytest.param(notebook, id=notebook.name)


def numbers(text: str) -> set[str]:
    """The numbers a text quotes, normalised as the module docstring says."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("%"))
    text = ROLE.sub(" ", text)
    text = re.sub(r"\b[Zz]ero\b", " 0 ", text)
    text = ORDER_WORDS.sub(" ", text)
    text = SCIENTIFIC.sub(lambda m: f"{m['m'] or '1'}e{m['e'].replace('−', '-')}", text)
    text = THOUSANDS.sub(lambda m: m.group(0).replace("\\,", "").replace(",", ""), text)
    text = LATEX_COMMAND.sub(" ", text)  # "\approx0.952" quotes 0.952
    found = set()
    for m in NUMBER.finditer(text):
        sign = ""
        if m["sign"]:
            before = text[:m.start()].rstrip(" ")
            # a minus after an operand is subtraction ("n - 1"), not the number's sign
            if not before or not (before[-1].isalnum() or before[-1] in ")}]"):
                sign = "-"
        found.add(sign + m["num"])
    return found


def escapes(text: str) -> set[str]:
    out = set()
    for line in text.splitlines():
        m = ESCAPE.match(line)
        if m:
            out |= {n.replace("−", "-") for n in m["nums"].split()}
    return out


def tab_sets(path: Path):
    """Yield (markdown cell index, Korean tab text, English tab text) for every tab set."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        directives, _ = parse(cell.source)
        for d in directives:
            items = [c for c in d.children if c.name == "tab-item"]
            if d.name == "tab-set" and len(items) == 2:
                yield index, items[0].text, items[1].text


def claims(path: Path):
    """Yield (code cell index, what, quoted) for every claim(...) call with a quoted number."""
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics; chapters have none
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "claim":
                continue
            quoted = node.args[2] if len(node.args) > 2 else next(
                (k.value for k in node.keywords if k.arg == "quoted"), None)
            if quoted is None:
                continue  # a claim of a fact (a bool): nothing quoted
            what = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else "?"
            yield index, what, quoted


def test_number_reader():
    text = r"After 10 epochs (4,550 updates) $x_2 = −0.35$, $\eta_k = 1/(1 + k)$, $10\,000$ and $n - 1$; 1차, 2-D {eq}`gd-1d-rate`"
    assert numbers(text) == {"10", "4550", "-0.35", "1", "10000"}
    assert numbers("$1 - 2\\eta$ = −0.8") == {"1", "2", "-0.8"}
    assert numbers(r"$3 \times 10^{-5}$, $10^{-9}$, $1.1^{20}$") == {"3e-5", "1e-9", "1.1", "20"}
    assert escapes("% numbers: 2 −1 -- Korean says 두 배") == {"2", "-1"}
    assert escapes("% numbers: 2") == set(), "an escape needs a reason"


@pytest.mark.parametrize("path", [_mark(p, "same_numbers") for p in NOTEBOOKS])
def test_both_tabs_quote_the_same_numbers(path):
    problems = []
    for index, ko, en in tab_sets(path):
        exempt = escapes(ko) | escapes(en)
        ko_n, en_n = numbers(ko) - exempt, numbers(en) - exempt
        if ko_n != en_n:
            problems.append(f"cell {index}: only in ko {sorted(ko_n - en_n)}, only in en {sorted(en_n - ko_n)}")
    assert not problems, f"{path.name}: the two tabs quote different numbers:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", [_mark(p, "claims_quote_prose") for p in NOTEBOOKS])
def test_every_claim_quotes_the_prose(path):
    ko_all, en_all = set(), set()
    for _, ko, en in tab_sets(path):
        ko_all |= numbers(ko)
        en_all |= numbers(en)
    problems = []
    for index, what, quoted in claims(path):
        if not (isinstance(quoted, ast.Constant) and isinstance(quoted.value, str)):
            problems.append(f"cell {index}: claim({what!r}) must quote the prose as a string literal")
            continue
        wanted = numbers(quoted.value.replace("%", ""))
        if not wanted:
            problems.append(f"cell {index}: claim({what!r}) quotes no number: {quoted.value!r}")
        for lang, found in (("ko", ko_all), ("en", en_all)):
            missing = wanted - found
            if missing:
                problems.append(f"cell {index}: claim({what!r}, {quoted.value!r}): "
                                f"{sorted(missing)} not in the {lang} prose")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_claims_are_found():
    """Guard the AST reader: the chapters written to this rule do use claim()."""
    found = [q for p in NOTEBOOKS if p.name[:2] in ("01", "02") for _, _, q in claims(p)]
    assert len(found) >= 10
