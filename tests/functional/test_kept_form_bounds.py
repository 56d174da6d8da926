"""What anyone can leave in the database without signing in is bounded (issue 21).

A form posted to a signed-in page after the session ended is kept for the person to get back after signing in.
All it takes is a CSRF token from /sign-in, so: only the posted form's own fields, at most 256 KB a form, five a
browser, ten an address an hour, a clear message when nothing was kept, and a size limit before any form is read.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.limits import FORM_MAX_BYTES
from portal.models import KeptForm
from portal.pending import MAX_KEPT_BYTES, MAX_PER_ADDRESS, MAX_PER_SESSION
from tests.functional.test_nothing_lost import form_fields


def kept_rows(session) -> list[KeptForm]:
    session.expire_all()
    return list(session.scalars(select(KeptForm).order_by(KeptForm.id)))


def new_browser(client) -> None:
    """Forget every cookie, as a new browser (or a script) would have none."""
    client._cookies.clear()


def post_signed_out(client, url: str, **data):
    """A post to a signed-in page from a browser whose session has ended."""
    return client.post(url, data={"csrf_token": client.csrf_token("/sign-in"), **data})


def test_only_the_fields_of_the_posted_form_are_kept(app, session, client, applicant, organisation):
    url = f"/organisations/{organisation.id}/invite"
    response = post_signed_out(client, url, kept_fields=form_fields(app, applicant, url), name="Kwame Boateng",
                               email="kwame@example.org", padding="x" * 5000, other_field="Not on this form")
    assert response.status_code == 302
    [row] = kept_rows(session)
    assert sorted(name for name, _ in row.fields) == ["email", "name"]
    assert row.address_hash and "127.0.0.1" not in row.address_hash, "a salted hash, never the address itself"


def test_a_form_without_its_signed_field_list_keeps_nothing_and_says_so(session, client, organisation):
    response = post_signed_out(client, f"/organisations/{organisation.id}/invite", name="Kwame Boateng")
    assert kept_rows(session) == []
    page = client.page(response.location)
    assert "We could not keep what you typed, because the form was not one we recognised" in page.text()
    assert "Go back in your browser and copy your text" in page.text()
    forged = post_signed_out(client, f"/organisations/{organisation.id}/invite", name="Kwame",
                             kept_fields="WyJuYW1lIl0.forged")
    assert forged.status_code == 302 and kept_rows(session) == []
    assert "the form was not one we recognised" in client.page(forged.location).text()


def test_a_button_pressed_after_the_session_ended_keeps_nothing_and_warns_of_nothing(session, client,
                                                                                     organisation):
    response = post_signed_out(client, f"/organisations/{organisation.id}/invite", action="save", version="3")
    assert kept_rows(session) == []
    assert "We could not keep" not in client.page(response.location).text()


def test_text_too_long_to_keep_is_not_kept_and_the_person_is_told(app, session, client, applicant, organisation):
    url = f"/organisations/{organisation.id}/invite"
    response = post_signed_out(client, url, kept_fields=form_fields(app, applicant, url),
                               name="K" * (MAX_KEPT_BYTES + 1))
    assert response.status_code == 302 and kept_rows(session) == []
    page = client.page(response.location)
    assert page.status == 200
    assert "What you typed was too long for us to keep while you sign in (more than 256 KB)" in page.text()


def test_each_address_may_leave_only_so_many_an_hour(app, session, client, applicant, organisation):
    url = f"/organisations/{organisation.id}/invite"
    fields = form_fields(app, applicant, url)
    for number in range(MAX_PER_ADDRESS):
        new_browser(client)  # a script keeps no cookies
        post_signed_out(client, url, kept_fields=fields, name=f"Person {number}")
    assert len(kept_rows(session)) == MAX_PER_ADDRESS
    new_browser(client)
    response = post_signed_out(client, url, kept_fields=fields, name="One too many")
    assert len(kept_rows(session)) == MAX_PER_ADDRESS
    assert "too many forms have been sent from your connection in the last hour" in client.page(
        response.location).text()


def test_a_browser_keeps_at_most_five_and_older_ones_are_deleted(app, session, client, applicant, organisation):
    fields = form_fields(app, applicant, f"/organisations/{organisation.id}/invite")
    for number in range(1, MAX_PER_SESSION + 2):
        post_signed_out(client, f"/organisations/{number}/invite", kept_fields=fields, name=f"Person {number}")
    rows = kept_rows(session)
    assert [row.path for row in rows] == [f"/organisations/{n}/invite" for n in range(2, MAX_PER_SESSION + 2)]
    # The same form posted again replaces what was kept for it.
    post_signed_out(client, "/organisations/2/invite", kept_fields=fields, name="Again")
    rows = kept_rows(session)
    assert len(rows) == MAX_PER_SESSION and rows[-1].fields == [["name", "Again"]]


def test_a_request_over_the_size_limit_is_refused_before_its_form_is_read(session, client, organisation):
    token = client.csrf_token("/sign-in")
    response = client.post(f"/organisations/{organisation.id}/invite",
                           data={"csrf_token": token, "name": "x" * (FORM_MAX_BYTES + 1)})
    assert response.status_code == 413
    assert "The file or form was too big" in response.get_data(as_text=True)
    assert kept_rows(session) == []
