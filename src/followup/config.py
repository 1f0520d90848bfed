"""Where `followup` keeps its data and which playbook it follows, declared once as a spec.

Precedence for every setting: command-line flag > environment variable > file > default. The
environment is read only at the edge: functions here take ``environ`` as a parameter, so the CLI
passes ``os.environ`` and tests pass a plain dict.

``SPEC`` drives the resolution below, ``followup --help`` and the generated reference in
``docs/cli.md``; a test checks that every setting is documented there.

Nothing here imports more than it must: `followup today` resolves its settings on every run, so
the playbook file is only checksummed (``PlaybookSource``) until a plan has to be computed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from followup.errors import InvalidDocument
from followup.store import sqlite_url

if TYPE_CHECKING:
    from followup.core.playbook import Playbook

APP_NAME: Final = "followup"
DATABASE_FILE: Final = "followup.db"
CONFIG_FILE: Final = "config.toml"


class Setting(NamedTuple):
    """One setting: how to give it and what it means."""

    name: str
    flag: str | None
    env: str | None
    default: str
    help: str


SPEC: Final[tuple[Setting, ...]] = (
    Setting(
        name="database",
        flag="--db",
        env="FOLLOWUP_DATABASE_URL",
        default=f"the SQLite file {DATABASE_FILE} in the data folder",
        help=(
            "The database. A plain path is a SQLite file; anything with '://' is a SQLAlchemy "
            "URL, e.g. postgresql+psycopg://user@host/db. Created and migrated on first use."
        ),
    ),
    Setting(
        name="data folder",
        flag=None,
        env="FOLLOWUP_DATA_DIR",
        default="the user data folder of the platform (e.g. ~/.local/share/followup)",
        help="Where the default SQLite database lives.",
    ),
    Setting(
        name="config folder",
        flag=None,
        env="FOLLOWUP_CONFIG_DIR",
        default="the user config folder of the platform (e.g. ~/.config/followup)",
        help=f"Where {CONFIG_FILE} (the playbook settings) is read from.",
    ),
    Setting(
        name="playbook",
        flag=None,
        env=None,
        default="the default playbook (see `followup playbook`)",
        help=(
            f"A [playbook] table in {CONFIG_FILE} in the config folder overrides the playbook's "
            "numbers, e.g. thank_you_hours = 12."
        ),
    ),
    Setting(
        name="colour",
        flag=None,
        env="NO_COLOR",
        default="colour when the output is a terminal",
        help="Set NO_COLOR (to anything) to turn colour off.",
    ),
)


class Config(NamedTuple):
    """The resolved settings of one run."""

    database_url: str
    data_dir: Path
    config_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE


def load_config(environ: Mapping[str, str], db: str | None = None) -> Config:
    """Resolve the settings from the ``--db`` flag (if given) and the environment."""
    data_dir = _folder(environ, "FOLLOWUP_DATA_DIR", "data")
    config_dir = _folder(environ, "FOLLOWUP_CONFIG_DIR", "config")
    given = db or environ.get("FOLLOWUP_DATABASE_URL") or ""
    url = database_url(given) if given else sqlite_url(data_dir / DATABASE_FILE)
    return Config(database_url=url, data_dir=data_dir, config_dir=config_dir)


def database_url(value: str) -> str:
    """A SQLAlchemy URL from ``--db``: a URL stays as it is, a plain path names a SQLite file."""
    if "://" in value:
        return value
    return sqlite_url(Path(value).expanduser())


def _folder(environ: Mapping[str, str], variable: str, kind: str) -> Path:
    value = environ.get(variable)
    if value:
        return Path(value).expanduser()
    import platformdirs  # only when the environment does not name the folder

    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


#: the fingerprint of the default playbook, however it is given
DEFAULT_FINGERPRINT: Final = "default"


class PlaybookSource:
    """A playbook and its fingerprint, read only when needed.

    The fingerprint of a settings file is a checksum of its bytes: the playbook is a function
    of the file, so `followup today` can tell that the stored plan was made with this playbook
    (the candidate's stamp) without parsing TOML or building the playbook.
    """

    def __init__(self, fingerprint: str, load: Callable[[], Playbook]) -> None:
        self.fingerprint = fingerprint
        self._load = load
        self._playbook: Playbook | None = None

    @classmethod
    def of(cls, playbook: Playbook) -> PlaybookSource:
        """A playbook already built (by a test, a server...). The defaults have the same
        fingerprint however they are given (no settings file, or ``Playbook()``), so a plan
        stored by one front end is current for another."""
        from followup.core.playbook import DEFAULT

        fingerprint = DEFAULT_FINGERPRINT if playbook == DEFAULT else "p" + playbook.fingerprint()
        return cls(fingerprint, lambda: playbook)

    @property
    def playbook(self) -> Playbook:
        if self._playbook is None:
            self._playbook = self._load()
        return self._playbook


def playbook_source(config_file: Path) -> PlaybookSource:
    """The playbook configured in ``config_file`` (the defaults when there is none)."""
    try:
        raw: bytes | None = config_file.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError as exc:
        raise InvalidDocument(
            f"cannot read {config_file}", [exc.strerror or str(exc)], hint=_FILE_HINT
        ) from exc
    if raw is None:
        return PlaybookSource(DEFAULT_FINGERPRINT, _default_playbook)
    checksum = f"f{zlib.crc32(raw):08x}{zlib.adler32(raw):08x}"
    return PlaybookSource(checksum, lambda: parse_playbook(raw, config_file))


def load_playbook(config_file: Path) -> Playbook:
    """The playbook of ``config_file``'s ``[playbook]`` table (the defaults without a file)."""
    return playbook_source(config_file).playbook


def _default_playbook() -> Playbook:
    from followup.core.playbook import Playbook

    return Playbook()


def parse_playbook(raw: bytes, config_file: Path) -> Playbook:
    """The playbook of a settings file's bytes.

    Every problem is reported at once, naming the file and the key, and nothing is guessed.
    """
    import tomllib

    from followup.core.playbook import from_mapping

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidDocument(
            f"{config_file} is not valid TOML", [str(exc)], hint=_FILE_HINT
        ) from exc
    problems = [f"{key}: unknown table (known: playbook)" for key in data if key != "playbook"]
    table: Any = data.get("playbook", {})
    if not isinstance(table, dict):
        problems.append("playbook: expected a table, e.g. [playbook]")
        table = {}
    playbook, found = from_mapping(table, where="playbook")
    problems.extend(found)
    if problems:
        raise InvalidDocument(f"{config_file} has problems", problems, hint=_FILE_HINT)
    return playbook


_FILE_HINT: Final = "`followup playbook` lists every setting with its default and meaning"
