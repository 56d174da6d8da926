"""No cache keeps what a signed-in person sees, and public pages and files keep their own caching (issue 21).

The access matrix (test_access_matrix.py) checks every endpoint as every kind of person; these tests check the
public side stays cacheable and name the responses the outside check found."""

from __future__ import annotations

PRIVATE = "private, no-store"


def test_the_account_page_is_never_kept(applicant_client):
    page = applicant_client.page("/account")
    assert page.status == 200 and page.response.headers["Cache-Control"] == PRIVATE


def test_a_page_that_needs_signing_in_is_not_kept_even_when_it_sends_you_to_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Cache-Control"] == PRIVATE


def test_public_pages_seen_anonymously_keep_their_validators(client, decision_log_entry):
    first = client.get("/decisions")
    assert "private" not in first.headers["Cache-Control"] and first.headers.get("ETag")
    again = client.get("/decisions", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_public_files_are_the_same_for_everyone_so_stay_public_when_signed_in(applicant_client, decision_log_entry):
    response = applicant_client.get("/decisions.csv")
    assert response.status_code == 200 and "public" in response.headers["Cache-Control"]
    page = applicant_client.page("/decisions")
    assert page.response.headers["Cache-Control"] == PRIVATE, "the page carries their name and a form token"


def test_a_page_not_found_for_a_signed_in_person_is_not_kept(applicant_client):
    response = applicant_client.get("/no-such-page")
    assert response.status_code == 404 and response.headers["Cache-Control"] == PRIVATE
