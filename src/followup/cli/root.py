"""The top-level `followup` group; its commands load lazily.

Each command lives in a module of this package that is imported when the command runs;
``COMMANDS`` names them all with their short help, so `followup --help` needs none of them.
"""

from __future__ import annotations

from typing import Any, Final

import click

from followup import __version__
from followup.cli.app import App, report
from followup.cli.lazy import Entry, LazyGroup

_P: Final = "followup.cli."

#: name -> (module, attribute, short help), in the order `followup --help` shows them.
COMMANDS: Final[dict[str, Entry]] = {
    "today": Entry(_P + "plan", "today", "What to do now: overdue, due now and the next 7 days."),
    "plan": Entry(_P + "plan", "plan", "The whole plan, or one opportunity's, with reasons."),
    "done": Entry(_P + "acting", "done", "Mark an action done (logs the matching touch)."),
    "skip": Entry(_P + "acting", "skip", "Skip an action for good."),
    "snooze": Entry(_P + "acting", "snooze", "Put an action off until a later moment."),
    "unskip": Entry(_P + "acting", "unskip", "Undo a skip or a snooze."),
    "undone": Entry(_P + "editing", "undone", "Take back a done: the action is planned again."),
    "reopen": Entry(
        _P + "acting", "reopen", "Do a missed action anyway: open its window again from now."
    ),
    "undo": Entry(
        _P + "history", "undo", "Undo the last change (run it again for the one before)."
    ),
    "redo": Entry(
        _P + "history",
        "redo",
        "Make again the change you undid last (until you change something else).",
    ),
    "history": Entry(
        _P + "history",
        "history",
        "The last changes to your data, newest first, with what each changed.",
    ),
    "draft": Entry(_P + "drafts", "draft", "Print the personal draft of a message or call."),
    "check": Entry(_P + "drafts", "check", "Find form letters: messages too much alike."),
    "article": Entry(_P + "articles", "article", "The reading list: add, import, suggest."),
    "opportunity": Entry(
        _P + "opportunity", "opportunity", "Add, list, show, edit, remove opportunities."
    ),
    "person": Entry(_P + "record", "person", "Add, edit, remove the people of an opportunity."),
    "interview": Entry(_P + "record", "interview", "Log, edit, remove interviews and next steps."),
    "touch": Entry(_P + "record", "touch", "Log, edit, remove contacts: sent or received."),
    "offer": Entry(_P + "offers", "offer", "Record, extend, accept, decline, edit offers."),
    "achievement": Entry(_P + "record", "achievement", "Record, edit, remove what sets you apart."),
    "profile": Entry(_P + "profile", "profile", "Your name, time zone, country, weekly target."),
    "import": Entry(
        _P + "documents",
        "import_",
        "Replace your facts with a JSON document, or add from another tracker's CSV.",
    ),
    "export": Entry(_P + "documents", "export", "Write all data as a JSON document."),
    "demo": Entry(_P + "documents", "demo", "Load a realistic sample job search."),
    "backup": Entry(
        _P + "backup",
        "backup",
        "Write everything followup keeps to one file, for `followup restore`.",
    ),
    "restore": Entry(
        _P + "backup", "restore", "Replace everything with a backup written by `followup backup`."
    ),
    "playbook": Entry(_P + "playbook", "playbook", "Show or change the playbook settings."),
    "serve": Entry(_P + "serve", "serve", "Open the web page (local) and its JSON API."),
    "calendar": Entry(_P + "calendar", "calendar", "Your follow-ups in your calendar app."),
    "access": Entry(
        _P + "access", "access", "Password and API tokens for serving beyond this computer."
    ),
    "send": Entry(_P + "mail", "send", "Send an action's message from your mailbox, once."),
    "mail": Entry(_P + "mail", "mail", "Mail settings, outbox, reply sync and review."),
    "llm": Entry(_P + "llm", "llm", "The local model that may polish drafts (off by default)."),
    "server": Entry(
        _P + "server",
        "server",
        "Set up the server mode: many candidates in one PostgreSQL database.",
    ),
    "worker": Entry(
        _P + "server",
        "worker",
        "Work the background jobs of a PostgreSQL database (any number, on any machines).",
    ),
}

_EPILOG: Final = """\b
Settings (flag > environment > default):
  --db / FOLLOWUP_DATABASE_URL   database: a SQLite file path or a SQLAlchemy URL
  FOLLOWUP_DATA_DIR              folder of the default database (followup.db)
  FOLLOWUP_CONFIG_DIR            folder of config.toml ([playbook] settings)
  NO_COLOR                       set it to turn colour off
"""


class FollowupGroup(LazyGroup):
    """The top-level group: maps every error to one short message on stderr (see ``report``)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        import shlex

        from followup.services.workspace import LABEL

        # what this command is called in the undo journal: the command line as typed
        LABEL.set(shlex.join(["followup", *args])[:200])
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # the one place where errors are mapped for the CLI
            report(exc, debug=bool(ctx.params.get("debug")))


@click.group(
    cls=FollowupGroup,
    table=COMMANDS,
    epilog=_EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    metavar="PATH_OR_URL",
    help="Database: a SQLite file, or a SQLAlchemy URL (default: followup.db in the data folder).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.version_option(__version__, "--version", prog_name="followup")
@click.pass_context
def cli(ctx: click.Context, db: str | None, debug: bool) -> None:
    """Follow up after job interviews: who to contact, when, how and about what.

    \b
    Quick start:
      followup demo       load a sample job search
      followup today      what to do now
      followup plan       the whole plan, with reasons
    """
    if isinstance(ctx.obj, App):  # embedded: the caller built the App (its clock, environment)
        app = ctx.obj
        app.db = db or app.db
        app.debug = debug or app.debug
    else:
        app = App.from_environment(db, debug)
    ctx.obj = app
    ctx.call_on_close(app.close)
