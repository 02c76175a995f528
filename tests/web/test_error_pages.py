"""A mistyped address on the site gets an HTML page in the reader's language; the API keeps its
JSON errors; HEAD answers wherever GET does; a 405 says what is allowed."""

from __future__ import annotations

import pytest

from tests.station_client import Api


@pytest.mark.parametrize(
    ("language", "heading"),
    [("az", "Səhifə tapılmadı"), ("en", "Page not found"), ("ru", "Страница не найдена")],
)
def test_a_mistyped_address_is_a_page_in_the_readers_language(
    web_api: Api, language: str, heading: str
) -> None:
    for path in ("/partys", "/constituencies/999", "/stations/999-9999"):
        answer = web_api.client.get(path, params={"lang": language})
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")
        assert f'<html lang="{language}">' in answer.text
        assert f"<h1>{heading}</h1>" in answer.text
        assert 'href="/"' in answer.text  # a way back


def test_the_cookie_chooses_the_language_of_the_error_page(web_api: Api) -> None:
    web_api.client.cookies.set("lang", "ru")
    assert "Страница не найдена" in web_api.client.get("/nowhere").text


def test_the_api_and_data_files_keep_json_errors(web_api: Api) -> None:
    for path in ("/api/v1/nowhere", "/constituencies/999.json", "/overview/nothing.csv"):
        answer = web_api.client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"] == "application/json", path
        assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/constituencies/1",
        "/stations/001-0001",
        "/overview.json",
        "/parties/parties.csv",
        "/static/site.css",
        "/api/v1/results",
        "/events",
    ],
)
def test_head_answers_wherever_get_does(web_api: Api, path: str) -> None:
    got = web_api.client.get(path) if path != "/events" else None
    head = web_api.client.head(path)
    assert head.status_code == 200, path
    assert head.content == b""
    if got is not None:
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("etag") == got.headers.get("etag")


def test_head_of_a_missing_page_is_404(web_api: Api) -> None:
    answer = web_api.client.head("/nowhere")
    assert answer.status_code == 404
    assert answer.content == b""


@pytest.mark.parametrize("path", ["/", "/parties", "/api/v1/results"])
def test_a_wrong_method_is_405_with_allow(web_api: Api, path: str) -> None:
    answer = web_api.client.post(path)
    assert answer.status_code == 405
    allowed = {method.strip() for method in answer.headers["allow"].split(",")}
    assert allowed == {"GET", "HEAD"}
