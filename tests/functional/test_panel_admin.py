"""Commissioners run the youth panel: start assessment, assign, change by hand, follow progress, remind,
set the panel up and record guardians' consent; the public sees how many conflicts were declared."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import (
    ApplicationStatus,
    AuditEvent,
    ConflictDeclaration,
    GuardianConsent,
    PanelAssignment,
    PanelExclusion,
    Round,
    RoundStatus,
    Score,
    utcnow,
)
from tests.conftest import PortalClient
from tests.fixtures.panel_round import assign, make_assessment_round, make_eligible_application


def panel_url(round_) -> str:
    """The round's panel page."""
    return f"/commissioning/rounds/{round_.id}/panel"


def application_url(application) -> str:
    """An application's panel page."""
    return f"/commissioning/applications/{application.id}/panel"


def audit_actions(session, action: str) -> list[AuditEvent]:
    """Audit events with this action, oldest first."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def banner(page) -> str:
    """The notification banner's text."""
    element = page.soup.select_one(".govuk-notification-banner")
    return " ".join(element.get_text(" ").split()) if element else ""


def assignments_of(session, application) -> list[PanelAssignment]:
    """An application's assignments, by panellist id."""
    return list(session.scalars(select(PanelAssignment).where(PanelAssignment.application_id == application.id)
                                .order_by(PanelAssignment.panellist_id)))


def signed_in(app, user) -> PortalClient:
    """A client signed in as this user."""
    app.test_client_class = PortalClient
    client = app.test_client()
    client.sign_in(user.email)
    return client


# The round's panel page and starting assessment --------------------------------------------------------


def test_before_assessment_the_page_says_what_happens_next(commissioner_client, open_round):
    """An open round's panel page explains that assessment starts after closing, with no buttons to act yet."""
    page = commissioner_client.page(panel_url(open_round))
    assert page.status == 200
    assert page.h1 == "Youth panel"
    assert "Assessment has not started" in page.text()
    buttons = [b.get_text(strip=True) for b in page.soup.select("button")]
    assert "Start assessment" not in buttons and "Assign applications automatically" not in buttons
    assert "Panellists per application 3" in page.text()


def test_a_closed_round_can_start_assessment(session, commissioner_client, admin_closed_round):
    """Start assessment moves a closed round into assessment, audited, and then offers assignment."""
    url = panel_url(admin_closed_round)
    assert "Start assessment" in commissioner_client.page(url).text()
    page = commissioner_client.submit(f"{url}/start", token_from=url, follow=True)
    assert "Assessment has started" in banner(page)
    assert session.get(Round, admin_closed_round.id).status == RoundStatus.ASSESSMENT
    assert "Assign applications automatically" in page.text()
    (event,) = audit_actions(session, "panel.assessment_started")
    assert (event.before, event.after) == ({"status": "closed"}, {"status": "assessment"})


@pytest.mark.parametrize(("fixture", "message"), [
    ("open_round", "Assessment can start only once the round has closed for applications"),
    ("assessment_round", "Assessment has already started for this round"),
])
def test_start_assessment_is_refused_unless_the_round_is_closed(request, session, commissioner_client, fixture,
                                                                 message):
    """Starting assessment from any status but closed changes nothing and says why."""
    round_ = request.getfixturevalue(fixture)
    before = round_.status
    page = commissioner_client.submit(f"{panel_url(round_)}/start", token_from=panel_url(round_))
    assert page.status == 200
    assert page.title.startswith("Error: Youth panel")
    assert page.error_summary() == [message]
    assert session.get(Round, round_.id).status == before
    assert not audit_actions(session, "panel.assessment_started")


# Automatic allocation -------------------------------------------------------------------------------------


