"""Shared helpers for the tests of the built website (_build/html).

The built book is produced by `make book`. Locally, tests that need it skip with a
reason when it has not been built; in CI (environment variable CI=true) they fail
instead, so a missing build can never pass silently.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI, when a precondition of a test is not met."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: not skipping)")
    pytest.skip(reason)


def require_site() -> Path:
    require((SITE / "index.html").is_file(), f"the book is not built ({SITE} missing): run `make book`")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port) in a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# The two editions `make book` builds: _build/html/<lang>/ (a contract the browser tests use).
EDITIONS = ("ko", "en")


def require_edition(lang: str) -> Path:
    edition = SITE / lang
    require((edition / "index.html").is_file(), f"the {lang} edition is not built ({edition} missing): run `make book`")
    return edition
