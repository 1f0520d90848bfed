"""`followup article add|list|remove|import|suggest`: the reading list."""

from __future__ import annotations

import json

import click

from followup.cli.app import get_app


@click.group()
def article() -> None:
    """The reading list: add, import, suggest.

    Articles worth sending, imported from feeds or added by hand; for a value-add action,
    the ones that best fit what that person discussed.

    \b
    Examples:
      followup article add https://example.com/post --title "..." --tags "routing,fleet"
      followup article import feeds.opml
      followup article suggest value-add:acme:dana:onsite
    """


@article.command("add")
@click.argument("url")
@click.option("--title", help="The article's title (default: its URL).")
@click.option("--summary", default="", help="A sentence or two on what it says.")
@click.option("--tags", default="", help="Comma-separated topics, e.g. 'care coordination,AI'.")
def add(url: str, title: str | None, summary: str, tags: str) -> None:
    """Add an article to the reading list.

    \b
    Example:
      followup article add https://example.com/readmissions --title "Cutting readmissions" \\
          --summary "What worked in three hospitals" --tags "readmissions,care coordination"
    """
    from followup.services import articles

    app = get_app()
    added = articles.add(app.workspace, url, title, summary, tags, app.now())
    click.echo(f"Added “{added.title}” ({added.url}).")


@article.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_(as_json: bool) -> None:
    """The reading list, newest first.

    \b
    Example:
      followup article list --json
    """
    from followup.services import articles

    app = get_app()
    found = articles.listing(app.workspace)
    if as_json:
        rows = [
            {
                "url": a.url,
                "title": a.title,
                "summary": a.summary,
                "tags": list(a.tags),
                "source": a.source,
                "added": a.added.isoformat() if a.added else None,
            }
            for a in found
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("The reading list is empty: `followup article add URL` or `article import`.")
    for a in found:
        tags = f"  [{', '.join(a.tags)}]" if a.tags else ""
        click.echo(f"{a.title}{tags}\n  {a.url}")


@article.command("remove")
@click.argument("url")
def remove(url: str) -> None:
    """Remove an article from the reading list.

    \b
    Example:
      followup article remove https://example.com/readmissions
    """
    from followup.services import articles

    articles.remove(get_app().workspace, url)
    click.echo(f"Removed {url}.")


@article.command("import")
@click.argument("sources", nargs=-1)
@click.option("--sample", is_flag=True, help="Import the sample reading list (for the demo).")
def import_(sources: tuple[str, ...], sample: bool) -> None:
    """Import articles from RSS/Atom feeds or OPML lists (files or URLs).

    Articles already on the list (same URL) are kept as they are. A feed that cannot be
    read is reported; the others are still imported.

    \b
    Examples:
      followup article import https://example.com/feed.xml
      followup article import ~/feeds.opml
      followup article import --sample     # articles that fit `followup demo`
    """
    from followup.services import articles

    app = get_app()
    if not sources and not sample:
        raise click.UsageError("give a feed or OPML file or URL, or --sample")
    wanted = [*sources, *([articles.sample_feed()] if sample else [])]
    result = articles.import_feeds(app.workspace, wanted, app.now())
    click.echo(
        f"Imported {result.added} new articles from {result.feeds} feeds "
        f"({result.read} read, {result.read - result.added} already listed)."
    )
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    if result.problems and not result.feeds:
        raise SystemExit(1)


@article.command("suggest")
@click.argument("action_id")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON.")
@click.option(
    "--method",
    type=click.Choice(["tfidf", "embeddings"]),
    default="tfidf",
    show_default=True,
    help="Shared terms, or meaning (needs: pip install 'followup[embeddings]'; slow to load).",
)
def suggest(action_id: str, as_json: bool, method: str) -> None:
    """Up to 3 articles that fit what that person discussed, and why.

    Articles already sent to that person (their link is in a message you logged) are left
    out, and so are articles with nothing in common with the notes.

    \b
    Example:
      followup article suggest value-add:acme:dana:onsite
    """
    from followup.services import articles

    app = get_app()
    found = articles.suggest_for(app.workspace, action_id, app.now(), method)
    if as_json:
        rows = [
            {
                "url": s.article.url,
                "title": s.article.title,
                "score": s.score,
                "terms": list(s.terms),
            }
            for s in found
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("No article on the reading list matches this person's notes.")
    for n, s in enumerate(found, 1):
        click.echo(f"{n}. {s.article.title}\n   {s.article.url}\n   {s.reason}")
