"""The long-lived state of a web server: one open store, the playbook, and a per-revision memo.

Every request reads the candidate's revision (one tiny query) and reuses what was derived at
that revision: the agenda (the stored plan, ``services.plan``), the facts, and the actions
grouped by opportunity. Today picks its rows from that plan at the moment of the request
(``Agenda.today``: the rows the store's indexed queries would read), so a server under load
answers it without a query but the revision's. A write anywhere (this server or the CLI)
bumps the revision, so nothing is stale.

Building every ``Action`` of a large plan takes a tenth of a second, so it is done once per
revision (and quarter of an hour, for the candidate's weekly action, which exists only in its
week); a page then brings the statuses of the actions it shows up to the moment of the request
(``restatus``, the agenda's own rule: done and skipped stay, a snooze holds until its moment,
else the window ``[start, end)`` decides). The JSON of the whole plan is kept per minute.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, TypeVar

from fastapi import Request

from followup.config import PlaybookSource, playbook_source
from followup.core.model import Action, status_at
from followup.services.workspace import Workspace
from followup.web.settings import WebSettings

if TYPE_CHECKING:
    from followup.core.actions import Planned
    from followup.core.model import Facts
    from followup.services.agenda import Agenda, Group


T = TypeVar("T")
#: How long the built actions serve (the weekly action's existence is checked this often).
SLOT_SECONDS = 15 * 60


def restatus(action: Action, now: datetime) -> Action:
    """``action`` with its status as of ``now`` (a moment no earlier than it was built at)."""
    if action.status in ("done", "replaced", "skipped"):
        return action
    until, missed = action.snoozed_until, action.missed_at
    status = status_at(
        now.timestamp(),
        action.window_start.timestamp(),
        action.window_end.timestamp(),
        snoozed_until=until.timestamp() if until is not None else None,
        missed_at=missed.timestamp() if missed is not None else None,
    )
    return action if status == action.status else action._replace(status=status)


@dataclass
class Snapshot:
    """What was derived from the facts at one revision."""

    revision: int
    agenda: Agenda
    facts: Facts | None = None
    slot: int | None = None
    minute: int | None = None
    actions: list[Action] = field(default_factory=list)
    by_opportunity: dict[str | None, list[Action]] = field(default_factory=dict)
    #: other things derived in ``minute`` (e.g. the JSON of the whole plan)
    derived: dict[str, object] = field(default_factory=dict)
    #: the rows Today showed, as actions (action id -> the action, at any moment: `_at`)
    built: dict[str, Action] = field(default_factory=dict)


def _at(snap: Snapshot, row: Planned, now: float) -> Action:
    """``action_at(row, now, tz)``, its reason in words made once per revision: only the
    status depends on the moment, and it is worked out again from the row's own values."""
    from followup.core.actions import action_at, row_status

    built = snap.built.get(row.id)
    if built is None:
        built = snap.built[row.id] = action_at(row, now, snap.agenda.tz)
        return built
    status = row_status(row, now)
    return built if built.status == status else built._replace(status=status)


