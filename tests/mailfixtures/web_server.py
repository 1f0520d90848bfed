"""`followup`'s web app served by a real uvicorn on a free local port, for the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from followup.web.app import create_app
from followup.web.settings import WebSettings


@contextmanager
def web_server(db: Path, now: datetime) -> Iterator[str]:
    """The server's base URL while the block runs."""
    import uvicorn

    settings = WebSettings(database_url=f"sqlite:///{db}", clock=lambda: now)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
