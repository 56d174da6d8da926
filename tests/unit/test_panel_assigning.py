"""Allocation and recusal as stored in the database: who gets which application, and who is told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.domain import PermissionDenied, StateTransitionError
from portal.models import (
    AgeBand,
    ApplicationStatus,
    AuditEvent,
    GuardianConsent,
    OutboxMessage,
    PanelAssignment,
    PanelExclusion,
    RoundStatus,
)
from portal.panel import assigning
from tests.fixtures.panel_round import assign, make_eligible_application, make_panellist

PUBLIC_URL = "https://grants.example.org"


@pytest.fixture
def applications(session, assessment_round, organisation, applicant):
    """Four eligible applications to the round in assessment."""
    return [
        make_eligible_application(session, round_=assessment_round, organisation=organisation, by=applicant,
                                  number=number)
        for number in range(31, 35)
    ]


@pytest.fixture
def pool(session):
    """Four adult panellists."""
    return [make_panellist(session, email=f"panellist{n}@example.org", name=f"Panellist {n}") for n in range(1, 5)]


def _panels(session, round_):
    return assigning.current_panels(session, round_)


def test_every_application_gets_the_rounds_panel_size_and_panellists_are_emailed_once(
        session, commissioner, assessment_round, applications, pool):
    result = assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    session.flush()

    panels = _panels(session, assessment_round)
    assert {a.id: len(panels[a.id]) for a in applications} == {a.id: 3 for a in applications}
    assert result.added == 12 and result.shortfalls == {}
    loads = [sum(p.id in members for members in panels.values()) for p in pool]
    assert loads == [3, 3, 3, 3]
    emails = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address.like("panellist%"))).all()
    assert sorted(e.to_address for e in emails) == sorted(p.email for p in pool)
    assert all("3 new applications" in e.subject and f"{PUBLIC_URL}/panel" in e.body for e in emails)


def test_allocation_keeps_hand_made_assignments_and_avoids_declared_conflicts(
        session, commissioner, assessment_round, applications, pool):
    first = applications[0]
    assign(session, application=first, panellist=pool[3], declared=True)
    assign(session, application=applications[1], panellist=pool[0], declared=False, conflict_reason="My aunt runs it")
    session.query(PanelAssignment).filter_by(application_id=applications[1].id).update(
        {"recused_at": assessment_round.closes_at})

    assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    session.flush()

    panels = _panels(session, assessment_round)
    assert pool[3].id in panels[first.id]
    assert pool[0].id not in panels[applications[1].id]
    assert len(panels[applications[1].id]) == 3


def test_running_allocation_twice_adds_nothing_new(session, commissioner, assessment_round, applications, pool):
    assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    session.flush()
    again = assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    assert again.added == 0


def test_too_few_panellists_is_reported_as_a_shortfall(session, commissioner, assessment_round, applications):
    make_panellist(session, email="only@example.org")
    result = assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    assert result.shortfalls == {a.reference: 2 for a in applications}


def test_under_18s_without_a_guardians_consent_are_not_given_work(
        session, commissioner, assessment_round, applications):
    make_panellist(session, email="young@example.org", age_band=AgeBand.UNDER_18)
    consented = make_panellist(session, email="consented@example.org", age_band=AgeBand.UNDER_18)
    session.add(GuardianConsent(panellist_id=consented.id, guardian_name="Ann", guardian_contact="07700 900000",
                                recorded_by_id=commissioner.id))
    session.flush()
    assert [p.id for p in assigning.available_panellists(session)] == [consented.id]


def test_deactivated_panellists_are_not_given_work(session, pool):
    pool[0].is_active_account = False
    session.flush()
    assert pool[0] not in assigning.available_panellists(session)


def test_only_commissioners_allocate_and_only_during_assessment(
        session, commissioner, panellist, assessment_round, applications):
    with pytest.raises(PermissionDenied):
        assigning.allocate_round(session, round_=assessment_round, by=panellist, public_url=PUBLIC_URL)
    assessment_round.status = RoundStatus.CLOSED
    with pytest.raises(StateTransitionError, match="only while the round is in assessment"):
        assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)


def test_only_eligible_applications_are_allocated(session, commissioner, assessment_round, organisation, applicant,
                                                  applications, pool):
    from tests.fixtures.submissions import make_submission
    waiting = make_submission(session, round_=assessment_round, organisation=organisation, by=applicant, number=40)
    assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    session.flush()
    assert waiting.id not in _panels(session, assessment_round)


def test_recusal_brings_in_the_least_loaded_panellist_without_a_conflict(
        session, assessment_round, applications, pool):
    for application in applications[:2]:
        for panellist in pool[:3]:
            assign(session, application=application, panellist=panellist)
    assign(session, application=applications[2], panellist=pool[3])
    leaving = session.scalar(select(PanelAssignment).filter_by(application_id=applications[0].id,
                                                               panellist_id=pool[0].id))

    replacement = assigning.recuse(session, assignment=leaving, public_url=PUBLIC_URL)
    session.flush()

    assert leaving.recused_at is not None
    assert replacement is not None and replacement.panellist_id == pool[3].id
    assert _panels(session, assessment_round)[applications[0].id] == {pool[1].id, pool[2].id, pool[3].id}
    email = session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == pool[3].email)).one()
    assert email.subject == "You have 1 new application to assess"
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["panel.recused", "panel.assigned"]


def test_recusal_with_nobody_free_leaves_the_application_short(session, assessment_round, applications, pool):
    assignments = [assign(session, application=applications[0], panellist=p) for p in pool[:3]]
    cousin = assign(session, application=applications[0], panellist=pool[3], declared=False, conflict_reason="Cousin")
    cousin.recused_at = assessment_round.closes_at
    assert assigning.recuse(session, assignment=assignments[0], public_url=PUBLIC_URL) is None
    session.flush()
    assert _panels(session, assessment_round)[applications[0].id] == {pool[1].id, pool[2].id}


def test_recusal_from_a_short_panel_fills_it_up_to_size(session, assessment_round, applications, pool):
    leaving = assign(session, application=applications[0], panellist=pool[0])
    assign(session, application=applications[0], panellist=pool[1])

    assigning.recuse(session, assignment=leaving, public_url=PUBLIC_URL)
    session.flush()

    assert _panels(session, assessment_round)[applications[0].id] == {pool[1].id, pool[2].id, pool[3].id}


def test_recusal_from_an_application_no_longer_assessed_brings_in_nobody(session, assessment_round, applications,
                                                                         pool):
    """A withdrawn application needs no replacement: the panellist steps back and nobody new is asked."""
    leaving = assign(session, application=applications[0], panellist=pool[0])
    applications[0].status = ApplicationStatus.WITHDRAWN
    session.flush()

    assert assigning.recuse(session, assignment=leaving, public_url=PUBLIC_URL) is None
    session.flush()

    assert leaving.recused_at is not None
    assert _panels(session, assessment_round).get(applications[0].id, set()) == set()
    assert session.scalars(select(OutboxMessage)).all() == []


def test_a_panellist_taken_off_by_hand_is_left_off_by_allocation_and_by_recusal(
        session, commissioner, assessment_round, applications, pool):
    """Exclusions count like conflicts: neither allocation nor a replacement after recusal brings them back."""
    session.add(PanelExclusion(application_id=applications[0].id, panellist_id=pool[3].id,
                               excluded_by_id=commissioner.id))
    session.flush()
    assert (applications[0].id, pool[3].id) in assigning.round_conflicts(session, assessment_round)

    leaving = assign(session, application=applications[0], panellist=pool[0])
    assign(session, application=applications[0], panellist=pool[1])
    assign(session, application=applications[0], panellist=pool[2])
    assert assigning.recuse(session, assignment=leaving, public_url=PUBLIC_URL) is None
    assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    session.flush()
    assert pool[3].id not in _panels(session, assessment_round)[applications[0].id]


def test_two_allocations_at_once_do_not_fail_on_the_same_assignment(session, commissioner, assessment_round,
                                                                    applications, pool, monkeypatch):
    """If another allocation stored an assignment first, this one skips it instead of failing."""
    assessment_round.panellists_per_application = 4  # everyone on every application, so the two must meet
    assign(session, application=applications[0], panellist=pool[0])
    monkeypatch.setattr(assigning, "current_panels", lambda session, round_: {})  # as if read before the other saved

    result = assigning.allocate_round(session, round_=assessment_round, by=commissioner, public_url=PUBLIC_URL)
    session.flush()

    rows = session.scalars(select(PanelAssignment).filter_by(application_id=applications[0].id,
                                                             panellist_id=pool[0].id)).all()
    assert len(rows) == 1
    assert result.added == 15  # 16 places, one already taken by the other allocation
