"""Messages from groups waiting for a reply (issue 14, parts 9 and 14): the commissioners' to-do list counts, by
round, the sent applications whose group wrote last, and links to a page listing them with their conversations."""

from __future__ import annotations

from tests.fixtures.messages import make_message
from tests.fixtures.panel_round import make_assessment_round, make_eligible_application
from tests.fixtures.submissions import make_submission
from tests.functional.test_to_do_lists import HOME, to_do

ITEM = "{} with messages from the group waiting for a reply"


def test_only_conversations_where_the_group_wrote_last_are_waiting(session, commissioner_client, commissioner,
                                                                  open_round, screening_application, applicant,
                                                                  other_organisation, other_applicant,
                                                                  screening_question):
    # Hackney answered the commissioner's question: waiting for a reply (read or not).
    answer = make_message(session, application=screening_application, by=applicant, from_funder=False,
                          body="Yes, every Saturday.", minutes_ago=30)
    # Another group wrote, and the grants team replied: nothing waiting there.
    other = make_submission(session, round_=open_round, organisation=other_organisation, by=other_applicant,
                            number=2)
    make_message(session, application=other, by=other_applicant, from_funder=False, body="Hello", minutes_ago=50)
    make_message(session, application=other, by=commissioner, from_funder=True, body="Hello back", minutes_ago=40)

    link = f"/commissioning/rounds/{open_round.id}/messages"
    items = to_do(commissioner_client.page(HOME))[open_round.title]
    assert items[ITEM.format("1 application")] == link

    page = commissioner_client.page(link)
    assert page.h1 == "Messages waiting for a reply"
    rows = page.soup.select("tbody tr")
    assert len(rows) == 1
    assert screening_application.reference in rows[0].get_text() and other.reference not in page.text()
    assert rows[0].select_one("a")["href"] == f"/commissioning/applications/{screening_application.id}/messages"
    assert "1 new" in rows[0].get_text()

    # Reading it does not make the group's wait go away; it is no longer new.
    commissioner_client.page(f"/commissioning/applications/{screening_application.id}/messages")
    session.refresh(answer)
    assert answer.read_at is not None
    row = commissioner_client.page(link).soup.select_one("tbody tr")
    assert row is not None and "new" not in row.get_text()
    assert ITEM.format("1 application") in to_do(commissioner_client.page(HOME))[open_round.title]


def test_a_reply_takes_the_conversation_off_the_list(session, commissioner_client, open_round, screening_application,
                                                     applicant, screening_question):
    make_message(session, application=screening_application, by=applicant, from_funder=False,
                 body="Yes, every Saturday.", minutes_ago=30)
    url = f"/commissioning/applications/{screening_application.id}/messages"
    commissioner_client.submit(url, {"body": "Thank you, that answers it."}, follow=True)

    items = to_do(commissioner_client.page(HOME)).get(open_round.title, {})
    assert not any("waiting for a reply" in text for text in items)
    page = commissioner_client.page(f"/commissioning/rounds/{open_round.id}/messages")
    assert "No group is waiting for a reply in this round." in page.text()


def test_messages_only_from_the_funder_wait_for_nothing(commissioner_client, open_round, screening_question):
    items = to_do(commissioner_client.page(HOME)).get(open_round.title, {})
    assert not any("waiting for a reply" in text for text in items)


def test_an_unknown_round_is_not_found(commissioner_client):
    assert commissioner_client.get("/commissioning/rounds/999999/messages").status_code == 404


def test_counts_are_by_round(session, commissioner_client, open_round, screening_application, applicant,
                             other_organisation, other_applicant):
    assessed = make_assessment_round(session)
    other = make_eligible_application(session, round_=assessed, organisation=other_organisation, by=other_applicant,
                                      number=5)
    for application, by in ((screening_application, applicant), (other, other_applicant)):
        make_message(session, application=application, by=by, from_funder=False, body="A question")
    found = to_do(commissioner_client.page(HOME))
    assert ITEM.format("1 application") in found[open_round.title]
    assert ITEM.format("1 application") in found[assessed.title]
