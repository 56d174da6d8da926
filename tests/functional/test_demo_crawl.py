"""Every page a demo person can reach by following links loads, for every role.

Each demo person signs in and follows every link inside the portal (GET only), breadth first. Every
page must load (no 404 or 500 behind a link) and pass the page-structure checks the PortalClient makes
(one h1, a title starting with it, a label on every field, no markup shown as text).
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from portal.demo import DEMO_PASSWORD

# Links that leave the page's HTML world or change something when followed.
SKIPPED_SUFFIXES = (".pdf", ".csv", ".ics", ".json", ".atom", ".css", ".js", ".png", ".svg", ".ico", ".woff2")
SKIPPED_PATHS = {"/sign-out"}
MAX_PAGES = 400


def _links(page) -> list[str]:
    """Same-site links on a page, without fragments."""
    found = []
    for anchor in page.soup.select("a[href]"):
        href = urldefrag(anchor["href"])[0]
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not href.startswith("/"):
            continue
        if parts.path.endswith(SKIPPED_SUFFIXES) or parts.path in SKIPPED_PATHS or parts.path.startswith("/static"):
            continue
        found.append(href)
    return found


@pytest.mark.parametrize("email", [
    "commissioner@example.org", "panellist@example.org", "panellist2@example.org", "panellist3@example.org",
    "panellist4@example.org", "applicant@example.org", "applicant2@example.org", "applicant4@example.org", None,
])
def test_every_linked_page_loads(app, session, client, email):
    """No link in the demo leads to an error page."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    if email:
        client.sign_in(email, DEMO_PASSWORD)
    start = "/" if email is None else client.page("/").response.headers.get("Location", "/")
    queue, seen, broken = deque([start, "/"]), set(), []
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            page = client.page(url)
        except AssertionError as problem:  # a page-structure check: list every page that fails, not the first
            broken.append(f"{url}: {problem}")
            continue
        if page.status in (301, 302, 303):
            queue.append(page.response.headers["Location"])
            continue
        if page.status != 200:
            broken.append(f"{url}: {page.status}")
            continue
        if page.response.mimetype == "text/html":
            queue.extend(link for link in _links(page) if link not in seen)
    assert not broken, (
        f"As {email or 'a member of the public'}, these linked pages did not load or failed the page checks:\n"
        + "\n".join(broken)
    )
    assert len(seen) > 5