def test_allocation_gives_each_application_its_panellists_and_emails_them(
        session, commissioner_client, assessment_round, admin_applications, admin_panellists, sent_emails):
    """With 4 panellists and 2 applications needing 3 each, 6 assignments are made; each panellist gets one e-mail."""
    page = commissioner_client.submit(f"{panel_url(assessment_round)}/allocate", token_from=panel_url(assessment_round),
                                      follow=True)
    assert "Added 6 assignments" in banner(page)
    assert "Still short" not in banner(page)
    for application in admin_applications:
        assert len(assignments_of(session, application)) == 3
    emails = sent_emails()
    recipients = sorted(message["To"] for message in emails)
    assert recipients == sorted({p.email for p in admin_panellists})  # everyone has work; nobody twice
    assert all("http://portal.test/panel" in message.get_content() for message in emails)
    assert len(audit_actions(session, "panel.assigned")) == 6
    # The progress view now lists every panellist on both applications as not opened yet.
    rows = page.soup.select("tr[id^=application-]")
    assert len(rows) == 2 and all(row.get_text().count("Not opened yet") == 3 for row in rows)


def test_allocation_says_which_applications_are_short_and_why(session, commissioner_client, assessment_round,
                                                              panel_application, panellist):
    """With one panellist for a panel of 3, the application is 2 short: the message and the table say so."""
    page = commissioner_client.submit(f"{panel_url(assessment_round)}/allocate", token_from=panel_url(assessment_round),
                                      follow=True)
    text = banner(page)
    assert "Added 1 assignment" in text
    assert f"{panel_application.reference} needs 2 more" in text
    assert "too few panellists without a conflict of interest" in text
    row = page.soup.select_one(f"#application-{panel_application.id}")
    assert "Needs 2 more" in row.get_text()


def test_allocation_skips_under_18s_without_consent_and_declared_conflicts(
        session, commissioner_client, assessment_round, panel_application, panellist, admin_young_panellist):
    """A 16-year-old without a guardian's consent, and a panellist with a declared conflict, get nothing."""
    session.add(ConflictDeclaration(application=panel_application, panellist=panellist, has_conflict=True,
                                    reason="My cousin runs it"))
    session.flush()
    commissioner_client.submit(f"{panel_url(assessment_round)}/allocate", token_from=panel_url(assessment_round))
    assert assignments_of(session, panel_application) == []


def test_allocation_is_refused_before_assessment(session, commissioner_client, admin_closed_round):
    """Nothing is assigned in a round that is not in assessment; the page says to start assessment."""
    url = panel_url(admin_closed_round)
    page = commissioner_client.submit(f"{url}/allocate", token_from=url)
    assert page.status == 200
    assert page.error_summary() == ["You can assign applications only while the round is in assessment. "
                                    "Start assessment first"]


# The progress view -----------------------------------------------------------------------------------


@pytest.fixture
def admin_progress(session, assessment_round, admin_applications, admin_panellists):
    """Hackney's application: one panellist not opened, one scoring, one recused, one sent scores."""
    first, _second = admin_applications
    jordan, ade, bea, cal = admin_panellists
    assign(session, application=first, panellist=jordan)
    assign(session, application=first, panellist=ade, declared=True)
    recused = assign(session, application=first, panellist=bea, declared=False, conflict_reason="I volunteer there")
    recused.recused_at = utcnow()
    sent = assign(session, application=first, panellist=cal, declared=True)
    sent.scores_submitted_at = utcnow()
    session.flush()
    return {"not_opened": jordan, "scoring": ade, "recused": bea, "sent": cal}


def test_progress_shows_each_panellist_by_name_with_their_status(commissioner_client, assessment_round,
                                                                 admin_applications, admin_progress):
    """Each application lists its panellists by name with where they are; each panellist has their counts."""
    page = commissioner_client.page(panel_url(assessment_round))
    first, second = admin_applications
    row = " ".join(page.soup.select_one(f"#application-{first.id}").get_text(" ").split())
    assert "Jordan Ellis: Not opened yet" in row
    assert "Ade Brown: Scoring" in row
    assert "Bea Clarke: Conflict declared — recused" in row
    assert "Cal Dunn: Scores sent" in row
    assert "Hackney Youth Voices" in row
    assert "Needs" not in row  # three active panellists
    assert "Needs 3 more" in page.soup.select_one(f"#application-{second.id}").get_text()
    cal = " ".join(page.soup.select_one(f"#panellist-{admin_progress['sent'].id}").get_text(" ").split())
    assert cal == "Cal Dunn 1 1 0 Not reminded"
    assert page.soup.select_one(f"#panellist-{admin_progress['recused'].id}") is None  # recused: no work
    links = {a["href"] for a in page.soup.select("a")}
    assert {application_url(first), f"/panel/rounds/{assessment_round.id}/moderation",
            f"/commissioning/rounds/{assessment_round.id}/ranking",
            f"/commissioning/rounds/{assessment_round.id}/interviews",
            f"/commissioning/rounds/{assessment_round.id}/panel/settings"} <= links


