"""`followup <kind> edit|rm` for every kind of fact, and `followup undone`.

One table (``OPTIONS``) says which flag edits which interchange field of each kind; the
commands are made from it, so every kind edits the same way: a flag per field, an empty value
clears an optional one. The edit itself is `services.editing` (a merge patch over the fact as
`followup export` writes it), so the checks and messages are the import's, named by flag here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, NamedTuple

import click

from followup.cli.app import get_app
from followup.cli.output import echo_json
from followup.cli.params import pairs
from followup.core.model import (
    ACTORS,
    CHANNELS,
    DIRECTIONS,
    OFFER_DECISIONS,
    OPPORTUNITY_STATUSES,
    ROLES,
    TOUCH_KINDS,
    TOUCH_OUTCOMES,
)
from followup.core.problems import Problem
from followup.errors import InvalidInput
from followup.services import editing

_DAY = "a day (YYYY-MM-DD)"
_WHEN = "a day or a time (your zone if no offset)"
_MOMENT = "a time, e.g. 2026-11-02T14:00 (your zone if no offset)"


class Field(NamedTuple):
    """One flag of `<kind> edit`: the interchange field it sets (``a.b`` inside an object)."""

    path: str
    flag: str
    shape: str  # text, int, bool, list, pairs, or a tuple of choices
    help: str
    choices: tuple[str, ...] = ()


def _f(
    path: str, help: str, shape: str = "text", flag: str | None = None, choices: Sequence[str] = ()
) -> Field:
    name = flag or "--" + path.replace(".", "-").replace("_", "-")
    return Field(path, name, "choice" if choices else shape, help, tuple(choices))


#: Every editable field of every kind, as a flag (the interchange document's field names).
OPTIONS: Final[dict[str, tuple[Field, ...]]] = {
    "opportunity": (
        _f("company", "The employer."),
        _f("role", "The job title."),
        _f("applied", f"The day you applied: {_DAY}."),
        _f("recorded_at", f"When you recorded it: {_MOMENT}."),
        _f("source", "Where you found it."),
        _f("url", "The job posting."),
        _f("rank", "Your preference: 1 = most wanted.", "int"),
        _f("status", "Where it stands.", choices=OPPORTUNITY_STATUSES),
        _f("decision.expected_by", f"When they expect to decide: {_WHEN}.", flag="--expected-by"),
        _f("decision.process", "How they decide.", flag="--process"),
    ),
    "person": (
        _f("name", "Their full name."),
        _f("role", "Their part in the decision.", choices=ROLES),
        _f("has_vote", "Whether they have a say in the decision.", "bool", "--vote/--no-vote"),
        _f("key", "A key participant (gets value-add follow-ups).", "bool", "--key/--no-key"),
        _f("email", "E-mail address (stored normalised)."),
        _f("phone", "Phone number (stored as +<country code><number>)."),
        _f("timezone", "Their IANA time zone, e.g. Europe/Berlin."),
        _f(
            "topics",
            "What the drafts should mention to them, in your words (repeatable, at most 5; "
            "replaces the list).",
            "list",
            "--topic",
        ),
    ),
    "interview": (
        _f("at", f"When it started: {_MOMENT}."),
        _f("duration_minutes", "Length in minutes.", "int"),
        _f("kind", "e.g. phone screen, onsite, final."),
        _f("with", "Everyone you met, by id (repeatable; replaces the list).", "list"),
        _f(
            "notes",
            "PERSON=TEXT: what you discussed with one person (empty TEXT removes it; repeatable).",
            "pairs",
            "--note",
        ),
        _f("next_step.what", "The agreed next step."),
        _f("next_step.when", f"When it is due: {_WHEN}."),
        _f("next_step.who", "Who it is with, by id."),
        _f("next_step.channel", "How.", choices=CHANNELS),
        _f("next_step.acts", "Who acts on that date.", choices=ACTORS),
    ),
    "touch": (
        _f("at", f"When: {_MOMENT}."),
        _f("person", "Who, by id."),
        _f("channel", "How.", choices=CHANNELS),
        _f("direction", "out (you) or in (them).", choices=DIRECTIONS),
        _f("kind", "What it was.", choices=TOUCH_KINDS),
        _f("summary", "One line on what was said."),
        _f("body", "The message itself."),
        _f("states_date", f"A date they named: {_WHEN}."),
        _f("acts", "Who acts on that date.", choices=ACTORS),
        _f("outcome", "What it brought.", choices=TOUCH_OUTCOMES),
    ),
    "offer": (
        _f("received", f"When it came: {_WHEN}."),
        _f("expires", f"When it expires: {_WHEN}."),
        _f("decision", "Your answer.", choices=OFFER_DECISIONS),
        _f("decided", f"When you answered: {_MOMENT}."),
    ),
    "achievement": (
        _f("at", f"When: {_WHEN}."),
        _f("kind", "e.g. article, talk, course."),
        _f("title", "Its title."),
        _f("tags", "A topic it shows (repeatable; replaces the list).", "list", "--tag"),
    ),
}

_INSIDE: Final = frozenset(editing.LISTS)
#: fields every fact of its kind has (an empty value is refused, not cleared)
_REQUIRED: Final = frozenset(
    {"company", "role", "name", "at", "title", "kind", "person", "received", "next_step.what"}
)


def _param(field: Field) -> str:
    return field.path.replace(".", "__")


def _option(field: Field) -> click.Option:
    help = field.help
    if field.shape == "bool":
        return click.Option(
            [field.flag, _param(field)], default=None, show_default=False, help=help
        )
    if field.shape in ("list", "pairs"):
        metavar = "PERSON=TEXT" if field.shape == "pairs" else None
        return click.Option([field.flag, _param(field)], multiple=True, metavar=metavar, help=help)
    kind: Any = click.Choice(field.choices) if field.shape == "choice" else None
    if field.shape == "int":
        kind = int
    if field.shape == "text" and field.path not in _REQUIRED:
        help += ' "" clears it.'
    return click.Option([field.flag, _param(field)], type=kind, help=help)


def _patch(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for field in OPTIONS[kind]:
        value = given.get(_param(field))
        if value is None or value == ():
            continue
        if field.shape == "list":
            value = [v.strip() for item in value for v in item.split(",") if v.strip()]
        elif field.shape == "pairs":
            value = {k: (v if v.strip() else None) for k, v in pairs(value, field.flag).items()}
        elif field.shape == "text" and not value.strip() and field.path not in _REQUIRED:
            value = None  # clears an optional field; a required one is refused as empty
        where = patch
        *outer, last = field.path.split(".")
        for key in outer:
            where = where.setdefault(key, {})
        where[last] = value
    return patch


def _flags(kind: str, error: InvalidInput) -> InvalidInput:
    """The problems of an edit named by the flag that set the value (``--email``)."""
    renamed = []
    for problem in error.problems:
        path = problem.path.removeprefix(kind + ".")
        flag = next(
            (
                f.flag.split("/")[0]
                for f in sorted(OPTIONS[kind], key=lambda f: -len(f.path))
                if path == f.path or path.startswith((f.path + ".", f.path + "["))
            ),
            None,
        )
        renamed.append(Problem(flag or problem.path, problem.message))
    return InvalidInput(renamed, hint=error.hint)


def edit_command(kind: str) -> click.Command:
    """`followup <kind> edit`."""
    inside = kind in _INSIDE
    example = {
        "opportunity": "followup opportunity edit acme --rank 1 --expected-by 2026-12-04",
        "person": "followup person edit acme dana --email dana@acme.example --key",
        "interview": 'followup interview edit acme i1 --at 2026-11-20T10:00 --note dana="pricing"',
        "touch": 'followup touch edit acme t2 --summary "Asked about the timeline"',
        "offer": "followup offer edit acme o1 --expires 2026-12-10",
        "achievement": "followup achievement edit a1 --tag routing --tag ops",
    }[kind]

    def run(ids: tuple[str, ...], as_json: bool, **given: Any) -> None:
        app = get_app()
        patch = _patch(kind, given)
        if not patch:
            raise click.UsageError(
                f"give at least one field to change (see `followup {kind} edit --help`)"
            )
        try:
            edited = editing.edit(app.workspace, kind, ids, patch)
        except InvalidInput as error:
            raise _flags(kind, error) from None
        if as_json:
            echo_json(edited)
            return
        what = f"{kind} '{ids[-1]}'" + (f" of {ids[0]}" if inside else "")
        fields = ", ".join(
            dict.fromkeys(f.flag.split("/")[0] for f in OPTIONS[kind] if _param(f) in _set(given))
        )
        click.echo(f"Updated {what} ({fields}). `followup undo` takes it back.")

    params: list[click.Parameter] = [
        click.Argument(
            ["ids"],
            nargs=2 if inside else 1,
            metavar=f"OPPORTUNITY {kind.upper()}" if inside else kind.upper(),
        )
    ]
    params += [_option(f) for f in OPTIONS[kind]]
    params.append(
        click.Option(
            ["--json", "as_json"], is_flag=True, help="Print the fact as it now reads, as JSON."
        )
    )
    return click.Command(
        "edit",
        callback=_ids_tuple(run),
        params=params,
        help=f"Correct a {kind}: each flag sets one field, an empty value clears an optional "
        f"one; the rest stays as it is.\n\n\b\nExample:\n  {example}",
        short_help=f"Correct a {kind}.",
    )


def _set(given: dict[str, Any]) -> set[str]:
    return {k for k, v in given.items() if v is not None and v != ()}


def _ids_tuple(run: Callable[..., None]) -> Callable[..., None]:
    def callback(ids: Any, **rest: Any) -> None:
        run(tuple(ids) if isinstance(ids, tuple | list) else (ids,), **rest)

    return callback


def rm_command(kind: str) -> click.Command:
    """`followup <kind> rm`."""
    inside = kind in _INSIDE
    what = {"person": "people", "opportunity": "opportunities"}.get(kind, kind + "s")
    depends = {
        "opportunity": "One that holds people, interviews, touches or offers is kept unless "
        "--cascade (which removes them too).",
        "person": "Someone named in interviews or touches is kept unless --cascade, which "
        "takes them out of those interviews (one left with nobody goes) and removes their "
        "touches.",
    }.get(kind, "")

    example = {
        "opportunity": "followup opportunity rm acme --cascade",
        "person": "followup person rm acme sam",
        "interview": "followup interview rm acme i2",
        "touch": "followup touch rm acme t3 t4",
        "offer": "followup offer rm acme o1",
        "achievement": "followup achievement rm a2 --yes",
    }[kind]

    def run(opp_id: str | None, ids: tuple[str, ...], cascade: bool, yes: bool) -> None:
        app = get_app()
        names = [opp_id, *ids] if opp_id is not None else list(ids)
        if app.interactive and not yes:
            listed = ", ".join(f"'{i}'" for i in ids)
            where = f" of {opp_id}" if opp_id is not None else ""
            click.confirm(f"Remove {kind} {listed}{where}?", abort=True)
        gone = editing.remove(app.workspace, kind, names, cascade=cascade)
        click.echo(f"Removed {', '.join(gone)}. `followup undo` puts it back.")

    params: list[click.Parameter] = []
    if inside:
        params.append(click.Argument(["opp_id"], metavar="OPPORTUNITY"))
    params.append(click.Argument(["ids"], nargs=-1, required=True, metavar=f"{kind.upper()}..."))
    params.append(click.Option(["--cascade"], is_flag=True, help="Remove what names it too."))
    params.append(click.Option(["--yes", "-y"], is_flag=True, help="Do not ask for confirmation."))

    def callback(**given: Any) -> None:
        run(given.pop("opp_id", None), tuple(given.pop("ids")), **given)

    return click.Command(
        "rm",
        callback=callback,
        params=params,
        help=f"Remove {what} ({'of an opportunity, ' if inside else ''}asking first in a terminal "
        f"unless --yes). {depends} `followup undo` puts back what went.\n\n\b\nExample:\n"
        f"  {example}",
        short_help=f"Remove {what}.",
    )


def attach(group: click.Group, kind: str) -> None:
    """Give ``group`` its `edit` and `rm` commands."""
    group.add_command(edit_command(kind))
    group.add_command(rm_command(kind))


@click.command()
@click.argument("action_id")
def undone(action_id: str) -> None:
    """Take back a done: the action is planned again.

    The touch that `followup done` logged is removed (`followup undo` puts it back).

    \b
    Example:
      followup undone thank-you:acme:dana:i1
    """
    app = get_app()
    touch = editing.undone(app.workspace, action_id)
    click.echo(f"Not done after all: {action_id} (touch {touch} removed).")
