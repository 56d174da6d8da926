"""Browser fixtures: a live server on its own database, headless Chromium, and axe-core on every page."""

# Every page a test visits must be checked with check_accessibility(page) once it has loaded: a test
# that passes but left a visited page unchecked errors at teardown, naming the page. Failed tests
# leave a screenshot and the HTML of each open page under test-results/browser/.

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from config import BASE_DIR
from portal import create_app
from portal.extensions import db
from portal.models import OutboxMessage
from tests.conftest import reset_database

CHROMIUM = Path(os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium"))  # Debian's; never a downloaded one
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CSS = BASE_DIR / "portal" / "static" / "dist" / "portal.css"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
DESKTOP = {"width": 1024, "height": 768}
PHONE = {"width": 320, "height": 640}
RESULTS = BASE_DIR / "test-results" / "browser"  # screenshots and HTML of failed tests (git-ignored)

# Runs in every document before its own scripts: names the document and reports it once it has
# loaded, so the suite knows which pages were visited and can insist that each was checked.
TRACK_DOCUMENTS = """
if (window === window.top && location.protocol.startsWith('http')) {
  window.__portalDocument = Math.random().toString(36).slice(2) + Date.now().toString(36);
  document.addEventListener('DOMContentLoaded', () => {
    window.__portalDocumentLoaded(window.__portalDocument, location.href);
  });
}
"""

RUN_AXE = """
async options => {
  const results = await axe.run(document, options);
  return {
    document: window.__portalDocument || null,
    url: location.href,
    version: axe.version,
    violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      targets: v.nodes.map(n => n.target.join(' ')),
    })),
  };
}
"""


# Ordering and reports --------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items) -> None:
    """Run browser tests last: on PostgreSQL their live server drops and re-migrates the shared database."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


_REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report so fixtures can tell, at teardown, whether the test passed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _test_failed(request: pytest.FixtureRequest) -> bool:
    """Whether the test's setup or body failed (so far)."""
    reports = request.node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


def missing_prerequisite(reason: str) -> None:
    """Skip because the machine lacks something the browser tests need; on CI (CI=true) fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


# The live server ------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The portal served over HTTP on a free local port."""

    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(app: Flask, tmp_path_factory) -> Iterator[LiveServer]:
    """The portal on 127.0.0.1 with its own, freshly migrated database."""
    # ``app`` is requested only for ordering: on PostgreSQL both apps use PORTAL_TEST_DATABASE_URL,
    # so the root app's reset must happen before this one, never while this server is running.
    instance = tmp_path_factory.mktemp("live-server")
    url = os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{instance / 'live.sqlite3'}"
    live_app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": str(instance),
        "OUTBOX_DIR": str(instance / "outbox"),
        "MAIL_BACKEND": "memory",
        "ARGON2_FAST": True,
        "PUBLIC_URL": "http://127.0.0.1",  # the port is only known once the server is bound: set below
    })
    reset_database(live_app)
    # For pass_second_factor, which reads a person's authenticator secret. Named by its package: pytest loads
    # this file as "conftest", and the tests import it as tests.browser.conftest, a module of its own.
    import tests.browser.conftest as imported_by_tests

    imported_by_tests._LIVE_APP[0] = live_app
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["PUBLIC_URL"] = base_url  # links in e-mails must point at this server
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=live_app, url=base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with live_app.app_context():
            db.engine.dispose()


_LIVE_APP: list[Flask] = [None]  # type: ignore[list-item]
CODE_PAGE_HEADING = "Enter the code from your authenticator app"


def pass_second_factor(page: Page, email: str, check_accessibility) -> None:
    """After the sign-in form: when the portal asks for the authenticator app's code (staff always), enter it.

    People made with tests.conftest.make_user as commissioners have an app with a known secret; the code is
    worked out from it, as the person's phone would.
    """
    from playwright.sync_api import expect

    from tests.conftest import authenticator_code

    heading = page.get_by_role("heading", level=1)
    expect(heading).not_to_have_text("Sign in")
    if heading.inner_text().strip() != CODE_PAGE_HEADING:
        return
    check_accessibility(page)
    with _LIVE_APP[0].app_context():
        code = authenticator_code(db.session, email)
        db.session.commit()
        db.session.remove()
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(heading).not_to_have_text(CODE_PAGE_HEADING)


