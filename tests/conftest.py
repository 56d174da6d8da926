"""Fixtures: one app and migrated database per run, each test inside a transaction rolled back.

SQLite (a file in a temporary folder) by default; PostgreSQL when PORTAL_TEST_DATABASE_URL is set.
Clients are named for the person using them: ``applicant_client``, ``commissioner_client``...
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from portal import create_app
from portal.accounts.passwords import hash_password
from portal.extensions import db
from portal.models import (
    AgeBand,
    Base,
    Criterion,
    Fund,
    IncomeBand,
    Membership,
    Organisation,
    OrganisationType,
    Question,
    Role,
    Round,
    RoundStatus,
    User,
    utcnow,
)

PASSWORD = "lantern-pebble-orchard-7"

# Each domain may keep its fixtures in tests/fixtures/<domain>.py; all of them are loaded here.
pytest_plugins = sorted(
    f"tests.fixtures.{path.stem}" for path in (Path(__file__).parent / "fixtures").glob("*.py")
    if path.stem != "__init__"
)


def database_url(tmp_path_factory) -> str:
    """The test database: PostgreSQL if named in the environment, else a fresh SQLite file."""
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def reset_database(app: Flask) -> None:
    """Drop everything and build the schema from the migrations, as production does."""
    with app.app_context():
        with db.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        db.session.remove()


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    """The portal configured for tests, on a freshly migrated database."""
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
        "INSTANCE_DIR": str(instance),
        "OUTBOX_DIR": str(instance / "outbox"),
        "UPLOAD_DIR": str(instance / "uploads"),
        "MAIL_BACKEND": "memory",
        "ARGON2_FAST": True,
        "PUBLIC_URL": "http://portal.test",
        "SERVER_NAME": None,
    })
    reset_database(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def session(request, app: Flask) -> Iterator[Session]:
    """Each test runs in a transaction that is rolled back; commits inside it become savepoints."""
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("own_database"):
        yield None  # these talk to a live server or an app with a database of their own
        return
    app.extensions.pop("portal_kept_pages", None)  # public pages kept by a worker (portal.transparency.caching)
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
    )
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        if transaction.is_active:
            transaction.rollback()
        connection.close()
        ctx.pop()


# People and organisations ---------------------------------------------------------------------


def make_user(session: Session, *, email: str, role: Role, name: str = "Test Person",
              age_band: AgeBand | None = None, email_confirmed: bool = True,
              second_factor: bool | None = None) -> User:
    """A user whose password is PASSWORD (with a confirmed e-mail address unless told otherwise).

    Commissioners and administrators get an authenticator app (TOTP_SECRET) unless ``second_factor=False``:
    staff pages open only after one (portal.access). PortalClient.sign_in enters its code when asked.
    """
    user = User(email=email, name=name, role=role, age_band=age_band,
                password_hash=hash_password(PASSWORD, fast=True),
                email_confirmed_at=utcnow() if email_confirmed else None)
    session.add(user)
    session.flush()
    if second_factor if second_factor is not None else user.needs_second_factor:
        enrol_second_factor(session, user)
    return user


# A known authenticator secret for test people (and RECOVERY_CODES for them): never used outside tests.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
RECOVERY_CODES = ["test1-codea", "test2-codeb", "test3-codec"]


def enrol_second_factor(session: Session, user: User, *, secret: str = TOTP_SECRET) -> None:
    """Give a person an authenticator app with a known secret and three known recovery codes."""
    from portal.accounts import second_factor
    from portal.accounts.second_factor_routes import factor_settings

    second_factor.enrol_known_secret(session, user=user, secret=secret, settings=factor_settings(),
                                     recovery_codes=[f"{code}{user.id}" for code in RECOVERY_CODES])


def authenticator_code(session: Session, email: str) -> str:
    """The code a person's authenticator app shows now, for a time step not used yet.

    Tests sign one person in several times within 30 seconds, which a real person cannot: when both
    this step and the next have been used, the person's last used step is forgotten (tests only).
    """
    import pyotp
    from sqlalchemy import select

    from portal.accounts import second_factor
    from portal.accounts.second_factor_routes import factor_settings

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    totp = pyotp.TOTP(second_factor.secret_for(user, settings=factor_settings()))
    now = totp.timecode(utcnow())
    free = [step for step in (now, now + 1) if user.totp_last_step is None or step > user.totp_last_step]
    if not free:
        user.totp_last_step = None
        session.flush()
        free = [now]
    return totp.generate_otp(free[0])


def make_organisation(session: Session, *, name: str, members: list[User]) -> Organisation:
    """An unregistered group in Hackney with these members."""
    organisation = Organisation(
        name=name, organisation_type=OrganisationType.UNREGISTERED, income_band=IncomeBand.UNDER_10K,
        boroughs=["E09000012"], address_line_1="1 Mare Street", postcode="E8 1DY",
    )
    session.add(organisation)
    for member in members:
        session.add(Membership(user=member, organisation=organisation))
    session.flush()
    return organisation


@pytest.fixture
def applicant(session) -> User:
    """A member of Hackney Youth Voices."""
    return make_user(session, email="grace@example.org", role=Role.APPLICANT, name="Grace Mensah")


@pytest.fixture
def organisation(session, applicant) -> Organisation:
    """The applicant's organisation."""
    return make_organisation(session, name="Hackney Youth Voices", members=[applicant])


