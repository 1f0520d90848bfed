"""The unit of work: every write of one candidate's use case, in one transaction.

`Store.unit_of_work` opens the transaction, hands out a `UnitOfWork` for one candidate, and
commits or rolls back. Before it commits, the opportunities whose facts changed are planned
again and their plans stored, and the candidate's revision is bumped: a committed write never
leaves a stale plan behind. No method here commits; a use case that calls several of them is
all-or-nothing. Each method checks what it refers to, with targeted queries, and raises
`NotFound` or `Conflict` with a message that names the culprit.

Which plans a write makes stale: the opportunity it wrote in; for a new or changed offer (an
extension, your answer), or the rank or status of an opportunity that holds offers, also the
candidate's other opportunities still in play (their counter-offers, and the withdrawal an
accepted offer asks of them, read those); for the profile, achievements or a whole import,
every opportunity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from followup.core.model import (
    Achievement,
    ActionDecision,
    Facts,
    Interview,
    NextStep,
    Offer,
    Opportunity,
    Person,
    Profile,
    Touch,
)
from followup.core.planner import Context, Planned
from followup.errors import NotFound
from followup.store import bulk, journal, plans, rows
from followup.store.sql import among, chunks

if TYPE_CHECKING:
    from followup.store.sql import Db

#: Opportunity fields that `UnitOfWork.update_opportunity` may change.
UPDATABLE_FIELDS = ("company", "role", "applied", "source", "url", "rank", "status", "decision")

#: Fields of an opportunity holding offers whose change makes the plans of the others stale
#: (counter-offers read the offers, rank and status of the opportunities holding them).
_RIVAL_FIELDS = frozenset({"rank", "status"})

#: Offer fields that `UnitOfWork.update_offer` may change.
OFFER_FIELDS = ("expires", "decision", "decided")

#: Opportunities still in play, whose plans read the others' offers (counter-offers, and the
#: withdrawal an accepted offer elsewhere asks for).
_OPEN_STATUSES = ("active", "offer")

#: Children first, so that wiping never trips a foreign key.
_DATA_TABLES = (
    "touch",
    "offer",
    "interview",
    "person",
    "opportunity",
    "achievement",
    "action_decision",
    "profile",
)


class UnitOfWork:
    """One candidate's writes inside one open transaction; see `Store.unit_of_work`."""

    def __init__(
        self, db: Db, candidate_pk: int, *, read_only: bool = False, connection: Any = None
    ) -> None:
        self._db: Db | None = db
        #: the SQLAlchemy connection under ``db``, when the store opened one (the mail and
        #: backup tables still speak SQLAlchemy: ``mail_rows.connection_of``); else None
        self.connection = connection
        self.candidate_pk = candidate_pk
        self.read_only = read_only  # a read (`Store.reading`): its targeted reads, no writes
        self.wrote = False  # a committed unit of work that wrote bumps the revision
        #: opportunities whose facts changed; everything (None) after profile, achievements, import
        self.changed: set[int] | None = set()
        self._rivals = False  # offers, ranks or statuses changed: the active ones too
        #: the parts of the facts this work changes, as they were (``store.journal``)
        self.journal: journal.Recorder | None = (
            None if read_only else journal.Recorder(db, candidate_pk)
        )

    def finish(self) -> None:
        """End of the transaction: later calls are mistakes, refused loudly."""
        self._db = None
        self.connection = None

    @property
    def db(self) -> Db:
        """The transaction's connection (for the journal's own reads and rows)."""
        if self._db is None:
            raise RuntimeError("this unit of work has ended; open another with unit_of_work()")
        return self._db

    def _write(self, opportunity_pk: int | None = None, *, remember: bool = True) -> Db:
        """The connection, for a write that changes ``opportunity_pk``'s facts (None: every
        opportunity's); the journal remembers the opportunity first (``remember``)."""
        self._writable()
        if remember and opportunity_pk is not None and self.journal is not None:
            self.journal.remember_opportunity_pk(opportunity_pk)
        self.wrote = True
        if opportunity_pk is None:
            self.changed = None
        elif self.changed is not None:
            self.changed.add(opportunity_pk)
        return self.db

    def _write_apart(self) -> Db:
        """The connection, for a write that no plan reads."""
        self._writable()
        self.wrote = True
        return self.db

    def _writable(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot write; open unit_of_work()")

    def stale_plans(self) -> list[int] | None:
        """The opportunities to plan again before commit (None: all of the candidate's)."""
        if self.changed is None:
            return None
        found = set(self.changed)
        if self._rivals:
            found.update(
                self.db.column(
                    f"SELECT pk FROM opportunity WHERE candidate_pk = ? "
                    f"AND status IN {among(len(_OPEN_STATUSES))}",
                    [self.candidate_pk, *_OPEN_STATUSES],
                )
            )
        return sorted(found)

    def commit_plans(self, planning: plans.Planning) -> None:
        """Bump the fact revision of the opportunities this work changed, plan them again,
        and bump the candidate's revision. A plan made with another playbook or planner than
        the candidate's stamp clears the stamp, so readers check each opportunity."""
        if not self.wrote:
            return
        db, pk = self.db, self.candidate_pk
        targets = self.stale_plans()
        bump = "UPDATE opportunity SET fact_revision = fact_revision + 1 WHERE candidate_pk = ?"
        if targets is None:
            db.run(bump, [pk])
            targets = db.column("SELECT pk FROM opportunity WHERE candidate_pk = ?", [pk])
        else:
            for chunk in chunks(targets):
                db.run(f"{bump} AND pk IN {among(len(chunk))}", [pk, *chunk])
        # the journal read the opportunities it changed after the last write: plan those
        known = self.journal.after if self.journal is not None else {}
        plans.replan(db, pk, targets, planning, known=known)
        stamp = db.first("SELECT plan_playbook, plan_planner FROM candidate WHERE pk = ?", [pk])
        if stamp is None or tuple(stamp) != (planning.playbook_hash, planning.planner):
            db.run(
                "UPDATE candidate SET revision = revision + 1, plan_source = NULL, "
                "plan_playbook = NULL, plan_planner = NULL WHERE pk = ?",
                [pk],
            )
        else:
            db.run("UPDATE candidate SET revision = revision + 1 WHERE pk = ?", [pk])

    # -- whole aggregate -------------------------------------------------------------------

    def replace_all(self, facts: Facts) -> None:
        """Import: wipe every fact and write ``facts`` instead (the plan cache stays; it goes
        stale with the revision)."""
        if self.journal is not None:
            self.journal.remember_everything()
        db, pk = self._write(), self.candidate_pk
        db.run(
            "DELETE FROM interview_person WHERE interview_pk IN "
            "(SELECT pk FROM interview WHERE candidate_pk = ?)",
            [pk],
        )
        for table in _DATA_TABLES:
            db.run(f"DELETE FROM {table} WHERE candidate_pk = ?", [pk])
        self.set_profile(facts.profile)
        self._insert_opportunities(facts.opportunities)
        self._insert_achievements(facts.achievements)
        rows.check_unique((d.action for d in facts.decisions), "decision for action", "")
        bulk.insert_many(
            db,
            "action_decision",
            [
                {"candidate_pk": self.candidate_pk, "action": d.action, "position": n}
                | {"decision": d.decision, "until": d.until}
                for n, d in enumerate(facts.decisions)
            ],
        )

    def set_profile(self, profile: Profile) -> None:
        if self.journal is not None:
            self.journal.remember(("profile", ""))
        db = self._write()
        db.run("DELETE FROM profile WHERE candidate_pk = ?", [self.candidate_pk])
        db.insert(
            "profile",
            [
                {
                    "candidate_pk": self.candidate_pk,
                    "name": profile.name,
                    "timezone": profile.timezone,
                    "country": profile.country,
                    "weekly_target": profile.weekly_target,
                }
            ],
        )

    # -- opportunities ---------------------------------------------------------------------

    def add_opportunity(self, opp: Opportunity) -> None:
        """Add ``opp`` with everything nested in it (people, interviews, touches, offers)."""
        self._insert_opportunities([opp])

    def update_opportunity(self, opp_id: str, **fields: Any) -> None:
        """Change top-level fields (status, rank, decision...) of an opportunity."""
        unknown = sorted(set(fields) - set(UPDATABLE_FIELDS))
        if unknown:
            raise TypeError(
                f"cannot update opportunity field(s) {', '.join(unknown)} "
                f"(updatable: {', '.join(UPDATABLE_FIELDS)})"
            )
        opp_pk = self._opportunity_pk(opp_id)
        values = {name: value for name, value in fields.items() if name != "decision"}
        if "decision" in fields:
            values.update(rows.decision_columns(fields["decision"]))
        if values:
            # an offer holder's rank or status changes the others' counter-offers; anyone's
            # may change which one is the top choice, the only one counter-offers call "first"
            rivals = _RIVAL_FIELDS & set(fields) and self._any_offers()
            top = plans.top_of(self.db, self.candidate_pk) if rivals else None
            self._write(opp_pk).update("opportunity", values, "pk = ?", [opp_pk])
            if rivals and (
                self._holds_offers(opp_pk) or plans.top_of(self.db, self.candidate_pk) != top
            ):
                self._rivals = True

    def _insert_opportunities(self, opps: tuple[Opportunity, ...] | list[Opportunity]) -> None:
        if self.journal is not None:
            self.journal.remember_all([("opportunity", opp.id) for opp in opps])
        db = self._write_apart()
        ids = [o.id for o in opps]
        stored: set[str] = set()
        for chunk in chunks(ids):
            stored.update(
                db.column(
                    f"SELECT id FROM opportunity WHERE candidate_pk = ? AND id IN "
                    f"{among(len(chunk))}",
                    [self.candidate_pk, *chunk],
                )
            )
        rows.check_unique(ids, "opportunity", "", taken=stored)
        for opp in opps:
            rows.check_opportunity(opp)
        first = self._next_position("opportunity")
        pks = bulk.insert_opportunities(db, self.candidate_pk, opps, first)
        if self.changed is not None:
            self.changed.update(pks)
            self._rivals |= any(o.offers for o in opps)

    # -- things inside an opportunity ------------------------------------------------------

    def add_person(self, opp_id: str, person: Person) -> None:
        opp_pk = self._opportunity_pk(opp_id)
        rows.check_unique([person.id], "person", rows.in_opportunity(opp_id), self._people(opp_pk))
        position = self._next_position("person", opp_pk)
        self._write(opp_pk).insert(
            "person", [self._ours(rows.person_row(opp_pk, person, position))]
        )

    def add_interview(self, opp_id: str, interview: Interview) -> None:
        opp_pk = self._opportunity_pk(opp_id)
        people = self._people(opp_pk)
        rows.check_interview(interview, opp_id, people)
        rows.check_unique(
            [interview.id],
            "interview",
            rows.in_opportunity(opp_id),
            self._ids("interview", opp_pk),
        )
        position = self._next_position("interview", opp_pk)
        bulk.insert_interviews(
            self._write(opp_pk), self.candidate_pk, [(opp_pk, people, interview, position)]
        )

    def set_next_step(self, opp_id: str, interview_id: str, step: NextStep | None) -> None:
        """Record (or, with None, clear) the next step agreed in an interview."""
        opp_pk = self._opportunity_pk(opp_id)
        people = self._people(opp_pk)
        if step is not None:
            rows.check_next_step(step, opp_id, people, f"next step of interview '{interview_id}'")
        changed = self._write(opp_pk).update(
            "interview",
            rows.next_step_columns(step, people),
            "opportunity_pk = ? AND id = ?",
            [opp_pk, interview_id],
        )
        if changed == 0:
            raise NotFound(f"unknown interview '{interview_id}' in opportunity '{opp_id}'")

    def add_touch(self, opp_id: str, touch: Touch) -> str:
        """Log a touch; returns its id (the next free "t<n>" when it has none)."""
        opp_pk = self._opportunity_pk(opp_id)
        people = self._people(opp_pk)
        rows.check_person(touch.person, opp_id, people, f"touch at {touch.at.isoformat()}")
        taken = self._ids("touch", opp_pk)
        if touch.id is not None:
            rows.check_unique([touch.id], "touch", rows.in_opportunity(opp_id), taken)
        [touch_id] = rows.assign_ids("t", [touch.id], taken)
        position = self._next_position("touch", opp_pk)
        row = rows.touch_row(opp_pk, touch, touch_id, position, people)
        self._write(opp_pk).insert("touch", [self._ours(row)])
        return touch_id

    def add_offer(self, opp_id: str, offer: Offer) -> None:
        opp_pk = self._opportunity_pk(opp_id)
        where = rows.in_opportunity(opp_id)
        rows.check_unique([offer.id], "offer", where, self._ids("offer", opp_pk))
        position = self._next_position("offer", opp_pk)
        self._rivals = True
        self._write(opp_pk).insert("offer", [self._ours(rows.offer_row(opp_pk, offer, position))])

    def update_offer(self, opp_id: str, offer_id: str, **fields: Any) -> None:
        """Change an offer's expiry, or record your answer to it (``OFFER_FIELDS``)."""
        unknown = sorted(set(fields) - set(OFFER_FIELDS))
        if unknown:
            raise TypeError(
                f"cannot update offer field(s) {', '.join(unknown)} "
                f"(updatable: {', '.join(OFFER_FIELDS)})"
            )
        opp_pk = self._opportunity_pk(opp_id)
        self._rivals = True
        changed = self._write(opp_pk).update(
            "offer", fields, "opportunity_pk = ? AND id = ?", [opp_pk, offer_id]
        )
        if changed == 0:
            raise NotFound(f"unknown offer '{offer_id}' in opportunity '{opp_id}'")

    # -- candidate-level facts -------------------------------------------------------------

    def add_achievement(self, achievement: Achievement) -> str:
        """Record an achievement; returns its id (the next free "a<n>" when it has none)."""
        return self._insert_achievements([achievement])[0]

    def _insert_achievements(
        self, achievements: tuple[Achievement, ...] | list[Achievement]
    ) -> list[str]:
        if self.journal is not None:
            self.journal.remember(("achievements", ""))
        taken = set(
            self._write().column(
                "SELECT id FROM achievement WHERE candidate_pk = ?", [self.candidate_pk]
            )
        )
        given = [a.id for a in achievements if a.id is not None]
        rows.check_unique(given, "achievement", "", taken)
        ids = rows.assign_ids("a", (a.id for a in achievements), taken)
        first = self._next_position("achievement")
        bulk.insert_many(
            self.db,
            "achievement",
            [
                {"candidate_pk": self.candidate_pk, "id": a_id, "position": first + n}
                | {"at": a.at, "kind": a.kind, "title": a.title, "tags": a.tags}
                for n, (a, a_id) in enumerate(zip(achievements, ids, strict=True))
            ],
        )
        return ids

    def set_decision(self, decision: ActionDecision) -> None:
        """Record skipped/snoozed for an action, replacing any earlier word on it."""
        db = self._decide(decision.action)
        values = {"decision": decision.decision, "until": decision.until}
        key = [self.candidate_pk, decision.action]
        if db.update("action_decision", values, _DECISION_IS, key) == 0:
            position = self._next_position("action_decision")
            db.insert(
                "action_decision",
                [
                    {"candidate_pk": self.candidate_pk, "action": decision.action}
                    | {"position": position}
                    | values
                ],
            )

    def clear_decision(self, action_id: str, *, missing_ok: bool = False) -> None:
        removed = self._decide(action_id).run(
            f"DELETE FROM action_decision WHERE {_DECISION_IS}", [self.candidate_pk, action_id]
        )
        if removed == 0 and not missing_ok:
            raise NotFound(f"action '{action_id}' is neither skipped nor snoozed")

    # -- undo and redo (``store.journal``) -----------------------------------------------------

    def restore_opportunity(
        self, opp_id: str, opp: Opportunity | None, position: int | None
    ) -> None:
        """Put back ``opp`` as it was (None: remove it), at its place in the list."""
        if self.journal is not None:
            self.journal.remember(("opportunity", opp_id))
        db = self._write_apart()
        found = db.scalar(
            "SELECT pk FROM opportunity WHERE candidate_pk = ? AND id = ?",
            [self.candidate_pk, opp_id],
        )
        was = None
        if found is not None:
            from followup.store.load import load_opportunities

            [(_, was)] = load_opportunities(db, self.candidate_pk, [found])
            db.run(
                "DELETE FROM interview_person WHERE interview_pk IN "
                "(SELECT pk FROM interview WHERE opportunity_pk = ?)",
                [found],
            )
            db.run("DELETE FROM opportunity WHERE pk = ?", [found])
        # the others' plans read its offers, rank and status (counter-offers, the top choice,
        # withdrawals): only when those came, went or changed are theirs stale too
        self._rivals |= (
            was is None
            or opp is None
            or (was.offers, was.rank, was.status) != (opp.offers, opp.rank, opp.status)
        )
        if opp is None:
            return
        place = position if position is not None else self._next_position("opportunity")
        pks = bulk.insert_opportunities(db, self.candidate_pk, [opp], place)
        if self.changed is not None:
            self.changed.update(pks)

    def restore_achievements(self, achievements: tuple[Achievement, ...]) -> None:
        """The achievements exactly as given (ids kept)."""
        if self.journal is not None:
            self.journal.remember(("achievements", ""))
        self._write().run("DELETE FROM achievement WHERE candidate_pk = ?", [self.candidate_pk])
        self._insert_achievements(achievements)

    def _holds_offers(self, opp_pk: int) -> bool:
        found = self.db.first("SELECT pk FROM offer WHERE opportunity_pk = ? LIMIT 1", [opp_pk])
        return found is not None

    def _any_offers(self) -> bool:
        """Does any of the candidate's opportunities hold an offer?"""
        found = self.db.first(
            "SELECT pk FROM offer WHERE candidate_pk = ? LIMIT 1", [self.candidate_pk]
        )
        return found is not None

    def _decide(self, action_id: str) -> Db:
        """The connection, for a decision on ``action_id``: it changes the plan of the
        opportunity that holds the action (none for the weekly keep-searching action)."""
        opp_pk = self.db.scalar(
            "SELECT opportunity_pk FROM planned_action WHERE candidate_pk = ? AND action = ?",
            [self.candidate_pk, action_id],
        )
        if self.journal is not None:
            self.journal.remember(("decision", action_id))
        if opp_pk is None:
            return self._write_apart()
        return self._write(opp_pk, remember=False)  # the decision is its own part

    def _ours(self, values: rows.Columns) -> rows.Columns:
        return values | {"candidate_pk": self.candidate_pk}

    # -- targeted reads, inside the transaction -----------------------------------------------

    def opportunity(self, opp_id: str) -> Opportunity:
        """One opportunity with everything in it (NotFound pointing at the list)."""
        from followup.store.load import load_opportunities

        found = load_opportunities(self.db, self.candidate_pk, [self._opportunity_pk(opp_id)])
        return found[0][1]

    def count_opportunities(self) -> int:
        query = "SELECT count(*) FROM opportunity WHERE candidate_pk = ?"
        return int(self.db.scalar(query, [self.candidate_pk]))

    def position(self, opp_id: str) -> int:
        """How many of the candidate's opportunities come before ``opp_id`` (stored order)."""
        pk = self._opportunity_pk(opp_id)
        mine = "(SELECT position FROM opportunity WHERE pk = ?)"
        query = (
            f"SELECT count(*) FROM opportunity WHERE candidate_pk = ? "
            f"AND (position < {mine} OR (position = {mine} AND pk < ?))"
        )
        return int(self.db.scalar(query, [self.candidate_pk, pk, pk, pk]))

    def place(self, opp_id: str) -> int:
        """Where ``opp_id`` stands in the candidate's list (its stored position), so that an
        opportunity written again (`restore_opportunity`) keeps its place."""
        pk = self._opportunity_pk(opp_id)
        return int(self.db.scalar("SELECT position FROM opportunity WHERE pk = ?", [pk]))

    def context(self, opp: Opportunity) -> Context:
        """What planning ``opp`` reads beyond its own facts."""
        return plans.context_for(self.db, self.candidate_pk, opp)

    def action(self, action_id: str) -> Planned | None:
        """One stored action of the candidate's plan."""
        found = plans.read_action(self.db, self.candidate_pk, action_id)
        return None if found is None else found[1]

    def profile(self) -> Profile:
        from followup.store.load import load_profile

        return load_profile(self.db, self.candidate_pk)

    def achievements(self) -> tuple[Achievement, ...]:
        from followup.store.load import load_achievements

        return load_achievements(self.db, self.candidate_pk)

    def search(self) -> tuple[list[plans.OpportunityLine], list[ActionDecision]]:
        """What the weekly keep-searching action reads: the opportunities (id, company, role,
        status, applied, recorded_at) and the decisions."""
        from followup.store.load import load_decisions

        return (
            plans.read_opportunities(self.db, self.candidate_pk),
            list(load_decisions(self.db, self.candidate_pk)),
        )

    def folded_into(self, action_id: str) -> list[Planned]:
        """The stored actions that ride along with ``action_id``'s touch (folded set-aparts)."""
        found = plans.read_action(self.db, self.candidate_pk, action_id)
        return [] if found is None else plans.read_hosted(self.db, found[0], action_id)

    def decided(self, action_id: str) -> bool:
        """Whether the user skipped or snoozed ``action_id``."""
        query = f"SELECT action FROM action_decision WHERE {_DECISION_IS}"
        return self.db.first(query, [self.candidate_pk, action_id]) is not None

    # -- helpers ---------------------------------------------------------------------------

    def _opportunity_pk(self, opp_id: str) -> int:
        pk = self.db.scalar(
            "SELECT pk FROM opportunity WHERE candidate_pk = ? AND id = ?",
            [self.candidate_pk, opp_id],
        )
        if pk is None:
            raise NotFound(
                f"unknown opportunity '{opp_id}'",
                hint="`followup opportunity list` shows the opportunities and their ids",
            )
        return int(pk)

    def _people(self, opp_pk: int) -> dict[str, int]:
        """person id -> pk for one opportunity."""
        query = "SELECT id, pk FROM person WHERE opportunity_pk = ?"
        return {str(i): int(pk) for i, pk in self.db.rows(query, [opp_pk])}

    def _ids(self, table: str, opp_pk: int) -> set[str]:
        """The ids of one opportunity's people, interviews, touches or offers (``table``)."""
        return set(self.db.column(f"SELECT id FROM {table} WHERE opportunity_pk = ?", [opp_pk]))

    def _next_position(self, table: str, opp_pk: int | None = None) -> int:
        """The position after the last of the candidate's rows of ``table`` (of one
        opportunity's, with ``opp_pk``)."""
        if opp_pk is not None:
            query, key = f"SELECT max(position) FROM {table} WHERE opportunity_pk = ?", opp_pk
        else:
            query, key = (
                f"SELECT max(position) FROM {table} WHERE candidate_pk = ?",
                self.candidate_pk,
            )
        highest = self.db.scalar(query, [key])
        return 0 if highest is None else int(highest) + 1


#: the one decision row of (candidate_pk, action)
_DECISION_IS = "candidate_pk = ? AND action = ?"
