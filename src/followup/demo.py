"""A realistic sample job search, so a newcomer sees a live plan the moment they try `followup`.

Alex Morgan, a product manager, is in the final stretch with three companies. Every date is
relative to ``today``, so whenever the demo is loaded the plan has something due now: thank-yous
owed after the final panel of the last working day, a call-back HR asked for in two days, and a
competing offer from the least preferred company that the two preferred ones should hear about
at once.

The sample is an ordinary interchange document and goes through the same validation as any
import. Interviews fall on working days and at office hours, like real ones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from followup.core.interchange import VERSION, format_moment
from followup.core.problems import check_zone
from followup.errors import UsageError

Json = dict[str, object]


class _Calendar:
    """Turns "n days ago at 10:00" into document text, in the candidate's time zone."""

    def __init__(self, today: date, timezone: str) -> None:
        self.today = today
        self.zone = ZoneInfo(timezone)

    def workday(self, days_ago: int) -> date:
        """The day ``days_ago`` days before today, moved back to a Friday if it is a weekend."""
        day = self.today - timedelta(days=days_ago)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    def workday_ahead(self, days: int) -> date:
        """The day ``days`` days after today, moved on to a Monday if it is a weekend."""
        day = self.today + timedelta(days=days)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    @staticmethod
    def after(day: date, workdays: int) -> date:
        """The working day ``workdays`` working days after ``day``."""
        while workdays > 0:
            day += timedelta(days=1)
            if day.weekday() < 5:
                workdays -= 1
        return day

    def day(self, offset: int) -> str:
        """Today plus ``offset`` days, as document text."""
        return (self.today + timedelta(days=offset)).isoformat()

    def at(self, day: date, hour: int, minute: int = 0) -> str:
        """``day`` at ``hour:minute`` local time, as document text with its offset."""
        return format_moment(datetime.combine(day, time(hour, minute), self.zone))


def demo_document(today: date, timezone: str = "America/New_York") -> Json:
    """An interchange document for Alex Morgan's job search as it stands on ``today``.

    Raises UsageError when ``timezone`` is not an IANA time zone name.
    """
    problem = check_zone(timezone, "time zone")
    if problem:
        raise UsageError(str(problem), hint="Pass an IANA name such as America/New_York.")
    cal = _Calendar(today, timezone)
    return {
        "version": VERSION,
        "profile": {
            "name": "Alex Morgan",
            "timezone": timezone,
            "country": "US",
            "weekly_target": 5,
        },
        "opportunities": [_brightline(cal), _northwind(cal), _cobalt(cal)],
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


def _brightline(cal: _Calendar) -> Json:
    """Rank 1: the job Alex wants most. The final panel was on the last working day."""
    screen = cal.workday(12)
    panel = cal.workday(1)
    web = "brightlinehealth.example"
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
            "expected_by": cal.day(6),
            "process": "Panel debrief first, then Elena signs off on the final candidate",
        },
        "people": [
            _person("dana", "Dana Lee", "hiring-manager", web, phone="+1 617 555 0142", key=True),
            _person("marcus", "Marcus Webb", "recruiter", web, phone="+1 617 555 0187", vote=False),
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
                    "when": cal.day(6),
                    "who": "marcus",
                    "channel": "phone",
                },
            },
        ],
        "touches": [
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
        ],
    }


def _northwind(cal: _Calendar) -> Json:
    """Rank 2: an onsite last week; HR has asked Alex to call back on a named day."""
    onsite = cal.workday(6)
    web = "northwindlogistics.example"
    return {
        "id": "northwind",
        "company": "Northwind Logistics",
        "role": "Product Lead, Fleet Routing",
        "applied": cal.day(-35),
        "source": "LinkedIn",
        "rank": 2,
        "status": "active",
        "people": [
            _person("sam", "Sam Okafor", "hiring-manager", web, phone="+1 312 555 0119", key=True),
            _person("jordan", "Jordan Blake", "hr", web, phone="+1 312 555 0163", vote=False),
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
                    "when": (onsite + timedelta(days=4)).isoformat(),
                    "who": "jordan",
                    "channel": "phone",
                },
            }
        ],
        "touches": [
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
                "summary": "Called Jordan to confirm my interest and ask about timing; left a "
                "message",
            },
            {
                "id": "onsite-article",
                "at": cal.at(cal.after(onsite, 2), 9, 40),
                "person": "sam",
                "channel": "email",
                "direction": "out",
                "kind": "value-add",
                "summary": "Sent Sam a study on delivery-window reliability and grocery churn",
            },
            {
                "id": "jordan-callback",
                "at": cal.at(cal.after(onsite, 2), 14, 20),
                "person": "jordan",
                "channel": "phone",
                "direction": "in",
                "kind": "check-in",
                "summary": "Sam is on the road until next week; call me back then and "
                "I'll have the team's decision",
                "states_date": cal.workday_ahead(2).isoformat(),
            },
        ],
    }


def _cobalt(cal: _Calendar) -> Json:
    """Rank 3: the least preferred company made an offer yesterday, expiring in five days."""
    first = cal.workday(16)
    final = cal.workday(8)
    web = "cobaltpay.example"
    offer_call = cal.at(cal.today - timedelta(days=1), 16, 5)
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
            _person(
                "rachel", "Rachel Kim", "hiring-manager", web, phone="+1 415 555 0128", key=True
            ),
            _person("luis", "Luis Ortega", "recruiter", web, phone="+1 415 555 0171", vote=False),
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
                    "when": cal.after(final, 5).isoformat(),
                    "who": "luis",
                    "channel": "phone",
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
        "offers": [{"id": "offer", "received": offer_call, "expires": cal.day(5)}],
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
