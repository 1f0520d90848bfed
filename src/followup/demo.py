"""A realistic sample job search, so a newcomer sees a live plan the moment they try `followup`.

Alex Morgan, a product manager, is in the final stretch with three companies: a final panel at
Brightline Health (the job Alex wants most), an onsite at Northwind Logistics whose HR asked
for a call back on a named day, and an offer from Cobalt Pay, the least preferred, which the
two others should hear about at once.

Every date is placed relative to the moment the demo is loaded, so that on any day of the week
and at any hour `followup today` tells a story a coach would believe:

- the final panel was on the last working day (or earlier today): while its 24 hours last, the
  thank-yous are due; after that, Alex sent them that evening;
- the offer came in during office hours on a working day: on the day it came, or the next
  morning of a working week, telling the employers Alex prefers is due ("at once"); later,
  Alex called them right after the offer (which then came on another day than the panel);
- the call back HR asked for is on a coming working day; the employers' own dates (a decision,
  a call with news) are on working days, and the offer expires a week after it came.

Meetings fall on working days (weekends and the public holidays of the candidate's time zone
skipped) and at office hours. The sample is an ordinary interchange document and goes through
the same validation as any import.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup.core.interchange import VERSION, format_moment
from followup.core.problems import check_zone
from followup.errors import UsageError

Json = dict[str, object]

#: when the demo's employers close (the playbook's default business hours end)
_CLOSES = 17
#: the final panel ends at this hour; the offer calls come at these times of a working day
_PANEL_END = time(16)
_OFFER_TIMES = (time(16, 5), time(10, 5))
#: how long before ``now`` the latest event has to be (it has happened, and was noticed)
_SETTLED = timedelta(minutes=30)
#: how much of a window must be left for an action to be shown as due rather than done
_LEFT = timedelta(hours=1)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def story_moment(now: date | datetime, timezone: str) -> datetime:
    """The moment a demo is dated for, on the candidate's clock: ``now`` itself (a naive time
    is read in ``timezone``), or 09:00 on a given day."""
    zone = ZoneInfo(timezone)
    if isinstance(now, datetime):
        return now.astimezone(zone) if now.tzinfo is not None else now.replace(tzinfo=zone)
    return datetime.combine(now, time(9), zone)


class _Calendar:
    """Working days and office hours around ``now``, written as document text in the candidate's
    time zone (weekends and that zone's country's public holidays are not working days)."""

    def __init__(self, now: datetime, timezone: str) -> None:
        from followup.core.timewin import zone_country

        self.zone = ZoneInfo(timezone)
        self.now = now.astimezone(self.zone)
        self.today = self.now.date()
        #: the candidate's country: its public holidays are theirs, and the employers' here
        self.country = zone_country(timezone) or "US"

    def working(self, day: date) -> bool:
        from followup.core.timewin import public_holidays

        return day.weekday() < 5 and day not in public_holidays(self.country, day.year)

    def back(self, day: date) -> date:
        """``day``, or the working day before it."""
        while not self.working(day):
            day -= timedelta(days=1)
        return day

    def ahead(self, day: date) -> date:
        """``day``, or the working day after it."""
        while not self.working(day):
            day += timedelta(days=1)
        return day

    def after(self, day: date, workdays: int) -> date:
        """The working day ``workdays`` working days after ``day``."""
        for _ in range(workdays):
            day = self.ahead(day + timedelta(days=1))
        return day

    def before(self, day: date, workdays: int) -> date:
        """The working day ``workdays`` working days before ``day``."""
        for _ in range(workdays):
            day = self.back(day - timedelta(days=1))
        return day

    def moment(self, day: date, hour: int | time, minute: int = 0) -> datetime:
        clock = hour if isinstance(hour, time) else time(hour, minute)
        return datetime.combine(day, clock, self.zone)

    def at(self, day: date | datetime, hour: int = 0, minute: int = 0) -> str:
        """``day`` at ``hour:minute`` local time (or a moment), as document text."""
        moment = day if isinstance(day, datetime) else self.moment(day, hour, minute)
        return format_moment(moment)

    def day(self, offset: int) -> str:
        """Today plus ``offset`` days, as document text."""
        return (self.today + timedelta(days=offset)).isoformat()


class _Story:
    """Where the demo's events fall for one ``now`` (see the module's docstring)."""

    def __init__(self, cal: _Calendar) -> None:
        now = cal.now
        # The final panel: the latest one on a working day that ended by now.
        day = cal.today
        while not (cal.working(day) and cal.moment(day, _PANEL_END) + _SETTLED / 2 <= now):
            day -= timedelta(days=1)
        self.panel = day
        panel_end = cal.moment(day, _PANEL_END)
        self.thanks_sent = now + _LEFT > panel_end + timedelta(hours=24)

        # The offer: the latest offer call that the others can still be told of "at once" (see
        # ``_fresh``); else one Alex already acted on (told them right after it), on another
        # day than the panel.
        self.offer, self.told = self._offer(cal, day)

    @staticmethod
    def _offer(cal: _Calendar, panel: date) -> tuple[datetime, bool]:
        now = cal.now
        day = cal.today
        for _ in range(60):
            if cal.working(day):
                for clock in _OFFER_TIMES:
                    received = cal.moment(day, clock)
                    if received > now - _SETTLED:
                        continue
                    if _fresh(cal, received):
                        return received, False
                    if day != panel and received + timedelta(minutes=45) <= now:
                        return received, True
            day -= timedelta(days=1)
        raise RuntimeError("no working day in 60 days")  # pragma: no cover


def _fresh(cal: _Calendar, received: datetime) -> bool:
    """Whether an offer that came at ``received`` is still news to tell at once: today, with
    business hours left; or yesterday afternoon, told this morning of a working week (within
    a day of it, and with the next day a working day too, so that the employers have a
    working day to answer in)."""
    now, today = cal.now, cal.today
    if received.date() == today:
        return now + _LEFT <= cal.moment(today, _CLOSES)
    return (
        received.date() == cal.back(today - timedelta(days=1))
        and cal.working(today)
        and cal.working(today + timedelta(days=1))
        and now + _LEFT <= min(received + timedelta(hours=24), cal.moment(today, 12))
    )


def demo_document(now: date | datetime, timezone: str = "America/New_York") -> Json:
    """An interchange document for Alex Morgan's job search as it stands at ``now`` (a day
    means 09:00 that morning).

    Raises UsageError when ``timezone`` is not an IANA time zone name.
    """
    problem = check_zone(timezone, "time zone")
    if problem:
        raise UsageError(str(problem), hint="Pass an IANA name such as America/New_York.")
    cal = _Calendar(story_moment(now, timezone), timezone)
    story = _Story(cal)
    return {
        "version": VERSION,
        "profile": {
            "name": "Alex Morgan",
            "timezone": timezone,
            "country": cal.country,
            "weekly_target": 5,
        },
        "opportunities": [
            _brightline(cal, story),
            _northwind(cal, story),
            _cobalt(cal, story),
        ],
        "achievements": [
            {
                "id": "discharge-article",
                "at": cal.day(-2),
                "kind": "article",
                "title": "Closing the loop after discharge: what last-mile delivery taught "
                "me about care coordination",
                "tags": ["care coordination", "healthcare"],
            }
        ],
        "decisions": [],
    }


def _brightline(cal: _Calendar, story: _Story) -> Json:
    """Rank 1: the job Alex wants most. The final panel was on the last working day."""
    panel = story.panel
    screen = cal.before(panel, 8)
    decision = cal.after(panel, 5)
    web = "brightlinehealth.example"
    touches: list[Json] = [
        {
            "id": "screen-thanks",
            "at": cal.at(screen, 16, 30),
            "person": "dana",
            "channel": "email",
            "direction": "out",
            "kind": "thank-you",
            "summary": "Thanked Dana for the screen; linked the readmissions case study "
            "from my time at Parcelway Health",
        },
        {
            "id": "screen-call",
            "at": cal.at(cal.after(screen, 1), 11),
            "person": "marcus",
            "channel": "phone",
            "direction": "out",
            "kind": "call",
            "summary": "Called Marcus to reaffirm my interest and ask about next steps",
        },
        {
            "id": "panel-invite",
            "at": cal.at(cal.after(screen, 2), 10, 15),
            "person": "marcus",
            "channel": "email",
            "direction": "in",
            "kind": "other",
            "summary": "Marcus invited me to the final panel and sent the agenda",
        },
        {
            "id": "screen-article",
            "at": cal.at(cal.after(screen, 3), 9, 40),
            "person": "dana",
            "channel": "email",
            "direction": "out",
            "kind": "value-add",
            "summary": "Sent Dana the AHRQ care-transitions toolkit with a note on which "
            "parts her coordinators could pilot",
        },
    ]
    if story.thanks_sent:  # the evening of the panel
        touches += [
            _thanks(
                "panel-thanks-dana",
                cal.at(panel, 17, 20),
                "dana",
                "Thanked Dana; proposed a first-90-days plan to unify the coordinators' list",
            ),
            _thanks(
                "panel-thanks-priya",
                cal.at(panel, 17, 35),
                "priya",
                "Thanked Priya; shared how I write acceptance criteria for interface work",
            ),
            _thanks(
                "panel-thanks-tom",
                cal.at(panel, 17, 50),
                "tom",
                "Thanked Tom; sketched the shared discharge checklist we talked about",
            ),
            _thanks(
                "panel-thanks-elena",
                cal.at(panel, 18, 5),
                "elena",
                "Thanked Elena; outlined how I would sequence the first payer integrations",
            ),
        ]
    if story.told:
        touches.append(
            _told(
                "told-dana",
                cal.at(story.offer + timedelta(minutes=20)),
                "dana",
                "Told Dana that Brightline is my first choice and that Cobalt Pay made me an "
                "offer; asked whether they could give me an answer within two days",
            )
        )
    return {
        "id": "brightline",
        "company": "Brightline Health",
        "role": "Senior Product Manager, Care Coordination",
        "applied": cal.day(-30),
        "source": "Referral from Nina Patel (former colleague)",
        "url": "https://careers.brightlinehealth.example/jobs/spm-care-coordination",
        "rank": 1,
        "status": "active",
        "decision": {
            "expected_by": decision.isoformat(),
            "process": "Panel debrief first, then Elena signs off on the final candidate",
        },
        "people": [
            _person("dana", "Dana Lee", "hiring-manager", web, phone="+16175550142", key=True),
            _person("marcus", "Marcus Webb", "recruiter", web, phone="+16175550187", vote=False),
            _person("priya", "Priya Raman", "panel", web),
            _person("tom", "Tom Alvarez", "panel", web),
            _person("elena", "Elena Novak", "executive", web, tz="America/Los_Angeles"),
        ],
        "interviews": [
            {
                "id": "screen",
                "at": cal.at(screen, 11),
                "duration_minutes": 45,
                "kind": "hiring-manager screen (video)",
                "with": ["dana"],
                "notes": {
                    "dana": "Cutting 30-day readmissions is her team's goal for the year; care "
                    "coordinators juggle four tools and follow-ups fall between them.",
                },
                "next_step": {
                    "what": "Final panel with engineering, clinical operations and the VP "
                    "of Product",
                    "when": panel.isoformat(),
                    "who": "marcus",
                    "channel": "email",
                    "acts": "they",
                },
            },
            {
                "id": "final-panel",
                "at": cal.at(panel, 13),
                "duration_minutes": 180,
                "kind": "final panel (onsite)",
                "with": ["dana", "priya", "tom", "elena"],
                "notes": {
                    "dana": "My first 90 days: unify the coordinators' task list before adding "
                    "features. She pushed on how I would measure adoption on the wards.",
                    "priya": "Moving scheduling off the legacy HL7 interface engine while "
                    "shipping roadmap work; she wants PMs who write crisp acceptance criteria.",
                    "tom": "Nurses lose about 40 minutes a shift to phone tag with "
                    "skilled-nursing facilities; he liked a discharge checklist both sides see.",
                    "elena": "Growing from 3 to 7 hospital systems next year with the board "
                    "watching margin per member; how I would sequence payer integrations.",
                },
                "next_step": {
                    "what": "Marcus calls with the panel's decision",
                    "when": decision.isoformat(),
                    "who": "marcus",
                    "channel": "phone",
                    "acts": "they",
                },
            },
        ],
        "touches": _in_time_order(touches),
    }


def _northwind(cal: _Calendar, story: _Story) -> Json:
    """Rank 2: an onsite last week; HR has asked Alex to call back on a named working day."""
    onsite = cal.back(cal.today - timedelta(days=6))
    while cal.after(onsite, 2) >= cal.today:  # holidays: HR called back before today
        onsite = cal.before(onsite, 1)
    heard = cal.after(onsite, 2)
    callback = cal.ahead(cal.today + timedelta(days=2))
    web = "northwindlogistics.example"
    touches: list[Json] = [
        {
            "id": "onsite-thanks-sam",
            "at": cal.at(onsite, 18),
            "person": "sam",
            "channel": "email",
            "direction": "out",
            "kind": "thank-you",
            "summary": "Thanked Sam; tied on-time rate to the carrier scorecard I built",
        },
        {
            "id": "onsite-thanks-mei",
            "at": cal.at(onsite, 18, 10),
            "person": "mei",
            "channel": "email",
            "direction": "out",
            "kind": "thank-you",
            "summary": "Thanked Mei; suggested capturing driver override reasons in the app",
        },
        {
            "id": "onsite-call",
            "at": cal.at(cal.after(onsite, 1), 11),
            "person": "sam",
            "channel": "phone",
            "direction": "out",
            "kind": "call",
            "summary": "Called Sam to reaffirm my interest; he said Jordan would be in touch",
        },
        {
            "id": "onsite-call-jordan",
            "at": cal.at(cal.after(onsite, 1), 15, 30),
            "person": "jordan",
            "channel": "phone",
            "direction": "out",
            "kind": "call",
            "summary": "Called Jordan to confirm my interest and ask about timing; left a message",
        },
        {
            "id": "onsite-article",
            "at": cal.at(heard, 9, 40),
            "person": "sam",
            "channel": "email",
            "direction": "out",
            "kind": "value-add",
            "summary": "Sent Sam a study on delivery-window reliability and grocery churn",
        },
        {
            "id": "jordan-callback",
            "at": cal.at(heard, 14, 20),
            "person": "jordan",
            "channel": "phone",
            "direction": "in",
            "kind": "check-in",
            "summary": f"Sam is on the road until {_WEEKDAYS[callback.weekday()]}; call me "
            "back then and I'll have the team's decision",
            "states_date": callback.isoformat(),
            "acts": "you",
        },
    ]
    if story.told:
        touches.append(
            _told(
                "told-sam",
                cal.at(story.offer + timedelta(minutes=35)),
                "sam",
                "Told Sam I hold an offer from Cobalt Pay and would rather build routing at "
                "Northwind; asked how soon the team could decide",
            )
        )
    return {
        "id": "northwind",
        "company": "Northwind Logistics",
        "role": "Product Lead, Fleet Routing",
        "applied": cal.day(-35),
        "source": "LinkedIn",
        "rank": 2,
        "status": "active",
        "people": [
            _person("sam", "Sam Okafor", "hiring-manager", web, phone="+13125550119", key=True),
            _person("jordan", "Jordan Blake", "hr", web, phone="+13125550163", vote=False),
            _person("mei", "Mei Chen", "panel", web, tz="America/Chicago"),
        ],
        "interviews": [
            {
                "id": "onsite",
                "at": cal.at(onsite, 10),
                "duration_minutes": 90,
                "kind": "onsite",
                "with": ["sam", "mei"],
                "notes": {
                    "sam": "Late deliveries in the Northeast cost them two grocery contracts "
                    "last quarter; he wants routing judged on on-time rate, not miles saved.",
                    "mei": "Her route-optimisation model beats dispatchers on paper, but drivers "
                    "override 30% of its routes; we discussed logging why, as training data.",
                },
                "next_step": {
                    "what": "Jordan shares the team's feedback and the timeline",
                    "when": heard.isoformat(),
                    "who": "jordan",
                    "channel": "phone",
                    "acts": "they",
                },
            }
        ],
        "touches": _in_time_order(touches),
    }


def _cobalt(cal: _Calendar, story: _Story) -> Json:
    """Rank 3: the least preferred company made an offer, which expires a week later."""
    offer_day = story.offer.date()
    final = cal.before(offer_day, 5)
    first = cal.before(final, 6)
    expires = cal.ahead(offer_day + timedelta(days=7))
    web = "cobaltpay.example"
    offer_call = cal.at(story.offer)
    return {
        "id": "cobalt",
        "company": "Cobalt Pay",
        "role": "Product Manager, Merchant Onboarding",
        "applied": cal.day(-40),
        "source": "Recruiter outreach",
        "url": "https://cobaltpay.example/careers/pm-merchant-onboarding",
        "rank": 3,
        "status": "offer",
        "people": [
            _person("rachel", "Rachel Kim", "hiring-manager", web, phone="+14155550128", key=True),
            _person("luis", "Luis Ortega", "recruiter", web, phone="+14155550171", vote=False),
            _person("ben", "Ben Foster", "panel", web),
            _person("nadia", "Nadia Farouk", "executive", web),
        ],
        "interviews": [
            {
                "id": "first-round",
                "at": cal.at(first, 15),
                "duration_minutes": 60,
                "kind": "first round (video)",
                "with": ["rachel", "ben"],
                "notes": {
                    "rachel": "38% of small merchants abandon sign-up at the KYC document step; "
                    "she wants self-serve onboarding for them by Q3.",
                    "ben": "Card-network rules force manual review of high-risk merchant "
                    "categories; he wants fewer false positives without weaker fraud controls.",
                },
            },
            {
                "id": "final",
                "at": cal.at(final, 9, 30),
                "duration_minutes": 45,
                "kind": "final with the COO",
                "with": ["nadia", "rachel"],
                "notes": {
                    "nadia": "Moving upmarket to mid-size retailers and what that means for "
                    "onboarding SLAs; she asked how I priced a product for a new segment.",
                    "rachel": "Walked her through my onboarding teardown; we agreed a first "
                    "project would be a document checklist with instant feedback.",
                },
                "next_step": {
                    "what": "Luis shares the hiring decision",
                    "when": offer_day.isoformat(),
                    "who": "luis",
                    "channel": "phone",
                    "acts": "they",
                },
            },
        ],
        "touches": [
            _thanks(
                "first-thanks-rachel",
                cal.at(first, 17, 45),
                "rachel",
                "Thanked Rachel; sketched how a document checklist could cut KYC drop-off",
            ),
            _thanks(
                "first-thanks-ben",
                cal.at(first, 17, 50),
                "ben",
                "Thanked Ben; shared how we tuned review queues by merchant category",
            ),
            _thanks(
                "final-thanks-nadia",
                cal.at(final, 16),
                "nadia",
                "Thanked Nadia; followed up on pricing for mid-size retailers",
            ),
            _thanks(
                "final-thanks-rachel",
                cal.at(final, 16, 10),
                "rachel",
                "Thanked Rachel for the teardown discussion and the first-project idea",
            ),
            {
                "id": "final-call",
                "at": cal.at(cal.after(final, 1), 12, 30),
                "person": "luis",
                "channel": "phone",
                "direction": "out",
                "kind": "call",
                "summary": "Called Luis to reaffirm my interest; he expects a decision soon",
            },
            {
                "id": "final-call-rachel",
                "at": cal.at(cal.after(final, 1), 15),
                "person": "rachel",
                "channel": "phone",
                "direction": "out",
                "kind": "call",
                "summary": "Called Rachel: said the checklist project is exactly what I want "
                "to work on",
            },
            {
                "id": "final-article",
                "at": cal.at(cal.after(final, 2), 9),
                "person": "rachel",
                "channel": "email",
                "direction": "out",
                "kind": "value-add",
                "summary": "Sent Rachel a benchmark of small-business onboarding flows",
            },
            {
                "id": "final-interest",
                "at": cal.at(cal.after(final, 4), 9, 15),
                "person": "rachel",
                "channel": "email",
                "direction": "out",
                "kind": "continued-interest",
                "summary": "Wrote Rachel that I keep thinking about the KYC checklist and "
                "would love to hear where things stand",
            },
            {
                "id": "verbal-offer",
                "at": offer_call,
                "person": "luis",
                "channel": "phone",
                "direction": "in",
                "kind": "other",
                "summary": "Luis called with a verbal offer: $165k base plus equity; the "
                "written offer follows by email",
            },
        ],
        "offers": [{"id": "offer", "received": offer_call, "expires": expires.isoformat()}],
    }


def _person(
    pid: str,
    name: str,
    role: str,
    domain: str,
    *,
    phone: str | None = None,
    key: bool = False,
    vote: bool = True,
    tz: str | None = None,
) -> Json:
    """A contact with a work e-mail at ``domain`` (reserved ``.example`` names: no real inbox)."""
    person: Json = {"id": pid, "name": name, "role": role}
    if not vote:
        person["has_vote"] = False
    if key:
        person["key"] = True
    person["email"] = name.lower().replace(" ", ".") + "@" + domain
    if phone:
        person["phone"] = phone
    if tz:
        person["timezone"] = tz
    return person


def _thanks(tid: str, at: str, person: str, summary: str) -> Json:
    return {
        "id": tid,
        "at": at,
        "person": person,
        "channel": "email",
        "direction": "out",
        "kind": "thank-you",
        "summary": summary,
    }


def _told(tid: str, at: str, person: str, summary: str) -> Json:
    """A call telling a preferred employer about Cobalt's offer, right after it came."""
    return {
        "id": tid,
        "at": at,
        "person": person,
        "channel": "phone",
        "direction": "out",
        "kind": "counter-offer",
        "summary": summary,
    }


def _in_time_order(touches: list[Json]) -> list[Json]:
    return sorted(touches, key=lambda t: datetime.fromisoformat(str(t["at"])))
