"""Moderation: the panel lead and commissioners see every sent score and record agreed scores with reasons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import AuditEvent, ConflictDeclaration, ModeratedScore, RoundStatus, Score
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import assign, make_eligible_application, make_panellist


def _url(application) -> str:
    return f"/panel/applications/{application.id}/moderation"


def _criteria(application):
    need, change = application.round.criteria
    return need, change


def _section(page, criterion):
    return page.soup.select_one(f"#criterion-{criterion.id}")


# What the page shows ---------------------------------------------------------------------------------


def test_moderation_page_shows_every_sent_score_mean_and_flag_but_no_drafts(
        commissioner_client, panel_application, moderation_panel):
    page = commissioner_client.page(_url(panel_application))

    assert page.status == 200
    need, change = _criteria(panel_application)
    need_section, change_section = _section(page, need), _section(page, change)
    need_rows = [r.get_text(" ", strip=True) for r in need_section.select("tbody tr")]
    assert [row.split()[:2] for row in need_rows[:3]] == [["Panellist", "1"], ["Panellist", "2"], ["Panellist", "3"]]
    assert "Priya Shah" in need_rows[0] and " 2 " in f" {need_rows[0]} "
    assert need_section.select_one(".portal-mean").get_text(strip=True) == "3.0"
    assert "Scores differ by 2 or more: agree a moderated score" in need_section.get_text(" ")
    assert change_section.select_one(".portal-mean").get_text(strip=True) == "4.3"
    assert "Scores differ by 2 or more" not in change_section.get_text(" ")
    text = page.text()
    assert "Dee Drafter" not in text and "Draft thoughts" not in text
    assert "3 of 4 panellists" in text  # the fourth is still drafting
    # 60 × 3 / 5 + 40 × 4.333 / 5 = 36 + 34.7
    assert page.soup.select_one("#written-before").get_text(strip=True) == "70.7 out of 100"


def test_panel_lead_sees_panellists_as_numbers_never_by_name(moderation_lead_client, panel_application,
                                                             moderation_panel, moderation_lead_declared):
    page = moderation_lead_client.page(_url(panel_application))

    assert page.status == 200
    text = page.text()
    assert "Panellist 1" in text and "Panellist 3" in text
    assert not any(person.name in text for person in moderation_panel.sent)


def test_round_list_shows_scores_sent_flags_and_moderation(commissioner_client, session, assessment_round,
                                                           panel_application, moderation_panel, other_organisation,
                                                           other_applicant):
    waiting = make_eligible_application(session, round_=assessment_round, organisation=other_organisation,
                                        by=other_applicant, number=22)
    assign(session, application=waiting, panellist=moderation_panel.sent[0])

    page = commissioner_client.page(f"/panel/rounds/{assessment_round.id}/moderation")

    assert page.status == 200
    rows = {r.th.get_text(strip=True): r.get_text(" ", strip=True) for r in page.soup.select("tbody tr")}
    assert "3 of 4" in rows[panel_application.reference] and "1 flagged" in rows[panel_application.reference]
    assert "Hackney Youth Voices" in rows[panel_application.reference]
    assert "0 of 3" in rows[waiting.reference] and "Waiting for scores" in rows[waiting.reference]


def test_anonymised_round_hides_organisations_from_the_lead(moderation_lead_client, session, assessment_round,
                                                           panel_application, moderation_panel):
    assessment_round.anonymised_scoring = True
    session.flush()

    page = moderation_lead_client.page(f"/panel/rounds/{assessment_round.id}/moderation")

    assert page.status == 200
    assert panel_application.reference in page.text()
    assert "Hackney Youth Voices" not in page.text()


def test_commissioner_sees_an_explanation_before_assessment(commissioner_client, open_round):
    page = commissioner_client.page(f"/panel/rounds/{open_round.id}/moderation")

    assert page.status == 200
    assert "There is nothing to moderate yet" in page.text()


# Recording moderated scores ------------------------------------------------------------------------


def test_lead_records_a_moderated_score_that_replaces_the_mean_and_keeps_the_originals(
        moderation_lead_client, session, panel_application, moderation_panel, moderation_lead,
        moderation_lead_declared):
    need, _ = _criteria(panel_application)
    originals = sorted((s.id, s.value, s.comment) for s in session.scalars(select(Score)))

    page = moderation_lead_client.submit(_url(panel_application), {
        f"score_{need.id}": "4", f"reason_{need.id}": "Panel agreed the local data is convincing",
    }, follow=True)

    assert page.status == 200
    assert "1 moderated score saved" in page.text()
    moderated = session.scalar(select(ModeratedScore))
    assert (moderated.value, moderated.reason, moderated.moderated_by_id) == (
        4, "Panel agreed the local data is convincing", moderation_lead.id)
    assert sorted((s.id, s.value, s.comment) for s in session.scalars(select(Score))) == originals
    assert page.soup.select_one("#written-before").get_text(strip=True) == "70.7 out of 100"
    # 60 × 4 / 5 + 40 × 4.333 / 5 = 48 + 34.7
    assert page.soup.select_one("#written-after").get_text(strip=True) == "82.7 out of 100"
    section = _section(page, need).get_text(" ")
    assert "Moderated score: 4" in section and "Recorded by the panel lead" in section
    assert "Kai Lead" not in section  # names are for commissioners only
    assert "Panel agreed the local data is convincing" in section


def test_re_moderating_updates_the_row_and_the_audit_trail_keeps_before_and_after(
        commissioner_client, session, panel_application, moderation_panel, commissioner):
    need, _ = _criteria(panel_application)
    url = _url(panel_application)
    commissioner_client.submit(url, {f"score_{need.id}": "4", f"reason_{need.id}": "First view"})
    commissioner_client.submit(url, {f"score_{need.id}": "2", f"reason_{need.id}": "Second look at the budget"})

    rows = session.scalars(select(ModeratedScore)).all()
    assert [(r.value, r.reason) for r in rows] == [(2, "Second look at the budget")]
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.score_moderated")
                             .order_by(AuditEvent.id)).all()
    assert len(events) == 2 and all(e.actor_id == commissioner.id for e in events)
    assert events[0].before is None and events[0].after["value"] == 4
    assert events[1].before["value"] == 4 and events[1].before["reason"] == "First view"
    assert events[1].after["value"] == 2 and events[1].after["criterion"] == "Need"


def test_a_reason_is_required_and_what_was_typed_is_kept(commissioner_client, session, panel_application,
                                                         moderation_panel):
    need, change = _criteria(panel_application)

    page = commissioner_client.submit(_url(panel_application), {
        f"score_{need.id}": "4", f"reason_{need.id}": "",
        f"score_{change.id}": "", f"reason_{change.id}": "Typed but no score chosen",
    })

    assert page.status == 200
    assert page.title.startswith("Error: ")
    assert page.field_error(f"reason_{need.id}") == "Enter why you moderated the score for Need"
    assert page.field_error(f"score_{change.id}") == (
        "Choose a moderated score for What will change, or delete the reason")
    assert page.value_of(f"reason_{change.id}") == "Typed but no score chosen"
    assert page.soup.select_one(f"input[name=score_{need.id}][value='4']").has_attr("checked")
    assert session.scalars(select(ModeratedScore)).all() == []


def test_an_empty_form_asks_for_at_least_one_score(commissioner_client, panel_application, moderation_panel):
    need, _ = _criteria(panel_application)

    page = commissioner_client.submit(_url(panel_application), {})

    assert page.status == 200
    assert page.field_error(f"score_{need.id}") == "Choose a moderated score for at least one criterion"


def test_a_score_outside_1_to_5_is_refused(commissioner_client, session, panel_application, moderation_panel):
    need, _ = _criteria(panel_application)

    page = commissioner_client.submit(_url(panel_application), {
        f"score_{need.id}": "7", f"reason_{need.id}": "Generous"})

    assert page.field_error(f"score_{need.id}") == "Choose a moderated score for Need from 1 to 5"
    assert session.scalars(select(ModeratedScore)).all() == []


def test_after_assessment_scores_are_read_only_and_a_late_save_keeps_the_typed_text(
        commissioner_client, session, assessment_round, panel_application, moderation_panel):
    need, _ = _criteria(panel_application)
    url = _url(panel_application)
    token = commissioner_client.csrf_token(url)
    assessment_round.status = RoundStatus.DECIDED
    session.flush()

    page = commissioner_client.submit(url, {"csrf_token": token, f"score_{need.id}": "5",
                                            f"reason_{need.id}": "Too late but typed"})

    assert page.status == 200
    assert "only while the round is in assessment" in page.text()
    assert page.value_of(f"reason_{need.id}") == "Too late but typed"
    assert session.scalars(select(ModeratedScore)).all() == []
    shown = commissioner_client.page(url)
    assert shown.soup.find("form", attrs={"method": "post", "action": url}) is None
    assert "no longer in assessment" in shown.text()


# Who may moderate -------------------------------------------------------------------------------------


def test_ordinary_panellist_is_refused(panellist_client, panel_application, moderation_panel, assessment_round):
    assert panellist_client.page(_url(panel_application)).status == 403
    assert panellist_client.page(f"/panel/rounds/{assessment_round.id}/moderation").status == 403
    page = panellist_client.submit(_url(panel_application), {}, token_from="/panel")
    assert page.status == 403


@pytest.mark.parametrize("how", ["declared", "recused"])
def test_lead_with_a_conflict_is_refused_clearly(moderation_lead_client, session, panel_application,
                                                 moderation_panel, moderation_lead, assessment_round, how):
    assignment = assign(session, application=panel_application, panellist=moderation_lead,
                        declared=False, conflict_reason="My cousin runs the group")
    if how == "recused":
        session.query(type(assignment)).filter_by(id=assignment.id).update({"recused_at": assessment_round.closes_at})
        session.flush()
    need, _ = _criteria(panel_application)

    page = moderation_lead_client.page(_url(panel_application))
    assert page.status == 403
    assert "You declared a conflict of interest with this application" in page.text()
    posted = moderation_lead_client.submit(_url(panel_application), {f"score_{need.id}": "4",
                                                                     f"reason_{need.id}": "x"}, token_from="/panel")
    assert posted.status == 403
    assert session.scalars(select(ModeratedScore)).all() == []
    listing = moderation_lead_client.page(f"/panel/rounds/{assessment_round.id}/moderation")
    assert "a commissioner moderates this one" in listing.text()


def test_lead_on_the_panel_must_send_their_own_scores_first(moderation_lead_client, session, panel_application,
                                                            moderation_panel, moderation_lead):
    assign(session, application=panel_application, panellist=moderation_lead, declared=True)

    page = moderation_lead_client.page(_url(panel_application))

    assert page.status == 403
    assert "Send your own scores" in page.text()
    listing = moderation_lead_client.page(f"/panel/rounds/{panel_application.round_id}/moderation")
    assert "send your own scores first" in listing.text()


def test_lead_of_another_round_is_refused(app, session, panel_application, moderation_panel):
    from tests.conftest import _signed_in
    other_lead = make_panellist(session, email="otherlead@example.org", name="Other Lead")
    client = _signed_in(app, other_lead)

    assert client.page(_url(panel_application)).status == 403


# Review of issue 5 ---------------------------------------------------------------------------------------


def _declare_url(application) -> str:
    return f"/panel/applications/{application.id}/moderation/declare"


def test_the_lead_declares_any_conflict_before_first_opening_an_application(
        moderation_lead_client, session, panel_application, moderation_panel, moderation_lead):
    """The group's name and borough and the panellists' question; no conflict opens the scores, and is audited."""
    response = moderation_lead_client.get(_url(panel_application))
    assert response.status_code == 302 and response.headers["Location"].endswith(_declare_url(panel_application))
    page = moderation_lead_client.page(_declare_url(panel_application))
    assert page.status == 200 and page.h1 == "Do you know Hackney Youth Voices?"
    assert "Hackney" in page.soup.select_one(".govuk-summary-list").get_text()
    assert page.soup.select("input[name=has_conflict]")

    done = moderation_lead_client.submit(_declare_url(panel_application), {"has_conflict": "no"})
    assert done.status == 302 and done.response.headers["Location"].endswith(_url(panel_application))
    declaration = session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.panellist_id
                                                                   == moderation_lead.id))
    assert declaration.has_conflict is False
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.conflict_declared")).all()
    assert event.actor_id == moderation_lead.id and event.after["has_conflict"] is False
    assert moderation_lead_client.page(_url(panel_application)).status == 200
    # Declared once: the declaration page now goes straight to the scores.
    again = moderation_lead_client.get(_declare_url(panel_application))
    assert again.status_code == 302 and again.headers["Location"].endswith(_url(panel_application))


def test_a_lead_who_declares_a_conflict_is_refused_and_a_commissioner_moderates(
        moderation_lead_client, session, panel_application, moderation_panel, moderation_lead, assessment_round):
    """The declaration is kept and audited; the application's scores stay closed to the lead."""
    page = moderation_lead_client.submit(_declare_url(panel_application),
                                         {"has_conflict": "yes", "reason": "My sister volunteers there"}, follow=True)
    assert page.status == 200 and page.h1 == f"Moderate scores for {assessment_round.title}"
    assert "A commissioner will moderate this one" in page.text()
    declaration = session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.panellist_id
                                                                   == moderation_lead.id))
    assert declaration.has_conflict and declaration.reason == "My sister volunteers there"
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "panel.conflict_declared")).all()
    assert event.after["reason"] == "My sister volunteers there"
    refused = moderation_lead_client.page(_url(panel_application))
    assert refused.status == 403 and "A commissioner will moderate" in refused.text()
    reasonless = moderation_lead_client.submit(_declare_url(panel_application), {"has_conflict": "yes"})
    assert reasonless.status in (302, 403)  # already declared: never a second declaration
    assert len(session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.panellist_id
                                                                 == moderation_lead.id)).all()) == 1


