"""Run `followup` in a process of its own at a fixed moment: ``python run_cli.py ISO_NOW ARGS...``.

The mail tests kill this process in the middle of a send (crash injection).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

from followup.cli.app import App
from followup.cli.root import cli

if __name__ == "__main__":
    now = datetime.fromisoformat(sys.argv[1])
    app = App(environ=os.environ, clock=lambda: now)
    cli.main(sys.argv[2:], obj=app, prog_name="followup")
