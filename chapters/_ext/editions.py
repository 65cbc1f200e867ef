"""Single-language editions (Korean, English) of the bilingual book sources.

The sources keep both languages: prose in synchronised tab sets (``:sync-group: lang``,
tab items ``:sync: ko`` then ``:sync: en``), headings, titles and captions written
``한국어 · English``, figure captions and alt text in a code cell's metadata
(``"figure": {"name", "caption": {ko, en}, "alt": {ko, en}}``). An edition is a copy of
the book in which every page, heading, caption, config string and table of contents
entry keeps only one language; Jupyter Book then builds it like any book.

Command line (run from the repository root; ``make book`` does this)::

    python chapters/_ext/editions.py sources ko _build/src/ko   # an edition's book sources
    python chapters/_ext/editions.py index _build/html           # the site root: picks an edition
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import yaml

LANGS = ("ko", "en")
STORAGE_KEY = "optimizer-book-edition"
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
SEPARATOR = " · "
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,}|`{3,})(?P<info>.*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<text>.*?)\s*$")
# backtick blocks whose body is literal text, not MyST (a tab set inside stays as written)
LITERAL = {"code", "code-block", "code-cell", "sourcecode", "math", "raw", "literalinclude"}
# every {{ name }} in a page is replaced with the value the configuration gives it
_NEUTRAL = r"(?:`[^`]+`|\$[^$]+\$)"
NEUTRAL_TAIL = re.compile(rf"(?:\s*(?:{_NEUTRAL}|\((?:{_NEUTRAL}|[^()A-Za-z\uac00-\ud7a3])*\)))+\s*$")
PAREN_PAIR = re.compile(r"\(([^()]*[\uac00-\ud7a3][^()]*? · [^()\uac00-\ud7a3]+)\)")
PLACEHOLDER = re.compile(r"\{\{\s*(repository_url|repository_name)\s*\}\}")


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"edition language must be one of {LANGS}, got {lang!r}")
    return lang


def split_bilingual(text: str, lang: str) -> str:
    """The ``lang`` side of ``"한국어 · English"``; other text is returned unchanged.

    ``(한국어 · English)`` groups inside the text are split first. The Korean side may
    itself contain ``" · "``: the split is at the first separator after which no Hangul
    follows. A language-neutral tail of the English side (code, math, a parenthesis of
    them: ``"스케줄 · schedule `InverseTimeDecay`"``) belongs to both sides. Text without
    such a split (no Hangul, or Hangul on both sides) is language neutral and kept whole.
    """
    _check_lang(lang)
    text = PAREN_PAIR.sub(lambda m: f"({split_bilingual(m[1], lang)})", text)
    parts = text.split(SEPARATOR)
    for k in range(1, len(parts)):
        korean, english = SEPARATOR.join(parts[:k]).strip(), SEPARATOR.join(parts[k:]).strip()
        if not HANGUL.search(english):
            if not (HANGUL.search(korean) and english):
                break
            if lang == "en":
                return english
            tail = NEUTRAL_TAIL.search(english)
            if tail and tail.start() > 0 and not korean.endswith(tail[0].strip()):
                korean = f"{korean} {tail[0].strip()}"
            return korean
    return text


class _Block:
    """A fenced block: ``lines[start]`` opens it, ``lines[end]`` closes it."""

    def __init__(self, lines: list[str], start: int, where: str):
        m = FENCE.match(lines[start])
        self.fence = m["fence"]
        info = m["info"].strip()
        d = DIRECTIVE.match(info)
        self.name = d["name"] if d else None
        self.arg = d["arg"] if d else info
        self.start = start
        self.end = self._find_end(lines, start, where)
        self.options: dict[str, str] = {}
        body_start = start + 1
        if self.name is not None:
            while body_start < self.end and OPTION.match(lines[body_start]):
                o = OPTION.match(lines[body_start])
                self.options[o["key"]] = o["value"].strip()
                body_start += 1
        self.body_start = body_start

    def _find_end(self, lines, start, where):
        char, length = self.fence[0], len(self.fence)
        literal = char == "`" and (self.name is None or self.name in LITERAL)
        i = start + 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped and set(stripped) == {char} and len(stripped) >= length:
                return i
            if not literal and FENCE.match(lines[i]):
                i = _Block(lines, i, where).end  # a nested block: its fences are its own
            i += 1
        raise ValueError(f"{where}: the block {lines[start].strip()!r} (line {start + 1}) is never closed")

    @property
    def literal(self) -> bool:
        return self.fence[0] == "`" and (self.name is None or self.name in LITERAL)


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _language_of_header(cell: str) -> str | None:
    cell = cell.strip()
    if HANGUL.search(cell) and not LATIN_WORD.search(cell):
        return "ko"
    if LATIN_WORD.search(cell) and not HANGUL.search(cell):
        return "en"
    return None


def _table(lines: list[str], lang: str) -> list[str]:
    """A table outside the tabs: split ``한국어 · English`` headers, keep one language's columns.

    Columns are per language only when the header has a Korean-only column (``뜻``) and
    an English-only one (``meaning``); then the other language's columns are dropped.
    """
    def cells(line):
        return re.split(r"(?<!\\)\|", line.strip().removeprefix("|").removesuffix("|"))

    rows = [cells(line) for line in lines]
    header = rows[0]
    kinds = [_language_of_header(split_bilingual(c, "ko")) if SEPARATOR not in c else None for c in header]
    keep = list(range(len(header)))
    if "ko" in kinds and "en" in kinds:
        keep = [i for i, kind in enumerate(kinds) if kind in (None, lang)]
    out = []
    for row in rows:
        chosen = [row[i] if i < len(row) else "" for i in keep]
        split = [split_bilingual(c.strip(), lang) for c in chosen]
        if keep == list(range(len(header))) and split == [c.strip() for c in chosen]:
            out.append(lines[len(out)])  # nothing to change: keep the line as written
        else:
            out.append("| " + " | ".join(split) + " |")
    return out


def edition_markdown(source: str, lang: str, where: str = "<text>") -> str:
    """The MyST text ``source`` with only the ``lang`` edition's language.

    Language tab sets are replaced by the body of their ``lang`` tab item, headings and
    directive titles written ``한국어 · English`` keep one side, and tables whose header
    has a Korean and an English column keep that language's columns.
    """
    _check_lang(lang)
    lines = source.split("\n")
    return "\n".join(_transform(lines, lang, where, in_tab=False))


def _transform(lines: list[str], lang: str, where: str, in_tab: bool) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line):
            block = _Block(lines, i, where)
            out += _transform_block(lines, block, lang, where, in_tab)
            i = block.end + 1
            continue
        if line.lstrip().startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            # inside a tab the table is already one language's (and may pair terms on purpose)
            out += _table(lines[i:j], lang) if j - i >= 2 and not in_tab else lines[i:j]
            i = j
            continue
        h = HEADING.match(line)
        out.append(f"{h['marks']} {split_bilingual(h['text'], lang)}" if h else line)
        i += 1
    return out


def _transform_block(lines, block: _Block, lang, where, in_tab) -> list[str]:
    if block.literal:
        return lines[block.start:block.end + 1]
    body = lines[block.body_start:block.end]
    if block.name == "tab-set" and block.options.get("sync-group") == "lang":
        return _choose_tab(body, lang, f"{where}, line {block.start + 1}")
    opening = lines[block.start]
    if block.name is not None and block.arg:
        indent = FENCE.match(opening)["indent"]
        opening = f"{indent}{block.fence}{{{block.name}}} {split_bilingual(block.arg, lang)}"
    options = lines[block.start + 1:block.body_start]
    return [opening, *options, *_transform(body, lang, where, in_tab), lines[block.end]]


def _choose_tab(body: list[str], lang: str, where: str) -> list[str]:
    items: dict[str, list[str]] = {}
    i = 0
    while i < len(body):
        if FENCE.match(body[i]):
            block = _Block(body, i, where)
            if block.name != "tab-item":
                raise ValueError(f"{where}: a language tab-set may hold only tab-items, found {block.name!r}")
            sync = block.options.get("sync")
            if sync not in LANGS or sync in items:
                raise ValueError(f"{where}: tab-item {block.arg!r} has ':sync: {sync}' (need one 'ko' and one 'en')")
            items[sync] = body[block.body_start:block.end]
            i = block.end + 1
            continue
        if body[i].strip():
            raise ValueError(f"{where}: text outside the tab-items of a language tab-set: {body[i].strip()[:60]!r}")
        i += 1
    if set(items) != set(LANGS):
        raise ValueError(f"{where}: a language tab-set needs tab-items for ko and en, found {sorted(items)}")
    return _trim(_transform(items[lang], lang, where, in_tab=True))


def figure_metadata(metadata: dict, lang: str, where: str) -> dict:
    """Cell metadata with ``figure`` turned into myst-nb's figure (name, caption) and image alt."""
    if "figure" not in metadata:
        return metadata
    metadata = copy.deepcopy(metadata)
    figure = metadata.pop("figure")
    if not isinstance(figure, dict):
        raise ValueError(f"{where}: metadata 'figure' must be a mapping, got {figure!r}")
    missing = [k for k in ("name", "caption", "alt") if not figure.get(k)]
    if missing:
        raise ValueError(f"{where}: metadata 'figure' lacks {missing} (has {sorted(figure)})")
    name = figure["name"]
    if not re.fullmatch(r"fig-[a-z0-9]+(-[a-z0-9]+)*", str(name)):
        raise ValueError(f"{where}: figure name must look like 'fig-<chapter>-<what>', got {name!r}")
    texts = {}
    for key in ("caption", "alt"):
        value = figure[key]
        if not isinstance(value, dict) or not all(isinstance(value.get(l), str) and value[l].strip() for l in LANGS):
            raise ValueError(f"{where}: figure {key} needs non-empty 'ko' and 'en' texts, got {value!r}")
        texts[key] = value[lang].strip()
    mystnb = metadata.setdefault("mystnb", {})
    mystnb["figure"] = {**mystnb.get("figure", {}), "name": name, "caption": texts["caption"]}
    mystnb["image"] = {**mystnb.get("image", {}), "alt": texts["alt"]}
    return metadata


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m[1]], text)


