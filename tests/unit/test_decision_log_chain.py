"""The decision log's hash chain: entries are appended in order and any change to a stored entry is found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from portal.models import (
    CurrentDecisionEntry,
    Decision,
    DecisionLogEntry,
    IncomeBand,
    OrganisationType,
    Outcome,
    Role,
    utcnow,
)
from portal.transparency import log
from tests.conftest import make_organisation, make_user
from tests.fixtures.panel_round import make_eligible_application


@pytest.fixture
def decisions(session, assessment_round, organisation, applicant, other_organisation, other_applicant, commissioner):
    """An award to Hackney Youth Voices and a decline for Southwark Boxing Club."""
    award_app = make_eligible_application(session, round_=assessment_round, organisation=organisation, by=applicant,
                                          number=51, amount_pence=800_000)
    decline_app = make_eligible_application(session, round_=assessment_round, organisation=other_organisation,
                                            by=other_applicant, number=52, amount_pence=600_000,
                                            project_title="Boxing after school")
    award = Decision(application=award_app, outcome=Outcome.AWARD, amount_awarded_pence=750_000,
                     reason="A strong plan led by young people.", panel_score=78.25, decided_by=commissioner,
                     decided_by_role=Role.COMMISSIONER, decided_at=utcnow() - timedelta(days=1))
    decline = Decision(application=decline_app, outcome=Outcome.DECLINE, reason_category="Outcomes not clear enough",
                       reason="The panel could not see what would change.", panel_score=52.0,
                       decided_by=commissioner, decided_by_role=Role.COMMISSIONER,
                       decided_at=utcnow() - timedelta(days=1))
    session.add_all([award, decline])
    session.flush()
    return [award, decline]


def test_entries_chain_from_the_genesis_hash_and_verify(session, decisions):
    entries = log.append(session, decisions)
    assert [e.position for e in entries] == [1, 2]
    assert entries[0].previous_hash == log.GENESIS_HASH
    assert entries[1].previous_hash == entries[0].entry_hash
    report = log.verify_chain(session)
    assert report.intact and report.entries == 2 and report.head_hash == entries[1].entry_hash
    assert all(d.published_at is not None for d in decisions)


def test_later_publications_continue_the_same_chain(session, decisions):
    (first,) = log.append(session, decisions[:1])
    (second,) = log.append(session, decisions[1:])
    assert second.position == 2 and second.previous_hash == first.entry_hash
    assert log.verify_chain(session).intact


def test_declined_groups_are_described_not_named(session, decisions):
    award, decline = log.append(session, decisions)
    assert award.organisation_name == "Hackney Youth Voices" and award.amount_awarded_pence == 750_000
    assert decline.organisation_name is None and decline.project_title is None
    assert decline.organisation_description == "A community group in Hackney"
    assert decline.amount_requested_pence == 600_000 and decline.reason_category == "Outcomes not clear enough"
    assert "Southwark" not in str(log.entry_content(decline)["organisation_name"])


@pytest.mark.parametrize(("column", "value"), [
    ("amount_awarded_pence", 1), ("reason", "Changed quietly"), ("organisation_name", "Someone else"),
    ("panel_score", 99.0), ("panel_score", 78.31), ("outcome", "decline"), ("published_at", utcnow() - timedelta(days=30)),
])
def test_changing_any_stored_entry_is_detected_at_that_entry(session, decisions, column, value):
    log.append(session, decisions)
    session.execute(update(DecisionLogEntry).where(DecisionLogEntry.position == 1).values({column: value}))
    session.expire_all()
    report = log.verify_chain(session)
    assert not report.intact and report.broken_at == 1
    assert "changed since it was published" in report.problem


def test_rewriting_an_entrys_hashes_breaks_the_link_to_the_next(session, decisions):
    first, _ = log.append(session, decisions)
    first.reason = "Rewritten"
    first.content_hash = log.content_hash(first)
    first.entry_hash = log.chain_hash(first.previous_hash, first.content_hash)
    session.flush()
    report = log.verify_chain(session)
    assert report.broken_at == 2 and "does not follow on from entry 1" in report.problem


def test_a_removed_entry_is_detected(session, decisions, commissioner, assessment_round):
    log.append(session, decisions)
    third_org = make_organisation(session, name="Third", members=[make_user(session, email="t@example.org",
                                                                            role=Role.APPLICANT)])
    third = make_eligible_application(session, round_=assessment_round, organisation=third_org,
                                      by=third_org.memberships[0].user, number=53)
    decision = Decision(application=third, outcome=Outcome.RESERVE, reason="Next in line.", decided_by=commissioner,
                        decided_by_role=Role.COMMISSIONER)
    session.add(decision)
    session.flush()
    log.append(session, [decision])
    removed = session.scalar(select(DecisionLogEntry).where(DecisionLogEntry.position == 2))
    # Whoever removes an entry must also remove the current-entry row that names it (its foreign key).
    session.execute(delete(CurrentDecisionEntry).where(CurrentDecisionEntry.entry_id == removed.id))
    session.delete(removed)
    session.flush()
    report = log.verify_chain(session)
    assert report.broken_at == 3 and "Entry 2 is missing" in report.problem


def test_a_correction_names_the_entry_it_corrects_and_replaces_it_in_the_current_log(session, decisions):
    award, _ = log.append(session, decisions)
    decisions[0].amount_awarded_pence = 700_000
    session.flush()
    (correction,) = log.append(session, decisions[:1], correction=log.Correction(entry=award, reason="Typing error"))
    assert correction.corrects_id == award.id and log.entry_content(correction)["corrects_position"] == 1
    current = session.scalars(log.current_entries()).all()
    assert correction in current and award not in current
    assert [e.position for e in log.history(session, award.application_id)] == [1, 3]
    assert log.verify_chain(session).intact


def test_the_current_table_names_each_applications_latest_entry(session, decisions, assessment_round, organisation,
                                                                applicant, commissioner):
    """After a correction and a late decision, decision_log_current points at the newest entry per application."""
    award, decline = log.append(session, decisions)
    decisions[0].amount_awarded_pence = 700_000
    session.flush()
    (correction,) = log.append(session, decisions[:1], correction=log.Correction(entry=award, reason="Typing error"))
    late_app = make_eligible_application(session, round_=assessment_round, organisation=organisation, by=applicant,
                                         number=53, amount_pence=400_000, project_title="Late project")
    late = Decision(application=late_app, outcome=Outcome.RESERVE, reason="On the reserve list.", panel_score=60.0,
                    decided_by=commissioner, decided_by_role=Role.COMMISSIONER, decided_at=utcnow() - timedelta(days=3))
    session.add(late)
    session.flush()
    decisions[1].outcome, decisions[1].decided_at = Outcome.RESERVE, utcnow()
    session.flush()
    late_entry, redecided = log.append(session, [late, decisions[1]])

    rows = {row.application_id: row for row in session.scalars(select(CurrentDecisionEntry))}
    assert {app_id: row.entry_id for app_id, row in rows.items()} == {
        award.application_id: correction.id, decline.application_id: redecided.id,
        late_entry.application_id: late_entry.id}
    assert all(row.decided_at == row.entry.decided_at and row.reference == row.entry.reference for row in rows.values())

    def old_definition(filters: log.LogFilters) -> list[int]:
        """The current log as it was defined before the table: each application's max(position), filtered."""
        latest = select(func.max(DecisionLogEntry.position)).group_by(DecisionLogEntry.application_id).scalar_subquery()
        query = (select(DecisionLogEntry).where(DecisionLogEntry.position.in_(latest))
                 .order_by(DecisionLogEntry.decided_at.desc(), DecisionLogEntry.reference))
        return [entry.id for entry in session.scalars(query) if (
            (not filters.round_id or entry.round_id == filters.round_id)
            and (not filters.outcome or entry.outcome == filters.outcome)
            and (not filters.borough or f",{filters.borough}," in entry.boroughs)
            and (not filters.search or filters.search in (entry.organisation_name or "").lower()))]

    for filters in [log.LogFilters(), log.LogFilters(outcome=Outcome.RESERVE), log.LogFilters(borough="E09000012"),
                    log.LogFilters(round_id=assessment_round.id), log.LogFilters(search="hackney")]:
        found = [entry.id for entry in session.scalars(log.current_entries(filters))]
        assert found == old_definition(filters)
        assert log.count_current(session, filters) == len(found)
    everything = list(session.scalars(log.current_entries()))
    assert everything == [redecided, correction, late_entry], "newest decision first"
    assert log.verify_chain(session).intact


