"""Messages about a sent application: a commissioner and the group write to each other, the other side is told
by an e-mail with no message text and no names, the panel sees only what a commissioner shares, and every
message and share is in the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from portal.formatting import date_time
from portal.messages.services import CHARACTER_LIMIT
from portal.models import ApplicationMessage, AuditEvent, Membership, OutboxMessage, Role
from tests.conftest import PASSWORD, make_user
from tests.fixtures.messages import make_message
from tests.functional.test_nothing_lost import form_fields


def group_page(application) -> str:
    """The group's messages about their application."""
    return f"/applications/{application.id}/messages"


def funder_page(application) -> str:
    """The commissioners' messages about an application."""
    return f"/commissioning/applications/{application.id}/messages"


def messages_of(session, application) -> list[ApplicationMessage]:
    """The application's stored messages, oldest first."""
    return list(session.scalars(select(ApplicationMessage).where(ApplicationMessage.application_id == application.id)
                                .order_by(ApplicationMessage.sent_at, ApplicationMessage.id)))


def conversation_text(page) -> list[str]:
    """Each message on the page as its visible text, in the order shown."""
    return [" ".join(li.get_text(" ").split()) for li in page.soup.select("li[id^=message-]")]


def test_a_commissioner_asks_and_the_group_answers_each_told_by_an_email_without_text_or_names(
        app, session, screening_application, applicant, commissioner, applicant_client, commissioner_client,
        sent_emails):
    """The exchange both ways: each message e-mails the other side a notice naming only the reference."""
    application = screening_application
    reference = application.reference
    page = commissioner_client.page(f"/commissioning/applications/{application.id}")
    link = page.soup.find("a", string=lambda s: s and s.startswith("Messages with the group"))
    assert link is not None and link["href"] == funder_page(application), (
        "The commissioners' page of a sent application links to its messages")

    asked = commissioner_client.submit(funder_page(application), {"body": "Is the park booked for the year?\n"
                                                                          "Please send the booking letter."})
    assert asked.status == 302, asked.error_summary()
    emails = sent_emails()
    assert [e["To"] for e in emails] == [applicant.email], "Every member of the group is told, not the sender"
    notice = emails[0]
    body = notice.get_content()
    public_url = app.config["PUBLIC_URL"].rstrip("/")
    assert f"You have a new message about application {reference}." in body
    assert f"Sign in to read it: {public_url}{group_page(application)}" in body
    for private in ("park", "booking", commissioner.name, "Amara", applicant.name, application.organisation.name):
        assert private not in body and private not in notice["Subject"], (
            f"The notice e-mail must carry no message text and no names, but it contains {private!r}")

    dashboard = applicant_client.page("/account")
    assert dashboard.soup.find("a", href=group_page(application)), "The dashboard links to the messages"
    sent_page = applicant_client.page(f"/applications/{application.id}")
    link = sent_page.soup.find("a", string=lambda s: s and s.startswith("Messages with the grants team"))
    assert link is not None and link.get_text(strip=True) == "Messages with the grants team (1 new)"

    page = applicant_client.page(group_page(application))
    assert page.status == 200
    assert page.h1 == f"Messages about application {reference}"
    (question,) = conversation_text(page)
    assert question.startswith("New Amara Okafor Funder"), "Who sent it, and that they are the funder"
    assert "Is the park booked for the year? Please send the booking letter." in question
    first = page.soup.select_one("li[id^=message-]")
    assert first.find("br") is not None, "The line break typed in the message is kept"
    assert applicant_client.page(f"/applications/{application.id}").soup.find(
        "a", string="Messages with the grants team (1)"), "Once read, the message is no longer new"

    answered = applicant_client.submit(group_page(application), {"body": "Yes, until next July."})
    assert answered.status == 302, answered.error_summary()
    (notice,) = sent_emails()
    assert notice["To"] == commissioner.email, "The commissioner who asked is told of the answer"
    body = notice.get_content()
    assert f"Sign in to read it: {public_url}{funder_page(application)}" in body
    for private in ("July", applicant.name, "Grace", commissioner.name, application.organisation.name):
        assert private not in body, f"The notice e-mail must not contain {private!r}"

    page = commissioner_client.page(funder_page(application))
    question, answer = conversation_text(page)
    assert "Is the park booked" in question and "Amara Okafor Funder" in question
    assert answer.startswith("New Grace Mensah Hackney Youth Voices"), "The group's reply comes second, from Grace"
    assert "Yes, until next July." in answer


def test_messages_are_shown_oldest_first_with_the_london_date(session, screening_application, applicant,
                                                               commissioner, commissioner_client):
    """Messages read in the order they were sent, each dated in London time."""
    application = screening_application
    make_message(session, application=application, by=applicant, from_funder=False, body="Third", minutes_ago=5)
    make_message(session, application=application, by=commissioner, from_funder=True, body="First",
                 minutes_ago=300)
    make_message(session, application=application, by=applicant, from_funder=False, body="Second", minutes_ago=60)
    page = commissioner_client.page(funder_page(application))
    texts = conversation_text(page)
    assert [next(w for w in ("First", "Second", "Third") if w in t) for t in texts] == ["First", "Second", "Third"]
    stored = messages_of(session, application)
    times = [time.get_text(strip=True) for time in page.soup.select("li[id^=message-] time")]
    assert times == [date_time(m.sent_at) for m in stored]


