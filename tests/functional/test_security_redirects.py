"""No redirect takes people off the portal: ``next=`` and odd paths only ever lead to pages on this site.

The only redirect targets read from a request are sign-in's and sign-up's ``next`` (portal/urls.py
safe_next); the access rules build ``next`` from the requested path. Browsers read backslashes as
slashes and drop tabs and newlines inside URLs, so the check below does too.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import PASSWORD

HOSTS = {"localhost", "portal.test"}

HOSTILE_TARGETS = [
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://EVIL.EXAMPLE",
    "//evil.example",
    "///evil.example",
    "//evil.example/account",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\x00//evil.example",
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https:evil.example",
    "http://localhost@evil.example",
    "http://evil.example\\@localhost",
    "%2F%2Fevil.example",
    "\uff0f\uff0fevil.example",
]


def stays_on_site(location: str) -> bool:
    """Whether a browser following this Location would stay on the portal."""
    # What browsers do before parsing: strip leading and trailing C0 controls and spaces, drop tabs and
    # newlines anywhere, and treat a backslash as a slash.
    normalised = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                        "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                                        "\x1c\x1d\x1e\x1f ").replace("\\", "/")
    parts = urlsplit(normalised)
    if parts.scheme or parts.netloc:
        return parts.scheme in ("http", "https") and parts.hostname in HOSTS and "@" not in parts.netloc
    return normalised.startswith("/") and not normalised.startswith("//")


def test_the_check_itself_recognises_every_hostile_target():
    """Each hostile target, used as a Location, would leave the site (so the tests below can fail)."""
    for target in HOSTILE_TARGETS:
        if target in ("%2F%2Fevil.example", "\uff0f\uff0fevil.example"):
            continue  # relative paths on this site (harmless), but still not accepted as next
        assert not stays_on_site(target), target
    assert stays_on_site("/account") and stays_on_site("http://localhost/account")


def sign_in_with_next(client, email: str, target: str):
    """Post the sign-in form with ``next`` in the query string, as the sign-in link carries it."""
    token = client.csrf_token("/sign-in")
    return client.post("/sign-in", query_string={"next": target},
                       data={"csrf_token": token, "email": email, "password": PASSWORD})


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_signing_in_never_follows_next_off_the_site(client, applicant, organisation, target):
    """After signing in with a hostile next, people land on their own home page."""
    response = sign_in_with_next(client, applicant.email, target)
    assert response.status_code == 302, f"Sign-in failed with next={target!r}"
    location = response.headers["Location"]
    assert stays_on_site(location) and location == "/account", (
        f"Signing in with next={target!r} redirected to {location!r}: portal/urls.py safe_next must refuse it"
    )


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_sign_in_page_does_not_carry_a_hostile_next(client, target):
    """The sign-in and sign-up forms drop a hostile next instead of posting it on."""
    for path in ("/sign-in", "/sign-up"):
        page = client.page(path, query_string={"next": target})
        assert page.status == 200
        for element in page.soup.select("form[action], a[href*='next=']"):
            link = element.get("action") or element.get("href")
            carried = parse_qs(urlsplit(link).query).get("next", [])
            assert all(stays_on_site(value) for value in carried), f"{path} carries next={carried!r} on"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
@pytest.mark.parametrize("path", ["/sign-in", "/sign-up"])
def test_signed_in_people_are_not_sent_off_the_site(applicant_client, path, target):
    """Someone already signed in who opens sign-in or sign-up with a hostile next goes to their home page."""
    response = applicant_client.get(path, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account", f"{path}?next={target!r} went to {response.headers['Location']!r}"


def test_a_next_on_the_site_is_still_followed(client, applicant, organisation, draft_application):
    """The safe case still works: people come back to the page they asked for."""
    target = f"/applications/{draft_application.id}?tab=1"
    response = sign_in_with_next(client, applicant.email, target)
    assert response.headers["Location"] == target


@pytest.mark.parametrize("path", ["//evil.example", "//evil.example/", "//evil.example/account", "/\\evil.example",
                                  "//evil.example/%2e%2e", "/account//", "///evil.example/sign-in"])
def test_odd_paths_never_redirect_off_the_site(client, applicant_client, path):
    """Paths that look like another host are not found, or are sent somewhere on the site."""
    for visitor in (client, applicant_client):
        # The raw path, as a browser sends it after the host (the test client would read "//x" as a host).
        response = visitor.get("/", environ_overrides={"PATH_INFO": path, "RAW_URI": path, "REQUEST_URI": path})
        assert response.status_code < 500
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers["Location"]
            assert stays_on_site(location), f"{path} redirected to {location!r}"