# Reminders ----------------------------------------------------------------------------------------------


def test_reminders_go_only_to_panellists_with_scores_outstanding(session, commissioner_client, assessment_round,
                                                                 admin_progress, sent_emails):
    """Jordan (not opened) and Ade (scoring) are reminded once each; the recused and the finished are not."""
    url = panel_url(assessment_round)
    page = commissioner_client.submit(f"{url}/reminders", token_from=url, follow=True)
    assert "Reminders sent to 2 panellists" in banner(page)
    emails = {message["To"]: message for message in sent_emails()}
    assert set(emails) == {admin_progress["not_opened"].email, admin_progress["scoring"].email}
    body = emails[admin_progress["scoring"].email].get_content()
    assert "1 application is waiting for your scores" in body
    assert "http://portal.test/panel" in body
    reminded = {a.panellist_id: a.reminded_at for a in session.scalars(select(PanelAssignment))}
    assert reminded[admin_progress["scoring"].id] is not None
    assert reminded[admin_progress["sent"].id] is None and reminded[admin_progress["recused"].id] is None
    jordan = page.soup.select_one(f"#panellist-{admin_progress['not_opened'].id}").get_text()
    assert "Not reminded" not in jordan
    assert len(audit_actions(session, "panel.reminders_sent")) == 1


def test_reminders_with_nothing_outstanding_send_nothing(session, commissioner_client, assessment_round,
                                                        panel_application, panellist, sent_emails):
    """When every panellist has sent their scores, nobody is e-mailed."""
    assign(session, application=panel_application, panellist=panellist, declared=True).scores_submitted_at = utcnow()
    session.flush()
    url = panel_url(assessment_round)
    page = commissioner_client.submit(f"{url}/reminders", token_from=url, follow=True)
    assert "Nobody has scores outstanding" in banner(page)
    assert sent_emails() == []


def test_reminders_only_in_assessment(commissioner_client, open_round, sent_emails):
    """An open round has no panel to remind."""
    url = panel_url(open_round)
    page = commissioner_client.submit(f"{url}/reminders", token_from=url)
    assert page.error_summary() == ["Reminders can be sent only while the round is in assessment"]


# Settings -------------------------------------------------------------------------------------------------


def settings_form(**changes) -> dict:
    """A valid settings form, with changes."""
    form = {"panellists_per_application": "4", "anonymised_scoring": "True", "written_weight": "60",
            "interview_weight": "40", "panel_lead_id": ""}
    form.update(changes)
    return form


def test_settings_are_saved_and_audited(session, commissioner_client, assessment_round, panellist):
    """Panel size, anonymised scoring, weights and the lead are saved, with before and after in the audit trail."""
    url = f"{panel_url(assessment_round)}/settings"
    page = commissioner_client.page(url)
    assert page.value_of("panellists_per_application") == "3"
    assert page.value_of("written_weight") == "70"
    page = commissioner_client.submit(url, settings_form(panel_lead_id=str(panellist.id)), follow=True)
    assert "settings are saved" in banner(page)
    round_ = session.get(Round, assessment_round.id)
    assert (round_.panellists_per_application, round_.anonymised_scoring, round_.written_weight,
            round_.interview_weight, round_.panel_lead_id) == (4, True, 60, 40, panellist.id)
    assert "Jordan Ellis" in page.text()
    (event,) = audit_actions(session, "panel.settings_changed")
    assert event.before == {"panellists_per_application": 3, "anonymised_scoring": False, "written_weight": 70,
                            "interview_weight": 30, "panel_lead_id": None}
    assert event.after["panel_lead_id"] == panellist.id


