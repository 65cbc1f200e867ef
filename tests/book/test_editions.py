"""The edition tool (chapters/_ext/editions.py): one-language copies of the book sources.

Unit tests on small inputs (tab sets, headings, tables, figure metadata, configuration),
then the real sources: every page of both editions converts, and keeps no text of the
other language where the reader would see it (headings, titles, table of contents).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("editions", ROOT / "chapters" / "_ext" / "editions.py")
editions = importlib.util.module_from_spec(_spec)
sys.modules["editions"] = editions
_spec.loader.exec_module(editions)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def tabs(ko: str, en: str, fence: str = "::::") -> str:
    return (f"{fence}{{tab-set}}\n:sync-group: lang\n\n:::{{tab-item}} 한국어\n:sync: ko\n\n{ko}\n:::\n\n"
            f":::{{tab-item}} English\n:sync: en\n\n{en}\n:::\n{fence}")


@pytest.mark.parametrize("text, ko, en", [
    ("유도 · Derivation", "유도", "Derivation"),
    ("AdaGrad: 좌표별 적응적 학습률 · AdaGrad: per-coordinate rates", "AdaGrad: 좌표별 적응적 학습률",
     "AdaGrad: per-coordinate rates"),
    ("무거운 공 · 속도 · The heavy ball", "무거운 공 · 속도", "The heavy ball"),   # a · inside the Korean side
    ("`learning_rate` (필수 · required)", "`learning_rate` (필수)", "`learning_rate` (required)"),
    ("스케줄 · schedule `InverseTimeDecay`", "스케줄 `InverseTimeDecay`", "schedule `InverseTimeDecay`"),
    ("값 · value at $(2, 5)$", "값 $(2, 5)$", "value at $(2, 5)$"),
    ("gradcheck", "gradcheck", "gradcheck"),                     # language neutral: kept whole
    ("SGD · momentum", "SGD · momentum", "SGD · momentum"),      # no Korean side: not a pair
    ("무거운 공·Keras 형식", "무거운 공·Keras 형식", "무거운 공·Keras 형식"),  # no spaced separator
])
def test_split_bilingual(text, ko, en):
    assert editions.split_bilingual(text, "ko") == ko
    assert editions.split_bilingual(text, "en") == en


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="'fr'"):
        editions.split_bilingual("유도 · Derivation", "fr")


def test_tab_sets_are_unwrapped_to_one_language():
    source = "(sec-x)=\n## 유도 · Derivation\n\n" + tabs("한국어 문단이다.\n\n$$x$$", "An English paragraph.\n\n$$x$$")
    ko = editions.edition_markdown(source, "ko")
    en = editions.edition_markdown(source, "en")
    assert ko == "(sec-x)=\n## 유도\n\n한국어 문단이다.\n\n$$x$$"
    assert en == "(sec-x)=\n## Derivation\n\nAn English paragraph.\n\n$$x$$"


def test_nested_directives_keep_their_fences_and_titles_are_split():
    inner = tabs("`f`를 구현하라.\n\n```python\nprint(1)\n```", "Implement `f`.\n\n```python\nprint(1)\n```")
    source = f"```{{exercise}} 가중치 감쇠 · Weight decay\n:label: ex-wd\n\n{inner}\n```\n\n````{{solution-start}} ex-wd\n:class: dropdown\n````"
    en = editions.edition_markdown(source, "en")
    assert en.splitlines()[:3] == ["```{exercise} Weight decay", ":label: ex-wd", ""]
    assert "Implement `f`." in en and "구현" not in en
    assert en.count("```python") == 1 and en.rstrip().endswith("````{solution-start} ex-wd\n:class: dropdown\n````")
    ko = editions.edition_markdown(source, "ko")
    assert ko.startswith("```{exercise} 가중치 감쇠\n") and "Implement" not in ko


def test_literal_blocks_are_not_touched():
    source = "```markdown\n## 유도 · Derivation\n" + tabs("가", "A") + "\n```"
    assert editions.edition_markdown(source, "en") == source


def test_tables_outside_tabs_keep_one_language():
    table = ("| 기호 · symbol | 뜻 | meaning |\n|---|---|---|\n"
             "| $\\eta$ | 학습률 | learning rate |\n| $\\mu$ | 모멘텀 계수 (`momentum`) | momentum coefficient (`momentum`) |")
    assert editions.edition_markdown(table, "ko").splitlines() == [
        "| 기호 | 뜻 |", "| --- | --- |", "| $\\eta$ | 학습률 |", "| $\\mu$ | 모멘텀 계수 (`momentum`) |"]
    assert editions.edition_markdown(table, "en").splitlines()[0] == "| symbol | meaning |"
    # paired cells, every row
    paired = "| 인수 · argument | PyTorch |\n|---|---|\n| 학습률 · learning rate | `lr=1e-2` (기본 · default) |"
    assert editions.edition_markdown(paired, "en").splitlines()[2] == "| learning rate | `lr=1e-2` (default) |"
    # a table inside a tab is already one language's: a term/translation pair stays
    glossary = tabs("| 한국어 | English | 뜻 |\n|---|---|---|\n| 학습률 | learning rate | 걸음의 크기 |", "x y")
    assert "| 학습률 | learning rate | 걸음의 크기 |" in editions.edition_markdown(glossary, "ko")


@pytest.mark.parametrize("bad, message", [
    ("::::{tab-set}\n:sync-group: lang\n\n:::{tab-item} 한국어\n:sync: ko\n\n가\n:::\n::::", "ko and en"),
    ("::::{tab-set}\n:sync-group: lang\n\n:::{tab-item} 한국어\n:sync: ko\n\n가\n:::\n", "never closed"),
    ("::::{tab-set}\n:sync-group: lang\n\nstray\n" + ":::{tab-item} x\n:sync: ko\n\n가\n:::\n::::", "outside the tab-items"),
])
def test_malformed_tab_sets_are_reported_with_their_place(bad, message):
    with pytest.raises(ValueError, match=message) as info:
        editions.edition_markdown(bad, "en", where="ch.ipynb, cell 3")
    assert "ch.ipynb, cell 3" in str(info.value)


def test_other_tab_sets_are_kept():
    code_tabs = "::::{tab-set}\n\n:::{tab-item} NumPy\nx\n:::\n::::"
    assert editions.edition_markdown(code_tabs, "en") == code_tabs


FIGURE = {"name": "fig-gd-rates", "caption": {"ko": "학습률별 손실", "en": "Loss for each learning rate"},
          "alt": {"ko": "세 곡선", "en": "Three curves"}}


def test_figure_metadata_becomes_a_mystnb_figure():
    meta = {"tags": ["hide-input"], "figure": FIGURE}
    en = editions.figure_metadata(meta, "en", "ch2, cell 5")
    assert en == {"tags": ["hide-input"], "mystnb": {
        "figure": {"name": "fig-gd-rates", "caption": "Loss for each learning rate"}, "image": {"alt": "Three curves"}}}
    assert editions.figure_metadata(meta, "ko", "x")["mystnb"]["figure"]["caption"] == "학습률별 손실"
    assert "figure" in meta, "the input is not modified"


@pytest.mark.parametrize("figure, message", [
    ({**FIGURE, "alt": {"ko": "세 곡선"}}, "alt needs non-empty 'ko' and 'en'"),
    ({k: v for k, v in FIGURE.items() if k != "caption"}, "lacks \\['caption'\\]"),
    ({**FIGURE, "name": "Rates figure"}, "fig-<chapter>-<what>"),
    ("a caption", "must be a mapping"),
])
def test_bad_figure_metadata_is_reported(figure, message):
    with pytest.raises(ValueError, match=message) as info:
        editions.figure_metadata({"figure": figure}, "en", "02_gradient_descent.ipynb, cell 7")
    assert "02_gradient_descent.ipynb, cell 7" in str(info.value)


def test_edition_config_sets_language_title_and_its_own_cache(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    for lang in editions.LANGS:
        out = editions.edition_config(config, lang, tmp_path)
        assert out["sphinx"]["config"]["language"] == lang
        assert out["execute"]["cache"] == str(tmp_path / "_build" / ".jupyter_cache" / lang)
        assert out["execute"]["stderr_output"] == "error", "the stderr-is-an-error rule is kept"
        title = out["title"]
        assert (bool(HANGUL.search(title)) == (lang == "ko")) and " · " not in title, title
    assert config["sphinx"]["config"]["language"] == "ko", "the source configuration is not modified"


def test_repository_url_is_checked():
    assert editions.repository_values({"repository": {"url": "https://github.com/a/b-c/"}}) == {
        "repository_url": "https://github.com/a/b-c", "repository_name": "b-c"}
    with pytest.raises(ValueError, match="repository.url"):
        editions.repository_values({"repository": {"url": "git@github.com:a/b"}})


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = {}
    for lang in editions.LANGS:
        target = tmp_path_factory.mktemp(lang)
        out[lang] = (target, editions.write_edition(ROOT, lang, target))
    return out


def _visible_text(path: Path) -> list[str]:
    """Headings and directive titles of a written page (what the contents and headers show)."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return [line for line in text.splitlines() if re.match(r"#{1,6} |[`:]{3,}\{(exercise|solution)", line)]


