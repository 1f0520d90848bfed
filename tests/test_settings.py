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


def test_every_whole_number_setting_has_bounds_and_absurd_values_are_refused(
    tmp_path: Path,
) -> None:
    from dataclasses import fields

    from followup.core.playbook import BOUNDS, DEFAULT, Playbook, from_mapping

    numbers = {f.name for f in fields(Playbook) if isinstance(getattr(DEFAULT, f.name), int)}
    assert set(BOUNDS) == numbers
    for name, (low, high) in BOUNDS.items():
        assert low <= getattr(DEFAULT, name) <= high, name  # the defaults are within them
        _, problems = from_mapping({name: 100_000_000})
        assert any(f"{name} must be between {low} and {high}" in p for p in problems), name
    _, problems = from_mapping({"cycle_channels": ["email", "pigeon"], "working_days": [1, 1]})
    assert any("unknown channel 'pigeon'" in p for p in problems)
    assert any("each once" in p for p in problems)
    config = tmp_path / "config.toml"
    with pytest.raises(InvalidDocument):
        save_playbook(config, {"thank_you_hours": "100000000"})
    assert not config.exists()


def test_the_extremes_of_every_bound_plan_without_failing(tmp_path: Path) -> None:
    """Any playbook the bounds allow plans the demo, however odd (a coach's "never" is 168h)."""
    from datetime import UTC, datetime

    from followup.core.playbook import BOUNDS, from_mapping
    from followup.services import documents
    from followup.services.workspace import Workspace
    from followup.store import open_store

    now = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        ws = Workspace.of(store)
        documents.load_demo(ws, now, "America/New_York")
        for pick in (0, 1):
            values = {name: bounds[pick] for name, bounds in BOUNDS.items()}
            # the pairs that must be ordered stay ordered
            values["value_add_end_days"] = max(values["value_add_end_days"], 31)
            values["continued_interest_end_days"] = max(values["continued_interest_end_days"], 61)
            values["cycle_max_days"] = max(values["cycle_max_days"], 61)
            values["business_hours_start"], values["business_hours_end"] = (0, 24)
            values["candidate_day_start"], values["candidate_day_end"] = (0, 24)
            playbook, problems = from_mapping(values)
            assert problems == [], problems
            actions = ws.with_playbook(playbook).agenda().at(now)
            assert actions  # planned, nothing raised
    finally:
        store.close()


def test_cli_refuses_an_absurd_setting_and_a_huge_weekly_target(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "f.db")
    cli("demo")
    env = {"FOLLOWUP_CONFIG_DIR": str(tmp_path / "cfg")}
    refused = cli("playbook", "--set", "thank_you_hours=100000000", expect=5, env=env)
    assert "thank_you_hours must be between 1 and 168" in refused.stderr
    refused = cli("profile", "set", "--weekly-target", "100000000", expect=2)
    assert "profile.weekly_target" in refused.stderr
    assert cli("today").exit_code == 0


def test_a_running_server_follows_changes_to_the_settings_file(tmp_path: Path) -> None:
    """`followup playbook --set` (or an edit by hand) while the page is served: the next
    request plans with the new settings, no restart."""
    import os
    from datetime import datetime

    from fastapi.testclient import TestClient

    from followup.web.app import create_app
    from followup.web.settings import WebSettings
    from test_web import NOW, THANK_DANA, token

    config = tmp_path / "config.toml"
    settings = WebSettings(f"sqlite:///{tmp_path / 'w.db'}", clock=lambda: NOW, config_file=config)
    with TestClient(create_app(settings)) as client:
        client.get("/")
        client.post("/demo", data={"csrf_token": token(client)})

        def hours() -> float:
            dana = next(a for a in client.get("/api/plan").json() if a["id"] == THANK_DANA)
            span = datetime.fromisoformat(dana["window_end"]) - datetime.fromisoformat(
                dana["window_start"]
            )
            return span.total_seconds() / 3600

        assert hours() == 24
        save_playbook(config, {"thank_you_hours": "6"})  # what `playbook --set` does
        stat = config.stat()  # a change within the same clock tick is still seen (size)
        os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert hours() == 6