def test_weights_must_add_up_to_100(session, commissioner_client, assessment_round):
    """Weights of 60% and 30% are refused with the total, and what was typed is shown again."""
    url = f"{panel_url(assessment_round)}/settings"
    page = commissioner_client.submit(url, settings_form(written_weight="60", interview_weight="30"))
    assert page.status == 200
    assert page.title.startswith("Error: Panel settings")
    message = "The written and interview weights must add up to 100%. They add up to 90%"
    assert page.field_error("written_weight") == message
    assert message in page.error_summary()
    assert (page.value_of("written_weight"), page.value_of("interview_weight")) == ("60", "30")
    assert session.get(Round, assessment_round.id).written_weight == 70


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("panellists_per_application", "0", "The number of panellists per application must be between 1 and 10"),
    ("panellists_per_application", "11", "The number of panellists per application must be between 1 and 10"),
    ("panellists_per_application", "three", "The number of panellists per application must be a whole number"),
    ("panellists_per_application", "", "Enter the number of panellists per application"),
    ("written_weight", "70.5", "The written weight must be a whole number"),
    ("interview_weight", "", "Enter the interview weight"),
    ("anonymised_scoring", None, "Select yes if panellists should score without seeing who applied"),
    ("panel_lead_id", "999999", "Choose a panel lead from the list"),
])
def test_settings_say_what_is_wrong(commissioner_client, assessment_round, field, typed, message):
    """Each bad setting gets its own message beside the field."""
    form = settings_form(**{field: typed})
    if typed is None:
        del form[field]
    page = commissioner_client.submit(f"{panel_url(assessment_round)}/settings", form)
    assert page.status == 200
    assert page.field_error(field) == message


def test_panel_lead_choices_leave_out_under_18s_without_consent(commissioner_client, assessment_round, panellist,
                                                                admin_young_panellist):
    """Only panellists who can read applications can lead the panel."""
    page = commissioner_client.page(f"{panel_url(assessment_round)}/settings")
    options = [o.get_text(strip=True) for o in page.soup.select("#panel_lead_id option")]
    assert options == ["Nobody yet", "Jordan Ellis"]


def test_a_smaller_panel_keeps_existing_assignments(session, commissioner_client, assessment_round, panel_application,
                                                   admin_panellists):
    """Going from 3 to 1 panellist per application is allowed; the 3 already assigned stay."""
    for person in admin_panellists[:3]:
        assign(session, application=panel_application, panellist=person)
    page = commissioner_client.submit(f"{panel_url(assessment_round)}/settings",
                                      settings_form(panellists_per_application="1"), follow=True)
    assert "settings are saved" in banner(page)
    assert len(assignments_of(session, panel_application)) == 3


# One application's panel ----------------------------------------------------------------------------------


def test_application_panel_lists_panellists_and_the_recused_separately(commissioner_client, admin_applications,
                                                                        admin_progress):
    """Active panellists with their status; recused ones in their own table with the reason they gave."""
    page = commissioner_client.page(application_url(admin_applications[0]))
    assert page.h1 == f"Panel for {admin_applications[0].reference}"
    tables = page.soup.select("table")
    active, recused = (" ".join(t.get_text(" ").split()) for t in tables)
    assert "Jordan Ellis" in active and "Ade Brown" in active and "Cal Dunn" in active
    assert "Bea Clarke" not in active
    assert "Bea Clarke" in recused and "I volunteer there" in recused
    # Only those who have not sent scores can be taken off.
    removable = [b.get_text(" ", strip=True) for b in page.soup.select("button") if "Take off" in b.get_text()]
    assert removable == ["Take off Jordan Ellis", "Take off Ade Brown"]