class Outbox:
    """The live server's outbox_message table, where e-mails wait to be delivered."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server

    def messages_to(self, address: str) -> list[OutboxMessage]:
        """Every message queued for this address, oldest first."""
        with self.server.app.app_context():
            messages = db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
            ).all()
            db.session.expunge_all()
            return list(messages)

    def link_to(self, address: str, path: str) -> str:
        """The newest link to this server under ``path`` e-mailed to this address."""
        pattern = re.compile(re.escape(self.server.url + path) + r"[^\s]+")
        for message in reversed(self.messages_to(address)):
            match = pattern.search(message.body)
            if match:
                return match.group(0)
        subjects = [m.subject for m in self.messages_to(address)]
        pytest.fail(
            f"No e-mail to {address} contains a link starting {self.server.url}{path}; "
            f"messages queued for that address: {subjects}. Check the service queues the e-mail "
            "with queue_email and builds the link from PUBLIC_URL.",
            pytrace=False,
        )


@pytest.fixture
def outbox(live_server: LiveServer) -> Outbox:
    """Read e-mails (and the links in them) that the live server queued."""
    return Outbox(live_server)


# The browser and its pages --------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing_prerequisite(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    if not AXE.is_file():
        missing_prerequisite(f"Browser tests need axe-core at {AXE}: run `npm ci` in {BASE_DIR}")
    if not BUILT_CSS.is_file():
        missing_prerequisite(f"Browser tests need the built stylesheet {BUILT_CSS}: run `npm run build`")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@dataclass
class VisitedDocuments:
    """The documents loaded in one browser context, and which of them axe has checked."""

    loaded: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)

    def unchecked(self) -> list[str]:
        """URLs of loaded documents nobody checked."""
        return [url for document, url in self.loaded.items() if document not in self.checked]


_VISITS: dict[Page, VisitedDocuments] = {}


@pytest.fixture
def open_page(browser, live_server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Callable]:
    """Open a page in a fresh browser context (its own cookies); every page it visits must be checked."""
    opened = []

    def _open(viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        visits = VisitedDocuments()
        context.expose_binding("__portalDocumentLoaded",
                               lambda _source, document, url: visits.loaded.setdefault(document, url))
        context.add_init_script(TRACK_DOCUMENTS)
        page = context.new_page()
        _VISITS[page] = visits
        opened.append(page)
        return page

    yield _open

    failed = _test_failed(request)
    unchecked = []
    for number, page in enumerate(opened, start=1):
        if failed and not page.is_closed():
            folder = RESULTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            folder.mkdir(parents=True, exist_ok=True)
            try:
                page.screenshot(path=str(folder / f"page-{number}.png"), full_page=True)
                (folder / f"page-{number}.html").write_text(page.content())
            except Exception as error:  # evidence is a courtesy: never hide the test's own failure
                print(f"Could not save page {number} of {request.node.nodeid}: {error}")
        if not page.is_closed():
            page.title()  # a round trip, so any "document loaded" report still in flight arrives
        unchecked += _VISITS.pop(page).unchecked()
        page.context.close()
    if unchecked and not failed:
        pytest.fail(
            "These pages were visited but never checked with axe: "
            + ", ".join(dict.fromkeys(unchecked))
            + ". Call check_accessibility(page) after each navigation, once the new page's heading is showing.",
            pytrace=False,
        )


@pytest.fixture
def page(open_page) -> Page:
    """A desktop-sized page (1024 by 768) in its own browser context."""
    return open_page(DESKTOP)


@pytest.fixture
def phone_page(open_page) -> Page:
    """A phone-sized page (320 by 640) in its own browser context."""
    return open_page(PHONE)


# Accessibility ---------------------------------------------------------------------------------


def check_accessibility(page: Page) -> None:
    """Run axe-core (WCAG 2.1 A and AA, and best practice) on the page as it is now; fail on any violation."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, which the Content Security Policy does not govern (an inline script tag
        # would be refused, as it should be).
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(RUN_AXE, AXE_OPTIONS)
    visits = _VISITS.get(page)
    if visits is not None and result["document"]:
        visits.checked.add(result["document"])
        visits.loaded.setdefault(result["document"], result["url"])
    violations = result["violations"]
    if violations:
        lines = [f"axe-core {result['version']} found {len(violations)} accessibility problem(s) on {result['url']}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.append(f"    how to fix: {violation['helpUrl']}")
            lines += [f"    at: {target}" for target in violation["targets"][:10]]
            if len(violation["targets"]) > 10:
                lines.append(f"    ...and {len(violation['targets']) - 10} more elements")
        lines.append("Fix the template or stylesheet that renders these elements; do not loosen the axe rules.")
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(name="check_accessibility")
def _check_accessibility_fixture() -> Callable:
    """The axe-core check, for tests to call after every navigation."""
    return check_accessibility

