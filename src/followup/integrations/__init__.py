"""Where the plan meets other programs: calendars (iCalendar) and the user's mailbox.

Modules here speak the outside formats and protocols; the use cases that store what they learn
live in ``followup.services`` (``calendar``, ``mail``).
"""