def test_add_a_panellist_by_hand(session, commissioner_client, panel_application, admin_panellists, sent_emails):
    """The list offers only panellists not on the application and without a conflict; adding one e-mails them."""
    jordan, ade, bea, cal = admin_panellists
    assign(session, application=panel_application, panellist=jordan)
    session.add(ConflictDeclaration(application=panel_application, panellist=bea, has_conflict=True, reason="Friend"))
    session.flush()
    url = application_url(panel_application)
    options = [o.get_text(strip=True) for o in commissioner_client.page(url).soup.select("#panellist_id option")]
    assert options == ["Choose a panellist", "Ade Brown", "Cal Dunn"]
    page = commissioner_client.submit(f"{url}/add", {"panellist_id": str(cal.id)}, token_from=url, follow=True)
    assert f"Cal Dunn is now assessing {panel_application.reference}" in banner(page)
    assert [a.panellist_id for a in assignments_of(session, panel_application)] == [jordan.id, cal.id]
    (email,) = sent_emails()
    assert email["To"] == cal.email and "http://portal.test/panel" in email.get_content()
    (event,) = audit_actions(session, "panel.assigned")
    assert event.after["reason"] == "by hand"


@pytest.mark.parametrize("who", ["nobody", "conflicted", "already_on"])
def test_adding_a_panellist_who_is_not_offered_is_refused(session, commissioner_client, panel_application,
                                                           admin_panellists, who):
    """Nobody chosen, someone with a declared conflict, or someone already on it: refused beside the field."""
    jordan, ade, *_ = admin_panellists
    assign(session, application=panel_application, panellist=jordan)
    session.add(ConflictDeclaration(application=panel_application, panellist=ade, has_conflict=True, reason="Friend"))
    session.flush()
    chosen = {"nobody": "", "conflicted": str(ade.id), "already_on": str(jordan.id)}[who]
    url = application_url(panel_application)
    page = commissioner_client.submit(f"{url}/add", {"panellist_id": chosen}, token_from=url)
    assert page.status == 200
    assert page.field_error("panellist_id").startswith(
        "Choose a panellist to add" if who == "nobody" else "Choose a panellist from the list")
    assert len(assignments_of(session, panel_application)) == 1


def test_take_a_panellist_off_deletes_their_draft_scores(session, commissioner_client, panel_application,
                                                         declared_assignment):
    """A panellist who has not sent scores can be taken off; their draft scores go too; audited."""
    criterion = panel_application.round.criteria[0]
    session.add(Score(assignment=declared_assignment, criterion_id=criterion.id, value=4, comment="Strong need"))
    session.flush()
    url = application_url(panel_application)
    panellist_id = declared_assignment.panellist_id
    page = commissioner_client.submit(f"/commissioning/panel-assignments/{declared_assignment.id}/remove",
                                      token_from=url, follow=True)
    assert f"Jordan Ellis is no longer assessing {panel_application.reference}" in banner(page)
    assert assignments_of(session, panel_application) == []
    assert session.scalars(select(Score)).all() == []
    (event,) = audit_actions(session, "panel.unassigned")
    assert event.before["draft_scores"] == 1 and event.before["panellist_id"] == panellist_id


def test_a_panellist_who_sent_scores_cannot_be_taken_off(session, commissioner_client, panel_application,
                                                         declared_assignment):
    """Sent scores stay: taking the panellist off is refused with the reason."""
    declared_assignment.scores_submitted_at = utcnow()
    session.flush()
    url = application_url(panel_application)
    page = commissioner_client.submit(f"/commissioning/panel-assignments/{declared_assignment.id}/remove",
                                      token_from=url)
    assert page.status == 200
    assert page.error_summary() == [f"Jordan Ellis has already sent their scores for {panel_application.reference}, "
                                    "so they stay on its panel"]
    assert len(assignments_of(session, panel_application)) == 1