def test_a_conflict_needs_a_reason_and_what_was_typed_is_kept(moderation_lead_client, session, panel_application,
                                                              moderation_panel, moderation_lead):
    page = moderation_lead_client.submit(_declare_url(panel_application), {"has_conflict": "yes", "reason": ""})
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("reason") == "Tell us why you have a conflict of interest"
    assert session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.panellist_id
                                                            == moderation_lead.id)) is None


def test_a_lead_who_declared_as_a_panellist_is_not_asked_again(moderation_lead_client, session, panel_application,
                                                               moderation_panel, moderation_lead):
    """The declaration made before scoring counts."""
    mine = assign(session, application=panel_application, panellist=moderation_lead, declared=True)
    mine.scores_submitted_at = mine.assigned_at
    session.flush()
    assert moderation_lead_client.page(_url(panel_application)).status == 200


def test_commissioners_never_declare_before_moderating(commissioner_client, panel_application, moderation_panel):
    response = commissioner_client.get(_declare_url(panel_application))
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(panel_application))
    assert commissioner_client.page(_url(panel_application)).status == 200


def test_the_lead_sees_no_flags_or_moderation_where_their_own_scores_are_unsent_or_they_have_a_conflict(
        moderation_lead_client, commissioner_client, session, assessment_round, panel_application,
        moderation_panel, moderation_lead, other_organisation, other_applicant):
    """Blind scoring: the overview shows nothing about other panellists' scores until the lead may see them."""
    assign(session, application=panel_application, panellist=moderation_lead, declared=True)  # not yet sent
    conflicted = make_eligible_application(session, round_=assessment_round, organisation=other_organisation,
                                           by=other_applicant, number=22)
    for person, need in zip(moderation_panel.sent[:2], (1, 5)):
        send_scores(session, application=conflicted, panellist=person, scores={"Need": need, "What will change": 3})
    assign(session, application=conflicted, panellist=moderation_lead, declared=False, conflict_reason="Cousin")

    page = moderation_lead_client.page(f"/panel/rounds/{assessment_round.id}/moderation")

    rows = {r.th.get_text(strip=True): r for r in page.soup.select("tbody tr")}
    for application in (panel_application, conflicted):
        cells = [td.get_text(" ", strip=True) for td in rows[application.reference].select("td")]
        assert "flagged" not in " ".join(cells)
        assert "Yes" not in cells and "No" not in cells
    # Commissioners still see everything.
    listing = commissioner_client.page(f"/panel/rounds/{assessment_round.id}/moderation")
    rows = {r.th.get_text(strip=True): r.get_text(" ", strip=True) for r in listing.soup.select("tbody tr")}
    assert "1 flagged" in rows[panel_application.reference] and "1 flagged" in rows[conflicted.reference]


