"""Live results: server-sent events when the revision changes, and HTTP validators (ETag,
Last-Modified, 304) keyed on the results revision."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tallyroom.web.routes import web_router

from .conftest import HandBuiltSource


def test_pages_and_json_carry_validators_and_answer_304(
    site: TestClient, hand_built: HandBuiltSource
) -> None:
    for path in (
        "/",
        "/overview.json",
        "/constituencies/1",
        "/stations/001-0001.json",
        "/overview/seats.csv",
    ):
        first = site.get(path)
        etag = first.headers["etag"]
        assert "r7" in etag, path
        assert first.headers["last-modified"] == "Sun, 01 Sep 2024 16:30:00 GMT"
        again = site.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
    etag = site.get("/").headers["etag"]
    hand_built.advance(10)
    changed = site.get("/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert 'data-stations-reporting="10"' in changed.text
    assert "r8" in changed.headers["etag"]


def test_html_validators_differ_per_language(site: TestClient) -> None:
    azerbaijani = site.get("/").headers["etag"]
    site.cookies.set("lang", "en")
    english = site.get("/").headers["etag"]
    assert azerbaijani != english
    assert site.get("/", headers={"If-None-Match": azerbaijani}).status_code == 200


def revisions(lines: list[str]) -> list[int]:
    return [
        json.loads(line[len("data: ") :])["revision"] for line in lines if line.startswith("data: ")
    ]


def test_events_announce_each_new_revision(hand_built: HandBuiltSource) -> None:
    app = FastAPI()
    app.include_router(web_router(hand_built, events_lifetime=2.5))
    client = TestClient(app)
    seen: list[str] = []
    advanced = False
    with client.stream("GET", "/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            seen.append(line)
            if revisions(seen) == [7] and not advanced:
                hand_built.advance(10)
                advanced = True
    assert seen[0] == "retry: 2000"
    assert "event: revision" in seen
    assert revisions(seen) == [7, 8]


def test_events_resume_after_last_event_id(hand_built: HandBuiltSource) -> None:
    app = FastAPI()
    app.include_router(web_router(hand_built, events_lifetime=0.6))
    client = TestClient(app)
    with client.stream("GET", "/events", headers={"Last-Event-ID": "7"}) as stream:
        lines = list(stream.iter_lines())
    assert revisions(lines) == []


def test_pages_subscribe_and_mark_their_live_regions(site: TestClient) -> None:
    page = site.get("/").text
    assert 'data-events="/events"' in page
    assert 'data-revision="7"' in page
    assert 'src="/static/live.js"' in page
    for region in ("progress", "parliament", "seats", "constituencies", "turnout-section"):
        assert f'id="{region}"' in page
    assert site.get("/static/live.js").headers["content-type"].startswith("text/javascript")
    assert site.get("/static/site.css").status_code == 200
    assert site.get("/static/..%2Fpage.py").status_code == 404