def test_no_hand_changes_once_the_round_is_decided(session, commissioner_client, panel_application,
                                                   panel_assignment, admin_panellists):
    """After decisions, the application's panel is shown but cannot be changed."""
    panel_application.round.status = RoundStatus.DECIDED
    session.flush()
    url = application_url(panel_application)
    page = commissioner_client.page(url)
    assert "only while the round is in assessment" in page.text()
    assert page.soup.select_one("#panellist_id") is None
    page = commissioner_client.submit(f"{url}/add", {"panellist_id": str(admin_panellists[1].id)}, token_from=url)
    assert page.error_summary() == ["You can add panellists only while the round is in assessment"]
    page = commissioner_client.submit(f"/commissioning/panel-assignments/{panel_assignment.id}/remove",
                                      token_from=url)
    assert page.error_summary() == ["You can take panellists off applications only while the round is in assessment"]
    assert len(assignments_of(session, panel_application)) == 1


def test_a_draft_application_has_no_panel(session, commissioner_client, open_round, organisation, applicant):
    """Drafts are the applicant's own: there is no panel page for them."""
    from portal.models import Application

    draft = Application(round=open_round, organisation=organisation, created_by_id=applicant.id)
    session.add(draft)
    session.flush()
    assert commissioner_client.page(application_url(draft)).status == 404


# Panellists and guardians' consent ------------------------------------------------------------------------


def test_panellists_list_shows_age_consent_and_work(session, commissioner_client, panel_application, panellist,
                                                   admin_young_panellist):
    """Each panellist with age band, consent status (with a link for under-18s who need it) and assignments."""
    assign(session, application=panel_application, panellist=panellist)
    page = commissioner_client.page("/commissioning/panellists")
    jordan = " ".join(page.soup.select_one(f"#panellist-{panellist.id}").get_text(" ").split())
    assert "18 to 21" in jordan and "Not needed" in jordan and jordan.endswith("1")
    kai = page.soup.select_one(f"#panellist-{admin_young_panellist.id}")
    assert "16 or 17" in kai.get_text() and "Needed" in kai.get_text()
    assert kai.find("a", href=f"/commissioning/panellists/{admin_young_panellist.id}/guardian-consent")


def test_people_page_shows_consent_status_with_a_link(commissioner_client, panellist, admin_young_panellist):
    """The people page says which under-18s still need consent, and links to record it."""
    page = commissioner_client.page("/commissioning/people")
    link = page.soup.find("a", href=f"/commissioning/panellists/{admin_young_panellist.id}/guardian-consent")
    assert link is not None and "record consent" in link.get_text()
    assert "Not needed" in page.text()


def test_recording_consent_lets_the_under_18_see_their_work(app, session, commissioner, commissioner_client,
                                                            panel_application, admin_young_panellist):
    """Before consent the 16-year-old sees no application; once recorded (audited) they see their work."""
    assign(session, application=panel_application, panellist=admin_young_panellist)
    young_client = signed_in(app, admin_young_panellist)
    before = young_client.page("/panel")
    assert "we need consent from your parent or guardian" in before.text()
    assert panel_application.reference not in before.text()

    url = f"/commissioning/panellists/{admin_young_panellist.id}/guardian-consent"
    page = commissioner_client.submit(url, {"guardian_name": "Mo Young", "guardian_contact": "07700 900123",
                                            "confirmed": "y"}, follow=True)
    assert "Consent recorded" in banner(page)
    consent = session.scalar(select(GuardianConsent))
    assert (consent.guardian_name, consent.guardian_contact, consent.recorded_by_id) == (
        "Mo Young", "07700 900123", commissioner.id)
    assert audit_actions(session, "panel.guardian_consent_recorded")

    after = young_client.page("/panel")
    assert "we need consent" not in after.text()
    assert panel_application.reference in after.text()

    # The consent page now says when and by whom, and offers no form.
    shown = commissioner_client.page(url)
    assert "by Amara Okafor" in shown.text() and shown.soup.select_one("#guardian_name") is None


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"guardian_contact": "07700 900123", "confirmed": "y"}, "guardian_name", "Enter the parent or guardian's name"),
    ({"guardian_name": "Mo Young", "confirmed": "y"}, "guardian_contact", "Enter how to contact the parent or guardian"),
    ({"guardian_name": "Mo Young", "guardian_contact": "07700 900123"}, "confirmed",
     "Confirm that the parent or guardian has given their consent"),
])
def test_consent_needs_a_name_a_contact_and_the_confirmation(session, commissioner_client, admin_young_panellist,
                                                             form, field, message):
    """Each missing part is named beside its field; what was typed stays; nothing is recorded."""
    page = commissioner_client.submit(f"/commissioning/panellists/{admin_young_panellist.id}/guardian-consent", form)
    assert page.status == 200
    assert page.field_error(field) == message
    if "guardian_name" in form:
        assert page.value_of("guardian_name") == "Mo Young"
    assert session.scalar(select(GuardianConsent)) is None


