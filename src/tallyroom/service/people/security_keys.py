"""WebAuthn security keys and passkeys as a second factor: the registration and
authentication ceremonies' options and the verification of what the browser answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from tallyroom.service.errors import Unauthorised

RELYING_PARTY_NAME = "tallyroom"


@dataclass(frozen=True, slots=True)
class RelyingParty:
    """The site keys are bound to: its host name (`localhost` in tests: WebAuthn refuses an
    IP address) and the origin the browser reports."""

    id: str
    origin: str


@dataclass(frozen=True, slots=True)
class Ceremony:
    """Options for navigator.credentials (JSON) and the challenge the server keeps."""

    options_json: str
    challenge: str


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    credential_id: str
    public_key: str
    sign_count: int


def registration_ceremony(party: RelyingParty, *, person_id: int, login: str) -> Ceremony:
    options = generate_registration_options(
        rp_id=party.id,
        rp_name=RELYING_PARTY_NAME,
        user_id=f"person-{person_id}".encode(),
        user_name=login,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def authentication_ceremony(party: RelyingParty, *, credential_id: str) -> Ceremony:
    options = generate_authentication_options(
        rp_id=party.id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def _refused(error: Exception) -> Unauthorised:
    return Unauthorised("security_key_refused", f"the security key's answer is not valid: {error}")


def registered_key(party: RelyingParty, challenge: str, credential: Any) -> RegisteredKey:
    """The key a registration answer enrols, or Unauthorised."""
    try:
        verified = verify_registration_response(
            credential=_as_json(credential),
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=party.id,
            expected_origin=party.origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise _refused(error) from None
    return RegisteredKey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=bytes_to_base64url(verified.credential_public_key),
        sign_count=verified.sign_count,
    )


def authenticated_sign_count(
    party: RelyingParty, challenge: str, credential: Any, key: RegisteredKey
) -> int:
    """The key's new signature counter when the answer is its valid signature over the
    challenge, else Unauthorised (a counter that did not grow means a cloned key)."""
    try:
        answer = _as_json(credential)
        if json.loads(answer).get("id") != key.credential_id:
            raise Unauthorised("security_key_unknown", "this is not the account's security key")
        verified = verify_authentication_response(
            credential=answer,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=party.id,
            expected_origin=party.origin,
            credential_public_key=base64url_to_bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as error:
        raise _refused(error) from None
    return int(verified.new_sign_count)


def _as_json(credential: Any) -> str:
    if not isinstance(credential, dict):
        raise ValueError("the credential must be a JSON object")
    return json.dumps(credential)
