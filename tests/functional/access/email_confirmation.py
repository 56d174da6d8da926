"""Confirming an e-mail address: the link from the e-mail, and the page that sends a new one.

The link is public (the token is the proof; an unknown token is a 404 "link not valid"). Asking for a new
link needs the person signed in; people whose address is confirmed are sent on to their home.
"""

from __future__ import annotations

from tests.functional.access import EVERYONE, SIGNED_IN

EXPECTED = {
    "accounts.confirm_email": EVERYONE,
    "accounts.confirm_email_notice": SIGNED_IN,
}

METHODS = {
    "accounts.confirm_email_notice": ("GET", "POST"),
}

TOKEN_ENDPOINTS = {"accounts.confirm_email"}
