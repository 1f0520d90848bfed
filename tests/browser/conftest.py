"""Real-browser fixtures: `followup serve` in a subprocess on a free 127.0.0.1 port over a temp
SQLite database with the demo loaded, and Debian's Chromium driven by Playwright.

Screenshots go to ``artifacts/`` at the top of the repository (ignored by git).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The base URL of a running `followup serve` with the demo loaded."""
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(tmp_path / "data"),
           "FOLLOWUP_CONFIG_DIR": str(tmp_path / "config")}  # fmt: skip
    command = [str(Path(sys.executable).parent / "followup"), "--db", str(tmp_path / "web.db")]
    subprocess.run([*command, "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    _, err = process.communicate(timeout=5)
                    pytest.fail(f"followup serve did not start: {err.decode()}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):  # CI installs it: a skip there would hide a broken set-up
            pytest.fail(why)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(base_url=server, viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def screenshot(page: object, name: str) -> Path:
    """Save a full-page screenshot as ``artifacts/<name>.png``."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
