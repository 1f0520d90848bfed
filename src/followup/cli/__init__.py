"""The `followup` command line.

``main`` is the console script. A plain `followup today` (the command people run most, on
every glance at the plan) is answered without importing click (see ``fast``); everything else,
including any `today` invocation the fast path does not recognise, goes to the click group in
``root``, where every command loads lazily.
"""

from __future__ import annotations

import sys


def main() -> None:
    """The console script."""
    from followup.cli.fast import run_fast

    if run_fast(sys.argv[1:]):
        return
    from followup.cli.root import cli

    cli(prog_name="followup")