@pytest.fixture
def other_applicant(session) -> User:
    """A member of a different organisation."""
    return make_user(session, email="dan@example.org", role=Role.APPLICANT, name="Daniel Kowalski")


@pytest.fixture
def other_organisation(session, other_applicant) -> Organisation:
    """Another applicant's organisation."""
    return make_organisation(session, name="Southwark Boxing Club", members=[other_applicant])


@pytest.fixture
def panellist(session) -> User:
    """A youth panellist aged 18 to 21."""
    return make_user(session, email="jordan@example.org", role=Role.PANELLIST, name="Jordan Ellis",
                     age_band=AgeBand.FROM_18_TO_21)


@pytest.fixture
def commissioner(session) -> User:
    """A commissioner."""
    return make_user(session, email="amara@example.org", role=Role.COMMISSIONER, name="Amara Okafor")


# Funds and rounds --------------------------------------------------------------------------------


def make_fund(session: Session, *, slug: str = "youth-leadership-fund") -> Fund:
    """The Youth Leadership Fund."""
    fund = Fund(name="Youth Leadership Fund", slug=slug, reference_prefix="YLF",
                description="Grants for groups keeping young people safe.")
    session.add(fund)
    session.flush()
    return fund


def make_round(session: Session, *, fund: Fund | None = None, slug: str = "staying-in-school",
               status: RoundStatus = RoundStatus.OPEN, opens_in_days: int = -10, closes_in_days: int = 30,
               **fields) -> Round:
    """A complete, valid round (two criteria weighted 60/40, two questions), open by default."""
    now = utcnow()
    fund = fund or make_fund(session, slug=f"fund-for-{slug}")
    values = dict(
        title="Staying in school", slug=slug, summary="Help young people stay in education.",
        aims="Reduce school exclusions.", themes=["school exclusions"], status=status,
        opens_at=now + timedelta(days=opens_in_days), closes_at=now + timedelta(days=closes_in_days),
        scoring_starts_at=now + timedelta(days=closes_in_days + 5),
        interviews_at=now + timedelta(days=closes_in_days + 15),
        decisions_by=now + timedelta(days=closes_in_days + 30),
        question_deadline=now + timedelta(days=closes_in_days - 7),
        budget_pence=10_000_000, min_grant_pence=200_000, max_grant_pence=2_500_000,
        small_grant_threshold_pence=1_000_000, max_income_pounds=250_000,
        what_you_need="Your bank details and your safeguarding policy.",
        support_contact="grants@example.org", published_at=None if status == RoundStatus.DRAFT else now,
    )
    values.update(fields)
    round_ = Round(fund=fund, **values)
    need = Criterion(round=round_, position=1, name="Need", weight=60, what_good_looks_like="Clear local need",
                     descriptor_1="None", descriptor_2="Little", descriptor_3="Some", descriptor_4="Good",
                     descriptor_5="Strong")
    change = Criterion(round=round_, position=2, name="What will change", weight=40,
                       what_good_looks_like="Realistic outcomes", descriptor_1="Unclear", descriptor_2="Vague",
                       descriptor_3="Clear", descriptor_4="Tracked", descriptor_5="Tracked and shared")
    session.add_all([
        round_, need, change,
        Question(round=round_, position=1, text="What will you do?", guidance="Activities, where and when.",
                 word_limit=300, criterion=need),
        Question(round=round_, position=2, text="How will you keep young people safe?", guidance="Your policy.",
                 word_limit=200, criterion=change, asked_of_small_grants=False),
    ])
    session.flush()
    return round_


