"""`followup draft --polish`, `followup llm settings` and the web's Polish button, against a tiny
OpenAI-compatible chat server started inside the test on 127.0.0.1 (no other network).

The server answers ``POST /v1/chat/completions`` with what the test's ``reply`` function makes
of the draft it was sent, and keeps every request body, so a test can say what left the
computer (only that person's context) and that nothing did when polishing is off.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from draft_facts import NOTES, NOW, OWN_WORDS, document
from followup.drafts.polish import PersonContext, check_facts, endpoint, facts_of, is_loopback
from followup.services import polish
from test_cli_support import Cli

OWEN = "thank-you:brightwave:owen:panel"
LUCIA = "thank-you:brightwave:lucia:panel"
MARKER = "The message to polish:\n"

Reply = Callable[[str], str]


def _warmer(draft: str) -> str:
    """A fair polish: a warmer greeting and a warmer word, every fact kept."""
    return draft.replace("Hi ", "Dear ", 1).replace("I enjoyed", "I really enjoyed")


@dataclass
class ChatServer:
    """What the fake server received, and how it answers."""

    url: str
    reply: Reply = _warmer
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


def _draft_in(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"]).split(MARKER, 1)[1]


@pytest.fixture
def server() -> Iterator[ChatServer]:
    state = ChatServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.requests.append(body)
            state.paths.append(self.path)
            time.sleep(state.delay)
            content = state.reply(_draft_in(body))
            out = json.dumps(
                {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "followup.db", now=NOW)
    cli.load(document(), folder=tmp_path)
    return cli


@pytest.fixture
def on(run: Cli, server: ChatServer) -> Cli:
    run("llm", "settings", "--url", server.url, "--model", "tiny-test")
    return run


# -- settings ---------------------------------------------------------------------------------


def test_settings_are_off_by_default_and_kept_in_the_config_folder(
    run: Cli, server: ChatServer, tmp_path: Path
) -> None:
    assert run.json("llm", "settings", "--json")["enabled"] is False
    shown = run("llm", "settings", "--url", server.url, "--model", "tiny-test", "--timeout", "5")
    assert "polish       on" in shown.stdout and shown.stderr == ""  # loopback: no warning
    saved = (tmp_path / "config" / "llm.toml").read_text(encoding="utf-8")
    assert f'url = "{server.url}"' in saved and "timeout = 5.0" in saved
    off = run.json("llm", "settings", "--off", "--json")
    assert off["enabled"] is False and off["url"] == server.url  # the rest is kept
    assert run.json("llm", "settings", "--on", "--json")["enabled"] is True


def test_settings_refuse_a_bad_url_and_warn_about_a_server_elsewhere(run: Cli) -> None:
    refused = run("llm", "settings", "--url", "file:///etc/passwd", "--model", "m", expect=2)
    assert "http:// or https://" in refused.stderr
    run("llm", "settings", "--timeout", "0", expect=2)
    far = run("llm", "settings", "--url", "https://llm.example.com", "--model", "m")
    assert "warning: https://llm.example.com is not this computer" in far.stderr


def test_endpoint_and_loopback() -> None:
    assert endpoint("http://127.0.0.1:8080") == "http://127.0.0.1:8080/v1/chat/completions"
    assert endpoint("http://localhost:11434/v1/") == "http://localhost:11434/v1/chat/completions"
    assert is_loopback("http://[::1]:1234") and is_loopback("http://localhost:1")
    assert not is_loopback("http://192.168.1.5:8080")


# -- polishing ------------------------------------------------------------------------------


def test_a_good_rewrite_is_shown_beside_the_draft_and_can_be_kept(
    on: Cli, server: ChatServer
) -> None:
    shown = on("draft", OWEN, "--polish")
    template, _, polished = shown.stdout.partition("== Polished by tiny-test")
    assert template.startswith("== Template draft ==") and "Hi Owen," in template
    assert "Dear Owen," in polished and "I really enjoyed" in polished
    assert "Subject: Thank you" in polished and "Windows CE" in polished
    assert server.paths == ["/v1/chat/completions"]
    assert on.json("draft", OWEN, "--json")["edited"] is False  # nothing kept without --save

    on("draft", OWEN, "--polish", "--save")
    kept = on.json("draft", OWEN, "--json")
    assert kept["edited"] is True and kept["body"].startswith("Dear Owen,")


def test_the_request_holds_only_that_persons_context(on: Cli, server: ChatServer) -> None:
    on("draft", OWEN, "--polish")
    (body,) = server.requests
    assert body["model"] == "tiny-test" and body["messages"][0]["role"] == "system"
    assert "keep every fact" in body["messages"][0]["content"]
    sent = json.dumps(body, ensure_ascii=False)
    assert "Owen Price" in sent and "Windows CE" in sent and "Brightwave Freight" in sent
    assert "Monday 4 March (final panel)" in sent  # the day they met
    assert NOTES["owen"] in sent
    for other in ("Nadia", "Lucia", "Ravi", "Kim Park", "Harbor", "Newark", "Dock scheduling"):
        assert other not in sent, other
    for person in ("nadia", "lucia"):
        for words in OWN_WORDS[person]:
            assert words not in sent, words


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.replace("yesterday", "recently"), "it drops “yesterday”"),
        (
            lambda d: d.replace("since.", "since. Could we talk again on Tuesday 3pm?"),
            "it invents “tuesday”, “3pm”",
        ),
        (lambda d: d.replace("since.", "since, as I told Priya afterwards."), "“priya”"),
        (
            lambda d: d.replace("Windows CE fleet", "old devices"),
            "it drops “windows”, “ce”, “fleet”",
        ),
    ],
    ids=["drops-the-day", "invents-a-time", "invents-a-name", "drops-a-topic"],
)
def test_a_rewrite_that_changes_the_facts_is_refused_naming_them(
    on: Cli, server: ChatServer, change: Reply, named: str
) -> None:
    server.reply = change
    refused = on("draft", OWEN, "--polish", "--save", expect=1)
    assert "the rewrite was refused" in refused.stderr and named in refused.stderr
    assert "Traceback" not in refused.output and refused.stdout == ""
    assert on.json("draft", OWEN, "--json")["edited"] is False  # nothing kept


#: The same passage in everyone's letter: what the guard is for.
PASSAGE = (
    "I have been reflecting on everything we covered and I am more convinced than ever that my "
    "background would let me contribute from the very first week, because I have spent years "
    "turning messy operational problems into calm and measurable processes that teams enjoy "
    "using, and I would bring that same patient and practical approach to your team, working "
    "closely with everyone involved, listening first, and shipping small improvements that "
    "add up quickly, so that the people who rely on the work every day feel the difference "
    "long before any big launch is announced."
)


def _form_letter(draft: str) -> str:
    head, sep, rest = draft.partition(",\n\n")  # after the greeting
    return f"{head}{sep}{PASSAGE}\n\n{rest}"


def test_a_form_letter_rewrite_is_refused_by_the_guard(on: Cli, server: ChatServer) -> None:
    server.reply = _form_letter
    on("draft", OWEN, "--polish", "--save")  # alone, the passage is no form letter yet
    refused = on("draft", LUCIA, "--polish", expect=1)
    assert "reads like a form letter" in refused.stderr
    assert f"too much like draft {OWEN} (to Owen Price" in refused.stderr
    assert "Traceback" not in refused.output


def test_nothing_is_sent_when_polishing_is_off(run: Cli, server: ChatServer) -> None:
    never = run("draft", OWEN, "--polish", expect=2)
    assert "polishing is off" in never.stderr and "nothing was sent" in never.stderr
    run("llm", "settings", "--url", server.url, "--model", "tiny-test", "--off")
    run("draft", OWEN, "--polish", expect=2)
    assert server.requests == []
    run("draft", OWEN, "--save", expect=2)  # --save only with --polish


def test_a_server_that_is_down_is_a_clear_error(run: Cli) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    run("llm", "settings", "--url", f"http://127.0.0.1:{port}", "--model", "m")
    failed = run("draft", OWEN, "--polish", expect=1)
    assert f"cannot reach the model's server at http://127.0.0.1:{port}" in failed.stderr
    assert "hint: start it" in failed.stderr and "Traceback" not in failed.output


def test_a_slow_server_times_out(on: Cli, server: ChatServer) -> None:
    server.delay = 1.5
    on("llm", "settings", "--timeout", "0.3")
    failed = on("draft", OWEN, "--polish", expect=1)
    assert "did not answer within 0.3 seconds" in failed.stderr
    assert "Traceback" not in failed.output


def test_a_reply_without_a_message_is_a_clear_error(on: Cli, server: ChatServer) -> None:
    server.reply = lambda _draft: "   "
    failed = on("draft", OWEN, "--polish", expect=1)
    assert "is not usable: the reply's message is empty" in failed.stderr


# -- the fact check on its own -------------------------------------------------------------------


def test_facts_are_found_in_their_usual_spellings() -> None:
    found = facts_of(
        "Subject: Our call\n\nHi Dana,\nSee you on Thursday 12 March at 3:30 pm (or March 14th, "
        "2030-03-16, 15:00) at https://meet.example/x; mail dana@acme.example. Q3 is 40% done."
    )
    assert {"thursday", "12 march", "14 march", "2030-03-16"} <= found.dates
    assert found.times == {"3:30pm", "15:00"}
    assert found.urls == {"https://meet.example/x"} and found.emails == {"dana@acme.example"}
    assert {"q3", "40"} <= found.numbers and "dana" in found.names


def test_the_context_allows_what_it_holds() -> None:
    context = PersonContext(
        "Dana Lee",
        "",
        "Acme Corp",
        "",
        "Alex Morgan",
        ("Kafka before Q3",),
        (),
        ("Monday 4 March",),
    )
    draft = "Hi Dana,\n\nThank you for talking about Kafka yesterday.\n\nBest,\nAlex Morgan\n"
    ok = draft.replace("yesterday", "yesterday, on Monday, ahead of Q3")
    assert check_facts(draft, ok, context).ok
    bad = draft.replace("Alex Morgan", "Alex").replace("yesterday", "yesterday with Lee Chen")
    verdict = check_facts(draft, bad, context)
    assert "Alex Morgan" in verdict.dropped and verdict.invented == ["chen"]


# -- the web page ------------------------------------------------------------------------------

WEB_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
THANK_DANA = "thank-you:brightline:dana:final-panel"


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    from followup.web.app import create_app
    from followup.web.settings import WebSettings

    config = tmp_path / "webconfig" / "config.toml"
    settings = WebSettings(
        database_url=f"sqlite:///{tmp_path / 'web.db'}", clock=lambda: WEB_NOW, config_file=config
    )
    with TestClient(create_app(settings)) as client:
        client.get("/")
        client.post("/demo", data={"csrf_token": client.cookies["followup_csrf"]})
        yield client


def test_the_page_polishes_only_when_set_up_and_use_this_keeps_it(
    web: TestClient, server: ChatServer, tmp_path: Path
) -> None:
    token = {"csrf_token": web.cookies["followup_csrf"]}
    htmx = {"HX-Request": "true"}
    assert ">Polish</button>" not in web.get(f"/drafts/{THANK_DANA}", headers=htmx).text
    assert web.post(f"/drafts/{THANK_DANA}/polish", data=token).status_code == 400
    assert server.requests == []

    polish.save_settings(tmp_path / "webconfig", url=server.url, model="tiny-test")
    assert ">Polish</button>" in web.get(f"/drafts/{THANK_DANA}", headers=htmx).text
    shown = web.post(f"/drafts/{THANK_DANA}/polish", data=token, headers=htmx)
    assert shown.status_code == 200, shown.text
    assert "Template draft" in shown.text and "Polished by tiny-test" in shown.text
    assert "Use this" in shown.text and "Dear Dana," in shown.text
    rewrite = _warmer(_draft_in(server.requests[-1]))
    kept = web.post(f"/drafts/{THANK_DANA}", data={**token, "text": rewrite}, headers=htmx)
    assert "your edit" in kept.text and "Dear Dana," in kept.text

    server.reply = lambda d: d.replace("Dana", "Dana and Priya", 1)
    refused = web.post(f"/drafts/{THANK_DANA}/polish", data=token, headers=htmx)
    assert refused.status_code == 422 and "it invents “priya”" in refused.text
