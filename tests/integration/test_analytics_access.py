"""Who may open the analytics: the page server of `make run-production` without and with
ANALYTICS_TOKEN (started alone, on a free port, over an empty tracker store)."""

from __future__ import annotations

import os

import pytest
import requests
import yaml

from harness.servers import answers, free_port, start_page_server, wait_for


@pytest.fixture
def page_server(tmp_path):
    procs = []

    def start(token: str | None, production: bool = True) -> str:
        endpoints = tmp_path / "endpoints.yml"
        endpoints.write_text(
            yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "empty.db")}})
        )
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "ANALYTICS_TOKEN"}
        if token:
            env["ANALYTICS_TOKEN"] = token
        procs.append(
            start_page_server(
                port,
                "--endpoints",
                str(endpoints),
                "--demo-db",
                str(tmp_path / "none.db"),
                *(["--production"] if production else []),
                env=env,
            )
        )
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(url + "/"), 30, "the page server")
        return url

    yield start
    for p in procs:
        p.terminate()
        p.wait(timeout=10)


def test_production_without_a_token_keeps_analytics_closed(page_server):
    url = page_server(None)
    for path in (
        "/analytics",
        "/analytics/summary.json",
        "/analytics/episodes.csv",
        "//analytics/",
        "/./analytics/index.html",
        "/analytics/../analytics/summary.json",
        "/%61nalytics/review.html",
    ):
        r = requests.get(url + path, timeout=10)
        assert r.status_code == 403 and "ANALYTICS_TOKEN" in r.json()["error"]
    assert requests.get(url + "/", timeout=10).status_code == 200  # the widget still works


def test_production_with_a_token_needs_it(page_server):
    url = page_server("s3cret")
    assert requests.get(url + "/analytics/summary.json", timeout=10).status_code == 401
    r = requests.get(url + "/analytics/summary.json", headers={"Authorization": "Bearer s3cret"}, timeout=10)
    assert r.status_code == 200 and r.json()["counts"]["conversations"] == 0  # an empty store reads as empty


def test_development_mode_is_open_on_loopback(page_server):
    url = page_server(None, production=False)
    s = requests.get(url + "/analytics/summary.json", timeout=10).json()
    assert s["counts"]["episodes"] == 0 and s["rates"]["resolution"] is None and s["sources"] == ["live"]
