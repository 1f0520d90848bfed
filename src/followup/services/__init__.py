"""The use cases of `followup`: what the CLI (and any other front end) can do to the facts.

Each use case validates its input, raises errors from ``followup.errors``, and runs in exactly one
unit of work, so it is all-or-nothing. Modules:

- ``record``: recording facts (profile, opportunities, people, interviews, touches, offers,
  achievements), with ``checks`` (the input rules they share);
- ``acting``: done, skip, snooze and unskip on a planned action;
- ``documents``: import and export of the interchange document, and the demo;
- ``plan``: the candidate's plan, read from the stored plans;
- ``agenda``: a stored plan, turned into actions at any moment;
- ``views``: read models for listings (`followup opportunity list`);
- ``workspace``: the one handle every use case gets (store, candidate, playbook, folders).

Importing this package is cheap; the storage layer (SQLAlchemy) loads only when a store opens.
"""