def edition_notebook(nb: dict, lang: str, where: str, values: dict[str, str] | None = None) -> dict:
    """A notebook (as JSON) with single-language markdown cells and figure metadata."""
    nb = copy.deepcopy(nb)
    nb.get("metadata", {}).pop("widgets", None)
    for index, cell in enumerate(nb["cells"]):
        here = f"{where}, cell {index}"
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            source = edition_markdown(source, lang, here)
            if values:
                source = _fill(source, values)
        elif cell["cell_type"] == "code":
            cell["metadata"] = figure_metadata(cell.get("metadata", {}), lang, here)
        cell["source"] = source.splitlines(keepends=True)
    nb.setdefault("metadata", {})["book_edition"] = lang
    return nb


def _walk_strings(value, lang):
    if isinstance(value, str):
        return split_bilingual(value, lang)
    if isinstance(value, list):
        return [_walk_strings(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: _walk_strings(v, lang) for k, v in value.items()}
    return value


def repository_values(config: dict) -> dict[str, str]:
    url = str(config.get("repository", {}).get("url", "")).rstrip("/")
    if not re.fullmatch(r"https://[\w.-]+/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"_config.yml: repository.url must be https://host/owner/name, got {url!r}")
    return {"repository_url": url, "repository_name": url.rsplit("/", 1)[1].removesuffix(".git")}


def edition_config(config: dict, lang: str, root: Path) -> dict:
    """The edition's _config.yml: one-language strings, its Sphinx language, its own cache."""
    _check_lang(lang)
    config = _walk_strings(copy.deepcopy(config), lang)
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["language"] = lang
    sphinx_config["book_editions"] = list(LANGS)
    # Sphinx re-reads every page when a config value changes, not when an extension does
    sphinx_config["book_ext_digest"] = ext_digest()
    execute = config.setdefault("execute", {})
    cache = Path(execute.get("cache", "_build/.jupyter_cache"))
    execute["cache"] = str((cache if cache.is_absolute() else root / cache) / lang)
    return config


def ext_digest() -> str:
    """A digest of this folder's code, templates and static files (the book's own extension)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted(here.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(here)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def toc_files(toc: dict) -> list[str]:
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    files += [entry["file"] for entry in toc.get("chapters", [])]
    return files


def _write(path: Path, text: str) -> None:
    """Write only when the text changed: Sphinx re-reads a page whose file is newer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


def write_edition(root: Path, lang: str, out: Path) -> list[Path]:
    """Write the ``lang`` edition's book sources under ``out``; return the pages written.

    Pages of the table of contents are converted; everything else in their folders
    (helpers, static files, the bibliography) is linked, so notebooks run as they do
    in the repository (cwd = their folder, ``import booktools``).
    """
    _check_lang(lang)
    root, out = root.resolve(), out.resolve()
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    values = repository_values(config)
    _write(out / "_config.yml", "# Generated by chapters/_ext/editions.py from ../../_config.yml: edit that one.\n"
           + yaml.safe_dump(edition_config(config, lang, root), allow_unicode=True, sort_keys=False))
    _write(out / "_toc.yml", yaml.safe_dump(_walk_strings(toc, lang), allow_unicode=True, sort_keys=False))
    pages, folders = [], set()
    for name in toc_files(toc):
        for suffix in (".ipynb", ".md"):
            src = root / f"{name}{suffix}"
            if src.is_file():
                break
        else:
            raise FileNotFoundError(f"_toc.yml lists {name!r}, but neither {name}.ipynb nor {name}.md exists")
        rel = src.relative_to(root)
        folders.add(rel.parent)
        if suffix == ".ipynb":
            nb = edition_notebook(json.loads(src.read_text(encoding="utf-8")), lang, str(rel), values)
            text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        else:
            text = _fill(edition_markdown(src.read_text(encoding="utf-8"), lang, str(rel)), values)
        _write(out / rel, text)
        pages.append(out / rel)
    converted = {p.relative_to(out) for p in pages}
    for folder in folders:
        for entry in sorted((root / folder).iterdir()):
            rel = entry.relative_to(root)
            if rel in converted or entry.name in ("__pycache__", ".ipynb_checkpoints", "_build"):
                continue
            if entry.suffix in (".ipynb", ".md") and entry.is_file():
                continue  # a page outside the table of contents is not part of the book
            _link(entry, out / rel)
    return pages


ROOT_PAGE = """<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_ko} · {title_en}</title>
<link rel="icon" href="ko/_static/favicon.svg" type="image/svg+xml">
<script>
(function () {{
  var editions = ["ko", "en"], chosen = null;
  try {{ chosen = localStorage.getItem("{key}"); }} catch (e) {{}}
  if (editions.indexOf(chosen) < 0) {{
    var prefs = navigator.languages || [navigator.language || ""];
    chosen = "en";
    for (var i = 0; i < prefs.length; i++) {{
      var code = String(prefs[i]).slice(0, 2).toLowerCase();
      if (editions.indexOf(code) >= 0) {{ chosen = code; break; }}
    }}
  }}
  location.replace(chosen + "/{page}" + location.hash);
}})();
</script>
</head>
<body>
<p><a href="ko/{page}" hreflang="ko" lang="ko">{title_ko} (한국어판)</a></p>
<p><a href="en/{page}" hreflang="en" lang="en">{title_en} (English edition)</a></p>
</body>
</html>
"""


EDITION_INDEX = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="icon" href="_static/favicon.svg" type="image/svg+xml">
<link rel="alternate" hreflang="{other}" href="../{other}/index.html">
<meta http-equiv="refresh" content="0; url={page}">
</head>
<body><p><a href="{page}">{title}</a></p></body>
</html>
"""


def write_root_index(root: Path, site: Path) -> Path:
    """The site root: opens the remembered edition, else the browser's language (else English).

    Each edition's own index.html (Jupyter Book's bare redirect) is rewritten with the
    edition's language and the favicon.
    """
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    title = str(config.get("title", ""))
    for lang in LANGS:
        if not (site / lang / f"{toc['root']}.html").is_file():
            raise FileNotFoundError(f"the {lang} edition is not built: {site / lang / toc['root']}.html missing")
    page = ROOT_PAGE.format(title_ko=split_bilingual(title, "ko"), title_en=split_bilingual(title, "en"),
                            key=STORAGE_KEY, page=f"{toc['root']}.html")
    _write(site / "index.html", page)
    for lang in LANGS:
        other = next(l for l in LANGS if l != lang)
        _write(site / lang / "index.html", EDITION_INDEX.format(
            lang=lang, other=other, title=split_bilingual(title, lang), page=f"{toc['root']}.html"))
    favicon = site / "ko" / "_static" / "favicon.svg"
    if favicon.is_file():
        _write(site / "favicon.svg", favicon.read_text(encoding="utf-8"))
    return site / "index.html"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sources", help="write one edition's book sources")
    s.add_argument("lang", choices=LANGS)
    s.add_argument("out", type=Path)
    i = sub.add_parser("index", help="write the site root that opens an edition")
    i.add_argument("site", type=Path)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository (default: cwd)")
    args = parser.parse_args(argv)
    try:
        if args.command == "sources":
            pages = write_edition(args.root, args.lang, args.out)
            print(f"{args.lang} edition: {len(pages)} pages in {args.out}")
        else:
            print(f"site root: {write_root_index(args.root, args.site)}")
    except (ValueError, FileNotFoundError) as exc:
        print(f"editions.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
