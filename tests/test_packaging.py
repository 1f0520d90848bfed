"""What an ordinary (not editable) install ships: every file the package reads at run time
must match a pattern of ``[tool.setuptools.package-data]`` (a template left out works in
development and fails with a 500 after `pip install`)."""

from __future__ import annotations

import tomllib
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "followup"
SKIPPED = {".py", ".pyc", ".typed"}


def test_every_data_file_of_the_package_is_shipped() -> None:
    config = tomllib.loads((PACKAGE.parent.parent / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["followup"]
    files = [
        p for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in SKIPPED and "__pycache__" not in p.parts
    ]  # fmt: skip
    assert any(p.match("*.html") for p in files)  # the walk finds the templates
    missing = [
        str(p.relative_to(PACKAGE))
        for p in files
        if not any(p.relative_to(PACKAGE).match(pattern) for pattern in patterns)
    ]
    assert missing == [], "add these to [tool.setuptools.package-data] in pyproject.toml"