def test_filters(session, decisions):
    log.append(session, decisions)
    find = lambda **kw: [e.reference for e in session.scalars(log.current_entries(log.LogFilters(**kw)))]  # noqa: E731
    assert find(outcome=Outcome.AWARD) == ["YLF-2026-0051"]
    assert find(borough="E09000012") == ["YLF-2026-0051", "YLF-2026-0052"]
    assert find(borough="E0900001") == []
    assert find(search="hackney") == ["YLF-2026-0051"]
    assert find(search="southwark") == [], "a declined group must not be found by its name"
    assert find(search="ylf-2026-0052") == ["YLF-2026-0052"]
    assert find(organisation_type="charity") == []


def test_entries_describe_the_organisation_as_it_was_sent(session, decisions):
    award, decline = decisions
    # Both groups change after sending: new names, a charity number, another borough, a bigger income.
    for organisation in (award.application.organisation, decline.application.organisation):
        organisation.name = "Renamed Later"
        organisation.organisation_type = OrganisationType.CHARITY
        organisation.charity_number = "1999999"
        organisation.income_band = IncomeBand.OVER_1M
        organisation.boroughs = ["E09000033"]
    session.flush()
    named, described = log.append(session, decisions)
    assert (named.organisation_name, named.organisation_type, named.charity_number, named.small_organisation,
            named.boroughs) == ("Hackney Youth Voices", "unregistered", None, True, ",E09000012,")
    assert described.organisation_description == "A community group in Hackney"
    assert log.verify_chain(session).intact


def test_what_the_snapshot_lacks_comes_from_the_organisation_now(session, decisions):
    award, _ = decisions
    application = award.application
    application.submitted_snapshot = {"organisation": {"name": "Hackney Youth Voices", "boroughs": ["Atlantis"]}}
    application.organisation.income_band = IncomeBand.OVER_1M
    application.organisation.boroughs = ["E09000022"]
    sent = log.organisation_as_sent(application)
    assert sent.name == "Hackney Youth Voices" and sent.income_band == IncomeBand.OVER_1M
    assert sent.boroughs == ["E09000022"], "a borough name that cannot be read back falls back to the current ones"
    assert sent.organisation_type == application.organisation.organisation_type
