"""An expired form or session never loses what somebody typed, within bounds anyone can post to."""

from __future__ import annotations

from tests.conftest import PASSWORD, _signed_in


def form_fields(app, user, url: str) -> str:
    """The signed list of field names the form at ``url`` sends (from the page as ``user`` opened it before
    their session ended): a post without it keeps nothing (portal/pending.py)."""
    value = _signed_in(app, user).page(url).value_of("kept_fields")
    assert value, f"The form at {url} should send the signed names of its fields"
    return value


def test_a_csrf_failure_shows_what_was_typed_and_can_send_it_again(client, applicant, organisation):
    """A stale form is refused with a page that keeps every field except passwords."""
    applicant_id = organisation.id
    client.sign_in(applicant.email)
    response = client.post(f"/organisations/{applicant_id}/invite",
                           data={"csrf_token": "stale", "name": "Kwame Boateng", "email": "kwame@example.org"})
    page = client._parse(response)
    assert page.status == 400
    assert page.h1 == "Your form was not sent because the page had expired"
    assert "Kwame Boateng" in page.text() and "kwame@example.org" in page.text()
    form = page.soup.select_one("main form")
    assert form["action"] == f"/organisations/{applicant_id}/invite"
    hidden = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert hidden["name"] == "Kwame Boateng" and hidden["csrf_token"] != "stale"
    resent = client.post(form["action"], data=hidden, follow_redirects=True)
    assert "Invitation sent to kwame@example.org" in resent.get_data(as_text=True)


def test_passwords_are_never_echoed_back_on_the_expired_page(client):
    """The expired page keeps the e-mail but asks for the password again."""
    page = client._parse(client.post("/sign-in", data={"csrf_token": "stale", "email": "grace@example.org",
                                                       "password": "my secret words"}))
    assert "my secret words" not in page.response.get_data(as_text=True)
    assert "we did not keep any password" in page.text()
    assert "grace@example.org" in page.text()


def test_text_typed_before_the_session_ended_comes_back_after_signing_in(app, client, applicant, organisation):
    """Posting while signed out leads to sign-in, then back to the form with the text restored."""
    token = client.csrf_token("/sign-in")
    fields = form_fields(app, applicant, f"/organisations/{organisation.id}/invite")
    response = client.post(f"/organisations/{organisation.id}/invite",
                           data={"csrf_token": token, "kept_fields": fields, "name": "Kwame Boateng",
                                 "email": "kwame@example.org"})
    assert response.location == f"/sign-in?next=/organisations/{organisation.id}/invite"
    back = client.submit(response.location, {"email": applicant.email, "password": PASSWORD}, token_from="/sign-in")
    assert back.response.location == f"/organisations/{organisation.id}/invite"
    page = client.page(back.response.location)
    assert page.value_of("name") == "Kwame Boateng"
    assert page.value_of("email") == "kwame@example.org"
    assert "We kept what you typed before you were signed out" in page.text()
    assert client.page(back.response.location).value_of("name") in (None, ""), "Kept text is given back once"


def test_long_text_is_kept_on_the_server_not_in_the_cookie(app, client, applicant, organisation):
    """Long answers survive an ended session although cookies hold only about 4 KB."""
    long_name = "Kwame " + "Boateng " * 20
    token = client.csrf_token("/sign-in")
    fields = form_fields(app, applicant, f"/organisations/{organisation.id}/invite")
    response = client.post(f"/organisations/{organisation.id}/invite",
                           data={"csrf_token": token, "kept_fields": fields, "name": long_name,
                                 "email": "k" * 5000 + "@example.org"})
    cookie = response.headers.get("Set-Cookie", "")
    assert len(cookie) < 1000, "Kept text must not be put in the session cookie"
    client.submit(response.location, {"email": applicant.email, "password": PASSWORD}, token_from="/sign-in")
    page = client.page(f"/organisations/{organisation.id}/invite")
    assert page.value_of("email") == "k" * 5000 + "@example.org"
