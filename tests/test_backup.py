"""`followup backup` and `followup restore`, on SQLite and PostgreSQL: everything a user would
miss comes back (facts, reading list, edited drafts, settings file, mail settings, outbox,
tokens, journal); a broken backup restores nothing and names the problem; a non-empty database
is not overwritten without --force; a backup taken while another thread writes is consistent."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from conftest import TEST_DATABASE_ENV, postgres_schema
from followup.config import playbook_source
from followup.core.interchange import dump_document
from followup.core.model import Touch
from followup.errors import Conflict, InvalidDocument
from followup.integrations.mailconf import Server
from followup.integrations.smtp import SmtpMailer
from followup.services import (
    access,
    articles,
    backup,
    calendar,
    documents,
    drafting,
    history,
    mail,
    record,
    settings,
)
from followup.services.workspace import LABEL, Workspace
from followup.store import sqlite_url
from mailfixtures.smtp_server import PASSWORD, USER, SmtpServer
from test_cli_support import Cli

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
ZONE = "America/New_York"
THANKS = "thank-you:brightline:priya:final-panel"
EDITED = "thank-you:brightline:dana:final-panel"
WEB_PASSWORD = "correct horse battery staple"


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        yield sqlite_url(tmp_path / "restored.db")
        return
    with postgres_schema(os.environ[TEST_DATABASE_ENV]) as url:
        yield url


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _workspace(url: str, config_file: Path) -> Workspace:
    return Workspace(url, playbook_source(config_file), config_dir=config_file.parent)


def _full(url: str, config_file: Path, smtp: SmtpServer) -> tuple[Workspace, dict[str, str]]:
    """The demo, with something in every table a backup holds; the secrets made on the way."""
    settings.save_playbook(config_file, {"thank_you_hours": "12"})
    ws = _workspace(url, config_file)
    documents.load_demo(ws, NOW, ZONE)
    articles.import_feeds(ws, [articles.sample_feed()], NOW)
    articles.add(ws, "https://example.com/kafka", "Kafka at scale", "Why", "kafka,ops", NOW)
    drafting.save_edit(ws, EDITED, "Dear Dana,\n\nThank you, truly.\n", NOW)
    mail.set_settings(
        ws,
        {
            "from_address": "alex@me.example",
            "from_name": "Alex Morgan",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_security": "none",
            "smtp_user": USER,
        },
    )
    mailer = SmtpMailer(Server("smtp", "127.0.0.1", smtp.port, "none", USER), PASSWORD)
    prepared = mail.prepare(ws, THANKS, NOW, "Subject: Thank you\n\nDear Priya,\n")
    mail.send(ws, prepared, mailer, NOW, "alex@me.example")
    secrets = {
        "calendar": calendar.new_token(ws, NOW),
        "api": access.new_token(ws, "script", NOW),
    }
    access.set_password(ws, WEB_PASSWORD, NOW)
    record.add_touch(ws, "northwind", Touch(NOW, "sam", "email", "in", "other", summary="news"))
    return ws, secrets


def _outbox(ws: Workspace) -> list[dict[str, Any]]:
    """The outbox without its numbers (a restore numbers the rows again, in order)."""
    return [{k: v for k, v in row.items() if k != "id"} for row in mail.outbox(ws)]


def _history(ws: Workspace) -> list[tuple[int, str, list[str], bool]]:
    return [(e.seq, e.label, e.lines, e.undone) for e in history.history(ws)]


def _statuses(ws: Workspace) -> dict[str, str]:
    return {a.id: a.status for a in ws.agenda().at(NOW)}


def _round_trip(path: Path, ws: Workspace, config_file: Path | None) -> backup.Backup:
    backup.write(path, backup.take(ws, now=NOW, config_file=config_file))
    text = path.read_text(encoding="utf-8")
    return backup.check(backup.read_json(text, str(path)), str(path))


def test_a_restored_backup_gives_back_everything(
    db_url: str, fresh_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    config, other_config = tmp_path / "a" / "config.toml", tmp_path / "b" / "config.toml"
    ws, secrets = _full(db_url, config, smtp)
    path = tmp_path / "backup.json"
    checked = _round_trip(path, ws, config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds mail and password hashes
    text = path.read_text(encoding="utf-8")
    assert WEB_PASSWORD not in text and PASSWORD not in text and secrets["api"] not in text
    assert json.loads(text)["backup"] == 1

    other = _workspace(fresh_url, other_config)
    done = backup.restore(other, checked, config_file=other_config)
    assert done.settings == "written"
    assert other_config.read_text() == config.read_text()
    other.close()
    other = _workspace(fresh_url, other_config)  # as the next run would open it
    try:
        assert documents.export_document(other) == documents.export_document(ws)
        assert articles.listing(other) == articles.listing(ws)
        assert len(articles.listing(other)) > 1
        assert other.reading().edited_drafts() == ws.reading().edited_drafts() != {}
        assert mail.get_settings(other) == mail.get_settings(ws)
        assert _outbox(other) == _outbox(ws)
        [sent] = _outbox(other)
        assert sent["state"] == "sent" and sent["message_id"].startswith("<")
        assert calendar.current_token(other) == secrets["calendar"]
        assert access.tokens(other) == access.tokens(ws)
        assert access.token_is_valid(other, secrets["api"])
        assert access.verify_password(other, WEB_PASSWORD, NOW)
        assert access.keys(other) != access.keys(ws)  # a new session key: sessions end
        assert _history(other) == _history(ws)
        assert _statuses(other) == _statuses(ws)  # planned again, with the restored playbook
        history.undo(other)  # the restored journal undoes the restored facts
        history.undo(ws)
        assert documents.export_document(other) == documents.export_document(ws)
        # a second backup of the restored database holds the same, but when and which session
        again = backup.take(other, now=NOW, config_file=other_config)
        first = backup.take(ws, now=NOW, config_file=config)
        assert again | {"made": None} == first | {"made": None}
    finally:
        ws.close()
        other.close()


def test_restore_without_force_refuses_a_database_that_holds_anything(
    db_url: str, fresh_url: str, tmp_path: Path
) -> None:
    ws = Workspace(db_url)
    documents.load_demo(ws, NOW, ZONE)
    checked = _round_trip(tmp_path / "b.json", ws, None)
    other = Workspace(fresh_url)
    articles.add(other, "https://example.com/a", "A", "", "", NOW)  # only a reading list
    before = articles.listing(other)
    with pytest.raises(Conflict, match="1 article"):
        backup.restore(other, checked, config_file=None)
    assert articles.listing(other) == before and other.facts().opportunities == ()
    backup.restore(other, checked, config_file=None, force=True)
    assert documents.export_document(other) == documents.export_document(ws)
    assert articles.listing(other) == []  # replaced: the backup had no reading list
    ws.close()
    other.close()


def _broken(doc: dict[str, Any], how: str) -> str:
    """Break ``doc`` one way; the path the problem must name."""
    if how == "version":
        doc["backup"] = 7
        return "backup: 7 is not a supported backup version"
    if how == "fact":
        doc["facts"]["opportunities"][0]["people"][0]["role"] = "boss"
        return "facts.opportunities[0].people[0].role: 'boss' is not one of"
    if how == "outbox":
        doc["outbox"][0]["state"] = "lost"
        return "outbox[0].state: 'lost' is not one of"
    if how == "journal":
        parts = doc["journal"][0]["after"]
        n = next(n for n, p in enumerate(parts) if p["kind"] == "opportunity")
        parts[n]["value"]["status"] = "maybe"
        return f"journal[0].after[{n}].value.status: 'maybe' is not one of"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["version", "fact", "outbox", "journal"])
def test_a_broken_backup_restores_nothing_and_names_the_problem(
    db_url: str, fresh_url: str, tmp_path: Path, smtp: SmtpServer, how: str
) -> None:
    config = tmp_path / "a" / "config.toml"
    ws, _ = _full(db_url, config, smtp)
    doc = backup.take(ws, now=NOW, config_file=config)
    where = _broken(doc, how)
    other_config = tmp_path / "b" / "config.toml"
    other = _workspace(fresh_url, other_config)
    with pytest.raises(InvalidDocument) as caught:
        backup.restore(other, backup.check(doc, "b.json"), config_file=other_config)
    assert "nothing was restored" in caught.value.message
    assert any(where in p for p in caught.value.problems), caught.value.problems
    assert other.facts().opportunities == () and articles.listing(other) == []
    assert mail.outbox(other) == [] and not other_config.exists()
    ws.close()
    other.close()


def test_a_backup_taken_while_another_thread_writes_is_consistent(
    db_url: str, fresh_url: str, tmp_path: Path
) -> None:
    ws = Workspace(db_url)
    documents.load_demo(ws, NOW, ZONE)
    base = _touches(dump_document(ws.facts()))
    stop = threading.Event()
    written: list[str] = []
    failed: list[BaseException] = []

    def write() -> None:
        LABEL.set("writer")
        try:
            n = 0
            while not stop.is_set() and n < 80:  # fewer than the journal keeps
                at = NOW + timedelta(minutes=n)
                touch = Touch(at, "sam", "email", "in", "other", summary=f"note {n}")
                written.append(record.add_touch(ws, "northwind", touch))
                n += 1
        except BaseException as exc:  # pragma: no cover - reported below
            failed.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    taken = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and writer.is_alive():
        taken.append(backup.take(ws, now=NOW, config_file=None))
    stop.set()
    writer.join()
    assert not failed, failed
    assert len(written) > 2, "the writer wrote while the backups were taken"
    middle = [t for t in taken if base < _touches(t["facts"]) < base + len(written)]
    assert middle, "some backup saw some but not all of the writes"
    for doc in [middle[len(middle) // 2], taken[-1]]:
        # each write all or nothing: the touches and the journal entries agree
        added = _touches(doc["facts"]) - base
        entries = [e for e in doc["journal"] if e["label"] == "writer"]
        assert len(entries) == added
        [northwind] = [o for o in doc["facts"]["opportunities"] if o["id"] == "northwind"]
        if entries:
            [after] = [p for p in entries[-1]["after"] if p["key"] == "northwind"]
            assert [t["id"] for t in after["value"]["touches"]] == [
                t["id"] for t in northwind["touches"]
            ]
    doc = middle[len(middle) // 2]
    checked = backup.check(json.loads(backup.dumps(doc)), "mid-write backup")
    other = Workspace(fresh_url)
    backup.restore(other, checked, config_file=None)
    assert documents.export_document(other) == doc["facts"]
    assert len([e for e in history.history(other) if e.label == "writer"]) == (
        _touches(doc["facts"]) - base
    )
    ws.close()
    other.close()


def _touches(facts: dict[str, Any]) -> int:
    return sum(len(o.get("touches", [])) for o in facts["opportunities"])


# -- the command line ----------------------------------------------------------------------------


# On SQLite: the services above run on both backends (a `followup` run on PostgreSQL leaves a
# pooled connection open at exit, which the tests' warnings-as-errors would flag).


def test_cli_backup_and_restore(tmp_path: Path) -> None:
    run, other = Cli(tmp_path / "a.db"), Cli(tmp_path / "b.db")
    run("demo")
    path = tmp_path / "b.json"
    assert "Backed up 3 opportunities" in run("backup", str(path)).stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    result = other("restore", str(path))
    assert "Restored 3 opportunities" in result.stdout
    assert other.export() == run.export()
    refused = other("restore", str(path), expect=4)
    assert "restore --force" in refused.output
    other("restore", "--force", str(path))
    assert other.export() == run.export()


def test_cli_restore_of_a_broken_file_writes_nothing(tmp_path: Path) -> None:
    run, other = Cli(tmp_path / "a.db"), Cli(tmp_path / "b.db")
    run("demo")
    path = tmp_path / "b.json"
    run("backup", str(path))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["articles"][0]["added"] = "yesterday"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = other("restore", str(path), expect=5)
    assert "nothing was restored" in result.output
    assert "articles[0].added: 'yesterday'" in result.output
    assert json.loads(other.export())["opportunities"] == []
    export = tmp_path / "e.json"
    export.write_text(run.export(), encoding="utf-8")
    assert "`followup import` reads it" in other("restore", str(export), expect=5).output
