"""The Data page's backup and restore: the same file as `followup backup`, restored whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from followup.web.app import create_app
from followup.web.settings import WebSettings
from test_web import NOW, token


def _client(tmp_path: Path, name: str, *, demo: bool) -> TestClient:
    settings = WebSettings(
        f"sqlite:///{tmp_path / name}.db", clock=lambda: NOW, config_file=tmp_path / name / "c.toml"
    )
    client = TestClient(create_app(settings))
    client.get("/")
    if demo:
        client.post("/demo", data={"csrf_token": token(client)})
    return client


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    with _client(tmp_path, "a", demo=True) as a, _client(tmp_path, "b", demo=False) as b:
        yield a, b


def test_a_backup_downloaded_from_one_page_restores_on_another(
    pair: tuple[TestClient, TestClient],
) -> None:
    source, target = pair
    source.post("/playbook", data={"csrf_token": token(source), "thank_you_hours": "12"})
    taken = source.get("/backup.json")
    assert taken.status_code == 200 and taken.headers["cache-control"] == "no-store"
    assert taken.json()["backup"] == 1 and "thank_you_hours = 12" in taken.json()["settings"]
    files = {"file": ("backup.json", taken.content, "application/json")}
    restored = target.post(
        "/restore", data={"csrf_token": token(target)}, files=files, follow_redirects=False
    )
    assert restored.status_code == 303
    assert target.get("/export.json").json() == source.get("/export.json").json()
    again = target.post("/restore", data={"csrf_token": token(target)}, files=files)
    assert again.status_code == 422 and "already holds" in again.text  # --force needed


def test_a_broken_backup_restores_nothing_and_says_where(
    pair: tuple[TestClient, TestClient],
) -> None:
    source, target = pair
    document = source.get("/backup.json").json()
    document["outbox"] = [{"state": "flying"}]
    import json

    files = {"file": ("b.json", json.dumps(document), "application/json")}
    refused = target.post("/restore", data={"csrf_token": token(target)}, files=files)
    assert refused.status_code == 422 and "outbox[0]" in refused.text
    assert target.get("/api/opportunities").json() == []
    forged = target.post("/restore", data={"csrf_token": "x"}, files=files)
    assert forged.status_code == 403


def test_a_backup_larger_than_a_form_still_restores(pair: tuple[TestClient, TestClient]) -> None:
    """A backup carries the undo journal: it may pass the 2 MB a form may send."""
    import json

    from followup.web.limits import MAX_BODY, limit_for

    assert limit_for("/restore") > MAX_BODY
    source, target = pair
    document = source.get("/backup.json").json()
    text = json.dumps(document) + " " * (MAX_BODY + 1)
    files = {"file": ("big.json", text, "application/json")}
    restored = target.post(
        "/restore", data={"csrf_token": token(target)}, files=files, follow_redirects=False
    )
    assert restored.status_code == 303
