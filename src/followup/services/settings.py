"""Changing the playbook's settings: the ``[playbook]`` table of ``config.toml``.

Values arrive as text (a form, a command line), are read into the types the playbook declares,
checked all together (``core.playbook.from_mapping``), and only then written: the file is
replaced atomically and holds just the settings that differ from the defaults. A file that
holds anything besides the ``[playbook]`` table is left for the user to edit by hand.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from followup.core.playbook import DEFAULT, Playbook, from_mapping, settings
from followup.errors import InvalidDocument, UsageError
from followup.files import write_atomically


def read_values(texts: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Settings typed from their text (lists: comma-separated), and what could not be read."""
    values: dict[str, Any] = {}
    known = {name for name, _, _, _ in settings(DEFAULT)}
    problems = [
        f"{name}: unknown setting (`followup playbook` lists them)"
        for name in texts
        if name not in known
    ]
    for name, _, default, _ in settings(DEFAULT):
        if name not in texts:
            continue
        text = texts[name].strip()
        try:
            if isinstance(default, tuple):
                items = [part.strip() for part in text.split(",") if part.strip()]
                kind = type(default[0]) if default else str
                values[name] = [kind(item) for item in items]
            else:
                values[name] = int(text)
        except ValueError:
            problems.append(f"{name}: '{text}' is not {_expected(default)}")
    return values, problems


def save_playbook(config_file: Path, texts: Mapping[str, str]) -> Playbook:
    """Check every value, then write the ones that differ from the defaults to ``config_file``.

    Raises ``InvalidDocument`` listing every problem; nothing is written then.
    """
    values, problems = read_values(texts)
    playbook, more = from_mapping(values)
    problems += more
    if problems:
        raise InvalidDocument("the playbook settings were not saved", problems)
    _check_only_playbook(config_file)
    try:
        config_file.parent.mkdir(parents=True, exist_ok=True)  # the config folder, on first use
    except OSError as exc:
        raise UsageError(f"cannot create {config_file.parent}: {exc.strerror or exc}") from exc
    lines = ["[playbook]"]
    for name, value, default, _ in settings(playbook):
        if value != default:
            lines.append(f"{name} = {_toml(value)}")
    write_atomically(config_file, "\n".join(lines) + "\n")
    return playbook


def _check_only_playbook(config_file: Path) -> None:
    try:
        current = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidDocument(
            f"{config_file} cannot be read, so it was not changed", [str(exc)]
        ) from exc
    others = sorted(set(current) - {"playbook"})
    if others:
        raise InvalidDocument(
            f"{config_file} holds more than the playbook, so it was not changed",
            [f"edit it by hand: it also has {', '.join(others)}"],
        )


def _toml(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _expected(default: Any) -> str:
    if isinstance(default, tuple):
        return "a comma-separated list" + (
            " of whole numbers" if isinstance(default[0], int) else ""
        )
    return "a whole number"
