"""Seed a server database: 10,000 candidates, 200,000 opportunities with their plans, coaches.

    .venv/bin/python bench/server/seed.py                       # 10,000 x 20, into followup_bench
    .venv/bin/python bench/server/seed.py --candidates 200 --db followup_bench_small

How, so that it takes minutes and not hours, and stays honest:

1. ``followup --db URL server init --org acme --admin admin@acme.example`` (the product's
   command) makes the tables, the job queue and the organisation's admin;
2. a few *template* candidates (100 by default) are made through the product itself: each an
   account (``server.accounts.add_account``) whose workspace imports a generated job search
   (``bench/generate.py``: N opportunities with people, interviews, touches, an offer, a
   ranked favourite) with ``services.documents.import_document``, so the planner really plans
   them and the store writes their ``planned_action`` and ``opportunity_plan`` rows; then
   ``Store.ensure_plans`` stamps each candidate as planned with this playbook and planner.
   Each template has its own seed, time zone, and a reference moment 0 to 6 days back;
3. every other candidate is a copy of one template, made with set-based SQL (``INSERT ...
   SELECT``, one statement per table and batch): the same facts and the same stored plan rows,
   under new keys (each key is the template's plus a multiple of a stride, so no mapping table
   is needed), with its own candidate id, name and account. The copies are *not* shifted in
   time: a stored plan holds days in its reasons (``params``), and a shifted copy would no
   longer be what the planner makes of its facts. So each copy's plan is exactly the planner's
   output, and a re-planning (``replan.py``) rewrites the same rows;
4. accounts in bulk with one precomputed argon2 hash (every account has the password
   ``bench-password-1``), ~100 coaches (one per 100 candidates) each granted access by their
   100 candidates (consent rows: overview, full and act in turn), then the key sequences set,
   and VACUUM ANALYZE (a live database is autovacuumed).

The undo journal of the templates' imports is not copied (a copy has no history). Foreign-key
triggers are off during the copies (``session_replication_role = replica``): the rows are
consistent by construction, and the constraints stay declared.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ADMIN,
    DEFAULT_DB,
    DEFAULT_PG,
    ORGANISATION,
    PASSWORD,
    bar,
    create_database,
    followup_command,
    followup_env,
    followup_url,
    libpq_url,
    say,
    step,
)

TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
    "Europe/Berlin", "Europe/Paris", "Asia/Tokyo", "Australia/Sydney",
)  # fmt: skip
#: the tables copied from a template to each of its copies, in the order of their keys
COPIED = (
    "opportunity",
    "person",
    "interview",
    "interview_person",
    "touch",
    "offer",
    "achievement",
    "action_decision",
    "planned_action",
    "opportunity_plan",
)
#: columns that hold another table's key, and that table
REFERENCES = {
    "opportunity_pk": "opportunity",
    "person_pk": "person",
    "next_step_who_pk": "person",
    "interview_pk": "interview",
}
#: how a copied table's rows are found from the template candidate ``m.t_pk`` (as ``x``)
SOURCES = {
    "interview_person": "JOIN interview AS i ON i.candidate_pk = m.t_pk "
    "JOIN interview_person AS x ON x.interview_pk = i.pk",
    "opportunity_plan": "JOIN opportunity AS o ON o.candidate_pk = m.t_pk "
    "JOIN opportunity_plan AS x ON x.opportunity_pk = o.pk",
}
LEVELS = ("overview", "full", "act")


def template_document(
    index: int, opportunities: int, touches: int, now: datetime
) -> tuple[dict[str, Any], datetime]:
    """Template ``index``'s job search (its seed, zone and reference moment), touches thinned
    to at most ``touches`` per opportunity (the generator makes about twenty)."""
    from generate import generate

    moment = now - timedelta(days=index % 7, hours=index % 5)
    document = generate(opportunities, seed=1000 + index, now=moment)
    rng = random.Random(index)
    for opportunity in document["opportunities"]:
        found = opportunity["touches"]
        if len(found) > touches:
            kept = sorted(rng.sample(range(len(found)), touches))
            opportunity["touches"] = [found[n] for n in kept]
    document["profile"]["name"] = f"Candidate {index}"
    document["profile"]["timezone"] = TIMEZONES[index % len(TIMEZONES)]
    return document, moment


def seed(
    pg: str,
    database: str,
    *,
    candidates: int,
    opportunities: int,
    touches: int = 10,
    templates: int = 100,
    per_coach: int = 100,
    fresh: bool = True,
) -> dict[str, Any]:
    """Make and fill ``database``; what was made and how long each part took."""
    import psycopg

    templates = max(1, min(templates, candidates))
    url = followup_url(pg, database)
    timings: dict[str, float] = {}
    total_start = time.perf_counter()
    with step(f"database {database}: create, then `followup server init`") as t:
        create_database(pg, database, fresh=fresh)
        init = ["server", "init", "--org", ORGANISATION, "--admin", ADMIN]
        subprocess.run(
            [*followup_command(), "--db", url, *init],
            input=PASSWORD + "\n",
            text=True,
            env=followup_env(),
            check=True,
            capture_output=True,
        )
    timings["init_s"] = t["seconds"]
    with step(f"{templates} template candidates through the product ({opportunities} opps each)"):
        started = time.perf_counter()
        template_pks = make_templates(url, templates, opportunities, touches, started)
    timings["templates_s"] = time.perf_counter() - started
    with psycopg.connect(libpq_url(pg, database)) as conn:
        with step(f"copies: {candidates - templates:,} candidates by set-based SQL") as t:
            copy_candidates(conn, template_pks, candidates)
        timings["copies_s"] = t["seconds"]
        with step("accounts, coaches and consent") as t:
            coaches = accounts_and_consent(conn, candidates, templates, per_coach)
        timings["accounts_s"] = t["seconds"]
        with step("key sequences") as t:
            set_sequences(conn)
    conn = psycopg.connect(libpq_url(pg, database), autocommit=True)
    with conn, step("VACUUM ANALYZE") as t:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum_s"] = t["seconds"]
    counts = table_counts(pg, database)
    timings["total_s"] = time.perf_counter() - total_start
    say(
        f"seeded {counts['candidate_accounts']:,} candidates, {counts['opportunity']:,} "
        f"opportunities, {counts['planned_action']:,} planned actions, {coaches} coaches "
        f"in {timings['total_s']:.0f} s"
    )
    return {
        "database": database,
        "url": url,
        "candidates": candidates,
        "opportunities_per_candidate": opportunities,
        "touches_per_opportunity_at_most": touches,
        "templates": templates,
        "coaches": coaches,
        "candidates_per_coach": per_coach,
        "rows": counts,
        "timings": {k: round(v, 1) for k, v in timings.items()},
    }


def make_templates(
    url: str, count: int, opportunities: int, touches: int, started: float
) -> list[int]:
    """``count`` candidates made and filled through the product; their keys, in order."""
    from followup.config import PlaybookSource
    from followup.core.playbook import Playbook
    from followup.server.accounts import add_account
    from followup.services.documents import import_document
    from followup.services.workspace import Workspace
    from followup.store import open_store

    playbook = PlaybookSource.of(Playbook())
    store = open_store(url, playbook)
    now = datetime.now(UTC)
    pks = []
    try:
        for index in range(count):
            account, _ = add_account(
                store,
                organisation=ORGANISATION,
                role="candidate",
                email=candidate_email(index),
                password=PASSWORD,
                now=now,
            )
            assert account.candidate is not None
            document, moment = template_document(index, opportunities, touches, now)
            workspace = Workspace.of(store, playbook, candidate=account.candidate)
            import_document(workspace, document, now=moment)
            pk = store.candidate_pk(account.candidate)
            store.ensure_plans(playbook, pk)  # stamps the candidate: every plan is current
            pks.append(pk)
            bar(index + 1, count, "templates", started)
    finally:
        store.close()
    return pks


def candidate_email(index: int) -> str:
    return f"candidate{index:05d}@example.org"


def coach_email(index: int) -> str:
    return f"coach{index:03d}@acme.example"


def _columns(conn: Any, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND table_schema = current_schema() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [str(r[0]) for r in rows]


def _strides(conn: Any) -> dict[str, int]:
    """For each table with a surrogate key: one more than its largest key (the templates')."""
    found = {}
    for table in ("candidate", *COPIED):
        if "pk" in _columns(conn, table):
            found[table] = int(
                conn.execute(f"SELECT coalesce(max(pk), 0) + 1 FROM {table}").fetchone()[0]
            )
    return found


def _select_list(table: str, columns: list[str], strides: dict[str, int]) -> list[str]:
    """The copy's value of each column: keys moved by the round's stride, the rest as is."""
    values = []
    for column in columns:
        if column == "pk":
            values.append(f"x.pk + m.r * {strides[table]}")
        elif column == "candidate_pk":
            values.append("m.c_pk")
        elif column in REFERENCES:
            values.append(f"x.{column} + m.r * {strides[REFERENCES[column]]}")
        else:
            values.append(f"x.{column}")
    return values


def copy_candidates(conn: Any, template_pks: list[int], candidates: int) -> None:
    """Every candidate beyond the templates: candidate ``g`` copies template ``g % T`` in round
    ``g // T``; its keys are the template's plus ``round * stride``."""
    count = len(template_pks)
    if candidates <= count:
        return
    try:
        conn.execute("SET session_replication_role = replica")  # no FK triggers (superuser)
    except Exception:
        conn.rollback()
        say("  (foreign-key triggers stay on: not a superuser)")
    strides = _strides(conn)
    conn.execute(
        "CREATE TEMP TABLE seed_map (g int PRIMARY KEY, r int, t_pk int, c_pk int) ON COMMIT DROP"
    )
    conn.execute(
        "INSERT INTO seed_map SELECT g, g / %(t)s, (%(pks)s::int[])[g %% %(t)s + 1], %(base)s + g "
        "FROM generate_series(%(t)s, %(n)s - 1) AS g",
        {"t": count, "pks": template_pks, "base": strides["candidate"], "n": candidates},
    )
    conn.execute("ANALYZE seed_map")
    conn.execute(
        "INSERT INTO candidate (pk, id, revision, plan_source, plan_playbook, plan_planner) "
        "SELECT m.c_pk, 'c-bench' || lpad(m.g::text, 6, '0'), t.revision, t.plan_source, "
        "t.plan_playbook, t.plan_planner FROM seed_map AS m JOIN candidate AS t ON t.pk = m.t_pk"
    )
    profile = _columns(conn, "profile")
    values = [
        "'Candidate ' || m.g" if c == "name" else v
        for c, v in zip(profile, _select_list("profile", profile, strides), strict=True)
    ]
    conn.execute(
        f"INSERT INTO profile ({', '.join(profile)}) SELECT {', '.join(values)} "
        "FROM seed_map AS m JOIN profile AS x ON x.candidate_pk = m.t_pk"
    )
    rounds = -(-candidates // count)
    batch = max(1, rounds // 10)
    start = time.perf_counter()
    steps = len(COPIED) * len(range(1, rounds, batch))
    done = 0
    for table in COPIED:
        columns = _columns(conn, table)
        source = SOURCES.get(table, f"JOIN {table} AS x ON x.candidate_pk = m.t_pk")
        statement = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(_select_list(table, columns, strides))} "
            f"FROM seed_map AS m {source} WHERE m.r >= %s AND m.r < %s"
        )
        for first in range(1, rounds, batch):
            conn.execute(statement, [first, first + batch])
            done += 1
            bar(done, steps, f"batches (now {table})", start)
    conn.commit()


def accounts_and_consent(conn: Any, candidates: int, templates: int, per_coach: int) -> int:
    """The copies' accounts, the coaches (one per ``per_coach`` candidates) and each
    candidate's grant to their coach; how many coaches."""
    from argon2 import PasswordHasher

    hashed = PasswordHasher().hash(PASSWORD)
    org = conn.execute("SELECT pk FROM organisation WHERE id = %s", [ORGANISATION]).fetchone()[0]
    now = datetime.now(UTC)
    conn.execute(
        "INSERT INTO account (organisation_pk, email, role, password_hash, candidate_pk, created) "
        "SELECT %(org)s, 'candidate' || lpad(g::text, 5, '0') || '@example.org', 'candidate', "
        "%(hash)s, c.pk, %(now)s FROM candidate AS c "
        "CROSS JOIN LATERAL (SELECT substr(c.id, 8)::int AS g) AS n "
        "WHERE c.id LIKE 'c-bench%%'",
        {"org": org, "hash": hashed, "now": now},
    )
    coaches = -(-candidates // per_coach)
    conn.execute(
        "INSERT INTO account (organisation_pk, email, role, password_hash, candidate_pk, created) "
        "SELECT %s, 'coach' || lpad(k::text, 3, '0') || '@acme.example', 'coach', %s, NULL, %s "
        "FROM generate_series(0, %s - 1) AS k",
        [org, hashed, now, coaches],
    )
    # candidate g (its account's e-mail says g) grants coach g // per_coach
    conn.execute(
        "INSERT INTO consent (candidate_pk, coach_pk, level, granted, revoked) "
        "SELECT a.candidate_pk, k.pk, (ARRAY['overview', 'full', 'act'])[g %% 3 + 1], %s, NULL "
        "FROM account AS a "
        "CROSS JOIN LATERAL (SELECT substr(a.email, 10, 5)::int AS g) AS n "
        "JOIN account AS k ON k.email = 'coach' || lpad((g / %s)::text, 3, '0') || '@acme.example' "
        "WHERE a.role = 'candidate'",
        [now, per_coach],
    )
    conn.commit()
    return coaches


def set_sequences(conn: Any) -> None:
    """Each serial key's sequence past the largest key (the copies gave theirs explicitly)."""
    tables = conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'pk' "
        "AND table_schema = current_schema() AND column_default LIKE 'nextval%'"
    ).fetchall()
    for (table,) in tables:
        conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'pk'), "
            f"coalesce((SELECT max(pk) FROM {table}), 0) + 1, false)"
        )
    conn.commit()


def table_counts(pg: str, database: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(libpq_url(pg, database)) as conn:
        found = {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in ("candidate", *COPIED, "consent")
        }
        roles = conn.execute("SELECT role, count(*) FROM account GROUP BY role").fetchall()
    found |= {f"{role}_accounts": int(n) for role, n in roles}
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"the PostgreSQL server ({DEFAULT_PG})")
    parser.add_argument("--db", default=DEFAULT_DB, help=f"the database to make ({DEFAULT_DB})")
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--opportunities-per-candidate", type=int, default=20)
    parser.add_argument("--touches-per-opportunity", type=int, default=10)
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--candidates-per-coach", type=int, default=100)
    args = parser.parse_args(argv)
    found = seed(
        args.pg,
        args.db,
        candidates=args.candidates,
        opportunities=args.opportunities_per_candidate,
        touches=args.touches_per_opportunity,
        templates=args.templates,
        per_coach=args.candidates_per_coach,
    )
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