def test_another_group_cannot_read_or_write_messages(session, screening_application, screening_question,
                                                      other_applicant_client):
    """A member of another organisation is refused both ways, and nothing is stored."""
    page = other_applicant_client.page(group_page(screening_application))
    assert page.status == 403
    assert "Is the park booked" not in page.text()
    posted = other_applicant_client.submit(group_page(screening_application), {"body": "Let me in"},
                                           token_from="/account")
    assert posted.status == 403
    assert [m.body for m in messages_of(session, screening_application)] == [screening_question.body]


def test_a_draft_has_no_messages_yet(session, draft_application, applicant_client, commissioner_client):
    """Before sending, the group is told messages start once the application is sent; commissioners find nothing."""
    page = applicant_client.page(group_page(draft_application))
    assert page.status == 200
    assert "You can send messages about an application once it has been sent" in page.text()
    assert page.soup.find("textarea") is None
    posted = applicant_client.submit(group_page(draft_application), {"body": "Hello"}, token_from="/account")
    assert "once it has been sent" in " ".join(posted.error_summary())
    assert messages_of(session, draft_application) == []
    assert commissioner_client.page(funder_page(draft_application)).status == 404


def test_a_message_too_long_is_refused_and_what_was_typed_is_kept(session, screening_application,
                                                                  applicant_client, sent_emails):
    """Over the limit: a clear error beside the box and in the summary, the text still in the box."""
    typed = "We run the sessions every Tuesday.\n" + "x" * CHARACTER_LIMIT
    page = applicant_client.submit(group_page(screening_application), {"body": typed})
    assert page.status == 200
    over = len(typed.replace("\n", "\r\n").replace("\r\n", "\n")) - CHARACTER_LIMIT
    message = f"Your message must be 3,000 characters or fewer. Remove {over} characters"
    assert page.error_summary() == [message]
    assert page.field_error("body") == message
    assert page.title.startswith("Error: ")
    assert page.value_of("body").strip("\r\n") == typed.replace("\r\n", "\n")
    assert messages_of(session, screening_application) == []
    assert sent_emails() == []


def test_an_empty_message_is_refused(session, screening_application, applicant_client):
    """A message of nothing but spaces, or invisible characters, asks for the message."""
    for blank in ("   ", "\u200b\u202e"):
        page = applicant_client.submit(group_page(screening_application), {"body": blank})
        assert page.error_summary() == ["Enter your message"]
    assert messages_of(session, screening_application) == []


def test_messages_are_plain_text_without_invisible_direction_characters(session, screening_application,
                                                                        applicant_client, commissioner_client):
    """Markup is shown as typed, never run; right-to-left overrides and zero-width spaces are removed."""
    typed = "<script>alert('x')</script> <b>bold</b>\u202egnp.exe\u200b done"
    assert applicant_client.submit(group_page(screening_application), {"body": typed}).status == 302
    (stored,) = messages_of(session, screening_application)
    assert stored.body == "<script>alert('x')</script> <b>bold</b>gnp.exe done"
    page = commissioner_client.page(funder_page(screening_application))
    (shown,) = page.soup.select("li[id^=message-]")
    assert shown.find("script") is None and shown.find("b") is None
    assert "<script>alert('x')</script> <b>bold</b>gnp.exe done" in shown.get_text()


def test_the_panel_sees_only_messages_a_commissioner_shares(session, panel_application, declared_assignment,
                                                            applicant, commissioner, panellist_client,
                                                            commissioner_client):
    """Panellists cannot open the conversation; a shared message appears, labelled, on their scoring page."""
    question = make_message(session, application=panel_application, by=commissioner, from_funder=True,
                            body="How many young people came last year?", minutes_ago=120)
    answer = make_message(session, application=panel_application, by=applicant, from_funder=False,
                          body="Forty-two, most of them from the estate.", minutes_ago=60)
    assert panellist_client.page(funder_page(panel_application)).status == 403
    assert panellist_client.page(group_page(panel_application)).status == 403
    scoring = f"/panel/assessments/{declared_assignment.id}/scores"
    page = panellist_client.page(scoring)
    assert page.status == 200
    assert "How many young people" not in page.text() and "Forty-two" not in page.text()
    assert "Messages shared with the panel" not in page.text()

    shared = commissioner_client.submit(
        f"{funder_page(panel_application)}/{answer.id}/share", {"share": "yes"}, token_from=funder_page(panel_application))
    assert shared.status == 302
    page = commissioner_client.page(funder_page(panel_application))
    assert "Shared with the panel" in conversation_text(page)[1]
    assert "Stop sharing with the panel" in conversation_text(page)[1]
    assert "Share with the panel" in conversation_text(page)[0]

    page = panellist_client.page(scoring)
    section = page.soup.find("section", attrs={"aria-labelledby": "shared-messages"})
    assert section is not None, "A shared message is shown on the panellist's page for the application"
    text = " ".join(section.get_text(" ").split())
    assert "Messages shared with the panel" in text and "From the group" in text
    assert "Forty-two, most of them from the estate." in text
    assert "How many young people" not in page.text(), "Only the shared message is shown"
    assert applicant.name not in text and commissioner.name not in text, "Panellists are not given senders' names"
    whole = panellist_client.page(f"/panel/assessments/{declared_assignment.id}/application")
    assert "Forty-two, most of them from the estate." in whole.text(), "The whole application page shows it too"
    assert "How many young people" not in whole.text()

    commissioner_client.submit(f"{funder_page(panel_application)}/{answer.id}/share", {"share": "no"},
                               token_from=funder_page(panel_application))
    assert "Forty-two" not in panellist_client.page(scoring).text(), "A message no longer shared is hidden again"
    assert question.shared_with_panel_at is None


