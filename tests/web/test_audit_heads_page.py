"""The public site's page of the audit log's signed tree heads: the keys with their
fingerprints, the latest heads, JSON and CSV, linked from the integrity page, in az/en/ru."""

from __future__ import annotations

import csv
import io

from tallyroom.domain.tree_head import key_fingerprint
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import authenticate, revoke_token
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.station_client import Api


def test_before_any_key_the_page_says_so(web_api: Api) -> None:
    page = web_api.client.get("/audit-heads?lang=en")
    assert page.status_code == 200
    assert 'id="no-tree-head-key"' in page.text
    assert 'id="no-signed-head"' in page.text
    data = web_api.client.get("/audit-heads.json").json()["data"]
    assert data == {"keys": [], "heads": [], "heads_total": 0, "version": "0-0-0"}


def test_keys_and_signed_heads_are_listed_with_size_root_time_signature_and_fingerprint(
    web_api: Api,
) -> None:
    poll_small_election(web_api)
    with transaction(web_api.sessions) as session:
        key = audit_tree.create_tree_head_key(session, actor="commission")
    with transaction(web_api.sessions) as session:
        head = audit_tree.sign_tree_head(session, key)
    assert head is not None
    fingerprint = key_fingerprint(head.key)
    page = web_api.client.get("/audit-heads?lang=en")
    assert page.status_code == 200
    for shown in (head.key, fingerprint, head.root_hash, head.signature, head.timestamp):
        assert shown in page.text
    assert f'data-tree-size="{head.tree_size}"' in page.text
    data = web_api.client.get("/audit-heads.json").json()["data"]
    assert data["keys"] == [{"public_key": head.key, "fingerprint": fingerprint}]
    [listed] = data["heads"]
    assert listed["tree_size"] == head.tree_size
    assert listed["root_hash"] == head.root_hash
    assert listed["signature"] == head.signature
    assert listed["timestamp"] == head.timestamp
    assert listed["fingerprint"] == fingerprint
    # What the site shows is what the API publishes, and it verifies.
    assert web_api.client.get("/api/v1/audit/heads").json()["heads"] == [head.as_json()]
    assert head.signature_is_valid()
    rows = list(
        csv.DictReader(
            io.StringIO(web_api.client.get("/audit-heads/heads.csv").content.decode("utf-8-sig"))
        )
    )
    assert rows == [
        {
            "tree_size": str(head.tree_size),
            "root_hash": head.root_hash,
            "timestamp": head.timestamp,
            "key": head.key,
            "key_fingerprint": fingerprint,
            "signature": head.signature,
        }
    ]


def test_a_new_head_shows_at_once_though_no_result_changed(web_api: Api) -> None:
    poll_small_election(web_api)
    with transaction(web_api.sessions) as session:
        key = audit_tree.create_tree_head_key(session, actor="commission")
    with transaction(web_api.sessions) as session:
        first = audit_tree.sign_tree_head(session, key)
    page = web_api.client.get("/audit-heads?lang=en")
    etag = page.headers["etag"]
    cached = web_api.client.get("/audit-heads", headers={"If-None-Match": etag})
    assert cached.status_code == 304
    results_revision = web_api.client.get("/overview.json").json()["revision"]
    # A revoked token is logged but changes no result: the results revision stays.
    with transaction(web_api.sessions) as session:
        commission = authenticate(session, web_api.credentials.commission_token)
        revoke_token(session, principal=commission, token=web_api.credentials.observer_token)
    with transaction(web_api.sessions) as session:
        second = audit_tree.sign_tree_head(session, key)
    assert first is not None
    assert second is not None
    assert second.tree_size > first.tree_size
    assert web_api.client.get("/overview.json").json()["revision"] == results_revision
    fresh = web_api.client.get("/audit-heads", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert f'data-tree-size="{second.tree_size}"' in fresh.text
    assert fresh.text.index(f'data-tree-size="{second.tree_size}"') < fresh.text.index(
        f'data-tree-size="{first.tree_size}"'
    )


def test_the_integrity_page_links_to_it_and_it_is_translated(web_api: Api) -> None:
    integrity = web_api.client.get("/integrity?lang=en").text
    assert 'id="audit-heads-link"' in integrity
    assert 'href="/audit-heads"' in integrity
    english = web_api.client.get("/audit-heads?lang=en").text
    azerbaijani = web_api.client.get("/audit-heads?lang=az").text
    russian = web_api.client.get("/audit-heads?lang=ru").text
    assert "Signed tree heads of the audit log" in english
    assert "Audit jurnalının imzalanmış ağac başlıqları" in azerbaijani
    assert "Подписанные заголовки дерева журнала аудита" in russian
    assert "Tree-head keys" not in azerbaijani + russian


def test_an_unknown_table_is_not_found(web_api: Api) -> None:
    assert web_api.client.get("/audit-heads/keys.csv").status_code == 404
    assert web_api.client.get("/audit-heads/..%2Fsecrets.csv").status_code == 404
