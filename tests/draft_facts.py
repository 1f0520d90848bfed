"""A job search for the draft tests (this module holds no tests of its own).

Brightwave: a final panel of four with distinct topics (Nadia, the hiring manager; Owen and
Lucia, panel; Ravi, the recruiter, without a vote or notes), on Mon 2 Mar 2030. Harbor: an earlier
onsite, and an offer that makes a counter-offer due at Brightwave (ranked first).
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

#: Tue 5 Mar 2030, 15:00 UTC (10:00 in New York): the morning after the panel.
NOW = datetime(2030, 3, 5, 15, 0, tzinfo=UTC)

NOTES = {
    "nadia": "Churn in the first 60 days is her biggest worry; she wants onboarding measured "
    "by time to first shipment. She pushed on how I would run pricing experiments.",
    "owen": "Moving the warehouse scanners off the Windows CE fleet before support ends; "
    "he is wary of big-bang rollouts.",
    "lucia": "Her analysts spend Mondays reconciling carrier invoices by hand; we discussed "
    "matching them automatically against rate cards.",
}
#: Words that belong to one person's notes only (a draft to anyone else must not use them).
OWN_WORDS = {
    "nadia": ["time to first shipment", "pricing experiments"],
    "owen": ["Windows CE", "big-bang rollouts"],
    "lucia": ["carrier invoices", "rate cards"],
}

_DOC: dict[str, Any] = {
    "version": 1,
    "profile": {"name": "Jamie Rivera", "timezone": "America/New_York", "country": "US"},
    "opportunities": [
        {
            "id": "brightwave",
            "company": "Brightwave Freight",
            "role": "Senior Product Manager, Shipper Experience",
            "rank": 1,
            "decision": {"expected_by": "2030-03-15", "process": "Panel debrief, then the VP"},
            "people": [
                {
                    "id": "nadia",
                    "name": "Nadia Haddad",
                    "role": "hiring-manager",
                    "key": True,
                    "email": "nadia@brightwave.example",
                    "phone": "+1 212 555 0100",
                },
                {
                    "id": "owen",
                    "name": "Owen Price",
                    "role": "panel",
                    "email": "owen@brightwave.example",
                },
                {
                    "id": "lucia",
                    "name": "Lucia Moretti",
                    "role": "panel",
                    "email": "lucia@brightwave.example",
                },
                {
                    "id": "ravi",
                    "name": "Ravi Shah",
                    "role": "recruiter",
                    "email": "ravi@brightwave.example",
                    "phone": "+1 212 555 0101",
                    "has_vote": False,
                },
            ],
            "interviews": [
                {
                    "id": "panel",
                    "at": "2030-03-04T13:00-05:00",
                    "duration_minutes": 180,
                    "kind": "final panel",
                    "with": ["nadia", "owen", "lucia", "ravi"],
                    "notes": dict(NOTES),
                    "next_step": {
                        "what": "Ravi calls with the decision",
                        "when": "2030-03-15",
                        "who": "ravi",
                        "channel": "phone",
                    },
                }
            ],
        },
        {
            "id": "harbor",
            "company": "Harbor Logistics",
            "role": "Product Lead",
            "rank": 2,
            "people": [
                {
                    "id": "kim",
                    "name": "Kim Park",
                    "role": "hiring-manager",
                    "email": "kim@harbor.example",
                }
            ],
            "interviews": [
                {
                    "id": "onsite",
                    "at": "2030-02-20T10:00-05:00",
                    "with": ["kim"],
                    "notes": {"kim": "Dock scheduling is a mess at their Newark hub."},
                }
            ],
            "offers": [{"id": "offer", "received": "2030-03-05", "expires": "2030-03-08"}],
        },
    ],
    "achievements": [
        {
            "id": "talk",
            "at": "2030-03-05",
            "kind": "talk",
            "title": "Cutting onboarding churn for shippers",
            "tags": ["onboarding", "churn"],
        },
    ],
    "decisions": [],
}


def document() -> dict[str, Any]:
    return copy.deepcopy(_DOC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
