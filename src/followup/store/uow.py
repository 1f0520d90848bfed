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

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute

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
from followup.store.schema import (
    AchievementRow,
    ActionDecisionRow,
    CandidateRow,
    InterviewPersonRow,
    InterviewRow,
    OfferRow,
    OpportunityRow,
    PersonRow,
    PlannedActionRow,
    ProfileRow,
    TouchRow,
)

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
_DATA_TABLES: tuple[Any, ...] = (
    TouchRow,
    OfferRow,
    InterviewRow,
    PersonRow,
    OpportunityRow,
    AchievementRow,
    ActionDecisionRow,
    ProfileRow,
)


class UnitOfWork:
    """One candidate's writes inside one open transaction; see `Store.unit_of_work`."""

    def __init__(self, conn: Connection, candidate_pk: int, *, read_only: bool = False) -> None:
        self._connection: Connection | None = conn
        self.candidate_pk = candidate_pk
        self.read_only = read_only  # a read (`Store.reading`): its targeted reads, no writes
        self.wrote = False  # a committed unit of work that wrote bumps the revision
        #: opportunities whose facts changed; everything (None) after profile, achievements, import
        self.changed: set[int] | None = set()
        self._rivals = False  # offers, ranks or statuses changed: the active ones too
        #: the parts of the facts this work changes, as they were (``store.journal``)
        self.journal: journal.Recorder | None = (
            None if read_only else journal.Recorder(conn, candidate_pk)
        )

    def connection_for_journal(self) -> Connection:
        """The transaction's connection, for the journal's own reads and rows."""
        return self._conn

    def finish(self) -> None:
        """End of the transaction: later calls are mistakes, refused loudly."""
        self._connection = None

    @property
    def _conn(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("this unit of work has ended; open another with unit_of_work()")
        return self._connection

    def _write(self, opportunity_pk: int | None = None, *, remember: bool = True) -> Connection:
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
        return self._conn

    def _write_apart(self) -> Connection:
        """The connection, for a write that no plan reads."""
        self._writable()
        self.wrote = True
        return self._conn

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
                self._conn.execute(
                    select(OpportunityRow.pk).where(
                        OpportunityRow.candidate_pk == self.candidate_pk,
                        OpportunityRow.status.in_(_OPEN_STATUSES),
                    )
                ).scalars()
            )
        return sorted(found)

    def commit_plans(self, planning: plans.Planning) -> None:
        """Bump the fact revision of the opportunities this work changed, plan them again,
        and bump the candidate's revision. A plan made with another playbook or planner than
        the candidate's stamp clears the stamp, so readers check each opportunity."""
        if not self.wrote:
            return
        conn = self._conn
        targets = self.stale_plans()
        ours = OpportunityRow.candidate_pk == self.candidate_pk
        where = [ours] if targets is None else [ours, OpportunityRow.pk.in_(targets)]
        conn.execute(
            update(OpportunityRow)
            .where(*where)
            .values(fact_revision=OpportunityRow.fact_revision + 1)
        )
        if targets is None:
            targets = list(conn.execute(select(OpportunityRow.pk).where(ours)).scalars())
        plans.replan(conn, self.candidate_pk, targets, planning)
        stamp = conn.execute(
            select(CandidateRow.plan_playbook, CandidateRow.plan_planner).where(
                CandidateRow.pk == self.candidate_pk
            )
        ).first()
        values: dict[str, Any] = {"revision": CandidateRow.revision + 1}
        if stamp is None or tuple(stamp) != (planning.playbook_hash, planning.planner):
            values |= {"plan_source": None, "plan_playbook": None, "plan_planner": None}
        conn.execute(
            update(CandidateRow).where(CandidateRow.pk == self.candidate_pk).values(values)
        )

    # -- whole aggregate -------------------------------------------------------------------

    def replace_all(self, facts: Facts) -> None:
        """Import: wipe every fact and write ``facts`` instead (the plan cache stays; it goes
        stale with the revision)."""
        if self.journal is not None:
            self.journal.remember_everything()
        conn = self._write()
        ours = select(InterviewRow.pk).where(InterviewRow.candidate_pk == self.candidate_pk)
        conn.execute(delete(InterviewPersonRow).where(InterviewPersonRow.interview_pk.in_(ours)))
        for row_type in _DATA_TABLES:
            conn.execute(delete(row_type).where(row_type.candidate_pk == self.candidate_pk))
        self.set_profile(facts.profile)
        self._insert_opportunities(facts.opportunities)
        self._insert_achievements(facts.achievements)
        rows.check_unique((d.action for d in facts.decisions), "decision for action", "")
        bulk.insert_many(
            conn,
            ActionDecisionRow,
            [
                {"candidate_pk": self.candidate_pk, "action": d.action, "position": n}
                | {"decision": d.decision, "until": d.until}
                for n, d in enumerate(facts.decisions)
            ],
        )

    def set_profile(self, profile: Profile) -> None:
        if self.journal is not None:
            self.journal.remember(("profile", ""))
        conn = self._write()
        conn.execute(delete(ProfileRow).where(ProfileRow.candidate_pk == self.candidate_pk))
        conn.execute(
            insert(ProfileRow).values(
                candidate_pk=self.candidate_pk,
                name=profile.name,
                timezone=profile.timezone,
                country=profile.country,
                weekly_target=profile.weekly_target,
            )
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
            top = plans.top_of(self._conn, self.candidate_pk) if rivals else None
            self._write(opp_pk).execute(
                update(OpportunityRow).where(OpportunityRow.pk == opp_pk).values(values)
            )
            if rivals and (
                self._holds_offers(opp_pk) or plans.top_of(self._conn, self.candidate_pk) != top
            ):
                self._rivals = True

    def _insert_opportunities(self, opps: tuple[Opportunity, ...] | list[Opportunity]) -> None:
        if self.journal is not None:
            for opp in opps:
                self.journal.remember(("opportunity", opp.id))
        conn = self._write_apart()
        ids = [o.id for o in opps]
        stored = set(
            conn.execute(
                select(OpportunityRow.id).where(
                    OpportunityRow.candidate_pk == self.candidate_pk,
                    OpportunityRow.id.in_(ids),
                )
            ).scalars()
        )
        rows.check_unique(ids, "opportunity", "", taken=stored)
        for opp in opps:
            rows.check_opportunity(opp)
        first = self._next_position(OpportunityRow.position)
        pks = bulk.insert_opportunities(conn, self.candidate_pk, opps, first)
        if self.changed is not None:
            self.changed.update(pks)
            self._rivals |= any(o.offers for o in opps)

    # -- things inside an opportunity ------------------------------------------------------

    def add_person(self, opp_id: str, person: Person) -> None:
        opp_pk = self._opportunity_pk(opp_id)
        rows.check_unique([person.id], "person", rows.in_opportunity(opp_id), self._people(opp_pk))
        position = self._next_position(PersonRow.position, opp_pk)
        self._write(opp_pk).execute(
            insert(PersonRow).values(self._ours(rows.person_row(opp_pk, person, position)))
        )

    def add_interview(self, opp_id: str, interview: Interview) -> None:
        opp_pk = self._opportunity_pk(opp_id)
        people = self._people(opp_pk)
        rows.check_interview(interview, opp_id, people)
        rows.check_unique(
            [interview.id],
            "interview",
            rows.in_opportunity(opp_id),
            self._ids(InterviewRow, opp_pk),
        )
        position = self._next_position(InterviewRow.position, opp_pk)
        bulk.insert_interviews(
            self._write(opp_pk), self.candidate_pk, [(opp_pk, people, interview, position)]
        )

    def set_next_step(self, opp_id: str, interview_id: str, step: NextStep | None) -> None:
        """Record (or, with None, clear) the next step agreed in an interview."""
        opp_pk = self._opportunity_pk(opp_id)
        people = self._people(opp_pk)
        if step is not None:
            rows.check_next_step(step, opp_id, people, f"next step of interview '{interview_id}'")
        result = self._write(opp_pk).execute(
            update(InterviewRow)
            .where(InterviewRow.opportunity_pk == opp_pk, InterviewRow.id == interview_id)
            .values(rows.next_step_columns(step, people))
        )
        if result.rowcount == 0:
            raise NotFound(f"unknown interview '{interview_id}' in opportunity '{opp_id}'")

    def add_touch(self, opp_id: str, touch: Touch) -> str:
        """Log a touch; returns its id (the next free "t<n>" when it has none)."""
        opp_pk = self._opportunity_pk(opp_id)
        people = self._people(opp_pk)
        rows.check_person(touch.person, opp_id, people, f"touch at {touch.at.isoformat()}")
        taken = self._ids(TouchRow, opp_pk)
        if touch.id is not None:
            rows.check_unique([touch.id], "touch", rows.in_opportunity(opp_id), taken)
        [touch_id] = rows.assign_ids("t", [touch.id], taken)
        position = self._next_position(TouchRow.position, opp_pk)
        row = rows.touch_row(opp_pk, touch, touch_id, position, people)
        self._write(opp_pk).execute(insert(TouchRow).values(self._ours(row)))
        return touch_id

    def add_offer(self, opp_id: str, offer: Offer) -> None:
        opp_pk = self._opportunity_pk(opp_id)
        where = rows.in_opportunity(opp_id)
        rows.check_unique([offer.id], "offer", where, self._ids(OfferRow, opp_pk))
        position = self._next_position(OfferRow.position, opp_pk)
        self._rivals = True
        self._write(opp_pk).execute(
            insert(OfferRow).values(self._ours(rows.offer_row(opp_pk, offer, position)))
        )

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
        result = self._write(opp_pk).execute(
            update(OfferRow)
            .where(OfferRow.opportunity_pk == opp_pk, OfferRow.id == offer_id)
            .values(fields)
        )
        if result.rowcount == 0:
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
            self._write()
            .execute(
                select(AchievementRow.id).where(AchievementRow.candidate_pk == self.candidate_pk)
            )
            .scalars()
        )
        given = [a.id for a in achievements if a.id is not None]
        rows.check_unique(given, "achievement", "", taken)
        ids = rows.assign_ids("a", (a.id for a in achievements), taken)
        first = self._next_position(AchievementRow.position)
        bulk.insert_many(
            self._conn,
            AchievementRow,
            [
                {"candidate_pk": self.candidate_pk, "id": a_id, "position": first + n}
                | {"at": a.at, "kind": a.kind, "title": a.title, "tags": a.tags}
                for n, (a, a_id) in enumerate(zip(achievements, ids, strict=True))
            ],
        )
        return ids

    def set_decision(self, decision: ActionDecision) -> None:
        """Record skipped/snoozed for an action, replacing any earlier word on it."""
        conn = self._decide(decision.action)
        values = {"decision": decision.decision, "until": decision.until}
        result = conn.execute(
            update(ActionDecisionRow).where(*self._decision_is(decision.action)).values(values)
        )
        if result.rowcount == 0:
            position = self._next_position(ActionDecisionRow.position)
            conn.execute(
                insert(ActionDecisionRow).values(
                    candidate_pk=self.candidate_pk,
                    action=decision.action,
                    position=position,
                    **values,
                )
            )

    def clear_decision(self, action_id: str, *, missing_ok: bool = False) -> None:
        result = self._decide(action_id).execute(
            delete(ActionDecisionRow).where(*self._decision_is(action_id))
        )
        if result.rowcount == 0 and not missing_ok:
            raise NotFound(f"action '{action_id}' is neither skipped nor snoozed")

    # -- undo and redo (``store.journal``) -----------------------------------------------------

    def restore_opportunity(
        self, opp_id: str, opp: Opportunity | None, position: int | None
    ) -> None:
        """Put back ``opp`` as it was (None: remove it), at its place in the list."""
        if self.journal is not None:
            self.journal.remember(("opportunity", opp_id))
        conn = self._write_apart()
        found = conn.execute(
            select(OpportunityRow.pk).where(
                OpportunityRow.candidate_pk == self.candidate_pk, OpportunityRow.id == opp_id
            )
        ).scalar()
        was = None
        if found is not None:
            from followup.store.load import load_opportunities

            [(_, was)] = load_opportunities(conn, self.candidate_pk, [found])
            conn.execute(
                delete(InterviewPersonRow).where(
                    InterviewPersonRow.interview_pk.in_(
                        select(InterviewRow.pk).where(InterviewRow.opportunity_pk == found)
                    )
                )
            )
            conn.execute(delete(OpportunityRow).where(OpportunityRow.pk == found))
        # the others' plans read its offers, rank and status (counter-offers, the top choice,
        # withdrawals): only when those came, went or changed are theirs stale too
        self._rivals |= (
            was is None
            or opp is None
            or (was.offers, was.rank, was.status) != (opp.offers, opp.rank, opp.status)
        )
        if opp is None:
            return
        place = position if position is not None else self._next_position(OpportunityRow.position)
        pks = bulk.insert_opportunities(conn, self.candidate_pk, [opp], place)
        if self.changed is not None:
            self.changed.update(pks)

    def restore_achievements(self, achievements: tuple[Achievement, ...]) -> None:
        """The achievements exactly as given (ids kept)."""
        if self.journal is not None:
            self.journal.remember(("achievements", ""))
        self._write()
        self._conn.execute(
            delete(AchievementRow).where(AchievementRow.candidate_pk == self.candidate_pk)
        )
        self._insert_achievements(achievements)

    def _holds_offers(self, opp_pk: int) -> bool:
        found = self._conn.execute(select(OfferRow.pk).where(OfferRow.opportunity_pk == opp_pk))
        return found.first() is not None

    def _any_offers(self) -> bool:
        """Does any of the candidate's opportunities hold an offer?"""
        found = self._conn.execute(
            select(OfferRow.pk).where(OfferRow.candidate_pk == self.candidate_pk).limit(1)
        )
        return found.first() is not None

    def _decide(self, action_id: str) -> Connection:
        """The connection, for a decision on ``action_id``: it changes the plan of the
        opportunity that holds the action (none for the weekly keep-searching action)."""
        opp_pk = self._conn.execute(
            select(PlannedActionRow.opportunity_pk).where(
                PlannedActionRow.candidate_pk == self.candidate_pk,
                PlannedActionRow.action == action_id,
            )
        ).scalar()
        if self.journal is not None:
            self.journal.remember(("decision", action_id))
        if opp_pk is None:
            return self._write_apart()
        return self._write(opp_pk, remember=False)  # the decision is its own part

    def _decision_is(self, action_id: str) -> list[Any]:
        return [
            ActionDecisionRow.candidate_pk == self.candidate_pk,
            ActionDecisionRow.action == action_id,
        ]

    def _ours(self, values: rows.Columns) -> rows.Columns:
        return values | {"candidate_pk": self.candidate_pk}

    # -- targeted reads, inside the transaction -----------------------------------------------

    def opportunity(self, opp_id: str) -> Opportunity:
        """One opportunity with everything in it (NotFound pointing at the list)."""
        from followup.store.load import load_opportunities

        found = load_opportunities(self._conn, self.candidate_pk, [self._opportunity_pk(opp_id)])
        return found[0][1]

    def count_opportunities(self) -> int:
        query = select(func.count()).where(OpportunityRow.candidate_pk == self.candidate_pk)
        return int(self._conn.execute(query).scalar_one())

    def position(self, opp_id: str) -> int:
        """How many of the candidate's opportunities come before ``opp_id`` (stored order)."""
        pk = self._opportunity_pk(opp_id)
        mine = select(OpportunityRow.position).where(OpportunityRow.pk == pk).scalar_subquery()
        query = select(func.count()).where(
            OpportunityRow.candidate_pk == self.candidate_pk,
            (OpportunityRow.position < mine)
            | ((OpportunityRow.position == mine) & (OpportunityRow.pk < pk)),
        )
        return int(self._conn.execute(query).scalar_one())

    def place(self, opp_id: str) -> int:
        """Where ``opp_id`` stands in the candidate's list (its stored position), so that an
        opportunity written again (`restore_opportunity`) keeps its place."""
        pk = self._opportunity_pk(opp_id)
        query = select(OpportunityRow.position).where(OpportunityRow.pk == pk)
        return int(self._conn.execute(query).scalar_one())

    def context(self, opp: Opportunity) -> Context:
        """What planning ``opp`` reads beyond its own facts."""
        return plans.context_for(self._conn, self.candidate_pk, opp)

    def action(self, action_id: str) -> Planned | None:
        """One stored action of the candidate's plan."""
        found = plans.read_action(self._conn, self.candidate_pk, action_id)
        return None if found is None else found[1]

    def profile(self) -> Profile:
        from followup.store.load import load_profile

        return load_profile(self._conn, self.candidate_pk)

    def achievements(self) -> tuple[Achievement, ...]:
        from followup.store.load import load_achievements

        return load_achievements(self._conn, self.candidate_pk)

    def search(self) -> tuple[list[plans.OpportunityLine], list[ActionDecision]]:
        """What the weekly keep-searching action reads: the opportunities (id, company, role,
        status, applied, recorded_at) and the decisions."""
        from followup.store.load import load_decisions

        return (
            plans.read_opportunities(self._conn, self.candidate_pk),
            list(load_decisions(self._conn, self.candidate_pk)),
        )

    def folded_into(self, action_id: str) -> list[Planned]:
        """The stored actions that ride along with ``action_id``'s touch (folded set-aparts)."""
        found = plans.read_action(self._conn, self.candidate_pk, action_id)
        return [] if found is None else plans.read_hosted(self._conn, found[0], action_id)

    def decided(self, action_id: str) -> bool:
        """Whether the user skipped or snoozed ``action_id``."""
        found = self._conn.execute(
            select(ActionDecisionRow.action).where(*self._decision_is(action_id))
        ).first()
        return found is not None

    # -- helpers ---------------------------------------------------------------------------

    def _opportunity_pk(self, opp_id: str) -> int:
        pk = self._conn.execute(
            select(OpportunityRow.pk).where(
                OpportunityRow.candidate_pk == self.candidate_pk, OpportunityRow.id == opp_id
            )
        ).scalar()
        if pk is None:
            raise NotFound(
                f"unknown opportunity '{opp_id}'",
                hint="`followup opportunity list` shows the opportunities and their ids",
            )
        return pk

    def _people(self, opp_pk: int) -> dict[str, int]:
        """person id -> pk for one opportunity."""
        result = self._conn.execute(
            select(PersonRow.id, PersonRow.pk).where(PersonRow.opportunity_pk == opp_pk)
        )
        return dict(result.all())

    def _ids(self, row_type: Any, opp_pk: int) -> set[str]:
        result = self._conn.execute(select(row_type.id).where(row_type.opportunity_pk == opp_pk))
        return set(result.scalars())

    def _next_position(self, column: InstrumentedAttribute[int], opp_pk: int | None = None) -> int:
        query = select(func.max(column))
        if opp_pk is not None:
            query = query.where(column.class_.opportunity_pk == opp_pk)
        else:
            query = query.where(column.class_.candidate_pk == self.candidate_pk)
        highest = self._conn.execute(query).scalar()
        return 0 if highest is None else highest + 1