def test_every_message_and_share_is_in_the_audit_trail(session, screening_application, commissioner,
                                                       applicant, applicant_client, commissioner_client):
    """Sending and sharing record who did it, when, and what."""
    commissioner_client.submit(funder_page(screening_application), {"body": "Which park?"})
    applicant_client.submit(group_page(screening_application), {"body": "Hackney Downs."})
    question, answer = messages_of(session, screening_application)
    commissioner_client.submit(f"{funder_page(screening_application)}/{answer.id}/share", {"share": "yes"},
                               token_from=funder_page(screening_application))
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "application_message")
                             .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.entity_id) for e in events] == [
        ("application_message.sent", commissioner.id, question.id),
        ("application_message.sent", applicant.id, answer.id),
        ("application_message.shared_with_panel", commissioner.id, answer.id),
    ]
    assert events[0].after["body"] == "Which park?" and events[0].after["from_funder"] is True
    assert events[1].after["body"] == "Hackney Downs." and events[1].after["from_funder"] is False
    assert events[2].before == {"shared_with_panel_at": None, "shared_by_id": None}
    assert events[2].after["shared_by_id"] == commissioner.id


def test_every_member_of_the_group_is_told_except_the_sender(session, screening_application, organisation,
                                                              applicant, applicant_client, commissioner,
                                                              commissioner_client):
    """A funder's message goes to each member of the group; the group's goes to the funder, never to itself."""
    colleague = make_user(session, email="kofi@example.org", role=Role.APPLICANT, name="Kofi Boateng")
    session.add(Membership(user=colleague, organisation=organisation))
    session.flush()
    commissioner_client.submit(funder_page(screening_application), {"body": "Which park?"})
    assert sorted(session.scalars(select(OutboxMessage.to_address))) == sorted([applicant.email, colleague.email])
    applicant_client.submit(group_page(screening_application), {"body": "Hackney Downs."})
    addresses = sorted(session.scalars(select(OutboxMessage.to_address)))
    assert addresses == sorted([applicant.email, colleague.email, commissioner.email]), (
        "The group's reply goes to the commissioner who wrote, not to the group")


def test_a_message_typed_after_the_session_ended_comes_back_after_signing_in(app, session, client, applicant,
                                                                             screening_application):
    """Posting while signed out leads to sign-in, then back to the messages with the text in the box."""
    token = client.csrf_token("/sign-in")
    url = group_page(screening_application)
    fields = form_fields(app, applicant, url)
    response = client.post(url, data={"csrf_token": token, "kept_fields": fields,
                                      "body": "Our coach has changed.\nIt is now Ade."})
    assert response.location == f"/sign-in?next={url}"
    back = client.submit(response.location, {"email": applicant.email, "password": PASSWORD}, token_from="/sign-in")
    assert back.response.location == url
    page = client.page(url)
    assert page.value_of("body").strip("\r\n") == "Our coach has changed.\nIt is now Ade."
    assert "We kept what you typed before you were signed out" in page.text()
    assert messages_of(session, screening_application) == [], "Nothing is sent until they send it again"


def test_the_demo_has_a_screening_question_and_the_groups_answer(app, session, client):
    """In the demo, a commissioner asked the boxing club about safeguarding and the club's answer is new to them."""
    from portal.demo import DEMO_PASSWORD
    from portal.models import Application

    app.test_cli_runner().invoke(args=["seed-demo"])
    boxing = session.scalar(select(Application).where(Application.project_title.like("Gloves not knives%")))
    client.sign_in("commissioner@example.org", DEMO_PASSWORD)
    page = client.page(f"/commissioning/applications/{boxing.id}")
    assert page.soup.find("a", string="Messages with the group (1 new)")
    question, answer = conversation_text(client.page(funder_page(boxing)))
    assert "Amara Okafor Funder" in question and "safeguarding lead" in question
    assert answer.startswith("New Daniel Kowalski") and "course in March" in answer
    client.sign_out()
    client.sign_in("applicant2@example.org", DEMO_PASSWORD)
    assert len(conversation_text(client.page(group_page(boxing)))) == 2
