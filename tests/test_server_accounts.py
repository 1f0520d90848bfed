"""The server mode's accounts (``server.accounts``, `followup server user add|list`), on
SQLite and PostgreSQL: organisations made with their first account, one account per address
in any case, argon2 passwords, a workspace for each candidate, every problem said at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from followup.cli.root import cli
from followup.errors import Conflict, InvalidInput, UsageError
from followup.server.accounts import Account, accounts, add_account, verify
from followup.store import Store

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def add(store: Store, role: str, email: str, org: str = "acme") -> tuple[Account, bool]:
    return add_account(store, organisation=org, role=role, email=email, password=PASSWORD, now=NOW)


def test_accounts_share_an_organisation_and_candidates_get_a_workspace(store: Store) -> None:
    coach, new_org = add(store, "coach", "Kim.Lee@ACME.example")
    ada, again = add(store, "candidate", "ada@example.org")
    assert (coach.email, coach.candidate) == ("kim.lee@acme.example", None)
    assert ada.candidate is not None

    assert new_org and not again
    assert [(a.email, a.organisation, a.role) for a in accounts(store)] == [
        ("ada@example.org", "acme", "candidate"),
        ("kim.lee@acme.example", "acme", "coach"),
    ]
    [listed_ada] = [a for a in accounts(store, "acme") if a.role == "candidate"]
    assert listed_ada.candidate is not None and listed_ada.created == NOW
    assert accounts(store, "other") == []
    # the candidate's workspace is a candidate of the store, empty and ready
    pk = store.candidate_pk(listed_ada.candidate)
    assert pk != store.candidate_pk()
    assert store.load_facts(pk).opportunities == ()
    assert [a.candidate for a in accounts(store) if a.role == "coach"] == [None]


def test_one_account_per_address_in_any_case(store: Store) -> None:
    add(store, "coach", "kim@acme.example")
    with pytest.raises(Conflict, match=r"kim@acme\.example has an account already"):
        add(store, "admin", "KIM@acme.example", org="other")
    assert len(accounts(store)) == 1
    assert [a.organisation for a in accounts(store)] == ["acme"]  # nothing half-written


def test_passwords_are_argon2_and_checked(store: Store) -> None:
    add(store, "admin", "root@acme.example")
    found = verify(store, "ROOT@acme.example", PASSWORD)
    assert found is not None and found.role == "admin"
    assert verify(store, "root@acme.example", PASSWORD + "!") is None
    assert verify(store, "nobody@acme.example", PASSWORD) is None
    assert verify(store, "not an address", PASSWORD) is None
    with store._transaction("read", write=False) as conn:
        import sqlalchemy as sa

        stored = conn.execute(sa.text("SELECT password_hash FROM account")).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_every_problem_is_said_at_once(store: Store) -> None:
    with pytest.raises(InvalidInput) as raised:
        add_account(
            store, organisation="bad org", role="boss", email="nope", password=PASSWORD, now=NOW
        )
    paths = [p.path for p in raised.value.problems]
    assert paths == ["--org", "--role", "--email"]
    with pytest.raises(UsageError, match="too short"):
        add_account(
            store, organisation="acme", role="coach", email="a@b.example", password="x", now=NOW
        )
    assert accounts(store) == []


def test_the_command_line(tmp_path: Path) -> None:
    db = str(tmp_path / "server.db")
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, ["--db", db, *args], input=stdin)

    assert "No accounts yet" in run("server", "user", "list").output
    add = ["server", "user", "add", "--org", "acme"]
    made = run(*add, "--role", "candidate", "--email", "ada@example.org", stdin=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert "Added candidate ada@example.org to acme (a new organisation, acme)" in made.output
    no_password = run(*add, "--role", "coach", "--email", "kim@acme.example", stdin="")
    assert no_password.exit_code != 0
    assert "no password on standard input" in no_password.output
    bad = run(*add, "--role", "coach", "--email", "kim at acme", stdin=PASSWORD + "\n")
    assert bad.exit_code != 0
    assert "--email" in bad.output and "not a valid e-mail address" in bad.output
    [only] = json.loads(run("server", "user", "list", "--json").output)
    assert only["email"] == "ada@example.org" and only["role"] == "candidate"
    assert only["workspace"].startswith("c-")


def test_the_command_line_refuses_a_candidates_commands_on_a_servers_database(
    store: Store, db_url: str
) -> None:
    """On a server's database the local workspace is nobody's: `followup today` or `followup
    demo` there would read or fill it silently, so they are refused (the server's own
    commands work)."""
    runner = CliRunner()
    add(store, "admin", "root@acme.example")
    for command in (["today"], ["demo"], ["opportunity", "list"]):
        done = runner.invoke(cli, ["--db", db_url, *command])
        if db_url.startswith("sqlite"):  # a laptop's file: accounts or not, it is theirs
            assert "followup server's" not in done.output
            continue
        assert done.exit_code == 2, done.output
        assert "this database is a followup server's" in done.output
        assert "followup server user list" in done.output and "Traceback" not in done.output
    listed = runner.invoke(cli, ["--db", db_url, "server", "user", "list"])
    assert listed.exit_code == 0 and "root@acme.example" in listed.output
    with store.sql() as db:  # on the server's, nothing was made in the local workspace
        made = db.scalar("SELECT count(*) FROM opportunity")
    assert made == (3 if db_url.startswith("sqlite") else 0)