def test_consent_is_refused_for_adults_and_when_already_recorded(session, commissioner, commissioner_client,
                                                                 panellist, admin_young_panellist,
                                                                 admin_other_commissioner):
    """An 18-year-old needs none; an under-18 with consent already recorded shows when and by whom."""
    adult_url = f"/commissioning/panellists/{panellist.id}/guardian-consent"
    assert "Only panellists aged 16 or 17 need" in commissioner_client.page(adult_url).text()
    page = commissioner_client.submit(adult_url, {"guardian_name": "A", "guardian_contact": "B", "confirmed": "y"},
                                      token_from="/commissioning/panellists")
    assert page.error_summary() == ["Jordan Ellis is not under 18, so no guardian's consent is needed"]

    session.add(GuardianConsent(panellist_id=admin_young_panellist.id, guardian_name="Mo Young",
                                guardian_contact="07700 900123", recorded_by_id=admin_other_commissioner.id))
    session.flush()
    url = f"/commissioning/panellists/{admin_young_panellist.id}/guardian-consent"
    assert "by Olu Officer" in commissioner_client.page(url).text()
    page = commissioner_client.submit(url, {"guardian_name": "Someone else", "guardian_contact": "x",
                                            "confirmed": "y"}, token_from="/commissioning/panellists")
    assert page.error_summary() == ["A guardian's consent for Kai Young is already recorded"]
    assert len(session.scalars(select(GuardianConsent)).all()) == 1


def test_consent_page_for_someone_who_is_not_a_panellist_is_not_found(commissioner_client, applicant):
    """Only panellists have a consent page."""
    assert commissioner_client.page(f"/commissioning/panellists/{applicant.id}/guardian-consent").status == 404


# The public count of conflicts ---------------------------------------------------------------------------


def test_the_prospectus_counts_conflicts_without_names(session, client, assessment_round, admin_applications,
                                                       admin_progress):
    """Once the round is in assessment, the public sees counts only: no panellist's name or reason."""
    page = client.page(f"/rounds/{assessment_round.slug}")
    section = page.soup.select_one("#panel-statistics")
    assert section is not None
    assert [li.get_text(strip=True) for li in section.select("li")] == [
        "1 application assessed", "3 panellists taking part", "1 conflict of interest declared"]
    assert "How the youth panel assessed applications" in page.text()
    for secret in ("Bea Clarke", "Jordan Ellis", "Ade Brown", "Cal Dunn", "I volunteer there"):
        assert secret not in page.text()


def test_the_prospectus_has_no_panel_section_before_assessment(client, open_round):
    """An open round's prospectus says nothing about the panel yet."""
    page = client.page(f"/rounds/{open_round.slug}")
    assert page.soup.select_one("#panel-statistics") is None


def test_panel_statistics_count_decided_rounds_too(session, admin_progress, assessment_round, other_organisation,
                                                   other_applicant):
    """A decided round keeps its counts; applications never assigned are not counted as assessed."""
    from portal.commissioning.panel_admin_services import panel_statistics

    make_eligible_application(session, round_=assessment_round, organisation=other_organisation, by=other_applicant,
                              number=30)
    assessment_round.status = RoundStatus.DECIDED
    stats = panel_statistics(session, assessment_round)
    assert (stats.applications_assessed, stats.panellists_taking_part, stats.conflicts_declared) == (1, 3, 1)
    other = make_assessment_round(session, slug="other-round", status=RoundStatus.OPEN)
    assert panel_statistics(session, other) is None