def test_every_page_of_the_real_book_converts(written):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for lang, (out, pages) in written.items():
        assert len(pages) == len(editions.toc_files(toc))
        for page in pages:
            text = page.read_text(encoding="utf-8")
            assert "sync-group: lang" not in text, f"{lang}: a language tab set is left in {page.name}"
            assert "{{" not in text or "repository_url" not in text, f"{page.name}: unfilled placeholder"
            for line in _visible_text(page):
                korean = bool(HANGUL.search(line))
                assert korean == (lang == "ko") or not re.search(r"[A-Za-z]{3,}", line) or lang == "ko", (
                    f"{lang} edition, {page.name}: {line!r}")
                assert " · " not in line or not korean or lang == "ko", line
                if lang == "en":
                    assert not korean, f"en edition, {page.name}: Korean in {line!r}"
        written_toc = yaml.safe_load((out / "_toc.yml").read_text(encoding="utf-8"))
        captions = [part["caption"] for part in written_toc["parts"]]
        assert all(bool(HANGUL.search(c)) == (lang == "ko") and " · " not in c for c in captions), captions


def test_the_clone_command_uses_the_configured_repository(written):
    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    assert "{{ repository_url }}" in (ROOT / "chapters" / "preface.md").read_text(encoding="utf-8"), (
        "the preface's git clone must take the URL from _config.yml")
    for lang, (out, _) in written.items():
        assert f"git clone {url}.git" in (out / "chapters" / "preface.md").read_text(encoding="utf-8")


