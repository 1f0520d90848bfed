"""A throwaway Dovecot IMAP server on 127.0.0.1, for the mail tests.

Dovecot refuses to run as root, so when the tests run as root it runs as ``nobody``, from a
folder under /tmp that ``nobody`` can enter (pytest's ``tmp_path`` lives under root's private
folders). Users: ``alex`` / `PASSWORD`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = Path("/usr/sbin/dovecot")
USER = "alex"
PASSWORD = "s3cret-imap-password"
RUN_AS = "nobody"

_CONF = """\
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


def missing(what: str) -> None:
    """A real server the tests need is not installed: skip on a laptop, fail in CI (which
    installs it, so a skip there would hide a broken set-up)."""
    import pytest

    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


class Dovecot:
    """Started on a free port; ``stop()`` when done (it removes its folder)."""

    def __init__(self) -> None:
        if not DOVECOT.exists():
            missing("Dovecot is not installed (apt-get install dovecot-imapd)")
        self.dir = Path(tempfile.mkdtemp(prefix="followup-dovecot-", dir="/tmp"))
        as_root = os.getuid() == 0
        account = pwd.getpwnam(RUN_AS) if as_root else pwd.getpwuid(os.getuid())
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        for sub in ("run", "state", "home"):
            (self.dir / sub).mkdir()
        (self.dir / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        group = account.pw_gid
        conf = _CONF.format(
            dir=self.dir,
            user=account.pw_name,
            group=_group_name(group),
            uid=account.pw_uid,
            gid=group,
            port=self.port,
        )
        (self.dir / "dovecot.conf").write_text(conf)
        if as_root:
            for path in [self.dir, *self.dir.rglob("*")]:
                os.chown(path, account.pw_uid, group)
            self.dir.chmod(0o700)
        command = [str(DOVECOT), "-c", str(self.dir / "dovecot.conf")]
        if as_root:
            command = ["runuser", "-u", RUN_AS, "--", *command]
        # Dovecot forks into the background: its output goes to a file, not to a pipe that
        # would stay open as long as it runs.
        with (self.dir.parent / f"{self.dir.name}.start.log").open("wb") as out:
            started = subprocess.run(command, stdout=out, stderr=out, timeout=30, check=False)
        if started.returncode != 0:
            self.stop()
            raise RuntimeError(f"Dovecot did not start (exit {started.returncode})")
        deadline = time.monotonic() + 10
        while not _listening(self.port):
            if time.monotonic() > deadline:
                log = (self.dir / "dovecot.log").read_text(errors="replace")
                self.stop()
                raise RuntimeError(f"Dovecot did not start:\n{log}")
            time.sleep(0.05)

    def stop(self) -> None:
        pid_file = self.dir / "run" / "master.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            try:
                os.kill(pid, 15)
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    os.kill(pid, 0)
                    time.sleep(0.05)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir.parent / f"{self.dir.name}.start.log").unlink(missing_ok=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name
