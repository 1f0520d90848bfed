"""One registry of rules: the README's playbook table and every derived list agree with it."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from followup.core import rules
from followup.core.playbook import Playbook

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_table() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    return [
        (m.group(1), m.group(2).strip())
        for m in re.finditer(r"^\| `([a-z-]+)` \| ([^|]+) \|", text, re.MULTILINE)
        if m.group(1) in {r.id for r in rules.RULES} or "-" in m.group(1)
    ]


def test_the_readme_playbook_table_lists_the_rules_in_order_with_their_what() -> None:
    table = [(rule, what) for rule, what in _readme_table() if not rule.startswith("make")]
    assert table == [(r.id, r.what) for r in rules.RULES]


def test_every_setting_belongs_to_one_rule_or_is_shared() -> None:
    claimed = [s for r in rules.RULES for s in r.settings] + list(rules.SHARED_SETTINGS)
    assert sorted(claimed) == sorted(f.name for f in fields(Playbook))


def test_derived_lists_follow_the_registry() -> None:
    assert rules.SEQUENCE == ("thank-you", "phone-call", "value-add", "continued-interest")
    assert rules.DONE_KIND["phone-call"] == "call"
    assert "keep-searching" not in rules.DRAFTED_RULES
    assert {"cycle", "still-in-running", "set-apart"} == rules.GUARDED_RULES
    assert "phone-call" not in rules.WRITTEN_RULES and "thank-you" in rules.WRITTEN_RULES