def test_helpers_are_linked_so_notebooks_run_in_place(written):
    out, _ = written["en"]
    assert (out / "chapters" / "booktools" / "plots.py").is_file()
    assert (out / "chapters" / "references.bib").is_file()


def test_writing_twice_changes_nothing(written, tmp_path):
    out, pages = written["ko"]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in pages}
    editions.write_edition(ROOT, "ko", out)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in pages} == before, (
        "unchanged pages must not be rewritten (Sphinx would re-read every page)")


def test_root_index_needs_both_editions_and_points_to_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="ko edition is not built"):
        editions.write_root_index(ROOT, tmp_path)
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    for lang in editions.LANGS:
        page = tmp_path / lang / f"{toc['root']}.html"
        page.parent.mkdir(parents=True)
        page.write_text("<html></html>")
    html = editions.write_root_index(ROOT, tmp_path).read_text(encoding="utf-8")
    assert f'href="ko/{toc["root"]}.html"' in html and f'href="en/{toc["root"]}.html"' in html
    assert editions.STORAGE_KEY in html
    js = (ROOT / "chapters" / "_ext" / "static" / "edition.js").read_text(encoding="utf-8")
    assert f'"{editions.STORAGE_KEY}"' in js, "the switch and the root page must use the same storage key"


def test_the_repository_url_is_written_in_one_place():
    """_config.yml holds it; the notebooks' Colab cells are generated from it (and tested)."""
    import subprocess

    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True,
                               timeout=60).stdout.split()
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout")
    holders = sorted(f for f in files if (ROOT / f).is_file() and url in (ROOT / f).read_text(encoding="utf-8", errors="replace"))
    # the Colab cell of every book notebook (chapters and appendices) is generated from it
    generated = [f for f in holders if re.fullmatch(r"chapters/(\d\d|appendix)_\w+\.ipynb", f)]
    assert [f for f in holders if f not in generated] == ["_config.yml"], holders


def test_bi_follows_the_edition_language(monkeypatch):
    sys.path.insert(0, str(ROOT / "chapters"))
    from booktools.plots import bi

    monkeypatch.delenv("BOOK_LANG", raising=False)
    assert bi("반복", "iteration") == "반복 · iteration", "outside an edition build both languages show"
    monkeypatch.setenv("BOOK_LANG", "ko")
    assert bi("반복", "iteration") == "반복"
    monkeypatch.setenv("BOOK_LANG", "en")
    assert bi("반복", "iteration") == "iteration"
    monkeypatch.setenv("BOOK_LANG", "fr")
    with pytest.raises(ValueError, match="BOOK_LANG.*'fr'"):
        bi("반복", "iteration")
    with pytest.raises(ValueError, match="both texts"):
        bi("", "iteration")


def test_function_and_problem_labels_follow_the_edition_language(monkeypatch):
    """Figure titles use ``fn.label``: it must go through ``bi`` like every other figure text."""
    sys.path.insert(0, str(ROOT / "chapters"))
    from booktools import functions, problems

    valley = functions.valley()
    problem = problems.LogisticRegression([[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0], l2=0.1)
    for obj in (valley, functions.Rosenbrock(), problem):
        monkeypatch.delenv("BOOK_LANG", raising=False)
        assert obj.label == f"{obj.name_ko} · {obj.name_en}"
        monkeypatch.setenv("BOOK_LANG", "ko")
        assert obj.label == obj.name_ko and obj.name_en not in obj.label
        monkeypatch.setenv("BOOK_LANG", "en")
        assert obj.label == obj.name_en
        assert not re.search("[\uac00-\ud7a3]", obj.label), f"Hangul in the English label {obj.label!r}"
        monkeypatch.setenv("BOOK_LANG", "fr")
        with pytest.raises(ValueError, match="BOOK_LANG"):
            obj.label
