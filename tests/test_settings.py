"""Changing the playbook's settings: every value checked before the file is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followup.config import load_playbook
from followup.errors import InvalidDocument
from followup.services.settings import read_values, save_playbook
from test_cli_support import Cli


def test_values_are_read_in_their_declared_types() -> None:
    values, problems = read_values(
        {"thank_you_hours": " 12 ", "working_days": "0, 1,2", "cycle_channels": "email,phone"}
    )
    assert problems == []
    assert values == {
        "thank_you_hours": 12,
        "working_days": [0, 1, 2],
        "cycle_channels": ["email", "phone"],
    }


def test_saved_settings_hold_only_what_differs_and_load_back(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    save_playbook(config, {"thank_you_hours": "12", "cycle_min_days": "7"})
    assert config.read_text() == "[playbook]\nthank_you_hours = 12\n"
    assert load_playbook(config).thank_you_hours == 12


def test_every_problem_is_reported_and_nothing_written(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[playbook]\nthank_you_hours = 6\n")
    with pytest.raises(InvalidDocument) as caught:
        save_playbook(config, {"thank_you_hours": "x", "nope": "1", "cycle_max_days": "3"})
    problems = "\n".join(caught.value.problems)
    assert "thank_you_hours: 'x' is not a whole number" in problems
    assert "nope: unknown setting" in problems
    assert "cycle_min_days must be smaller than playbook.cycle_max_days" in problems
    assert config.read_text() == "[playbook]\nthank_you_hours = 6\n"


def test_a_file_with_more_than_the_playbook_is_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[playbook]\nthank_you_hours = 6\n\n[mail]\nfrom = 'me'\n")
    with pytest.raises(InvalidDocument, match="holds more than the playbook"):
        save_playbook(config, {"thank_you_hours": "12"})
    assert "[mail]" in config.read_text()


def test_the_cli_sets_settings_after_checking_them(tmp_path: Path) -> None:
    run = Cli(tmp_path / "f.db")
    env = {"FOLLOWUP_CONFIG_DIR": str(tmp_path / "cfg")}
    run("playbook", "--set", "thank_you_hours=12", "--set", "cycle_channels=email", env=env)
    shown = json.loads(run("playbook", "--json", env=env).stdout)
    values = {s["name"]: s["value"] for s in shown["settings"]}
    assert values["thank_you_hours"] == 12
    assert values["cycle_channels"] == ["email"]
    refused = run("playbook", "--set", "thank_you_hours=soon", env=env, expect=5)
    assert "'soon' is not a whole number" in refused.stderr
    run("playbook", "--set", "no-equals-sign", env=env, expect=2)


def test_the_judgment_settings_have_bounds_a_plan_can_live_with() -> None:
    """The planner counts working days one by one: a huge count is refused, never planned."""
    from followup.core.playbook import DEFAULT, from_mapping

    for name, bad, low, high in (
        ("missed_after_days", 100_000_000, 1, 30),
        ("missed_after_days", 0, 1, 30),
        ("call_min_business_days", 10_000, 1, 10),
        ("call_overlap_hours", 25, 1, 8),
    ):
        playbook, problems = from_mapping({name: bad})
        assert playbook == DEFAULT, name
        assert problems == [f"playbook.{name} must be between {low} and {high}, got {bad}"]
    playbook, problems = from_mapping({"missed_after_days": 5, "call_overlap_hours": 3})
    assert problems == [] and playbook.missed_after_days == 5
