"""Polishing a draft through the user's own OpenAI-compatible chat server (off by default).

The settings live in ``<config folder>/llm.toml`` (written atomically; `followup llm
settings`). Nothing is sent unless they are on; then one POST goes to the configured URL only:
no proxy from the environment, no redirect followed. What is sent: the action's draft and the
person's own context (``person_context``). The rewrite comes back only if it keeps every fact
of the draft and invents none (``drafts/polish.check_facts``) and the form-letter guard does
not find it too much like a message to someone else.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from followup.drafts.polish import (
    FactCheck,
    LlmSettings,
    PersonContext,
    chat_request,
    check_facts,
    endpoint,
    reply_text,
    tidy_reply,
    timeout_problem,
    url_problem,
)
from followup.errors import FollowupError, UsageError
from followup.services.workspace import Workspace

if TYPE_CHECKING:
    from followup.core.model import Action, Facts
    from followup.drafts.guard import Flag
    from followup.drafts.render import Draft

LLM_FILE: Final = "llm.toml"
#: The most of a reply that is read (a chat reply to one letter is a few kilobytes).
_MAX_REPLY: Final = 1_000_000

#: What sends the request: (url, body, headers, timeout) -> parsed JSON reply. Tests may pass
#: their own; the default is ``post_json``.
Sender = Callable[[str, bytes, dict[str, str], float], Any]


class LlmError(FollowupError):
    """The model's server could not be reached, or its reply was not usable."""

    exit_code = 1
    http_status = 502


class PolishRefused(FollowupError):
    """The rewrite changed the facts, or reads like a form letter: it is not offered."""

    exit_code = 1
    http_status = 422

    def __init__(self, message: str, check: FactCheck, flags: list[str]) -> None:
        super().__init__(message, hint="run it again for another rewrite, or edit the draft")
        self.check = check
        self.flags = flags


@dataclass(frozen=True, slots=True)
class Polished:
    """The draft as it stands and the model's accepted rewrite of it."""

    draft: Draft
    text: str
    settings: LlmSettings


# -- settings --------------------------------------------------------------------------------


def settings_path(config_dir: Path) -> Path:
    return config_dir / LLM_FILE


def load_settings(config_dir: Path | None) -> LlmSettings:
    """The settings (off when there is no config folder or no file)."""
    if config_dir is None:
        return LlmSettings()
    path = settings_path(config_dir)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LlmSettings()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return LlmSettings.of(tomllib.loads(raw))
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise UsageError(
            f"{path} is not valid: {exc}",
            hint="fix it, or set it again with `followup llm settings`",
        ) from exc


def save_settings(
    config_dir: Path,
    *,
    url: str | None = None,
    model: str | None = None,
    api_key_env: str | None = None,
    timeout: float | None = None,
    enabled: bool | None = None,
) -> LlmSettings:
    """Change the given settings (None: unchanged) and write the file atomically.

    Giving a URL or a model turns polishing on unless ``enabled`` says otherwise; it can only
    be on with both."""
    from followup.files import write_atomically

    current = load_settings(config_dir)
    changes: dict[str, Any] = {}
    if url is not None:
        url = url.strip()
        problem = url_problem(url)
        if problem:
            raise UsageError(problem, hint="e.g. --url http://127.0.0.1:8080")
        changes["url"] = url
    if model is not None:
        changes["model"] = model.strip()
    if api_key_env is not None:
        changes["api_key_env"] = api_key_env.strip()
    if timeout is not None:
        problem = timeout_problem(timeout)
        if problem:
            raise UsageError(problem)
        changes["timeout"] = float(timeout)
    if enabled is None and (url is not None or model is not None):
        enabled = True
    if enabled is not None:
        changes["enabled"] = enabled
    updated = replace(current, **changes)
    if updated.enabled and not (updated.url and updated.model):
        raise UsageError(
            "polishing needs both the server's URL and the model's name",
            hint="`followup llm settings --url http://127.0.0.1:8080 --model NAME`",
        )
    config_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(settings_path(config_dir), updated.to_toml())
    return updated


# -- what is sent ----------------------------------------------------------------------------


def person_context(facts: Facts, action: Action) -> PersonContext:
    """The action's person's own context: their name and role, the company and job, the
    sender's name, their notes and topics, and the days you met them. Nothing else."""
    from followup.core.reasons import ROLE_LABEL
    from followup.drafts.context import day

    opp = facts.opportunity(action.opportunity or "")
    person = opp.person(action.person or "") if opp else None
    if opp is None or person is None:
        raise UsageError(f"action '{action.id}' is not addressed to a person: nothing to polish")
    tz = ZoneInfo(facts.profile.timezone)
    theirs = [
        i
        for i in sorted(opp.interviews, key=lambda i: i.at)
        if person.id in i.with_ or i.notes.get(person.id, "").strip()
    ]
    notes = tuple(i.notes[person.id].strip() for i in theirs if i.notes.get(person.id, "").strip())
    meetings = tuple(day(i.at, tz) + (f" ({i.kind})" if i.kind else "") for i in theirs)
    return PersonContext(
        name=person.name,
        role=ROLE_LABEL.get(person.role, ""),
        company=opp.company,
        job=opp.role or "",
        sender=facts.profile.name or "",
        notes=notes,
        topics=tuple(person.topics),
        meetings=meetings,
    )