@pytest.fixture
def open_round(session) -> Round:
    """A published round open for applications."""
    return make_round(session)


@pytest.fixture
def upcoming_round(session) -> Round:
    """A published round that opens in a month."""
    return make_round(session, slug="safer-online", title="Safer online", status=RoundStatus.PUBLISHED,
                      opens_in_days=30, closes_in_days=90)


@pytest.fixture
def draft_round(session) -> Round:
    """A round a commissioner is still setting up."""
    return make_round(session, slug="draft-round", title="Draft round", status=RoundStatus.DRAFT,
                      opens_in_days=30, closes_in_days=90)


# Clients ----------------------------------------------------------------------------------------


@dataclass
class Page:
    """A fetched page, parsed, with checks every page must pass."""

    response: object
    soup: BeautifulSoup

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self.response.status_code

    @property
    def h1(self) -> str:
        """The one h1's text."""
        return self.soup.h1.get_text(" ", strip=True)

    @property
    def title(self) -> str:
        """The page title."""
        return self.soup.title.get_text(strip=True)

    def text(self) -> str:
        """All visible text, whitespace collapsed."""
        return " ".join(self.soup.get_text(" ").split())

    def error_summary(self) -> list[str]:
        """The messages in the GOV.UK error summary."""
        summary = self.soup.select_one(".govuk-error-summary")
        return [li.get_text(" ", strip=True) for li in summary.select("li")] if summary else []

    def field_error(self, field_id: str) -> str | None:
        """The message shown beside a field."""
        message = self.soup.select_one(f"#{field_id}-error")
        if message is None:
            return None
        return message.get_text(" ", strip=True).removeprefix("Error:").strip()

    def value_of(self, name: str) -> str | None:
        """The value a text input or textarea will show."""
        element = self.soup.find(attrs={"name": name})
        if element is None:
            return None
        return element.get_text() if element.name == "textarea" else element.get("value")


# Markup that reached the page as text: a tag the portal builds (a link, a line break...) or an entity
# escaped twice (the reader sees "&lt;" or "&amp;"). A textarea's text is what was typed, so it is left.
ESCAPED_MARKUP = re.compile(
    r"<(?:a|br|p|span|strong|div|ul|ol|li|dl|dt|dd|h[1-6]|table|tr|th|td)\b[^<>]{0,80}>?"
    r"|</(?:a|p|span|strong|div|li|dd|td)>|&(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);"
)


def check_no_markup_as_text(page: Page) -> None:
    """No page shows escaped HTML to the reader, such as a literal ``<a href=...>`` or ``<br>``."""
    for string in page.soup.find_all(string=ESCAPED_MARKUP):
        if type(string).__name__ != "NavigableString" or string.find_parent("textarea"):
            continue  # script, style and comments are not read; a textarea holds what was typed
        shown = " ".join(string.split())
        found = ESCAPED_MARKUP.search(shown).group(0)
        where = string.parent.name if string.parent else "page"
        raise AssertionError(
            f"The page shows markup as text: {found!r} in <{where}>: {shown[:160]!r}. HTML built as a "
            "string was escaped (a summary list's 'html' value made with ~ or join). Build it in a "
            "{% set %} block, or use the lines filter for an address; never |safe on what people typed"
        )