def test_the_lead_sees_who_moderated_by_role_never_by_name(moderation_lead_client, session, panel_application,
                                                          moderation_panel, moderation_lead, moderation_lead_declared,
                                                          assessment_round, commissioner_client, commissioner):
    """A previous panel lead (a panellist) and a commissioner are named only to commissioners."""
    from portal.commissioning import assessment_services as services
    need, change = _criteria(panel_application)
    old_lead = make_panellist(session, email="oldlead@example.org", name="Zora Oldlead")
    assessment_round.panel_lead_id = old_lead.id
    session.add(ConflictDeclaration(application=panel_application, panellist=old_lead, has_conflict=False))
    session.flush()
    services.moderate(session, application=panel_application, by=old_lead,
                      entries=[services.ModerationEntry(criterion_id=need.id, value=3, reason="Agreed")])
    services.moderate(session, application=panel_application, by=commissioner,
                      entries=[services.ModerationEntry(criterion_id=change.id, value=4, reason="Agreed too")])
    assessment_round.panel_lead_id = moderation_lead.id
    session.flush()

    page = moderation_lead_client.page(_url(panel_application))
    assert "Zora Oldlead" not in page.text() and commissioner.name not in page.text()
    assert "Recorded by the panel lead" in _section(page, need).get_text(" ")
    assert "Recorded by a commissioner" in _section(page, change).get_text(" ")
    shown = commissioner_client.page(_url(panel_application))
    assert "Recorded by Zora Oldlead" in " ".join(_section(shown, need).get_text(" ").split())


@pytest.mark.parametrize("typed", ["٣", "abc", "1.5", " 3", "+3", "03"])
def test_a_tampered_moderated_score_is_refused(commissioner_client, session, panel_application, moderation_panel,
                                               typed):
    need, _ = _criteria(panel_application)
    page = commissioner_client.submit(_url(panel_application), {f"score_{need.id}": typed,
                                                                f"reason_{need.id}": "Agreed reason"})
    assert page.status == 200
    assert page.field_error(f"score_{need.id}") == "Choose a moderated score for Need from 1 to 5"
    assert page.value_of(f"reason_{need.id}") == "Agreed reason"
    assert session.scalars(select(ModeratedScore)).all() == []


def test_weights_that_do_not_add_up_say_so_instead_of_failing(commissioner_client, session, panel_application,
                                                              moderation_panel, assessment_round):
    assessment_round.criteria[0].weight = 70
    session.flush()
    page = commissioner_client.page(_url(panel_application))
    assert page.status == 200
    assert "The total cannot be worked out because the criteria weights do not add up to 100" in page.text()
    assert commissioner_client.page(f"/panel/rounds/{assessment_round.id}/moderation").status == 200
