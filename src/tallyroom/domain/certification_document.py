"""The commission's certification as a signed document: what was certified (a constituency's
contest, a round 2 or the nation's result), its canonical JSON and the Ed25519 signature
over it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.signature import public_key_hex, signature_is_valid

#: Names what is signed: the commission's key also signs the audit log's tree heads
#: (domain/tree_head.py), and a certification must never pass for a tree head or back.
CERTIFICATION_KIND = "tallyroom-certification/1"
#: the scopes a certification has
CONSTITUENCY_SCOPE = "constituency"
NATION_SCOPE = "nation"
#: a two-round contest's round 2, certified on its own ("constituency-5/round-2")
ROUND_TWO_SCOPE = "round-2"


class MalformedCertification(ValueError):
    """A certification that is not one: a missing member or another kind of document."""


def signed_certification(
    document: Mapping[str, Any], private_key: Ed25519PrivateKey
) -> tuple[str, str]:
    """(public key, signature), both hex, over the document's canonical JSON."""
    if document.get("kind") != CERTIFICATION_KIND:
        raise MalformedCertification(f"a certification's kind is {CERTIFICATION_KIND}")
    return public_key_hex(private_key), private_key.sign(canonical_json(dict(document))).hex()


def certification_is_valid(document: Any, public_key: str, signature: str) -> bool:
    """Whether the signature over the document verifies with the key, and the document is
    a certification at all."""
    if not isinstance(document, dict) or document.get("kind") != CERTIFICATION_KIND:
        return False
    try:
        body = canonical_json(document)
    except (TypeError, ValueError):
        return False
    return signature_is_valid(body, signature, public_key)