def check_page_structure(page: Page) -> None:
    """Every HTML page: one h1, a title that starts with it, forms with an action, labelled fields."""
    check_no_markup_as_text(page)
    h1s = page.soup.find_all("h1")
    assert len(h1s) == 1, f"Expected exactly one h1, found {len(h1s)}: give the page one main heading"
    title = page.title.removeprefix("Error: ")
    assert title.startswith(page.h1), f"Title {page.title!r} must start with the h1 {page.h1!r}"
    for form in page.soup.find_all("form"):
        assert form.get("action"), "Every form needs an action so it posts where the tests expect"
    for field in page.soup.select("input:not([type=hidden]):not([type=submit]), textarea, select"):
        field_id = field.get("id")
        assert field_id and page.soup.find("label", attrs={"for": field_id}), (
            f"Field {field.get('name')!r} has no label: give it a label element pointing at its id"
        )


class PortalClient(FlaskClient):
    """A test client that parses pages, checks their structure and fills in CSRF tokens."""

    def open(self, *args, **kwargs):
        """Run each request in its own app context, as a real server does.

        The test holds an app context of its own; without a fresh one, requests would share
        ``g`` (and so the signed-in user and CSRF token) with the test and with each other.
        """
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test's session sees what the request committed
        return response

    def page(self, url: str, **kwargs) -> Page:
        """GET a page and parse it."""
        return self._parse(self.get(url, **kwargs))

    def _parse(self, response) -> Page:
        """Parse a response; HTML pages must pass the structure checks."""
        if response.mimetype not in ("text/html", "text/plain", "application/json"):
            return Page(response=response, soup=BeautifulSoup("", "html.parser"))  # a PDF, CSV...
        page = Page(response=response, soup=BeautifulSoup(response.get_data(as_text=True), "html.parser"))
        if response.mimetype == "text/html" and page.soup.find("html"):
            check_page_structure(page)
        return page

    def csrf_token(self, url: str = "/") -> str:
        """A valid CSRF token for this client's session, taken from a page's form."""
        body = self.get(url, follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        if match is None:
            match = re.search(r'value="([^"]+)"[^>]*name="csrf_token"', body)
        assert match, f"No CSRF token found on {url}"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, *, token_from: str | None = None,
               follow: bool = False) -> Page:
        """POST a form the way a browser would: with the CSRF token from the form's page."""
        fields = dict(data or {})
        fields.setdefault("csrf_token", self.csrf_token(token_from or url))
        return self._parse(self.post(url, data=fields, follow_redirects=follow))

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        """Sign in through the real form, entering the authenticator app's code when asked for it."""
        response = self.submit("/sign-in", {"email": email, "password": password})
        assert response.status == 302, f"Sign-in as {email} failed: {response.error_summary()}"
        if response.response.headers["Location"].startswith("/sign-in/authenticator-code"):
            code = authenticator_code(db.session, email)
            response = self.submit("/sign-in/authenticator-code", {"code": code})
            assert response.status == 302, f"The code for {email} was refused: {response.error_summary()}"

    def sign_out(self) -> None:
        """Sign out through the real form."""
        self.submit("/sign-out", token_from="/account")


@pytest.fixture
def client(app: Flask) -> PortalClient:
    """An anonymous visitor."""
    app.test_client_class = PortalClient
    return app.test_client()


def _signed_in(app: Flask, user: User) -> PortalClient:
    """A client signed in as this user."""
    app.test_client_class = PortalClient
    client = app.test_client()
    client.sign_in(user.email)
    return client


@pytest.fixture
def applicant_client(app, applicant, organisation) -> PortalClient:
    """Signed in as a member of Hackney Youth Voices."""
    return _signed_in(app, applicant)


@pytest.fixture
def other_applicant_client(app, other_applicant, other_organisation) -> PortalClient:
    """Signed in as a member of another organisation."""
    return _signed_in(app, other_applicant)


@pytest.fixture
def panellist_client(app, panellist) -> PortalClient:
    """Signed in as a youth panellist."""
    return _signed_in(app, panellist)


@pytest.fixture
def commissioner_client(app, commissioner) -> PortalClient:
    """Signed in as a commissioner."""
    return _signed_in(app, commissioner)


@pytest.fixture
def sent_emails(app):
    """Deliver the outbox and return what was sent, as e-mail messages."""
    from portal.notifications.senders import MemorySender
    from portal.notifications.services import deliver_pending

    def deliver() -> list:
        sender = MemorySender()
        deliver_pending(db.session, sender=sender)
        return sender.sent

    return deliver
