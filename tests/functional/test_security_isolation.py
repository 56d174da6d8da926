"""No page or file shows one organisation's data to another, to panellists' eyes, or to applicants.

Every applicant-facing URL of Hackney Youth Voices' application is tried as a member of another group;
the commissioners' files are tried as applicants and panellists; panellists' pages are read for the
applicant's e-mail address. URLs come from the access matrix (its URL_VALUES and fixtures).
"""

from __future__ import annotations

import pytest

from tests.fixtures.security import load_endpoint_data, sec_url, snapshot
from tests.functional.access import APPLICANT, COMMISSIONER, OTHER_APPLICANT, PANELLIST
from tests.functional.test_access_matrix import CLIENT_FIXTURE, EXPECTED, TOKEN_PAGE, methods_for

# What only Hackney Youth Voices (and the grants team) should ever see of its application.
PRIVATE = ("Hackney Youth Voices", "grace@example.org", "Grace Mensah", "After-school boxing",
           "We will run weekly sessions", "1 Mare Street", "E8 1DY", "Coach fees", "Hall hire")

ORGANISATIONS_OWN = sorted(endpoint for endpoint, actors in EXPECTED.items()
                           if APPLICANT in actors and OTHER_APPLICANT not in actors)

STAFF_FILES = ["submissions.applications_csv", "assessment.ranking_csv", "events.attendees_csv",
               "bulk_letters.batch_status"]


def leaks(body: str) -> list[str]:
    """The private details of Hackney Youth Voices' application that appear in a response body."""
    return [text for text in PRIVATE if text in body]


def test_the_list_covers_the_applicant_journey():
    """The walk below includes the task list, every section, documents, the PDF copy, letters and withdrawing."""
    for endpoint in ("applications.application", "applications.project_section", "applications.check_answers",
                     "applications.withdraw", "documents.documents", "documents.download_document",
                     "documents.copy_pdf", "letters.application_letters", "letters.download"):
        assert endpoint in ORGANISATIONS_OWN


@pytest.mark.parametrize("endpoint", ORGANISATIONS_OWN)
def test_another_group_cannot_see_or_change_the_organisations_application(request, app, session, organisation,
                                                                         submitted_application, endpoint):
    """As a member of another group, each URL answers 403 or 404, shows none of the application, changes nothing."""
    load_endpoint_data(request, endpoint)
    url = sec_url(request, app, endpoint)
    client = request.getfixturevalue(CLIENT_FIXTURE[OTHER_APPLICANT])
    for method in methods_for(endpoint):
        data = {"csrf_token": client.csrf_token(TOKEN_PAGE)} if method == "POST" else None
        before = snapshot(session)
        response = client.open(url, method=method, data=data)
        body = response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""
        seen = f"{method} {url} as a member of another group gave {response.status_code}"
        assert response.status_code in (403, 404), f"{seen}: it must be refused (403) or not found (404)"
        assert response.mimetype == "text/html", f"{seen} with a {response.mimetype} file: no file may be served"
        assert not leaks(body), f"{seen} and the page shows {leaks(body)}"
        assert snapshot(session) == before, f"{seen}, and yet the database changed"


@pytest.mark.parametrize("endpoint", STAFF_FILES)
@pytest.mark.parametrize("actor", [APPLICANT, OTHER_APPLICANT, PANELLIST])
def test_commissioners_files_are_not_reachable_by_applicants_or_panellists(request, app, organisation,
                                                                           submitted_application, endpoint, actor):
    """The CSV exports (and the letter batch status) answer 403 with a page, never the file."""
    assert EXPECTED[endpoint] == frozenset({COMMISSIONER})
    load_endpoint_data(request, endpoint)
    url = sec_url(request, app, endpoint)
    response = request.getfixturevalue(CLIENT_FIXTURE[actor]).get(url)
    assert response.status_code == 403, f"GET {url} as {actor} gave {response.status_code}"
    assert response.mimetype == "text/html"
    own = ("Grace Mensah", "grace@example.org") if actor == APPLICANT else ()  # their own name is in the header
    assert not set(leaks(response.get_data(as_text=True))) - set(own)


def test_commissioners_do_get_the_csv(commissioner_client, open_round, submitted_application):
    """The control for the test above: the export does hold the application for commissioners."""
    response = commissioner_client.get(f"/commissioning/rounds/{open_round.id}/applications.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Hackney Youth Voices" in response.get_data(as_text=True)


PANELLIST_PAGES = [
    pytest.param("panel_assignment", ["/panel", "/panel/assessments/{id}"], id="before-declaring"),
    pytest.param("scoring_sent_assignment", ["/panel", "/panel/assessments/{id}", "/panel/assessments/{id}/scores",
                                             "/panel/assessments/{id}/send",
                                             "/panel/assessments/{id}/panel-scores"], id="scores-sent"),
    pytest.param("interview_assignment", ["/panel/interviews", "/panel/interviews/{id}",
                                          "/panel/assessments/{id}/scores"], id="interviewing"),
]


@pytest.mark.parametrize(("assignment_fixture", "paths"), PANELLIST_PAGES)
def test_panellists_never_see_applicants_email_addresses(request, session, panellist_client, organisation, applicant,
                                                         assignment_fixture, paths):
    """Every page a panellist reads about an application leaves out the members' e-mail addresses."""
    assignment = request.getfixturevalue(assignment_fixture)
    members = [membership.user.email for membership in organisation.memberships]
    assert applicant.email in members
    read = 0
    for path in paths:
        url = path.format(id=assignment.id)
        response = panellist_client.get(url, follow_redirects=True)
        assert response.status_code == 200, f"{url} gave {response.status_code}"
        body = response.get_data(as_text=True)
        read += "Hackney" in body or "After-school" in body
        shown = [email for email in members if email in body]
        assert not shown, f"{url} shows a panellist the applicant's e-mail address {shown}"
    assert read, "None of the pages showed the application at all: check the fixtures still reach it"
