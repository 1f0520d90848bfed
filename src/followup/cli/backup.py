"""`followup backup FILE` and `followup restore FILE`: everything, not only the facts."""

from __future__ import annotations

from pathlib import Path

import click

from followup.cli.app import get_app
from followup.cli.params import read_text
from followup.core.words import count
from followup.services import backup as backups


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write everything followup keeps to one file, for `followup restore`.

    More than `followup export` (the facts only): also the reading list, edited drafts, the
    playbook settings (config.toml), mail settings (never a password), the outbox with its
    Message-IDs, received mail, calendar feed tokens, the hashes of the web password and API
    tokens, and the undo journal. Everything is read in one transaction, so the backup is
    consistent while the web page or another command writes. The file is written whole or not
    at all, readable by you only: it holds your mail and password hashes.

    \b
    Example:
      followup backup ~/followup-backup.json
    """
    app = get_app()
    taken = backups.take(app.workspace, now=app.now(), config_file=app.config.config_file)
    backups.write(file, taken)
    facts = taken["facts"]
    opportunities = len(facts.get("opportunities", []))
    click.echo(
        f"Backed up {count(opportunities, 'opportunity')}, "
        f"{count(len(taken['articles']), 'article')}, "
        f"{count(len(taken['outbox']), 'outbox message')} and the rest to {file}."
    )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--force", is_flag=True, help="Replace what the database already holds.")
def restore(file: Path, force: bool) -> None:
    """Replace everything with a backup written by `followup backup`.

    The whole file is checked first: every problem is listed with its place, and nothing is
    written unless there are none. The facts, reading list, drafts, mail, calendar, access and
    undo journal are then replaced together in one transaction (all or nothing); a database
    that holds anything already is refused without --force. The settings file (config.toml)
    is written after that commit, and removed if the backup had none. Web sessions end (a new
    session key); the passwords of your mailbox are not in a backup. Use - to read standard
    input.

    \b
    Examples:
      followup restore ~/followup-backup.json
      followup restore --force ~/followup-backup.json
    """
    app = get_app()
    source = "standard input" if str(file) == "-" else str(file)
    checked = backups.check(backups.read_json(read_text(file, source), source), source)
    done = backups.restore(app.workspace, checked, config_file=app.config.config_file, force=force)
    parts = [count(n, name) for name, n in done.counts.items()]
    click.echo(f"Restored {', '.join(parts)} (backup made {checked.made:%Y-%m-%d %H:%M} UTC).")
    if done.settings == "written":
        click.echo(f"Settings restored to {app.config.config_file}.")
    elif done.settings == "removed":
        click.echo(f"The backup had no settings: {app.config.config_file} was removed.")
    click.echo("Next: `followup today`")
