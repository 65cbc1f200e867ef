"""The README's code examples run, and its set-up commands match the Makefile and CI."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("index", range(len(PYTHON_BLOCKS)))
def test_readme_python_example_runs(index):
    namespace = {}
    exec(compile(PYTHON_BLOCKS[index], f"README.md block {index}", "exec"), namespace)
    if "loss" in namespace:  # the training example must actually train
        assert namespace["loss"].item() < 0.5


def test_readme_commands_are_the_ones_ci_and_make_run():
    assert "make book" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^book:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make book" in ci and "make test" in ci
