"""The key pages of issue 8 run the same number of SQL statements whatever the number of rows.

A page whose statements grow with its rows (one query per row: an "N+1") gets slower with every
application, score or log entry, which at the size of a city-wide fund makes it unusable. Each page is
fetched at size 3 and again at size 12 (see tests/fixtures/scale.py) and the statements counted with
SQLAlchemy's ``before_cursor_execute`` event; the counts may differ by a small constant at most.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from portal.applications.services import section_version
from portal.extensions import db
from portal.models import Application

SMALL, LARGE = 3, 12
# The most a page's count may change between the two sizes (savepoints and the like, never per row).
ALLOWED_DIFFERENCE = 1


@contextmanager
def counted_statements():
    """Count the SQL statements run on the portal's engine inside the block: ``with counted_statements() as n``."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        """Note one statement."""
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_for(client, url: str) -> list[str]:
    """The statements one GET of the page runs (after one warm-up GET), checking it answered 200."""
    assert client.get(url).status_code == 200, f"{url} did not answer 200"
    with counted_statements() as statements:
        response = client.get(url)
    assert response.status_code == 200, f"{url} did not answer 200"
    return statements


PAGES = {
    "home": ("client", lambda world: "/"),
    "prospectus": ("client", lambda world: f"/rounds/{world.open_round.slug}"),
    "decision log page 1": ("client", lambda world: "/decisions"),
    "decision log deep page": ("client", lambda world: "/decisions?page=400"),
    "360Giving file": ("client", lambda world: "/open-data/360giving.json"),
    "submissions list": ("commissioner_client",
                         lambda world: f"/commissioning/rounds/{world.assessment_round.id}/applications"),
    "panellist's home": ("panellist_client", lambda world: "/panel"),
    "commissioners' home": ("commissioner_client", lambda world: "/commissioning"),
    "round page in assessment": ("commissioner_client",
                                 lambda world: f"/commissioning/rounds/{world.assessment_round.id}"),
    "round page with letters to issue": ("commissioner_client",
                                         lambda world: f"/commissioning/rounds/{world.past_round.id}"),
    "scoring page": ("panellist_client", lambda world: f"/panel/assessments/{world.assignment_ids[0]}/scores"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_the_same_statements_at_3_and_12_rows(request, scale_world, page):
    """Growing the data fourfold leaves each key page's statement count unchanged (no query per row)."""
    client_name, url_for_world = PAGES[page]
    scale_world.grow_to(SMALL)
    client = request.getfixturevalue(client_name)
    small = statements_for(client, url_for_world(scale_world))
    scale_world.grow_to(LARGE)
    large = statements_for(client, url_for_world(scale_world))
    assert len(large) - len(small) <= ALLOWED_DIFFERENCE, (
        f"The {page} page ran {len(small)} statements with {SMALL} rows and {len(large)} with {LARGE}: something "
        f"is loaded once per row. Load it with the page's main query (selectinload/joinedload) instead. "
        f"Statements at {LARGE} rows:\n" + "\n".join(large))


def _save_project(client, application_id: int, title: str) -> tuple[int, list[str]]:
    """POST the project section with a fresh CSRF token and the current version; returns status and statements."""
    url = f"/applications/{application_id}/project"
    token = client.csrf_token(url)
    application = db.session.get(Application, application_id)
    data = {"csrf_token": token, "project_title": title, "amount": "8,000", "completed": "no",
            "version": str(section_version(application, "project")),
            f"answer_{application.round.questions[0].id}": "Weekly sessions."}
    with counted_statements() as statements:
        response = client.post(url, data=data)
    return response.status_code, statements


def test_saving_a_section_runs_the_same_statements_at_3_and_12_rows(scale_world, applicant_client):
    """Saving the project section costs the same however many applications, scores and entries exist."""
    scale_world.grow_to(SMALL)
    assert _save_project(applicant_client, scale_world.draft_id, "Warm-up")[0] == 302
    status, small = _save_project(applicant_client, scale_world.draft_id, "At three rows")
    assert status == 302
    scale_world.grow_to(LARGE)
    status, large = _save_project(applicant_client, scale_world.draft_id, "At twelve rows")
    assert status == 302
    assert len(large) - len(small) <= ALLOWED_DIFFERENCE, (
        f"Saving a section ran {len(small)} statements with {SMALL} rows and {len(large)} with {LARGE}:\n"
        + "\n".join(large))
    assert db.session.get(Application, scale_world.draft_id).project_title == "At twelve rows"
