"""Signed per-browser tokens for the open survey link (replay protection).

The first screen of a survey issues a token: a random nonce signed with the project's secret
key and bound to one campaign unit. Every later screen posts it back; the final submit hands the
nonce to ``submit_response`` as ``client_token``, which is unique in the database, so a replayed
or double-clicked submit can never create a second response.
"""

from __future__ import annotations

import secrets
import time

from django.core import signing

SALT = "cchc.surveys.client-token"
# A person may take a long break on one screen; the server-side partial answers live as long.
MAX_AGE_SECONDS = 7 * 24 * 3600


class BadToken(Exception):
    """The token was forged, altered, expired or issued for another unit."""


def issue(campaign_unit_id: int) -> str:
    """A new signed token for one answering of the survey of ``campaign_unit_id``."""
    return signing.dumps(
        {"cu": campaign_unit_id, "n": secrets.token_urlsafe(18), "t": int(time.time())},
        salt=SALT,
        compress=False,
    )


def issued_at(token: str) -> int | None:
    """When a valid token was issued (seconds since the epoch), for the answering time."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    t = payload.get("t") if isinstance(payload, dict) else None
    return int(t) if isinstance(t, int) else None


def nonce_of(token: str, campaign_unit_id: int) -> str:
    """The nonce carried by a valid ``token`` for ``campaign_unit_id``; ``BadToken`` otherwise."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise BadToken(str(exc)) from None
    if not isinstance(payload, dict) or payload.get("cu") != campaign_unit_id or not payload.get("n"):
        raise BadToken("token issued for another survey")
    return str(payload["n"])
