"""The server under load: the coach's caseload and the admin's organisation view, then 100
concurrent users for 60 s, against `followup server run --workers 2` on a seeded database.

    .venv/bin/python bench/server/load.py --db followup_bench          # after seed.py
    .venv/bin/python bench/server/load.py --db followup_bench --users 100 --seconds 60

1. **Views** (sequential, one client): signed in as a coach with 100 candidates, ``GET /coach``
   and ``GET /api/coach/caseload``; as the organisation's admin, ``GET /api/admin/organisation``
   and ``GET /admin`` (the first page of rows, 100 of them; the counts are over everyone).
   One warm-up request each, then ``--requests`` (50) in a row, stopping
   early after ``--budget`` seconds per route (keeping at least 5). Target: p95 <= 1 s.
2. **Users** (concurrent): ``--users`` simulated people, 80 % candidates and 20 % coaches,
   each with a connection of their own, signed in first (``GET /login`` for the CSRF cookie,
   ``POST /login``) and then acting in a loop for ``--seconds``, pausing ``--think`` seconds
   (jittered 0.5x to 1.5x) between requests, as people reading pages do:

   - a candidate: ``GET /`` (Today) 45 %, ``GET /pipeline`` 20 %, ``GET /api/plan`` 20 %,
     ``POST /api/actions/{id}/snooze`` 8 % and ``POST /api/actions/{id}/skip`` 7 % (on an
     open action of theirs read from /api/plan); the API with ``Authorization: Bearer`` (a token
     made for them with ``server.auth.new_api_token``), the pages with the session cookie;
   - a coach: ``GET /coach`` 50 %, ``GET /coach/c/{candidate}`` 50 % (one of their caseload).

   An error is an exception (time-out, refused connection) or an answer that is not 2xx or
   3xx, or a redirect to /login (a lost session). Target: no error, and p95 of Today <= 100 ms.

Everything goes to 127.0.0.1 only. The server's processes, the database and this client share
the machine (note its cores next to the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ADMIN,
    DEFAULT_DB,
    DEFAULT_PG,
    PASSWORD,
    followup_command,
    followup_env,
    followup_url,
    libpq_url,
    say,
    summary_ms,
)

TARGET_VIEW_P95_MS = 1000.0
TARGET_TODAY_P95_MS = 100.0
CANDIDATE_MIX = (
    ("GET /", 45),
    ("GET /pipeline", 20),
    ("GET /api/plan", 20),
    ("POST /api/actions/{id}/snooze", 8),
    ("POST /api/actions/{id}/skip", 7),
)
COACH_MIX = (("GET /coach", 50), ("GET /coach/c/{candidate}", 50))
OPEN = frozenset({"upcoming", "due", "overdue"})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_server(url: str, workers: int = 2) -> Iterator[str]:
    """`followup server run --workers N` on 127.0.0.1 until the block ends; its base URL."""
    port = free_port()
    command = [*followup_command(), "--db", url, "server", "run"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command,
        env=followup_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the web processes stop with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                errors = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"the server did not start: {errors[-2000:]}")
            time.sleep(0.2)
        say(f"server up at {base} ({workers} web processes, pid {process.pid})")
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


async def sign_in(client: httpx.AsyncClient, email: str) -> None:
    """A session for ``email`` in ``client``'s cookies, as a browser gets one."""
    await client.get("/login")
    token = client.cookies.get("followup_csrf")
    answer = await client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token or "", "next": ""},
    )
    if answer.status_code != 303 or "followup_session" not in client.cookies:
        raise RuntimeError(f"{email} could not sign in: {answer.status_code}")


def _failed(answer: httpx.Response) -> bool:
    if answer.status_code >= 400:
        return True
    return answer.is_redirect and answer.headers.get("location", "").startswith("/login")


# -- 1. the caseload and the organisation view ---------------------------------------------------


def views(base: str, coach: str, *, requests: int, budget: float) -> dict[str, Any]:
    """The coach's caseload and the admin's organisation view, one request at a time."""
    return asyncio.run(_views(base, coach, requests, budget))


async def _views(base: str, coach: str, requests: int, budget: float) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for email, paths in (
        (coach, ("/coach", "/api/coach/caseload")),
        (ADMIN, ("/api/admin/organisation", "/admin")),
    ):
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await sign_in(client, email)
            for path in paths:
                warm = await client.get(path)
                if warm.status_code != 200:
                    raise RuntimeError(f"GET {path} as {email}: {warm.status_code}")
                size = _size(warm)
                times: list[float] = []
                errors = 0
                started = time.perf_counter()
                while len(times) < requests and (
                    len(times) < 5 or time.perf_counter() - started < budget
                ):
                    start = time.perf_counter()
                    answer = await client.get(path)
                    times.append(time.perf_counter() - start)
                    errors += answer.status_code != 200
                found[f"GET {path}"] = summary_ms(times) | {
                    "errors": errors,
                    "as": email,
                    "rows": size,
                    "bytes": len(warm.content),
                }
                row = found[f"GET {path}"]
                say(
                    f"  GET {path}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms "
                    f"({row['count']} requests, {size} rows)"
                )
    return found


