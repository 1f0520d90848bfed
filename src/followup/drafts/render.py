"""Render a draft: the action's template, filled with its context, as plain text.

Templates are Jinja files named after the rule (``thank-you.txt``...) shipped in
``followup/drafts/templates``; a file of the same name in ``<config folder>/templates/`` wins.
A template's first line may be ``Subject: ...`` (e-mails); the rest is the body.

Safety: templates run in a `SandboxedEnvironment` with `StrictUndefined` (a misspelt variable
is an error, not a silent blank) and without autoescaping, since the output is plain text (a web
page escapes it when it shows it). User text is only ever passed as data: a note that contains
``{{ 7 * 7 }}`` or ``<script>`` comes out exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from followup.errors import UsageError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

#: Phrases no draft should contain: they mark a message as filler.
CLICHES: Final = (
    "just checking in",
    "just wanted to check in",
    "touching base",
    "touch base",
    "hope this email finds you well",
    "hope this e-mail finds you well",
    "hope this finds you well",
    "circling back",
    "per my last email",
    "just following up",
    "reaching out to see",
    "i wanted to reach out",
)
USER_TEMPLATES: Final = "templates"
#: A bracketed instruction left for the sender ("[One new idea, result or question...]").
_GAP = re.compile(r"\[[A-Z][^\]\n]{10,}\]")


@dataclass(frozen=True, slots=True)
class Draft:
    """A message or call script for one action."""

    action: str
    rule: str
    channel: str
    to: str  # e-mail address or phone number when known, else the person's name
    subject: str
    body: str
    warnings: list[str] = field(default_factory=list)
    edited: bool = False  # the text is the user's own edit (`followup draft --edit`)
    template: str = ""  # where the template came from: "built-in" or its file
    opportunity: str = ""  # whose action: the opportunity's id and the person's
    person: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "rule": self.rule,
            "channel": self.channel,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "warnings": list(self.warnings),
            "edited": self.edited,
        }

    @property
    def text(self) -> str:
        """Subject and body as one editable text (what `--edit` opens)."""
        return f"Subject: {self.subject}\n\n{self.body}" if self.subject else self.body


def environment(config_dir: Path | None) -> SandboxedEnvironment:
    """The sandbox that renders drafts: the user's templates first, then the built-in ones."""
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders: list[Any] = []
    if config_dir is not None:
        loaders.append(FileSystemLoader(str(config_dir / USER_TEMPLATES)))
    loaders.append(PackageLoader("followup.drafts", "templates"))
    return SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(
    env: SandboxedEnvironment,
    action_id: str,
    data: dict[str, Any],
    warnings: list[str],
    to: str,
) -> Draft:
    """The draft of one action from its context ``data`` (see `context.gather`).

    Raises UsageError naming the template file and line when a template is broken.
    """
    from jinja2 import TemplateError, TemplateSyntaxError

    rule = data["rule"]
    name = f"{rule}.txt"
    try:
        template = env.get_template(name)
        text = template.render(data)
    except TemplateSyntaxError as exc:
        where = f"{exc.filename or name}, line {exc.lineno}"
        raise UsageError(
            f"the draft template {where} is broken: {exc.message}",
            hint="fix it, or delete it to use the built-in template",
        ) from exc
    except TemplateError as exc:
        raise UsageError(
            f"the draft template {template_origin(env, name)} failed: {exc}",
            hint="templates may use only the documented variables (see docs/drafts.md)",
        ) from exc
    subject, body = split_subject(tidy(text))
    found = list(warnings)
    lowered = body.lower()
    found += [f"contains the cliché “{c}”" for c in CLICHES if c in lowered]
    found += [
        f"has a part for you to fill in: {gap}"
        for gap in _GAP.findall(body)
        if "missing:" not in gap[:30]  # "[Article missing: ...]": its own warning explains it
    ]
    return Draft(
        action=action_id,
        rule=rule,
        channel=data["channel"],
        to=to,
        subject=subject,
        body=body,
        warnings=found,
        template=template_origin(env, name),
    )


def template_origin(env: SandboxedEnvironment, name: str) -> str:
    """The user's file when it overrides ``name``, else "built-in"."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    loader = env.loader
    if isinstance(loader, ChoiceLoader):
        for inner in loader.loaders:
            if isinstance(inner, FileSystemLoader):
                path = Path(inner.searchpath[0]) / name
                if path.is_file():
                    return str(path)
    return "built-in"


def tidy(text: str) -> str:
    """Trailing spaces gone, no more than one blank line in a row, no blank start or end."""
    lines = [line.rstrip() for line in text.splitlines()]
    joined = "\n".join(lines)
    joined = re.sub(r"\n{3,}", "\n\n", joined)
    joined = re.sub(r"(?m)^ +(?=\S)", "", joined)  # a sentence that starts a paragraph
    return joined.strip() + "\n"


def split_subject(text: str) -> tuple[str, str]:
    """``("Subject line", "body")`` when the text starts with ``Subject:``, else ``("", text)``."""
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.lstrip("\n")
    return "", text