class WebState:
    """Shared by every request of one server (thread-safe: requests run in a thread pool)."""

    #: one candidate on their own computer (the server's state, ``server.web.Tenants``, says
    #: True: the pages leave out what only a computer of one's own does, such as sending)
    serves_many = False

    def __init__(
        self,
        settings: WebSettings,
        workspace: Workspace | None = None,
        playbook: PlaybookSource | None = None,
    ) -> None:
        """``workspace``: one candidate's, on a store the server shares (the server mode's
        ``server.web.Tenants``, which closes that store); else the local candidate's."""
        self.settings = settings
        config_dir = settings.config_file.parent if settings.config_file is not None else None
        self._owns_store = workspace is None
        self._workspace = workspace or Workspace(settings.database_url, config_dir=config_dir)
        self._playbook: PlaybookSource | None = playbook
        self._playbook_stamp = self._stamp()
        self._lock = threading.Lock()  # the snapshot
        self._derive_lock = threading.RLock()  # facts and actions: Today never waits for them
        self._snapshot: Snapshot | None = None

    @property
    def playbook(self) -> PlaybookSource:
        """The configured playbook (default settings without a config file), read again when
        the settings file changes (`followup playbook --set`, an edit by hand)."""
        stamp = self._stamp()
        if stamp != self._playbook_stamp:  # no lock: a snapshot being made holds it
            self._playbook_stamp, self._playbook, self._snapshot = stamp, None, None
        if self._playbook is None:
            if self.settings.config_file is None:
                from followup.core.playbook import Playbook

                self._playbook = PlaybookSource.of(Playbook())
            else:
                self._playbook = playbook_source(self.settings.config_file)
        return self._playbook

    @property
    def workspace(self) -> Workspace:
        """The candidate's workspace, planning with the configured playbook (all of them
        share the one store this server opened)."""
        self._workspace.store  # noqa: B018 - open it once, before it is shared
        return self._workspace.with_playbook(self.playbook)

    def _stamp(self) -> tuple[int, int] | None:
        """The settings file's change time and size (None: there is none)."""
        if self.settings.config_file is None:
            return None
        try:
            found = self.settings.config_file.stat()
        except OSError:
            return None
        return (found.st_mtime_ns, found.st_size)

    def reload_playbook(self) -> None:
        """The settings file changed: read it again, and derive the plan again under it."""
        with self._lock:
            self._playbook = None
            self._snapshot = None

    def now(self) -> datetime:
        return self.settings.clock()

    def snapshot(self, now: datetime) -> Snapshot:
        """The agenda (and memo) of the current revision, covering ``now``."""
        ws = self.workspace
        revision = ws.revision
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.revision == revision:
                return snap
            agenda = ws.agenda()
            snap = Snapshot(revision=revision, agenda=agenda)
            self._snapshot = snap
            return snap

    def today(self, now: datetime) -> tuple[Agenda, list[Group], Action | None]:
        """Today's groups, from the plan of the current revision (``Agenda.today``: what the
        store's indexed queries read, without a query but the revision's)."""
        snap = self.snapshot(now)
        t = now.timestamp()
        groups, later = snap.agenda.today(
            now, self.settings.today_limit, lambda row: _at(snap, row, t)
        )
        return snap.agenda, groups, later

    def agenda(self, now: datetime) -> Agenda:
        return self.snapshot(now).agenda

    def tz(self, now: datetime) -> tzinfo:
        return self.agenda(now).tz

    def facts(self, now: datetime) -> Facts:
        """Everything stored, loaded once per revision."""
        snap = self.snapshot(now)
        with self._derive_lock:
            if snap.facts is None:
                snap.facts = self.workspace.facts()
            return snap.facts

    def _base(self, now: datetime) -> Snapshot:
        """The snapshot with its actions built (once per revision and quarter of an hour)."""
        snap = self.snapshot(now)
        slot = int(now.timestamp() // SLOT_SECONDS)
        with self._derive_lock:
            if snap.slot != slot:
                snap.actions = snap.agenda.at(now)
                grouped: dict[str | None, list[Action]] = {}
                for action in snap.actions:
                    grouped.setdefault(action.opportunity, []).append(action)
                snap.by_opportunity = grouped
                snap.slot = slot
            return snap

    def actions(self, now: datetime) -> list[Action]:
        """Every action, with its status as of ``now``."""
        return [restatus(a, now) for a in self._base(now).actions]

    def opportunity_actions(self, now: datetime, opp_id: str) -> list[Action]:
        """The actions of one opportunity, with their status as of ``now``."""
        return [restatus(a, now) for a in self._base(now).by_opportunity.get(opp_id, [])]

    def derived(self, now: datetime, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, remembered for this revision and minute under ``key``."""
        snap = self.snapshot(now)
        minute = int(now.timestamp() // 60)
        with self._derive_lock:
            if snap.minute != minute:
                snap.derived = {}
                snap.minute = minute
            if key not in snap.derived:
                snap.derived[key] = compute()
            return snap.derived[key]  # type: ignore[return-value]

    def close(self) -> None:
        if self._owns_store:
            self._workspace.close()


def web_state(request: Request) -> WebState:
    """The state of the candidate a request is about: the local candidate's, or (the server
    mode) the one its access rule opened (``server.web``)."""
    found = getattr(request.state, "web", None)
    state: WebState = found if found is not None else request.app.state.web
    return state
