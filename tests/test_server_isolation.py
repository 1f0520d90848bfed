"""Isolation, proven: every route of the server, tried by everyone who must not see a candidate.

One PostgreSQL schema holds the organisation "acme" with candidate A (ada@example.org: the demo,
renamed, plus an opportunity, person, interview, touch, offer, achievement and draft, each with
a marker nobody else has), candidate B (a little data of their own), candidate C (a mirror of
A's opportunity: the same ids, so the same action ids, with texts of C's own), candidate D (an
empty workspace), coaches with no grant (kim), an overview grant from A (lee), a full grant
from A and an act grant from B (max), an act grant from B only (ned), an admin of acme without
a grant, the admin of another organisation, nobody signed in, and B and kim by API token.

The route table itself (``app.router.routes``, walked into every included router) is the list
of what is tried, so a new route is tried the day it is added, and a route without a rule in
``server.web.ACCESS`` fails `test_every_route_has_an_access_rule`. Each route and method, its
path parameters filled with A's real ids and its body a plausible one (a form with its CSRF
token, or JSON), is sent by every principal, and the answer is judged by the route's rule:

- A's data (``overview``, ``full``, ``act``) without a grant that high: 403 or 404;
- a candidate's own routes: coaches and admins get 403; another candidate works in their own
  workspace only (A's ids are not found there, or name the candidate's own copy), and A's
  facts, plan, history, draft, grants and API token are the same afterwards;
- nobody's answer (page, JSON, CSV, calendar, headers) holds one of A's markers, A's name or
  A's e-mail address, unless their grant (or, for A's name, the admin's view of their own
  organisation) shows it; every granted look is in A's audit log, and no refused one is.

Positive controls keep it from passing by refusing everything: the grants do open A's data, as
far as they go; A sees all of it; a revocation closes it at the next request; an act grant logs
a touch in A's workspace.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount, Route

from conftest import TEST_DATABASE_ENV, postgres_schema
from followup.errors import FollowupError
from followup.server import auth, consent
from followup.server.accounts import add_account
from followup.server.web import ACCESS, RULES, Tenants, create_server_app
from followup.web.app import STATIC_DIR
from followup.web.settings import WebSettings

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"

# -- A's data: ids (which an intruder may send, so they are no markers) and markers -----------

OPP_ID = "opp-q7"
PERSON_ID = "wz"
INTERVIEW_ID = "onsite-q"
TOUCH_ID = "wz-thanks"
OFFER_ID = "offer-q"
TOKEN_NAME = "ada-script"  # A's API token
A_EMAIL = "ada@example.org"

NAME = "Quokka-Lovelace"  # A's profile name: "Ada Quokka-Lovelace"
COMPANY = "ZEBRA-SECRET-7"
ROLE = "ZEBRA-ROLE-4"
PERSON = "Wilhelmina Zanzibar"
PERSON_EMAIL = "wz@zanzibar-corp.example"
SOURCE = "SOURCE-GNU-8"
NOTE = "NOTE-OKAPI-42"
TOUCH = "TOUCH-IBEX-9"
BODY = "BODY-NARWHAL-3"
ACHIEVEMENT = "ACHIEVE-TAPIR-5"
DRAFT = "DRAFT-LEMUR-6"

MARKERS = frozenset(
    {NAME, COMPANY, ROLE, PERSON, PERSON_EMAIL, SOURCE, NOTE, TOUCH, BODY, ACHIEVEMENT, DRAFT}
    | {A_EMAIL}
)
#: what an overview grant shows of A: their name, the opportunities' companies and roles, and
#: what to do for whom (an action's verb may name the person); never notes or messages
OVERVIEW_SEEN = frozenset({NAME, COMPANY, ROLE, PERSON})
#: a full grant: also the interview notes, the touches' texts and the drafts (consent.py)
FULL_SEEN = OVERVIEW_SEEN | {NOTE, TOUCH, BODY, DRAFT}
#: a caseload row (a coach's /coach, the admin's organisation view): the candidate's name
CASELOAD_SEEN = frozenset({NAME})

#: routes outside the table, and entries of it without a route, known to be so: none (both
#: were, once; the tests below keep them out)
KNOWN_UNGATED: frozenset[str] = frozenset()
KNOWN_STALE: frozenset[str] = frozenset()

CSRF_REFUSAL = "did not come from this page"
BOGUS_TOKEN = "no-such-token-0000000000000000"


# -- the route table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    path: str
    methods: frozenset[str]
    route: BaseRoute


def walk(routes: list[BaseRoute], context: Any = None) -> Iterator[Found]:
    """Every route under ``routes``, into included routers (FastAPI 0.165 keeps each as an
    ``_IncludedRouter``, whose ``include_context`` gives a route's path with any prefix)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            child = route.include_context  # type: ignore[attr-defined]
            if context is not None:
                child = context.combine(child)
            low = list(getattr(inner, "_low_priority_routes", []))
            yield from walk([*inner.routes, *low], child)
            continue
        if not isinstance(route, Route | Mount):
            raise AssertionError(f"a kind of route this test does not know: {route!r}")
        path = context.path_for(route) if context is not None else route.path
        yield Found(path, frozenset(getattr(route, "methods", None) or ()), route)


def route_table(app: FastAPI) -> list[Found]:
    low = list(getattr(app.router, "_low_priority_routes", []))
    return list(walk([*app.router.routes, *low]))


# -- who asks, and the world they ask in ---------------------------------------------------------


@dataclass
class Who:
    label: str
    email: str | None  # None: not signed in
    role: str  # candidate | coach | admin | anonymous
    client: TestClient
    csrf: str
    level: str | None = None  # the grant from A in force
    api_only: bool = False  # signed in by an API token: it opens /api only
    org_of_a: bool = False  # an admin of A's organisation (sees A's caseload row)


@dataclass
class World:
    app: FastAPI
    url: str
    tenants: Tenants
    a: Who
    principals: list[Who]
    by_label: dict[str, Who]
    a_id: str
    a_pk: int
    b_id: str
    action_id: str  # one of A's actions on the marked opportunity, pending, with a draft
    achievement_id: str
    a_api_token: str
    a_feed: str
    b_feed: str
    import_document: bytes


def sign_in(app: FastAPI, email: str) -> tuple[TestClient, str]:
    """A new client signed in as ``email``, and its CSRF token."""
    client = TestClient(app, follow_redirects=False)  # no `with`: its end would close the app
    client.get("/login")
    csrf = client.cookies["followup_csrf"]
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    assert answer.status_code == 303, (email, answer.status_code, answer.text[:300])
    return client, csrf


def ok(answer: Any, *expected: int) -> Any:
    assert answer.status_code in (expected or (200, 201, 303)), (
        answer.request.method,
        str(answer.request.url),
        answer.status_code,
        answer.text[:500],
    )
    return answer


def new_token(who: Who, name: str) -> str:
    page = ok(who.client.post("/account/tokens", data={"name": name, "csrf_token": who.csrf}))
    found = re.search(r'id="new-token">([^<]+)<', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def grant(who: Who, coach: str, level: str) -> None:
    data = {"coach": coach, "level": level, "csrf_token": who.csrf}
    ok(who.client.post("/account/consent", data=data), 200)


def workspace_of(tenants: Tenants, candidate: str) -> Any:
    from followup.services.workspace import Workspace

    return Workspace.of(tenants.store, tenants.playbook, candidate=candidate)


def record_job(who: Who, texts: dict[str, str]) -> None:
    """The marked opportunity (A's markers, or C's own texts under the same ids and times):
    a person, an interview with notes, a thank-you with its message, an offer, an
    achievement."""
    c = who.client
    opp: dict[str, Any] = {"id": OPP_ID, "company": texts["company"], "role": texts["role"]}
    opp |= {"source": texts["source"], "applied": "2026-11-02", "rank": 4}
    ok(c.post("/api/opportunities", json=opp))
    person = {"id": PERSON_ID, "name": texts["person"], "role": "hiring-manager", "key": True}
    ok(c.post(f"/api/opportunities/{OPP_ID}/people", json=person | {"email": texts["email"]}))
    interview = {"id": INTERVIEW_ID, "at": "2026-11-26T10:00:00+01:00", "with": [PERSON_ID]}
    notes = {PERSON_ID: texts["note"]}
    ok(c.post(f"/api/opportunities/{OPP_ID}/interviews", json=interview | {"notes": notes}))
    touch = {"id": TOUCH_ID, "at": "2026-11-26T17:00:00+01:00", "person": PERSON_ID}
    touch |= {"channel": "email", "direction": "out", "kind": "thank-you"}
    touch |= {"summary": texts["touch"], "body": texts["body"]}
    ok(c.post(f"/api/opportunities/{OPP_ID}/touches", json=touch))
    offer = {"id": OFFER_ID, "received": "2026-11-28", "expires": "2026-12-10"}
    ok(c.post(f"/api/opportunities/{OPP_ID}/offers", json=offer))
    achievement = {"title": texts["achievement"], "kind": "talk", "at": "2026-10-01"}
    ok(c.post("/record/achievement", data=achievement | {"csrf_token": who.csrf}))


A_TEXTS = {
    "company": f"{COMPANY} Holdings",
    "role": f"{ROLE} Architect",
    "source": f"{SOURCE} referral",
    "person": PERSON,
    "email": PERSON_EMAIL,
    "note": f"{NOTE}: they rebuild the routing engine before the spring.",
    "touch": f"{TOUCH} thanked Wilhelmina",
    "body": f"{BODY}: thank you for today.",
    "achievement": f"{ACHIEVEMENT} keynote",
}
C_TEXTS = {
    "company": "Mirror Works",
    "role": "Mirror role",
    "source": "a mirror",
    "person": "Morgan Mirror",
    "email": "morgan@mirror.example",
    "note": "Mirror notes: nothing of A's.",
    "touch": "Thanked Morgan",
    "body": "Thank you, Morgan.",
    "achievement": "A mirror talk",
}


@contextmanager
def cheap_passwords() -> Iterator[None]:
    """Argon2 at its cheapest while this module runs: it is about access, not about hashing
    (the server's own parameters take half a second a password on two cores)."""
    import argon2

    from followup.server import accounts

    cheap = functools.partial(argon2.PasswordHasher, time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(argon2, "PasswordHasher", cheap)
        patch.setattr(accounts, "_DECOYS", [])  # the decoy made meanwhile is cheap: forgotten
        yield


ACCOUNTS = (
    ("acme", "candidate", A_EMAIL),
    ("acme", "candidate", "bo@example.org"),
    ("acme", "candidate", "cy@example.org"),
    ("acme", "candidate", "di@example.org"),
    ("acme", "coach", "kim@acme.example"),
    ("acme", "coach", "lee@acme.example"),
    ("acme", "coach", "max@acme.example"),
    ("acme", "coach", "ned@acme.example"),
    ("acme", "admin", "root@acme.example"),
    ("other", "admin", "root@other.example"),
)


def load_a(a: Who) -> tuple[str, str]:
    """A's job search: the demo, renamed, the marked opportunity and a draft of A's own; the
    id of that drafted action (pending, on the marked opportunity) and A's API token."""
    from followup.core.rules import DRAFTED_RULES

    ok(a.client.post("/demo", data={"timezone": "Europe/Paris", "csrf_token": a.csrf}))
    ok(a.client.patch("/api/profile", json={"name": f"Ada {NAME}"}))
    record_job(a, A_TEXTS)
    plan = ok(a.client.get("/api/plan", params={"opportunity": OPP_ID}), 200).json()
    closed = ("done", "replaced", "skipped")
    drafted = [p["id"] for p in plan if p["rule"] in DRAFTED_RULES and p["status"] not in closed]
    assert drafted, plan
    text = f"{DRAFT}: Dear Wilhelmina, a word about the routing engine."
    ok(a.client.post(f"/drafts/{drafted[0]}", data={"text": text, "csrf_token": a.csrf}))
    grant(a, "lee@acme.example", "overview")
    grant(a, "max@acme.example", "full")
    return drafted[0], new_token(a, TOKEN_NAME)


def load_others(b: Who, c: Who, action_id: str) -> None:
    """B: a little of their own, and act grants to max and ned; C: A's ids with C's texts
    (so that every action id of A's marked opportunity is one of C's too)."""
    b_opp = {"id": "b-opp", "company": "Bakery Bo", "role": "Head baker"}
    ok(b.client.post("/api/opportunities", json=b_opp))
    b_person = {"id": "flo", "name": "Flo Flour", "role": "recruiter"}
    ok(b.client.post("/api/opportunities/b-opp/people", json=b_person))
    grant(b, "max@acme.example", "act")
    grant(b, "ned@acme.example", "act")
    record_job(c, C_TEXTS)
    c_plan = ok(c.client.get("/api/plan", params={"opportunity": OPP_ID}), 200).json()
    assert action_id in {p["id"] for p in c_plan}, c_plan


def principals_of(app: FastAPI) -> tuple[Who, list[Who]]:
    """A, and everyone else, signed in (an API token each for B and kim too)."""

    def who(label: str, email: str, role: str, **kw: Any) -> Who:
        client, csrf = sign_in(app, email)
        return Who(label, email, role, client, csrf, **kw)

    def bearer(label: str, owner: Who) -> Who:
        headers = {"Authorization": f"Bearer {new_token(owner, 'probe-bearer')}"}
        client = TestClient(app, follow_redirects=False, headers=headers)
        return Who(label, owner.email, owner.role, client, "", api_only=True)

    anonymous = TestClient(app, follow_redirects=False)
    anonymous.get("/login")
    b = who("B (candidate)", "bo@example.org", "candidate")
    kim = who("kim (coach, no grant)", "kim@acme.example", "coach")
    others = [
        b,
        who("C (candidate, A's ids)", "cy@example.org", "candidate"),
        who("D (candidate, empty)", "di@example.org", "candidate"),
        kim,
        who("lee (coach, overview)", "lee@acme.example", "coach", level="overview"),
        who("max (coach, full)", "max@acme.example", "coach", level="full"),
        who("ned (coach, act from B)", "ned@acme.example", "coach"),
        who("root@acme (admin)", "root@acme.example", "admin", org_of_a=True),
        who("root@other (admin)", "root@other.example", "admin"),
        Who("anonymous", None, "anonymous", anonymous, anonymous.cookies["followup_csrf"]),
        bearer("B (API token)", b),
        bearer("kim (API token)", kim),
    ]
    return who("A", A_EMAIL, "candidate"), others


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    server_url = os.environ.get(TEST_DATABASE_ENV)
    if not server_url:
        pytest.skip(f"{TEST_DATABASE_ENV} is not set (e.g. postgresql+psycopg://user@host/db)")
    from followup.services import calendar, documents
    from followup.store import open_store

    with cheap_passwords(), postgres_schema(server_url) as url:
        store = open_store(url)
        workspaces = {}
        for org, role, email in ACCOUNTS:
            account, _ = add_account(
                store, organisation=org, role=role, email=email, password=PASSWORD, now=NOW
            )
            workspaces[email] = account.candidate
        store.close()
        app = create_server_app(WebSettings(url, access_control=True, clock=lambda: NOW))
        tenants: Tenants = app.state.web
        try:
            a, principals = principals_of(app)
            by_label = {p.label: p for p in [a, *principals]}
            action_id, a_api_token = load_a(a)
            load_others(by_label["B (candidate)"], by_label["C (candidate, A's ids)"], action_id)
            a_id, b_id = workspaces[A_EMAIL], workspaces["bo@example.org"]
            assert a_id is not None and b_id is not None
            with tenants.store.sql() as db:
                found = auth.principal(db, A_EMAIL)
            assert found is not None and found.candidate_pk is not None
            a_ws, b_ws = workspace_of(tenants, a_id), workspace_of(tenants, b_id)
            exported: Any = documents.export_document(a_ws)
            achievements = [x["id"] for x in exported["achievements"] if ACHIEVEMENT in x["title"]]
            assert len(achievements) == 1, exported["achievements"]
            yield World(
                app=app,
                url=url,
                tenants=tenants,
                a=a,
                principals=principals,
                by_label=by_label,
                a_id=a_id,
                a_pk=found.candidate_pk,
                b_id=b_id,
                action_id=action_id,
                achievement_id=achievements[0],
                a_api_token=a_api_token,
                a_feed=calendar.new_token(a_ws, NOW),
                b_feed=calendar.new_token(b_ws, NOW),
                import_document=json.dumps(documents.export_document(b_ws)).encode(),
            )
        finally:
            tenants.close()


# -- what is sent: each route and method, with A's ids and a plausible body -------------------


@dataclass(frozen=True)
class Probe:
    method: str
    path: str  # the route's path, as in ACCESS
    url: str
    variant: dict[str, str]  # the values of the parameters that vary (segment, kind, token)


#: the item of A's opportunity behind each segment of /opportunities/{opp_id}/{segment}/...
SEGMENTS = {
    "people": PERSON_ID,
    "interviews": INTERVIEW_ID,
    "touches": TOUCH_ID,
    "offers": OFFER_ID,
}
#: the Record forms tried (those that belong to an opportunity name A's)
RECORD_KINDS = ("touch", "person", "interview", "offer", "opportunity", "achievement", "profile")
SEGMENT_KINDS = frozenset({"touch", "person", "interview", "offer"})
#: what removes or replaces: sent last, so that C's copy of A's ids serves every other probe
#: (the whole opportunity and the whole workspace at the very end)
_REMOVES = re.compile(r"/remove$|/accept$|/decline$|/undo$|/redo$|/status$")
_REPLACES = frozenset(
    {("POST", "/opportunities/{opp_id}/remove"), ("DELETE", "/api/opportunities/{opp_id}")}
    | {("POST", "/import")}
)


def probes(world: World) -> list[Probe]:
    """One request per route, method and variant of its parameters: reads first, then the
    demo (loaded by the empty workspace), writes, and what removes or replaces (each principal
    sends them in that order)."""
    fixed = {
        "candidate": world.a_id,
        "opp_id": OPP_ID,
        "action_id": world.action_id,
        "offer_id": OFFER_ID,
        "item_id": world.achievement_id,
        "name": TOKEN_NAME,
        "token": BOGUS_TOKEN,
    }
    static = sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file())
    found: list[Probe] = []
    for route in route_table(world.app):
        if isinstance(route.route, Mount):
            found.extend(Probe("GET", route.path, f"{route.path}/{name}", {}) for name in static)
            continue
        names = re.findall(r"{(\w+)}", route.path)
        variants: list[dict[str, str]] = [{}]
        if "segment" in names:
            variants = [{"segment": s, "item_id": i} for s, i in SEGMENTS.items()]
        elif "kind" in names:
            variants = [{"kind": k} for k in RECORD_KINDS]
        elif route.path == "/calendar/{token}.ics":
            variants = [{"token": BOGUS_TOKEN}, {"token": world.b_feed}]
        unknown = set(names) - set(fixed) - {"segment", "kind"}
        assert not unknown, f"{route.path}: no value of A's for {sorted(unknown)}: add one"
        for variant in variants:
            values = fixed | variant
            url = route.path.format(**{n: quote(values[n], safe=":") for n in names})
            if route.path == "/record/{kind}" and variant["kind"] in SEGMENT_KINDS:
                url += f"?opportunity={OPP_ID}"
            for method in sorted(route.methods - {"HEAD"}):
                cascade = method == "DELETE" and route.path.startswith("/api/opportunities")
                sent = url + "?cascade=true" if cascade else url  # what names it goes too
                found.append(Probe(method, route.path, sent, variant))

    def order(probe: Probe) -> int:
        if probe.method == "GET":
            return 0
        if probe.path == "/demo":
            return 1
        if (probe.method, probe.path) in _REPLACES:
            return 4
        return 3 if probe.method == "DELETE" or _REMOVES.search(probe.path) else 2

    return sorted(found, key=order)


#: the form of each page route that takes one (every form also gets the CSRF token)
FORMS: dict[str, dict[str, str]] = {
    "/join/{token}": {"password": "another long password", "repeated": "another long password"},
    "/reset/{token}": {"password": "another long password", "repeated": "another long password"},
    # the same password again: the route runs to the end (every session of the account ends;
    # the answer signs this client in again)
    "/account/password": {"current": PASSWORD, "password": PASSWORD, "repeated": PASSWORD},
    "/account/tokens": {"name": "probe"},
    # a grant to a coach A granted too, and a revocation of a grant A gave (lee) that the
    # intruder never gave: neither may touch A's grants
    "/account/consent": {"coach": "max@acme.example", "level": "act"},
    "/account/consent/revoke": {"coach": "lee@acme.example"},
    # a wrong password: nothing is deleted (test_deleting_an_account_deletes_only_it does it)
    "/account/delete": {"password": "not the password at all", "confirm": "delete"},
    "/admin/invite": {"role": "coach"},
    "/coach/c/{candidate}/touches": {
        "opportunity": OPP_ID,
        "person": PERSON_ID,
        "channel": "email",
        "kind": "check-in",
        "summary": "logged by an intruder",
    },
    "/demo": {"timezone": "Europe/Paris"},
    "/actions/{action_id}/snooze": {"until": "2026-12-02T09:00"},
    "/drafts/{action_id}": {"text": "Hello, an intruder's draft."},
    "/opportunities/{opp_id}/edit": {"company": "Intruder Co", "role": "Intruder role"},
    "/opportunities/{opp_id}/remove": {"cascade": "on"},
    "/opportunities/{opp_id}/{segment}/{item_id}/remove": {"cascade": "on"},
    "/achievements/{item_id}/edit": {"title": "Intruder", "kind": "talk", "at": "2026-11-01"},
    "/opportunities/{opp_id}/offers/{offer_id}/extend": {"expires": "2026-12-20"},
    "/playbook": {"weekly_target": "3"},
}
ITEM_FORMS = {
    "people": {"name": "Intruder Person", "role": "panel"},
    "interviews": {"at": "2026-11-26T10:00", "with": PERSON_ID, "kind": "intruder"},
    "touches": {"at": "2026-11-26T17:00", "person": PERSON_ID, "summary": "intruder"},
    "offers": {"received": "2026-11-28", "expires": "2026-12-20"},
}
RECORD_FORMS = {
    "touch": {"person": PERSON_ID, "at": "2026-11-28T12:00", "summary": "intruder"},
    "person": {"name": "Intruder Person", "id": PERSON_ID},
    "interview": {"at": "2026-11-28T10:00", "with": PERSON_ID, "id": INTERVIEW_ID},
    "offer": {"received": "2026-11-28", "id": OFFER_ID},
    "opportunity": {"company": "Intruder Co", "role": "Intruder role", "id": OPP_ID},
    "achievement": {"title": "An intruder's talk", "kind": "talk", "at": "2026-11-01"},
    "profile": {"name": "Intruder", "timezone": "Europe/Berlin", "country": "DE"},
}
#: the JSON of each API write (A's ids in it: an intruder's copy of them must stay theirs)
JSON_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/opportunities"): {"id": OPP_ID, "company": "Intruder Co", "role": "Intruder"},
    ("POST", "/api/opportunities/{opp_id}/status"): {"status": "rejected"},
    ("POST", "/api/opportunities/{opp_id}/people"): {"id": PERSON_ID, "name": "Intruder Person"},
    ("POST", "/api/opportunities/{opp_id}/interviews"): {
        "id": INTERVIEW_ID,
        "at": "2026-11-28T10:00:00+01:00",
        "with": [PERSON_ID],
    },
    ("POST", "/api/opportunities/{opp_id}/touches"): {
        "at": "2026-11-28T12:00:00+01:00",
        "person": PERSON_ID,
        "channel": "email",
        "direction": "out",
        "kind": "check-in",
        "summary": "intruder",
    },
    ("POST", "/api/opportunities/{opp_id}/offers"): {"id": OFFER_ID, "received": "2026-11-28"},
    ("POST", "/api/opportunities/{opp_id}/offers/{offer_id}/extend"): {"expires": "2026-12-20"},
    ("POST", "/api/actions/{action_id}/done"): {"note": "done by an intruder"},
    ("POST", "/api/actions/{action_id}/snooze"): {"until": "2026-12-02T09:00:00+01:00"},
    ("PATCH", "/api/opportunities/{opp_id}"): {"source": "intruder"},
    ("PATCH", "/api/achievements/{item_id}"): {"title": "Intruder"},
    ("PATCH", "/api/profile"): {"name": "Intruder"},
}
ITEM_PATCHES = {
    "people": {"name": "Intruder Person"},
    "interviews": {"kind": "intruder"},
    "touches": {"summary": "intruder"},
    "offers": {"expires": "2026-12-20"},
}


def request_of(world: World, who: Who, probe: Probe) -> dict[str, Any]:
    """The keyword arguments of ``client.request`` for ``probe`` sent by ``who``."""
    if probe.method == "GET":
        return {}
    if probe.path.startswith("/api/"):
        if probe.method == "DELETE":
            return {}
        body = JSON_BODIES.get((probe.method, probe.path))
        if body is None and probe.path == "/api/opportunities/{opp_id}/{segment}/{item_id}":
            body = ITEM_PATCHES[probe.variant["segment"]]
        return {"json": body if body is not None else {}}
    form = dict(FORMS.get(probe.path, {}))
    if probe.path in ("/coach/invite", "/admin/invite"):
        slug = re.sub(r"\W+", "-", who.label.split(" ")[0].lower())
        form["email"] = f"invited-by-{slug}-{probe.path.split('/')[1]}@acme.example"
    if probe.path == "/opportunities/{opp_id}/{segment}/{item_id}/edit":
        form |= ITEM_FORMS[probe.variant["segment"]]
    if probe.path == "/record/{kind}":
        form |= RECORD_FORMS[probe.variant["kind"]]
    form["csrf_token"] = who.csrf
    if probe.path in ("/import", "/restore"):
        document = ("mine.json", world.import_document, "application/json")
        return {"data": form | {"force": "on"}, "files": {"file": document}}
    return {"data": form}


def send(world: World, who: Who, probe: Probe) -> Any:
    """Send ``probe`` as ``who``: signing in and out on a client of their own (so that the
    sweep keeps its sessions), everything else on ``who``'s client."""
    if (probe.method, probe.path) == ("POST", "/login"):
        client = TestClient(world.app, follow_redirects=False)
        client.get("/login")
        email = who.email or "nobody@example.org"  # anonymous: one failed sign-in
        data = {"email": email, "password": PASSWORD, "csrf_token": client.cookies["followup_csrf"]}
        return client.post("/login", data=data)
    if (probe.method, probe.path) == ("POST", "/logout") and who.email is not None:
        client, csrf = sign_in(world.app, who.email)
        return client.post("/logout", data={"csrf_token": csrf})
    return who.client.request(probe.method, probe.url, **request_of(world, who, probe))


# -- what must come back ------------------------------------------------------------------------


def rule_of(path: str) -> str:
    if path in KNOWN_UNGATED:
        return "open"  # outside the gate: judged as open (no data of A's, to anyone)
    return ACCESS.get(path, "local")  # no rule: the gate refuses it, as it does "local"


def expectation(who: Who, rule: str) -> str:
    """``refuse`` (403, or 404 on A's data), ``sign-in`` (401 or to /login), ``own`` (works,
    on what is the principal's own) or ``granted`` (A's data, as far as the grant goes)."""
    if rule == "local":
        return "refuse"
    if rule in ("open", "feed"):
        return "own"
    if who.role == "anonymous":
        return "sign-in"
    if rule == "signed-in":
        return "own"
    if rule == "candidate":
        return "own" if who.role == "candidate" else "refuse"
    if rule == "coach":
        return "own" if who.role in consent.COACHING_ROLES else "refuse"
    if rule == "admin":
        return "own" if who.role == "admin" else "refuse"
    assert rule in consent.LEVELS, rule
    return "granted" if consent.allows(who.level, rule) else "refuse"


def seen(who: Who, rule: str) -> frozenset[str]:
    """The markers of A's that ``who`` may see on a route of ``rule``."""
    if rule in consent.LEVELS and consent.allows(who.level, rule):
        return FULL_SEEN if consent.allows(who.level, "full") else OVERVIEW_SEEN
    if rule == "coach" and who.level is not None:
        return CASELOAD_SEEN
    if rule == "admin" and who.org_of_a:
        return CASELOAD_SEEN
    return frozenset()


def shown(answer: Any) -> str:
    """Everything an answer shows: its headers and its body."""
    headers = "\n".join(f"{k}: {v}" for k, v in answer.headers.items())
    return f"{headers}\n{answer.text}"


def judge(who: Who, probe: Probe, rule: str, answer: Any) -> list[str]:
    """What is wrong with ``answer`` (nothing: an empty list)."""
    wrong = []
    status = answer.status_code
    expected = expectation(who, rule)
    location = answer.headers.get("location", "")
    to_sign_in = status == 401 or (status == 303 and location.startswith("/login"))
    if probe.path == "/calendar/{token}.ics":
        want = 404 if probe.variant["token"] == BOGUS_TOKEN else 200
        if status != want:
            wrong.append(f"expected {want} for this calendar token")
    elif expected == "refuse":
        allowed = {403, 404} if rule in consent.LEVELS else {403}
        if status not in allowed:
            wrong.append(f"expected {' or '.join(map(str, sorted(allowed)))} (refused)")
        elif CSRF_REFUSAL in answer.text:
            wrong.append("refused for its CSRF token, not for access: the probe is wrong")
    elif expected == "sign-in":
        if not to_sign_in:
            wrong.append("expected 401 or a redirect to /login (not signed in)")
    elif status >= 500:
        wrong.append("server error")
    elif status == 403 or (to_sign_in and rule not in ("open", "feed")):
        wrong.append(f"refused what the rule {rule!r} lets {who.role} do ({expected})")
    elif expected == "granted" and probe.method == "GET" and status != 200:
        wrong.append("expected 200 (granted)")
    leaked = sorted(m for m in MARKERS - seen(who, rule) if m in shown(answer))
    if leaked:
        wrong.append(f"shows A's {leaked}")
    return wrong


def a_as_it_is(world: World) -> dict[str, Any]:
    """Everything of A's an intruder could change: facts, plan, history, the draft A wrote,
    grants, and the API token."""
    from followup.services import drafting
    from followup.services.documents import export_document

    workspace = workspace_of(world.tenants, world.a_id)
    bearer = {"Authorization": f"Bearer {world.a_api_token}"}
    client = world.a.client
    try:
        draft = drafting.draft(workspace, world.action_id, NOW, guard=False).text
    except FollowupError as exc:  # the action is gone: an intruder reached A's facts
        draft = f"no draft: {exc.message}"
    return {
        "facts": export_document(workspace),
        "plan": client.get("/api/plan").text,
        "history": client.get("/api/history", params={"limit": 1000}).text,
        "draft": draft,
        "grants": consent.grants(world.tenants.store, world.a_pk),
        "token": client.get("/api/profile", headers=bearer).text,
    }


def audit_counts(world: World) -> Counter[str]:
    return Counter(a.actor for a in consent.audit_log(world.tenants.store, world.a_pk, 10**6))


# -- the route table and the gate ----------------------------------------------------------------


def test_every_route_has_an_access_rule(world: World) -> None:
    """A route without a rule in ACCESS fails here (and the gate refuses it); so does a rule
    naming no route, or a rule that is not one of RULES."""
    paths = {r.path for r in route_table(world.app)}
    assert len(paths) > 80, sorted(paths)  # the walk reached into the included routers
    missing = sorted(paths - ACCESS.keys() - KNOWN_UNGATED)
    stale = sorted(ACCESS.keys() - paths - KNOWN_STALE)
    unknown = sorted(f"{path} -> {rule!r}" for path, rule in ACCESS.items() if rule not in RULES)
    assert not (missing or stale or unknown), (
        f"routes without an access rule in server.web.ACCESS: {missing}; "
        f"ACCESS entries naming no route: {stale}; entries with a rule not in RULES: {unknown}"
    )


def test_plain_routes_and_mounts_have_rules_too(world: World) -> None:
    paths = {r.path for r in route_table(world.app)}
    assert not sorted(KNOWN_UNGATED & (paths - ACCESS.keys()))


def test_access_names_no_route_that_is_not_there(world: World) -> None:
    paths = {r.path for r in route_table(world.app)}
    assert not sorted(KNOWN_STALE & (ACCESS.keys() - paths))


def _fresh_app(world: World) -> FastAPI:
    return create_server_app(WebSettings(world.url, access_control=True, clock=lambda: NOW))


def test_the_gate_refuses_a_route_without_a_rule(world: World) -> None:
    """A route added without a rule answers 403 to everyone, A too (on a fresh app)."""
    app = _fresh_app(world)
    try:

        @app.get("/unlisted/{candidate}")
        def unlisted(candidate: str) -> dict[str, str]:
            return {"reached": "UNLISTED-REACHED", "candidate": candidate}

        @app.post("/unlisted")
        def unlisted_write() -> dict[str, str]:
            return {"reached": "UNLISTED-REACHED"}

        router = APIRouter(prefix="/api/unlisted")

        @router.get("/inside")
        def inside() -> dict[str, str]:
            return {"reached": "UNLISTED-REACHED"}

        app.include_router(router)
        paths = {r.path for r in route_table(app)}
        assert {"/unlisted/{candidate}", "/unlisted", "/api/unlisted/inside"} <= paths
        anonymous = TestClient(app, follow_redirects=False)
        as_a = TestClient(app, follow_redirects=False, cookies=dict(world.a.client.cookies))
        assert as_a.get("/api/profile").status_code == 200  # A is signed in on this app too
        bearer = {"Authorization": f"Bearer {world.a_api_token}"}
        wrong = []
        for client in (anonymous, as_a):
            for method, url, headers in [
                ("GET", f"/unlisted/{world.a_id}", {}),
                ("POST", "/unlisted", {"X-CSRF-Token": world.a.csrf}),
                ("GET", "/api/unlisted/inside", {}),
                ("GET", "/api/unlisted/inside", bearer),
            ]:
                answer = client.request(method, url, headers=headers)
                if answer.status_code != 403 or "UNLISTED-REACHED" in answer.text:
                    wrong.append((method, url, answer.status_code, answer.text[:200]))
        assert not wrong, wrong
    finally:
        app.state.web.close()


def test_a_plain_route_without_a_rule_is_refused_too(world: World) -> None:
    app = _fresh_app(world)
    try:
        app.add_route("/plain-unlisted", lambda _: PlainTextResponse("PLAIN-REACHED"))
        answer = TestClient(app, follow_redirects=False).get("/plain-unlisted")
        assert answer.status_code == 403, (answer.status_code, answer.text)
    finally:
        app.state.web.close()


def test_a_path_no_route_takes_is_not_found_not_forbidden(world: World) -> None:
    """A mistyped address gets the app's 404 (a page for a browser), not "no access rule"."""
    for client in (TestClient(world.app, follow_redirects=False), world.a.client):
        page = client.get("/opportunity/nothing-here", headers={"Accept": "text/html"})
        assert page.status_code == 404, page.text[:200]
        assert "no access rule" not in page.text
        api = client.get("/api/no-such-thing")
        assert api.status_code == 404 and "no access rule" not in api.text


# -- every route, every principal ----------------------------------------------------------------


def test_no_one_else_reaches_a_data(world: World) -> None:
    """Every route, method and principal (see the module docstring); every failure is listed,
    with who sent what, the route's rule, the status and what was wrong."""
    before = a_as_it_is(world)
    audited = audit_counts(world)
    failures: list[str] = []
    tally: Counter[str] = Counter()
    looks: Counter[str] = Counter()  # granted requests on A's data, by the coach who made them
    every = probes(world)
    sent = 0
    # those signed in by an API token first: a password change later in the sweep ends the
    # account's tokens (as it ends its other sessions)
    for who in sorted(world.principals, key=lambda w: not w.api_only):
        for probe in every:
            if who.api_only and not probe.path.startswith("/api/"):
                continue
            rule = rule_of(probe.path)
            answer = send(world, who, probe)
            sent += 1
            expected = expectation(who, rule)
            tally[f"{expected} {answer.status_code}"] += 1
            if expected == "granted" and answer.status_code < 400 and who.email:
                looks[who.email] += 1
            wrong = judge(who, probe, rule, answer)
            if wrong:
                failures.append(
                    f"{who.label}: {probe.method} {probe.url} [{rule}] -> {answer.status_code}: "
                    f"{'; '.join(wrong)} | {answer.text[:160]!r}"
                )
        # still signed in: a session lost on the way would make the refusals after it vacuous
        if who.email is not None:
            check = "/api/plan" if who.role == "candidate" else "/account"
            check = "/api/coach/caseload" if who.api_only and who.role != "candidate" else check
            status = who.client.get(check).status_code
            if status != 200:
                failures.append(f"{who.label}: signed out by the sweep ({check} -> {status})")
    after = a_as_it_is(world)
    failures.extend(
        f"A's {key} changed in the sweep" for key in before if before[key] != after[key]
    )
    new_looks = audit_counts(world) - audited
    if new_looks != looks:
        failures.append(f"A's audit log gained {dict(new_looks)}; granted looks: {dict(looks)}")
    print(f"\n{len(every)} probes, {len(world.principals)} principals, {sent} requests: {tally}")
    assert sent > 1000, sent
    assert looks, "not one granted look: the sweep proved nothing about the grants"
    assert not failures, f"{len(failures)} of {sent} requests broke the rules:\n" + "\n".join(
        failures
    )


# -- positive controls: the grants open what they say, and no more -------------------------------


def test_the_grants_open_a_data_as_far_as_they_go(world: World) -> None:
    a, lee = world.a, world.by_label["lee (coach, overview)"]
    max_, kim = world.by_label["max (coach, full)"], world.by_label["kim (coach, no grant)"]
    base = f"/coach/c/{world.a_id}"
    overview = ok(lee.client.get(base), 200).text
    assert NAME in overview and COMPANY in overview and ROLE in overview
    assert not {NOTE, TOUCH, BODY, DRAFT, A_EMAIL} & {m for m in MARKERS if m in overview}
    found = ok(lee.client.get(f"/api/{base.lstrip('/')}"), 200).json()
    assert found["level"] == "overview" and NAME in found["case"]["name"]
    assert any(COMPANY in o["company"] for o in found["opportunities"]), found
    assert NAME in ok(lee.client.get(f"{base}/report.csv"), 200).text
    ok(lee.client.get(f"{base}/notes"), 403)
    caseload = ok(lee.client.get("/api/coach/caseload"), 200).json()
    assert world.a_id in {c["candidate"] for c in caseload["candidates"]}
    notes = ok(max_.client.get(f"{base}/notes"), 200).text
    assert NOTE in notes and TOUCH in notes and BODY in notes
    touch = FORMS["/coach/c/{candidate}/touches"] | {"csrf_token": max_.csrf}
    ok(max_.client.post(f"{base}/touches", data=touch), 403)  # full is not act
    assert ok(kim.client.get("/api/coach/caseload"), 200).json()["count"] == 0

    # A sees all of it, on the pages and in the API
    page = ok(a.client.get(f"/opportunities/{OPP_ID}"), 200).text
    assert {COMPANY, ROLE, PERSON, TOUCH} <= {m for m in MARKERS if m in page}
    everything = json.dumps(ok(a.client.get("/account/export.json"), 200).json())
    assert MARKERS - {DRAFT} <= {m for m in MARKERS if m in everything}
    assert DRAFT in ok(a.client.get(f"/drafts/{world.action_id}"), 200).text
    assert ACHIEVEMENT in ok(a.client.get("/record/achievement"), 200).text
    # the calendar feed serves its candidate (the token is the key, by design)
    feed = ok(TestClient(world.app).get(f"/calendar/{world.a_feed}.ics"), 200).text
    assert "BEGIN:VCALENDAR" in feed and COMPANY in feed
    # what is done on a candidate's own computer is refused to A too
    for method, url in [
        ("GET", "/backup.json"),
        ("POST", "/restore"),
        ("POST", "/playbook"),
        ("GET", f"/send/{world.action_id}"),
        ("POST", f"/drafts/{world.action_id}/polish"),
    ]:
        data = {"csrf_token": a.csrf} if method == "POST" else None
        ok(a.client.request(method, url, data=data), 403)


def test_a_revocation_closes_a_data_at_once(world: World) -> None:
    a, lee = world.a, world.by_label["lee (coach, overview)"]
    url = f"/api/coach/c/{world.a_id}"
    ok(lee.client.get(url), 200)
    try:
        data = {"coach": "lee@acme.example", "csrf_token": a.csrf}
        assert "no longer sees" in ok(a.client.post("/account/consent/revoke", data=data), 200).text
        ok(lee.client.get(url), 403)  # the very next request
        ok(lee.client.get(f"/coach/c/{world.a_id}"), 403)
        assert NAME not in ok(lee.client.get("/coach"), 200).text
        caseload = ok(lee.client.get("/api/coach/caseload"), 200).json()
        assert world.a_id not in {c["candidate"] for c in caseload["candidates"]}
    finally:
        grant(a, "lee@acme.example", "overview")
    ok(lee.client.get(url), 200)


def test_every_look_at_a_data_is_in_a_audit_log(world: World) -> None:
    """Each granted request writes one row, naming the coach, the request and read or write;
    a refused one writes none; A reads them on their account page and in their export."""
    lee, max_ = world.by_label["lee (coach, overview)"], world.by_label["max (coach, full)"]
    kim, root = world.by_label["kim (coach, no grant)"], world.by_label["root@acme (admin)"]
    base = f"/coach/c/{world.a_id}"
    before = len(consent.audit_log(world.tenants.store, world.a_pk, 10**6))
    looks = [
        (lee, base, 200),
        (lee, f"/api{base}", 200),
        (lee, f"{base}/report.html", 200),
        (lee, f"{base}/report.csv", 200),
        (lee, f"{base}/notes", 403),
        (max_, f"{base}/notes", 200),
        (kim, base, 403),
        (root, f"/api{base}", 403),
    ]
    for who, url, status in looks:
        ok(who.client.get(url), status)
    log = consent.audit_log(world.tenants.store, world.a_pk, 10**6)
    new = [(e.actor, e.action, e.what) for e in reversed(log[: len(log) - before])]
    assert new == [(w.email, "read", f"GET {url}") for w, url, status in looks if status == 200]
    page = ok(world.a.client.get("/account"), 200).text
    assert "lee@acme.example" in page and f"GET {base}/report.csv" in page
    audit = ok(world.a.client.get("/account/export.json"), 200).json()["audit"]
    assert {a["actor"] for a in audit} <= {"lee@acme.example", "max@acme.example"}, audit


def test_an_act_grant_logs_a_touch_in_a_workspace_only(world: World) -> None:
    """The act route works (so its refusals in the sweep are the grant's): the touch lands in
    A's workspace, named as the coach's in A's history, and not in C's (the same ids)."""
    from followup.services.documents import export_document

    a, max_ = world.a, world.by_label["max (coach, full)"]
    c = world.by_label["C (candidate, A's ids)"]
    c_before = ok(c.client.get("/export.json"), 200).json()
    grant(a, "max@acme.example", "act")
    try:
        data = FORMS["/coach/c/{candidate}/touches"] | {"summary": "Logged by max for Ada"}
        answer = max_.client.post(
            f"/coach/c/{world.a_id}/touches", data=data | {"csrf_token": max_.csrf}
        )
        assert ok(answer, 303).headers["location"] == f"/coach/c/{world.a_id}"
    finally:
        grant(a, "max@acme.example", "full")
    facts: Any = export_document(workspace_of(world.tenants, world.a_id))
    opp = next(o for o in facts["opportunities"] if o["id"] == OPP_ID)
    assert "Logged by max for Ada" in [t.get("summary") for t in opp["touches"]]
    history = ok(a.client.get("/api/history"), 200).json()
    assert history[0]["command"].startswith("logged by coach max@acme.example"), history[0]
    assert ok(c.client.get("/export.json"), 200).json() == c_before
    log = consent.audit_log(world.tenants.store, world.a_pk, 1)
    assert (log[0].actor, log[0].action) == ("max@acme.example", "write")


def test_deleting_an_account_deletes_only_it(world: World) -> None:
    """A candidate deleting their own account (the real thing, with the password) takes
    their sessions and workspace away, and nothing of A's."""
    add_account(
        world.tenants.store,
        organisation="acme",
        role="candidate",
        email="eve@example.org",
        password=PASSWORD,
        now=NOW,
    )
    client, csrf = sign_in(world.app, "eve@example.org")
    ok(client.post("/api/opportunities", json={"id": OPP_ID, "company": "Eve Co", "role": "R"}))
    ok(client.post("/account/consent", data={"coach": "lee@acme.example", "csrf_token": csrf}))
    before = a_as_it_is(world)
    data = {"password": PASSWORD, "confirm": "delete", "csrf_token": csrf}
    assert ok(client.post("/account/delete", data=data), 303).headers["location"] == "/login"
    ok(client.get("/api/plan"), 401)
    assert a_as_it_is(world) == before
    lee = world.by_label["lee (coach, overview)"]
    caseload = ok(lee.client.get("/api/coach/caseload"), 200).json()
    assert [c["candidate"] for c in caseload["candidates"]] == [world.a_id]


def test_an_invitation_tells_no_one_who_has_an_account_elsewhere(world: World) -> None:
    other = world.by_label["root@other (admin)"]
    answers = {
        email: other.client.post(
            "/admin/invite", data={"email": email, "role": "coach", "csrf_token": other.csrf}
        )
        for email in (A_EMAIL, "nobody-yet@example.org")
    }
    assert answers[A_EMAIL].status_code == answers["nobody-yet@example.org"].status_code
    assert "has an account" not in answers[A_EMAIL].text
