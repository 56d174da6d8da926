"""Two colleagues saving one application at the same moment: nobody sees an error page and nothing is lost.

A section save reads the application, checks its form against what it read, then writes. Here a colleague's
save lands in between, in a request of their own on a connection of their own: after the first save has read
and before it writes. A save of another section must still go through, and a save of the same section must
be refused as a conflict with what was typed shown back. On SQLite this also shows that a save holds the
write lock only while it writes: the colleague's save is not made to wait while the first one is checked.
Both need real connections, so the portal runs on a database of this test's own (PostgreSQL when the suite
runs there).
"""

from __future__ import annotations

import re
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from portal import create_app
from portal.applications import services
from portal.extensions import db
from portal.models import Application, Role
from tests.conftest import PASSWORD, make_organisation, make_round, make_user
from tests.fixtures.applications import make_application

pytestmark = pytest.mark.own_database

COLLEAGUE_WAITS_AT_MOST = 20  # seconds: far longer than a save takes, short of hanging the suite


@pytest.fixture
def portal(tmp_path, own_database_url):
    """The portal on a migrated database of its own, with a draft made by a group of two colleagues."""
    url = own_database_url
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(tmp_path),
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "MAIL_BACKEND": "memory", "ARGON2_FAST": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        first = make_user(db.session, email="amara@example.org", role=Role.APPLICANT, name="Amara Okafor")
        second = make_user(db.session, email="ben@example.org", role=Role.APPLICANT, name="Ben Price")
        organisation = make_organisation(db.session, name="Hackney Youth Voices", members=[first, second])
        application = make_application(db.session, round_=make_round(db.session), organisation=organisation,
                                       by=first)
        db.session.commit()
        app.config["DRAFT_ID"] = application.id
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"signing in as {email} answered {response.status_code}"
    return client


def _project(app, title: str) -> dict[str, str]:
    with app.app_context():
        question = db.session.get(Application, app.config["DRAFT_ID"]).round.questions[0]
        db.session.remove()
    return {"project_title": title, "amount": "8,000", f"answer_{question.id}": "Weekly sessions.",
            "version": "0", "completed": "no"}


def _saved(app) -> Application:
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.id == app.config["DRAFT_ID"]))
        saved = {"title": application.project_title,
                 "budget": [(line.item, line.cost_pence) for line in application.budget_lines],
                 "versions": {row.key: row.version for row in application.sections}}
        db.session.remove()
    return saved


def _colleague_saves_in_between(monkeypatch, colleague_save) -> list:
    """Make the colleague's save run, to the end, after the next save has read the application."""
    answers: list = []
    check_version = services.check_version

    def then_the_colleague(application, key, version):
        check_version(application, key, version)
        monkeypatch.setattr(services, "check_version", check_version)  # once
        colleague = threading.Thread(target=lambda: answers.append(colleague_save()))
        colleague.start()
        colleague.join(COLLEAGUE_WAITS_AT_MOST)
        assert not colleague.is_alive(), "the colleague's save waited for a save that had not written anything"

    monkeypatch.setattr(services, "check_version", then_the_colleague)
    return answers


def test_saving_another_section_at_the_same_moment_keeps_both_saves(portal, monkeypatch):
    draft = f"/applications/{portal.config['DRAFT_ID']}"
    amara, ben = _signed_in(portal, "amara@example.org"), _signed_in(portal, "ben@example.org")
    bens = _colleague_saves_in_between(monkeypatch, lambda: ben.post(f"{draft}/budget", data={
        "item_0": "Coach fees", "cost_0": "5,000", "version": "0", "completed": "no", "action": "save"}))

    response = amara.post(f"{draft}/project", data=_project(portal, "Boxing after school"))

    assert [answer.status_code for answer in bens] == [302], "the colleague's budget was saved"
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.location == draft, "back to the task list, as after any save"
    saved = _saved(portal)
    assert saved["title"] == "Boxing after school"
    assert saved["budget"] == [("Coach fees", 500_000)]
    assert saved["versions"] == {"budget": 1, "project": 1}


def test_saving_the_same_section_at_the_same_moment_shows_both_versions(portal, monkeypatch):
    draft = f"/applications/{portal.config['DRAFT_ID']}"
    amara, ben = _signed_in(portal, "amara@example.org"), _signed_in(portal, "ben@example.org")
    bens = _colleague_saves_in_between(
        monkeypatch, lambda: ben.post(f"{draft}/project", data=_project(portal, "Football on Fridays")))

    response = amara.post(f"{draft}/project", data=_project(portal, "Boxing after school"))

    assert [answer.status_code for answer in bens] == [302]
    assert response.status_code == 200, "the form again, not an error page"
    page = response.get_data(as_text=True)
    assert "Compare the two versions below" in page
    assert "Football on Fridays" in page, "what the colleague saved is shown"
    assert 'value="Boxing after school"' in page, "what Amara typed is still in the form"
    version = re.search(r"<input[^>]*name=\"version\"[^>]*>", page).group(0)
    assert 'value="1"' in version, "saving again starts from the colleague's version"
    saved = _saved(portal)
    assert saved["title"] == "Football on Fridays" and saved["versions"] == {"project": 1}