def _size(answer: httpx.Response) -> int | None:
    """How many candidates a JSON caseload or organisation answer holds."""
    if not answer.headers.get("content-type", "").startswith("application/json"):
        return None
    body = answer.json()
    rows = body.get("rows", body.get("candidates"))  # the organisation's; the caseload's
    return len(rows) if isinstance(rows, list) else None


# -- 2. concurrent users -----------------------------------------------------------------------


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)

    def record(self, route: str, seconds: float, error: str | None) -> None:
        self.times[route].append(seconds)
        if error is not None:
            self.errors[route] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{route}: {error}")


@dataclass
class User:
    email: str
    role: str
    token: str | None = None  # candidates: an API token
    caseload: list[str] = field(default_factory=list)  # coaches: their candidates' ids
    open_actions: list[str] = field(default_factory=list)


async def _timed(
    tally: Tally, route: str, client: httpx.AsyncClient, method: str, path: str, **kw: Any
) -> httpx.Response | None:
    start = time.perf_counter()
    try:
        answer = await client.request(method, path, **kw)
    except httpx.HTTPError as exc:
        tally.record(route, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
        return None
    elapsed = time.perf_counter() - start
    error = f"{answer.status_code} {answer.text[:120]!r}" if _failed(answer) else None
    tally.record(route, elapsed, error)
    return answer


def _pick(rng: random.Random, mix: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([m for m, _ in mix], weights=[w for _, w in mix])[0]


async def _candidate_step(
    user: User, client: httpx.AsyncClient, rng: random.Random, tally: Tally
) -> None:
    route = _pick(rng, CANDIDATE_MIX)
    bearer = {"Authorization": f"Bearer {user.token}"}
    if route.startswith("POST") and not user.open_actions:
        route = "GET /api/plan"
    if route == "GET /":
        await _timed(tally, route, client, "GET", "/")
    elif route == "GET /pipeline":
        await _timed(tally, route, client, "GET", "/pipeline")
    elif route == "GET /api/plan":
        answer = await _timed(tally, route, client, "GET", "/api/plan", headers=bearer)
        if answer is not None and answer.status_code == 200:
            user.open_actions = [a["id"] for a in answer.json() if a.get("status") in OPEN]
    else:
        action = user.open_actions.pop(rng.randrange(len(user.open_actions)))
        verb = "snooze" if "snooze" in route else "skip"
        body: dict[str, str] = {}
        if verb == "snooze":
            body["until"] = (datetime.now(UTC) + timedelta(days=3)).isoformat()
        await _timed(
            tally,
            route,
            client,
            "POST",
            f"/api/actions/{action}/{verb}",
            headers=bearer,
            json=body,
        )


async def _coach_step(
    user: User, client: httpx.AsyncClient, rng: random.Random, tally: Tally
) -> None:
    route = _pick(rng, COACH_MIX)
    if route == "GET /coach":
        await _timed(tally, route, client, "GET", "/coach")
    else:
        await _timed(tally, route, client, "GET", f"/coach/c/{rng.choice(user.caseload)}")


@dataclass
class Start:
    """Every user signs in and warms up first; the clock starts once all are ready."""

    users: int
    seconds: float
    signing: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    go: asyncio.Event = field(default_factory=asyncio.Event)
    ready: int = 0
    start_at: float = 0.0
    end_at: float = 0.0

    async def wait(self) -> None:
        self.ready += 1
        if self.ready == self.users:
            self.start_at = time.perf_counter()
            self.end_at = self.start_at + self.seconds
            say(f"  all {self.users} users signed in; the clock runs")
            self.go.set()
        await self.go.wait()


async def _user(user: User, base: str, start: Start, think: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        async with start.signing:  # argon2 at sign-in: a few at a time, before the clock
            await sign_in(client, user.email)
        warm = Tally()  # a first look at one's page, not counted
        if user.role == "candidate":
            await _timed(warm, "warm", client, "GET", "/")
            await _timed(
                warm,
                "warm",
                client,
                "GET",
                "/api/plan",
                headers={"Authorization": f"Bearer {user.token}"},
            )
        else:
            await _timed(warm, "warm", client, "GET", "/coach")
        await start.wait()
        await asyncio.sleep(rng.uniform(0, think))  # people do not all click at once
        step = _candidate_step if user.role == "candidate" else _coach_step
        while time.perf_counter() < start.end_at:
            await step(user, client, rng, tally)
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))


def make_users(url: str, pg: str, database: str, count: int) -> list[User]:
    """``count`` users: 80 % candidates spread over the database (each given an API token),
    20 % coaches (with the ids of their caseload)."""
    import psycopg

    from followup.server import auth
    from followup.store import open_store

    coaches = max(1, count // 5)
    with psycopg.connect(libpq_url(pg, database)) as conn:
        people = [
            str(r[0])
            for r in conn.execute(
                "SELECT email FROM account WHERE role = 'candidate' ORDER BY email"
            ).fetchall()
        ]
        coach_emails = [
            str(r[0])
            for r in conn.execute(
                "SELECT email FROM account WHERE role = 'coach' ORDER BY email"
            ).fetchall()
        ]
        caseloads: dict[str, list[str]] = defaultdict(list)
        for email, candidate in conn.execute(
            "SELECT k.email, c.id FROM consent AS g JOIN account AS k ON k.pk = g.coach_pk "
            "JOIN candidate AS c ON c.pk = g.candidate_pk WHERE g.revoked IS NULL"
        ).fetchall():
            caseloads[str(email)].append(str(candidate))
    candidates = count - coaches
    step = max(1, len(people) // max(1, candidates))
    chosen = people[::step][:candidates]
    store = open_store(url)
    now = datetime.now(UTC)
    users = []
    try:
        for email in chosen:
            with store.sql() as db:
                who = auth.principal(db, email)
            assert who is not None
            name = f"bench-{os.getpid()}-{time.time_ns()}"
            users.append(User(email, "candidate", token=auth.new_api_token(store, who, name, now)))
    finally:
        store.close()
    for n in range(coaches):
        email = coach_emails[n % len(coach_emails)]
        users.append(User(email, "coach", caseload=caseloads[email]))
    return users


def concurrent(base: str, users: list[User], *, seconds: float, think: float) -> dict[str, Any]:
    """Every user at once for ``seconds``; per route: count, errors, p50/p95/p99."""
    return asyncio.run(_concurrent(base, users, seconds, think))


async def _concurrent(base: str, users: list[User], seconds: float, think: float) -> dict[str, Any]:
    tally = Tally()
    start = Start(len(users), seconds)
    say(f"{len(users)} users sign in, then act for {seconds:.0f} s (think {think} s)")
    cpu = _cpu()
    await asyncio.gather(
        *(_user(u, base, start, think, tally, seed=n) for n, u in enumerate(users))
    )
    elapsed = time.perf_counter() - start.start_at
    client_cpu = _cpu() - cpu
    routes = {
        route: summary_ms(times) | {"errors": tally.errors.get(route, 0)}
        for route, times in sorted(tally.times.items())
    }
    total = sum(len(t) for t in tally.times.values())
    errors = sum(tally.errors.values())
    return {
        "users": len(users),
        "candidates": sum(1 for u in users if u.role == "candidate"),
        "coaches": sum(1 for u in users if u.role == "coach"),
        "seconds": round(elapsed, 1),
        "think_s": think,
        "requests": total,
        "requests_per_s": round(total / elapsed, 1) if elapsed else None,
        "errors": errors,
        "error_samples": tally.samples,
        "client_cpu_s": round(client_cpu, 1),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "routes": routes,
    }


def _cpu() -> float:
    """CPU seconds this process (the simulated users) used so far."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def load(
    pg: str,
    database: str,
    *,
    users: int,
    seconds: float,
    think: float,
    requests: int,
    budget: float,
    workers: int = 2,
) -> dict[str, Any]:
    """Both measurements on one running server."""
    url = followup_url(pg, database)
    people = make_users(url, pg, database, users)
    coach = next(u for u in people if u.role == "coach")
    with running_server(url, workers) as base:
        say(f"views: the caseload of {coach.email} and the admin's organisation")
        found_views = views(base, coach.email, requests=requests, budget=budget)
        found_users = concurrent(base, people, seconds=seconds, think=think)
    today = found_users["routes"].get("GET /", {})
    say(
        f"users: {found_users['requests']} requests, {found_users['errors']} errors, "
        f"Today p95 {today.get('p95_ms')} ms"
    )
    return {
        "web_processes": workers,
        "cores": os.cpu_count(),
        "views": found_views,
        "concurrent": found_users,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"the PostgreSQL server ({DEFAULT_PG})")
    parser.add_argument("--db", default=DEFAULT_DB, help="the seeded database (seed.py)")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--requests", type=int, default=50, help="per view, in a row")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per view at most")
    parser.add_argument("--workers", type=int, default=2, help="web processes")
    args = parser.parse_args(argv)
    found = load(
        args.pg,
        args.db,
        users=args.users,
        seconds=args.seconds,
        think=args.think,
        requests=args.requests,
        budget=args.budget,
        workers=args.workers,
    )
    print(json.dumps(found, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
