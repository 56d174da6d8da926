"""The panellist's rules in the service layer: declaring, saving, sending and the blind view of others' scores."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from portal.domain import NotFound, PermissionDenied, StateTransitionError, ValidationError
from portal.models import ConflictDeclaration, RoundStatus, Score, utcnow
from portal.panel import access, services
from portal.panel.services import ScoreEntry
from tests.fixtures.panel_round import assign, make_panellist
from tests.fixtures.panel_scoring import give_scores

PUBLIC_URL = "https://grants.example.org"


def entries(assignment, values, comments) -> dict[int, ScoreEntry]:
    """What a panellist typed, in criterion order."""
    return {c.id: ScoreEntry(value=v, comment=t)
            for c, v, t in zip(assignment.application.round.criteria, values, comments)}


def test_a_declaration_cannot_be_made_twice(session, panellist, panel_assignment):
    services.declare_conflict(session, assignment_id=panel_assignment.id, has_conflict=False, reason=None,
                              by=panellist, public_url=PUBLIC_URL)
    with pytest.raises(StateTransitionError, match="already declared"):
        services.declare_conflict(session, assignment_id=panel_assignment.id, has_conflict=True, reason="Oh",
                                  by=panellist, public_url=PUBLIC_URL)


def test_a_conflict_without_a_reason_is_refused_by_the_service_too(session, panellist, panel_assignment):
    with pytest.raises(ValidationError) as error:
        services.declare_conflict(session, assignment_id=panel_assignment.id, has_conflict=True, reason=" ",
                                  by=panellist, public_url=PUBLIC_URL)
    assert error.value.field == "reason"


def test_a_conflict_with_nobody_to_replace_them_still_recuses(session, panellist, panel_assignment):
    services.declare_conflict(session, assignment_id=panel_assignment.id, has_conflict=True, reason="My aunt",
                              by=panellist, public_url=PUBLIC_URL)
    assert panel_assignment.recused_at is not None
    [work] = services.panel_home(session, by=panellist).rounds
    assert [item.stage for item in work.items] == ["recused"]


def test_the_scoring_sheet_needs_a_declaration_of_no_conflict(session, panellist, panel_assignment):
    with pytest.raises(services.DeclarationNeeded):
        services.scoring_sheet(session, assignment_id=panel_assignment.id, by=panellist)


def test_home_stages_follow_the_work(session, panellist, declared_assignment):
    def stage() -> str:
        [work] = services.panel_home(session, by=panellist).rounds
        return work.items[0].stage

    assert stage() == "scoring"
    declared_assignment.application.round.status = RoundStatus.DECIDED
    assert stage() == "closed"
    give_scores(session, declared_assignment, [3, 3], send=True)
    assert stage() == "sent"


def test_partial_save_keeps_blanks_and_save_and_continue_lists_what_is_missing(session, panellist,
                                                                                 declared_assignment):
    typed = entries(declared_assignment, ["3", None], ["", "Good plan"])
    sheet = services.save_scores(session, assignment_id=declared_assignment.id, entries=typed, fingerprint=None,
                                 complete=False, by=panellist)
    assert [(sheet.value(c), sheet.comment(c)) for c in sheet.criteria] == [(3, ""), (None, "Good plan")]
    with pytest.raises(services.ScoreProblems) as error:
        services.save_scores(session, assignment_id=declared_assignment.id, entries=typed,
                             fingerprint=sheet.fingerprint, complete=True, by=panellist)
    need, change = sheet.criteria
    assert error.value.problems == {
        f"comment_{need.id}": "Write a comment for Need: say why you chose this score",
        f"score_{change.id}": "Choose a score for What will change",
    }


def test_a_save_from_an_older_page_is_refused(session, panellist, declared_assignment):
    old = services.scoring_sheet(session, assignment_id=declared_assignment.id, by=panellist).fingerprint
    services.save_scores(session, assignment_id=declared_assignment.id,
                         entries=entries(declared_assignment, ["2", "2"], ["a", "b"]), fingerprint=old,
                         complete=False, by=panellist)
    with pytest.raises(services.ScoresChangedElsewhere) as error:
        services.save_scores(session, assignment_id=declared_assignment.id,
                             entries=entries(declared_assignment, ["5", "5"], ["c", "d"]), fingerprint=old,
                             complete=False, by=panellist)
    assert sorted(error.value.saved.values()) == [(2, "a"), (2, "b")]


def test_scores_outside_1_to_5_are_refused_and_nothing_is_saved(session, panellist, declared_assignment):
    with pytest.raises(services.ScoreProblems):
        services.save_scores(session, assignment_id=declared_assignment.id,
                             entries=entries(declared_assignment, ["0", "3"], ["a", "b"]), fingerprint=None,
                             complete=False, by=panellist)
    assert declared_assignment.scores == []


def test_sending_locks_and_only_complete_scores_can_be_sent(session, panellist, declared_assignment):
    give_scores(session, declared_assignment, [4, None])
    with pytest.raises(services.ScoreProblems):
        services.send_scores(session, assignment_id=declared_assignment.id, by=panellist)
    declared_assignment.scores[1].value = 2
    services.send_scores(session, assignment_id=declared_assignment.id, by=panellist)
    assert declared_assignment.scores_submitted_at is not None
    with pytest.raises(StateTransitionError, match="cannot be changed"):
        services.save_scores(session, assignment_id=declared_assignment.id,
                             entries=entries(declared_assignment, ["1", "1"], ["a", "b"]), fingerprint=None,
                             complete=False, by=panellist)
    with pytest.raises(StateTransitionError):
        services.send_scores(session, assignment_id=declared_assignment.id, by=panellist)


def test_panel_scores_leave_out_drafts_and_recused_panellists(session, panellist, panel_application,
                                                              declared_assignment):
    first = make_panellist(session, email="a@example.org", name="A")
    recused = make_panellist(session, email="b@example.org", name="B")
    drafting = make_panellist(session, email="c@example.org", name="C")
    give_scores(session, assign(session, application=panel_application, panellist=first, declared=True), [5, 5],
                send=True)
    gone = give_scores(session, assign(session, application=panel_application, panellist=recused, declared=True),
                       [1, 1], send=True)
    gone.recused_at = gone.scores_submitted_at
    give_scores(session, assign(session, application=panel_application, panellist=drafting, declared=True), [2, 2])
    with pytest.raises(PermissionDenied, match="once you have sent your own"):
        services.panel_scores_for(session, assignment_id=declared_assignment.id, by=panellist)
    give_scores(session, declared_assignment, [3, 4], send=True)
    result = services.panel_scores_for(session, assignment_id=declared_assignment.id, by=panellist)
    need = result.rows[0]
    assert [(m.label, m.value) for m in need.marks] == [("You", 3), ("Panellist 2", 5)]
    assert need.mean == 4


def test_anonymised_snapshot_hides_who_applied():
    snapshot = {
        "project_title": "Hackney Youth Voices football",
        "organisation": {"name": "Hackney Youth Voices", "charity_number": "123", "company_number": "456",
                         "address": ["1 Mare Street"], "boroughs": ["Hackney"]},
        "answers": [{"question": "What?", "answer": "At HACKNEY youth voices we play with Mare Street Club."}],
        "budget": [{"item": "Coach", "cost_pence": 100}],
        "partners": [{"name": "Mare Street Club", "role": "Lends the hall"}],
        "documents": [{"id": 1, "name": "hackney-youth-voices-policy.pdf"}],
        "declaration": {"name": "Grace Mensah", "role": "Chair"},
    }
    hidden = services.anonymised_snapshot(snapshot, label="Applicant A-7")
    text = repr(hidden)
    for identity in ("Hackney Youth Voices", "HACKNEY youth voices", "123", "456", "Mare Street", "Grace", "policy"):
        assert identity not in text, identity
    assert hidden["organisation"]["name"] == "Applicant A-7"
    assert hidden["organisation"]["boroughs"] == ["Hackney"]
    assert hidden["answers"][0]["answer"] == "At [name hidden] we play with [name hidden]."


def test_a_declaration_made_at_the_same_moment_elsewhere_gets_a_clear_message(session, panellist, panel_assignment,
                                                                               monkeypatch):
    """Two windows sending the declaration together: the second meets the unique row and is told, not a 500."""
    session.add(ConflictDeclaration(application_id=panel_assignment.application_id, panellist_id=panellist.id,
                                    has_conflict=False))
    session.flush()
    monkeypatch.setattr(access, "declaration_for", lambda session, assignment: None)  # read before the other saved
    with pytest.raises(StateTransitionError, match="already declared"):
        services.declare_conflict(session, assignment_id=panel_assignment.id, has_conflict=True, reason="Cousin",
                                  by=panellist, public_url=PUBLIC_URL)
    assert panel_assignment.recused_at is None
    assert len(session.scalars(select(ConflictDeclaration)).all()) == 1


def test_first_saves_at_the_same_moment_show_what_was_saved_elsewhere(session, panellist, declared_assignment):
    """Another window saved the first score between loading and saving: the panellist sees both versions."""
    need = declared_assignment.application.round.criteria[0]
    assert declared_assignment.scores == []  # loaded before the other window saved
    session.execute(insert(Score).values(assignment_id=declared_assignment.id, criterion_id=need.id, value=2,
                                         comment="From my phone", updated_at=utcnow()))
    with pytest.raises(services.ScoresChangedElsewhere) as error:
        services.save_scores(session, assignment_id=declared_assignment.id,
                             entries=entries(declared_assignment, ["4", None], ["From my laptop", ""]),
                             fingerprint=None, complete=False, by=panellist)
    assert error.value.saved[need.id] == (2, "From my phone")
    rows = session.scalars(select(Score).where(Score.assignment_id == declared_assignment.id)).all()
    assert [(r.value, r.comment) for r in rows] == [(2, "From my phone")]


# One criterion at a time (issue 14, part 7) --------------------------------------------------------------


def test_a_save_of_one_criterion_changes_and_checks_only_that_criterion(session, panellist, declared_assignment):
    need, change = declared_assignment.application.round.criteria
    give_scores(session, declared_assignment, [None, 2], comment="Draft")
    sheet = services.scoring_sheet(session, assignment_id=declared_assignment.id, by=panellist)
    opened = sheet.fingerprint_of([need])
    # What will change is saved elsewhere meanwhile: Need's page is not stopped by it.
    sheet.saved[change.id].value = 5
    session.flush()
    typed = entries(declared_assignment, ["4"], ["Clear"])
    services.save_scores(session, assignment_id=declared_assignment.id, entries=typed, fingerprint=opened,
                         complete=True, only={need.id}, by=panellist)
    session.expire_all()
    assert {s.criterion_id: (s.value, s.comment) for s in session.scalars(select(Score))} == {
        need.id: (4, "Clear"), change.id: (5, "Draft What will change")}


def test_evidence_follows_the_questions_linked_to_each_criterion(session, panellist, declared_assignment):
    application = declared_assignment.application
    need, change = application.round.criteria
    what, safe = application.round.questions
    application.submitted_snapshot = {**application.submitted_snapshot, "answers": [
        {"question_id": what.id, "question": what.text, "answer": "Sessions"},
        {"question_id": safe.id, "question": safe.text, "answer": "A policy"},
        {"question": "A question from before answers named their question", "answer": "Old"},
    ]}
    safe.criterion_id = None
    session.flush()
    sheet = services.scoring_sheet(session, assignment_id=declared_assignment.id, by=panellist)
    assert [a["answer"] for a in sheet.evidence(need).answers] == ["Sessions"]
    assert not sheet.evidence(need).shows_rest
    rest = sheet.evidence(change)
    assert rest.shows_rest and not rest.has_questions
    assert [a["answer"] for a in rest.answers] == ["A policy", "Old"]
    assert [sheet.number(c) for c in sheet.criteria] == [1, 2]
    with pytest.raises(NotFound):
        sheet.criterion_number(3)
