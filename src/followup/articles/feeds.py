"""Read articles from RSS/Atom feeds and OPML lists of feeds, from files or URLs.

A source is a file path or an http(s) URL. An OPML file lists feeds (``<outline xmlUrl=...>``);
each of them is read in turn. Problems are returned with what was read, not raised on the first
one: one dead feed in an OPML list does not stop the others.

feedparser is imported when a feed is parsed; the network is used only for URLs, with a timeout.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from followup.articles.model import Article

TIMEOUT_SECONDS: Final = 15
MAX_BYTES: Final = 10_000_000
SUMMARY_CHARS: Final = 600
_TAG = re.compile(r"<[^>]+>")


@dataclass(slots=True)
class Imported:
    """What an import read: the articles, and a message per source that failed."""

    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    feeds: int = 0


def read_sources(sources: list[str]) -> Imported:
    """Articles from every feed in ``sources`` (feeds, OPML lists; files or URLs)."""
    out = Imported()
    for source in sources:
        try:
            raw = fetch(source)
        except OSError as exc:
            out.problems.append(f"{source}: cannot read it ({_why(exc)})")
            continue
        if is_opml(raw):
            feeds, problem = opml_feeds(raw)
            if problem:
                out.problems.append(f"{source}: {problem}")
            for feed in feeds:
                try:
                    _read_feed(feed, fetch(_resolve(feed, source)), out)
                except OSError as exc:
                    out.problems.append(
                        f"{feed} (listed in {source}): cannot read it ({_why(exc)})"
                    )
        else:
            _read_feed(source, raw, out)
    return out


def _resolve(feed: str, listed_in: str) -> str:
    """A relative feed address in an OPML list is relative to where the list came from."""
    if "://" in feed:
        return feed
    if "://" in listed_in:
        from urllib.parse import urljoin

        return urljoin(listed_in, feed)
    path = Path(feed)
    return str(path if path.is_absolute() else Path(listed_in).parent / path)


def fetch(source: str) -> bytes:
    """The bytes of a file or an http(s) URL (other schemes are refused)."""
    if "://" not in source:
        return Path(source).expanduser().read_bytes()
    if not source.startswith(("http://", "https://")):
        scheme = source.split("://", maxsplit=1)[0]
        raise OSError(f"only http and https URLs are read, not {scheme}")
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    request = Request(source, headers={"User-Agent": "followup (reading list import)"})  # noqa: S310
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (scheme checked)
            data: bytes = response.read(MAX_BYTES + 1)
    except HTTPError as exc:
        exc.close()  # an error response holds its connection open until closed
        raise OSError(f"HTTP {exc.code} {exc.reason}") from None
    if len(data) > MAX_BYTES:
        raise OSError(f"larger than {MAX_BYTES // 1_000_000} MB")
    return data


def is_opml(raw: bytes) -> bool:
    return b"<opml" in raw[:2000].lower()


def opml_feeds(raw: bytes) -> tuple[list[str], str | None]:
    """The feed URLs an OPML document lists, and a problem if it cannot be read."""
    from xml.etree import ElementTree

    try:
        # The standard library's expat refuses external entities and caps entity expansion.
        root = ElementTree.fromstring(raw)  # noqa: S314
    except ElementTree.ParseError as exc:
        return [], f"not a valid OPML file ({exc})"
    feeds = [o.get("xmlUrl", "") for o in root.iter("outline") if o.get("xmlUrl")]
    if not feeds:
        return [], "the OPML file lists no feeds (no outline has an xmlUrl)"
    return feeds, None


def _read_feed(source: str, raw: bytes, out: Imported) -> None:
    import feedparser

    parsed = feedparser.parse(raw)
    if not parsed.entries:
        why = "no entries" if not parsed.get("bozo") else "not an RSS or Atom feed"
        out.problems.append(f"{source}: {why}")
        return
    out.feeds += 1
    title = parsed.feed.get("title") or source
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link.startswith(("http://", "https://")):
            continue  # an entry without a web link cannot be sent to anyone
        summary = plain(entry.get("summary") or entry.get("description") or "")
        tags = tuple(
            t.get("term", "").strip() for t in entry.get("tags", []) if t.get("term", "").strip()
        )
        out.articles.append(
            Article(
                url=link,
                title=plain(entry.get("title") or link),
                summary=summary[:SUMMARY_CHARS],
                tags=tags,
                source=plain(title),
            )
        )


def plain(text: str) -> str:
    """Feed HTML as plain text: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _why(exc: OSError) -> str:
    return str(getattr(exc, "reason", None) or exc.strerror or exc)