# Review of issue 5: withdrawn applications, panellists taken off by hand, tampered choices ---------------


def test_a_withdrawn_application_needs_no_reminders_and_no_scores(session, commissioner_client, assessment_round,
                                                                  admin_applications, admin_progress, sent_emails):
    """Jordan and Ade were waiting to score Hackney's application; it is withdrawn, so nothing is outstanding."""
    admin_applications[0].status = ApplicationStatus.WITHDRAWN
    session.flush()
    url = panel_url(assessment_round)
    page = commissioner_client.page(url)
    assert page.soup.select_one(f"#panellist-{admin_progress['not_opened'].id}") is None
    assert page.soup.select_one(f"#panellist-{admin_progress['scoring'].id}") is None
    sent = commissioner_client.submit(f"{url}/reminders", token_from=url, follow=True)
    assert "Nobody has scores outstanding" in banner(sent)
    assert sent_emails() == []


def test_a_withdrawn_application_gets_no_panellists_by_hand(session, commissioner_client, panel_application,
                                                            admin_panellists):
    """Adding a panellist to an application that is no longer assessed is refused with the reason."""
    panel_application.status = ApplicationStatus.WITHDRAWN
    session.flush()
    url = application_url(panel_application)
    page = commissioner_client.submit(f"{url}/add", {"panellist_id": str(admin_panellists[1].id)}, token_from=url)
    assert page.status == 200
    assert "This application was withdrawn, so it no longer needs assessing" in page.text()
    assert assignments_of(session, panel_application) == []


def test_a_panellist_taken_off_by_hand_stays_off_after_automatic_allocation(
        session, commissioner, commissioner_client, assessment_round, panel_application, admin_panellists):
    """The exclusion is remembered and listed; adding them back by hand clears it."""
    jordan, ade, bea, cal = admin_panellists
    assessment_round.panellists_per_application = 4
    session.flush()
    url = application_url(panel_application)
    allocate = f"{panel_url(assessment_round)}/allocate"
    commissioner_client.submit(allocate, token_from=panel_url(assessment_round))
    (jordans,) = [a for a in assignments_of(session, panel_application) if a.panellist_id == jordan.id]
    commissioner_client.submit(f"/commissioning/panel-assignments/{jordans.id}/remove", token_from=url)
    commissioner_client.submit(allocate, token_from=panel_url(assessment_round))
    assert jordan.id not in {a.panellist_id for a in assignments_of(session, panel_application)}
    exclusion = session.scalar(select(PanelExclusion))
    assert (exclusion.application_id, exclusion.panellist_id, exclusion.excluded_by_id) == (
        panel_application.id, jordan.id, commissioner.id)
    page = commissioner_client.page(url)
    taken_off = page.soup.select_one("#taken-off")
    assert taken_off is not None and "Jordan Ellis" in taken_off.get_text()
    assert "Taken off by hand" in page.text()
    # The commissioner can still choose them by hand, which clears the exclusion.
    options = [o.get_text(strip=True) for o in page.soup.select("#panellist_id option")]
    assert "Jordan Ellis" in options
    added = commissioner_client.submit(f"{url}/add", {"panellist_id": str(jordan.id)}, token_from=url, follow=True)
    assert f"Jordan Ellis is now assessing {panel_application.reference}" in banner(added)
    assert session.scalars(select(PanelExclusion)).all() == []
    assert added.soup.select_one("#taken-off") is None


@pytest.mark.parametrize("typed", ["²", "abc", "1.0", "9" * 5000])
def test_a_tampered_panellist_choice_gets_a_message(session, commissioner_client, panel_application,
                                                    admin_panellists, typed):
    """Anything that is not one of the listed panellists is refused beside the field, never a server error."""
    url = application_url(panel_application)
    page = commissioner_client.submit(f"{url}/add", {"panellist_id": typed}, token_from=url)
    assert page.status == 200
    assert page.field_error("panellist_id").startswith("Choose a panellist")
    assert assignments_of(session, panel_application) == []