# -- the request -----------------------------------------------------------------------------


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Any:
    """POST ``body`` to ``url`` and parse the JSON reply: no proxy, no redirect followed."""
    import urllib.error
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # a redirect is an error: the draft goes to the configured URL only

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    # the scheme is http(s): ``url_problem`` checked it when the settings were read
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            raw = response.read(_MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace").strip()
        raise LlmError(
            f"the model's server at {url} answered {exc.code} {exc.reason}"
            + (f": {detail}" if detail else ""),
            hint="check the model's name (`followup llm settings`) and that it is loaded",
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
            raise LlmError(
                f"the model's server at {url} did not answer within {timeout:g} seconds",
                hint="a larger model needs longer: `followup llm settings --timeout 180`",
            ) from exc
        raise LlmError(
            f"cannot reach the model's server at {url}: {reason}",
            hint="start it (llama.cpp server, Ollama, LM Studio), or fix `followup llm settings`",
        ) from exc
    if len(raw) > _MAX_REPLY:
        raise LlmError(f"the reply from {url} is too large to be a rewrite of one message")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LlmError(f"the reply from {url} is not JSON") from exc


def polish(
    ws: Workspace,
    action_id: str,
    now: datetime,
    config_dir: Path | None,
    environ: Mapping[str, str],
    *,
    send: Sender | None = None,
) -> Polished:
    """Ask the configured model to polish ``action_id``'s draft, and check the rewrite.

    Raises UsageError when polishing is off (nothing is sent), LlmError when the server fails,
    PolishRefused when the rewrite changes the facts or reads like a form letter."""
    from followup.services import drafting

    settings = load_settings(config_dir)
    if not settings.on:
        raise UsageError(
            "polishing is off: no model is set up, so nothing was sent",
            hint="`followup llm settings --url http://127.0.0.1:8080 --model NAME` "
            "(a llama.cpp server, Ollama or LM Studio on this computer)",
        )
    problem = url_problem(settings.url)
    if problem:
        raise UsageError(problem, hint="fix it with `followup llm settings --url URL`")
    made = drafting.draft(ws, action_id, now, config_dir)
    if made.channel not in drafting.WRITTEN:
        raise UsageError(f"{action_id} is a call: its talking points are notes to yourself")
    action = ws.action(action_id, now)
    facts = ws.facts()
    context = person_context(facts, action)
    body = json.dumps(chat_request(settings, made.text, context)).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    key = environ.get(settings.api_key_env, "") if settings.api_key_env else ""
    if key:
        headers["Authorization"] = f"Bearer {key}"
    url = endpoint(settings.url)
    payload = (send or post_json)(url, body, headers, settings.timeout)
    try:
        text = tidy_reply(reply_text(payload), made.text)
    except ValueError as exc:
        raise LlmError(f"the reply from {url} is not usable: {exc}") from exc
    verdict = check_facts(made.text, text, context)
    if not verdict.ok:
        raise PolishRefused(f"the rewrite was refused: {verdict.explain()}", verdict, [])
    flags = _form_letter(ws, made, text, now, config_dir, facts)
    if flags:
        raise PolishRefused(
            "the rewrite was refused: it reads like a form letter, " + "; ".join(flags),
            verdict,
            flags,
        )
    return Polished(made, text, settings)


def _form_letter(
    ws: Workspace,
    made: Draft,
    text: str,
    now: datetime,
    config_dir: Path | None,
    facts: Facts,
) -> list[str]:
    """The guard's findings on the rewrite against every other draft and sent message."""
    from followup.drafts.guard import check
    from followup.drafts.render import split_subject
    from followup.services import drafting

    subject, body = split_subject(text)
    mine = replace(made, subject=subject, body=body)
    drafts, _ = drafting.pending_drafts(ws, now, config_dir)
    found, labels = drafting.messages(
        [mine, *(d for d in drafts if d.action != made.action)], facts
    )
    flags: list[Flag] = [f for f in check(found) if made.action in (f.first, f.second)]
    out = []
    for f in flags:
        other = f.second if f.first == made.action else f.first
        out.append(
            f"too much like {labels.get(other, other)} ({f.similarity:.0%} alike, "
            f"sharing “{f.shared[:120]}”)"
        )
    return out
