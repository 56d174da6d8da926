"""Moderation and ranking rules as stored in the database: which scores count, and who may moderate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.commissioning import assessment_services as services
from portal.commissioning.assessment_services import ModerationEntry
from portal.domain import PermissionDenied, StateTransitionError, ValidationError
from portal.models import AuditEvent, IncomeBand, RoundStatus
from portal.panel import scoring
from tests.fixtures.moderation import send_scores
from tests.fixtures.panel_round import assign, make_eligible_application, make_panellist


def _criteria(application):
    need, change = application.round.criteria
    return need, change


def test_only_sent_scores_count_and_the_mean_and_flags_come_from_them(session, panel_application,
                                                                      moderation_panel):
    scores = services.application_scores(session, application=panel_application)
    need, change = scores.criteria

    assert scores.sent == 3 and scores.panel_size == 4
    assert [s.value for s in need.scores] == [2, 3, 4]  # the draft 1 is left out
    assert need.mean == 3 and need.flagged and not change.flagged
    assert scores.flagged_count == 1 and not scores.moderated
    assert scores.written_before_moderation == scores.written == 70.7


def test_a_moderated_score_replaces_the_mean_only_for_its_criterion(session, commissioner, panel_application,
                                                                    moderation_panel):
    need, _ = _criteria(panel_application)
    services.moderate(session, application=panel_application, by=commissioner,
                      entries=[ModerationEntry(criterion_id=need.id, value=5, reason="Strong local evidence")])

    scores = services.application_scores(session, application=panel_application)

    assert scores.criteria[0].used == 5 and scores.criteria[1].used == pytest.approx(13 / 3)
    assert scores.written_before_moderation == 70.7
    assert scores.written == 94.7  # 60 + 34.7
    assert scores.moderated


def test_no_sent_scores_means_waiting_and_no_written_score(session, panel_application, panellist):
    assign(session, application=panel_application, panellist=panellist, declared=True)

    scores = services.application_scores(session, application=panel_application)

    assert scores.waiting and scores.written is None and scores.panel_size == 3
    assert all(c.mean is None and not c.flagged for c in scores.criteria)


@pytest.mark.parametrize(("band", "small"), [
    (IncomeBand.UNDER_10K, True), (IncomeBand.FROM_50K_TO_100K, True),
    (IncomeBand.FROM_100K_TO_250K, False), (IncomeBand.OVER_1M, False),
])
def test_small_organisations_are_those_with_an_income_under_100000(session, assessment_round, organisation,
                                                                   applicant, band, small):
    organisation.income_band = band
    session.flush()
    application = make_eligible_application(session, round_=assessment_round, organisation=organisation,
                                            by=applicant, number=40)

    assert services.is_small_organisation(application) is small


def test_unchanged_re_moderation_records_nothing(session, commissioner, panel_application, moderation_panel):
    need, _ = _criteria(panel_application)
    entry = ModerationEntry(criterion_id=need.id, value=4, reason="Agreed")
    first = services.moderate(session, application=panel_application, by=commissioner, entries=[entry])
    again = services.moderate(session, application=panel_application, by=commissioner, entries=[entry])

    assert len(first) == 1 and again == []
    events = session.scalar(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "panel.score_moderated"))
    assert events == 1


@pytest.mark.parametrize(("value", "reason", "field_prefix"), [
    (6, "Too high", "score_"), (0, "Too low", "score_"), (4, "   ", "reason_"), (None, "No score", "score_"),
    (4, "x" * (services.REASON_MAX_CHARACTERS + 1), "reason_"),
])
def test_moderation_refuses_bad_scores_and_missing_reasons(session, commissioner, panel_application,
                                                           moderation_panel, value, reason, field_prefix):
    need, _ = _criteria(panel_application)

    with pytest.raises(ValidationError) as error:
        services.moderate(session, application=panel_application, by=commissioner,
                          entries=[ModerationEntry(criterion_id=need.id, value=value, reason=reason)])

    assert error.value.field == f"{field_prefix}{need.id}"


def test_moderation_needs_at_least_one_criterion(session, commissioner, panel_application, moderation_panel):
    with pytest.raises(ValidationError, match="at least one criterion"):
        services.moderate(session, application=panel_application, by=commissioner, entries=[])


def test_moderation_only_while_the_round_is_in_assessment(session, commissioner, assessment_round,
                                                          panel_application, moderation_panel):
    need, _ = _criteria(panel_application)
    assessment_round.status = RoundStatus.DECIDED

    with pytest.raises(StateTransitionError):
        services.moderate(session, application=panel_application, by=commissioner,
                          entries=[ModerationEntry(criterion_id=need.id, value=4, reason="Late")])


def test_only_the_lead_without_a_conflict_or_a_commissioner_may_moderate(session, panel_application,
                                                                         moderation_panel, moderation_lead, panellist):
    need, _ = _criteria(panel_application)
    entry = ModerationEntry(criterion_id=need.id, value=4, reason="Agreed")

    with pytest.raises(PermissionDenied):
        services.moderate(session, application=panel_application, by=panellist, entries=[entry])
    with pytest.raises(services.LeadDeclarationNeeded):  # the lead declares any conflict first
        services.moderate(session, application=panel_application, by=moderation_lead, entries=[entry])
    services.declare_lead_conflict(session, application=panel_application, has_conflict=False, reason=None,
                                   by=moderation_lead, public_url="https://grants.example.org")
    assert services.moderate(session, application=panel_application, by=moderation_lead, entries=[entry])


def test_a_lead_who_declares_a_conflict_is_refused_and_taken_off_its_panel(
        session, panel_application, moderation_panel, moderation_lead):
    """The declaration is the panellists' one: it also recuses the lead from the application's panel."""
    need, _ = _criteria(panel_application)
    mine = assign(session, application=panel_application, panellist=moderation_lead)
    services.declare_lead_conflict(session, application=panel_application, has_conflict=True,
                                   reason="I volunteer there", by=moderation_lead,
                                   public_url="https://grants.example.org")
    assert mine.recused_at is not None
    with pytest.raises(PermissionDenied, match="A commissioner will moderate this one"):
        services.moderate(session, application=panel_application, by=moderation_lead,
                          entries=[ModerationEntry(criterion_id=need.id, value=4, reason="Agreed")])
    with pytest.raises(StateTransitionError, match="already declared"):
        services.declare_lead_conflict(session, application=panel_application, has_conflict=False, reason=None,
                                       by=moderation_lead, public_url="https://grants.example.org")


def test_tied_applications_share_a_rank(session, commissioner, assessment_round, organisation, applicant):
    scorer = make_panellist(session, email="tie@example.org")
    for number in (50, 51, 52):
        application = make_eligible_application(session, round_=assessment_round, organisation=organisation,
                                                by=applicant, number=number, amount_pence=1_000_000)
        value = 5 if number == 50 else 3
        send_scores(session, application=application, panellist=scorer,
                    scores={"Need": value, "What will change": value})

    result = services.round_ranking(session, round_=assessment_round, by=commissioner)

    assert [(r.rank, r.tied) for r in result.rows] == [(1, False), (2, True), (2, True)]
    assert result.funding_line == 3 and result.small_organisation_percent == 100.0


def test_small_organisation_share_is_a_percentage_rounded_half_up():
    ranking = scoring.rank([
        scoring.Candidate(application_id=1, reference="A", score=90, amount_pence=4_500_000, small_organisation=True),
        scoring.Candidate(application_id=2, reference="B", score=80, amount_pence=3_500_000, small_organisation=False),
    ], budget_pence=10_000_000)
    result = services.RoundRanking(round=None, in_assessment=True, started=True, rows=[], waiting=[],
                                   ranking=ranking)

    assert result.small_organisation_percent == 56.3  # 45,000 of 80,000 is 56.25%
