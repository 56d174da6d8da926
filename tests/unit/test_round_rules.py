"""The rules of setting up a round: what stops publication, and how changes are told to applicants."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.commissioning import round_services as services
from portal.commissioning.round_forms import parse_time
from portal.commissioning.round_services import (
    CriterionDetails,
    FundDetails,
    QuestionDetails,
    RoundDetails,
    RoundProblems,
)
from portal.domain import PermissionDenied, StateTransitionError, ValidationError
from portal.formatting import LONDON
from portal.models import AuditEvent, RoundChange, RoundStatus, utcnow
from tests.conftest import make_round


def london(year: int, month: int, day: int, hour: int = 17, minute: int = 0) -> datetime:
    """A London wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def messages(round_, session, now=None) -> list[str]:
    """What publication would complain about, as text."""
    return [p.message for p in services.publication_problems(session, round_=round_, now=now or utcnow())]


def changes(session, round_) -> list[str]:
    """The round's public change log, oldest first."""
    return list(session.scalars(select(RoundChange.summary).where(RoundChange.round_id == round_.id)
                                .order_by(RoundChange.id)))


def actions(session) -> list[str]:
    """Audit actions recorded so far, oldest first."""
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# Publishing -------------------------------------------------------------------------------------


def test_a_complete_draft_is_published_with_the_time_and_an_audit_event(session, draft_round, commissioner):
    """The fixture's draft opens in a month, so it becomes 'published' (not yet open)."""
    now = utcnow()
    assert messages(draft_round, session) == []
    services.publish_round(session, round_=draft_round, by=commissioner, now=now)
    assert draft_round.status == RoundStatus.PUBLISHED
    assert draft_round.published_at == now
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "round.published")).one()
    assert event.actor_id == commissioner.id and event.entity_id == draft_round.id
    assert event.before == {"status": "draft"} and event.after["status"] == "published"


def test_a_draft_whose_opening_time_has_passed_opens_straight_away(session, commissioner):
    """Publishing after the opening time makes the round open for applications."""
    round_ = make_round(session, slug="late", status=RoundStatus.DRAFT, opens_in_days=-1, closes_in_days=30,
                        question_deadline=utcnow() + timedelta(days=20))
    services.publish_round(session, round_=round_, by=commissioner, now=utcnow())
    assert round_.status == RoundStatus.OPEN


def test_a_published_round_cannot_be_published_again(session, open_round, commissioner):
    """Publication is a one-way step from draft."""
    with pytest.raises(StateTransitionError, match="already published"):
        services.publish_round(session, round_=open_round, by=commissioner, now=utcnow())


def test_only_commissioners_publish(session, draft_round, applicant):
    """Anyone else is refused."""
    with pytest.raises(PermissionDenied):
        services.publish_round(session, round_=draft_round, by=applicant, now=utcnow())
    assert draft_round.status == RoundStatus.DRAFT


def test_weights_must_sum_to_100_and_the_message_says_what_they_sum_to(session, draft_round):
    """60 + 30 = 90."""
    draft_round.criteria[1].weight = 30
    assert messages(draft_round, session) == [
        "The weights of the assessment criteria add up to 90%. They must add up to 100%"]
    draft_round.criteria[1].weight = 50
    assert "add up to 110%" in messages(draft_round, session)[0]


def test_every_criterion_needs_all_five_descriptors(session, draft_round):
    """Missing descriptors are named by score."""
    draft_round.criteria[0].descriptor_2 = ""
    draft_round.criteria[0].descriptor_4 = "  "
    draft_round.criteria[1].descriptor_5 = ""
    assert messages(draft_round, session) == [
        "Criterion “Need” needs a descriptor for scores 2 and 4",
        "Criterion “What will change” needs a descriptor for a score of 5",
    ]


def test_a_round_needs_at_least_one_criterion_and_one_question(session, draft_round):
    """Nothing to score against, or nothing to ask, cannot be published."""
    draft_round.criteria.clear()
    draft_round.questions.clear()
    assert messages(draft_round, session) == ["Add at least one assessment criterion",
                                              "Add at least one application question"]


def test_the_required_dates_are_named_when_missing_but_interviews_are_optional(session, draft_round):
    """Question deadline, scoring and decisions are needed; the interview date is not."""
    draft_round.question_deadline = draft_round.scoring_starts_at = draft_round.decisions_by = None
    draft_round.interviews_at = None
    assert messages(draft_round, session) == [
        "Enter the deadline for questions", "Enter the panel scoring start date", "Enter the decision date"]


@pytest.mark.parametrize(("later", "earlier", "equal_allowed", "message"), [
    ("question_deadline", "opens_at", False, "The deadline for questions ({}) must be after the opening date ({})"),
    ("closes_at", "question_deadline", True,
     "The closing date ({}) must be on or after the deadline for questions ({})"),
    ("scoring_starts_at", "closes_at", False,
     "The panel scoring start date ({}) must be after the closing date ({})"),
    ("interviews_at", "scoring_starts_at", True,
     "The interview date ({}) must be on or after the panel scoring start date ({})"),
    ("decisions_by", "interviews_at", True, "The decision date ({}) must be on or after the interview date ({})"),
])
def test_dates_must_be_in_order(session, commissioner, later, earlier, equal_allowed, message):
    """opens < question deadline <= closes < scoring <= interviews <= decisions by."""
    base = london(2027, 1, 4)
    dates = dict(opens_at=base, question_deadline=base + timedelta(days=10), closes_at=base + timedelta(days=20),
                 scoring_starts_at=base + timedelta(days=30), interviews_at=base + timedelta(days=40),
                 decisions_by=base + timedelta(days=50))

    def problems_with(moment: datetime) -> list:
        details = RoundDetails(title="t", slug="t", min_grant_pence=1, max_grant_pence=2, budget_pence=3,
                               **{**dates, later: moment})
        return services.date_problems(details)

    same = dates[earlier]
    assert [p.message for p in problems_with(same)] == (
        [] if equal_allowed else [message.format(services.date_time(same), services.date_time(same))])
    before = dates[earlier] - timedelta(hours=1)
    problems = problems_with(before)
    assert [p.message for p in problems] == [message.format(services.date_time(before), services.date_time(same))]
    assert problems[0].field == later


def test_a_missing_interview_date_still_keeps_scoring_before_decisions(session, draft_round):
    """Order is checked across a gap left by an optional date."""
    draft_round.interviews_at = None
    draft_round.decisions_by = draft_round.scoring_starts_at - timedelta(days=1)
    assert messages(draft_round, session) == [
        f"The decision date ({services.date_time(draft_round.decisions_by)}) must be on or after the panel scoring "
        f"start date ({services.date_time(draft_round.scoring_starts_at)})"]


def test_a_closing_date_in_the_past_cannot_be_published(session, commissioner):
    """Nobody could apply."""
    round_ = make_round(session, slug="past", status=RoundStatus.DRAFT, opens_in_days=-30, closes_in_days=-1,
                        question_deadline=utcnow() - timedelta(days=5))
    assert messages(round_, session) == [
        f"The closing date ({services.date_time(round_.closes_at)}) has already passed: choose a later one"]


def test_the_grant_range_must_fit_the_budget(session, draft_round):
    """min <= max <= budget."""
    draft_round.min_grant_pence = 3_000_000  # £30,000, above the £25,000 maximum
    draft_round.small_grant_threshold_pence = None
    assert messages(draft_round, session) == [
        "The minimum grant (£30,000) must not be more than the maximum grant (£25,000)"]
    draft_round.min_grant_pence = 200_000
    draft_round.budget_pence = 2_000_000
    assert messages(draft_round, session) == [
        "The maximum grant (£25,000) must not be more than the total budget (£20,000)"]
    draft_round.budget_pence = draft_round.max_grant_pence
    draft_round.min_grant_pence = draft_round.max_grant_pence
    assert messages(draft_round, session) == []


@pytest.mark.parametrize(("threshold", "allowed"), [
    (None, True), (200_000, False), (200_001, True), (2_500_000, True), (2_500_001, False)])
def test_the_small_grant_threshold_must_be_inside_the_range(session, draft_round, threshold, allowed):
    """More than the minimum (£2,000) and no more than the maximum (£25,000)."""
    draft_round.small_grant_threshold_pence = threshold
    problems = messages(draft_round, session)
    assert problems == ([] if allowed else [
        f"The small-grant threshold ({services.money(threshold)}) must be more than the minimum grant (£2,000) "
        "and no more than the maximum grant (£25,000)"])


def test_the_web_address_must_be_unique_when_published(session, draft_round, open_round):
    """Checked as it stands, even before it is saved."""
    draft_round.slug = open_round.slug
    assert messages(draft_round, session) == [
        "Another round already uses the web address staying-in-school: change this round's web address"]
    draft_round.slug = "draft-round"


def test_a_summary_and_a_support_contact_are_needed(session, draft_round):
    """The prospectus must say what the money is for and how to get help."""
    draft_round.summary = " "
    draft_round.support_contact = ""
    assert messages(draft_round, session) == ["Enter a summary of what the round is for",
                                              "Enter how applicants can contact you for help"]


def test_every_problem_is_listed_at_once(session, bare_draft_round, commissioner):
    """Publication reports everything, so commissioners fix it in one go."""
    bare_draft_round.min_grant_pence = bare_draft_round.budget_pence + 1
    with pytest.raises(RoundProblems) as refused:
        services.publish_round(session, round_=bare_draft_round, by=commissioner, now=utcnow())
    assert [p.message for p in refused.value.problems] == [
        "Enter a summary of what the round is for",
        "Enter how applicants can contact you for help",
        "Enter the deadline for questions",
        "Enter the panel scoring start date",
        "Enter the decision date",
        "The minimum grant (£100,000.01) must not be more than the maximum grant (£25,000)",
        "Add at least one assessment criterion",
        "Add at least one application question",
    ]
    assert [p.task for p in refused.value.problems][-2:] == ["criteria", "questions"]
    assert bare_draft_round.status == RoundStatus.DRAFT and bare_draft_round.published_at is None


def test_the_lifecycle_refuses_moves_it_does_not_allow(draft_round, open_round):
    """One transition function: anything not on the path is a StateTransitionError."""
    with pytest.raises(StateTransitionError, match="still a draft"):
        services.transition_round(draft_round, RoundStatus.CLOSED)
    with pytest.raises(StateTransitionError, match="already been published"):
        services.transition_round(open_round, RoundStatus.PUBLISHED)
    with pytest.raises(StateTransitionError, match="cannot go from open to decided"):
        services.transition_round(open_round, RoundStatus.DECIDED)
    services.transition_round(open_round, RoundStatus.CLOSED)
    assert open_round.status == RoundStatus.CLOSED


# Change summaries -------------------------------------------------------------------------------


def test_date_changes_read_as_plain_english():
    """The brief's example, and dates set or removed."""
    closing = services.DATES[2]
    assert services.describe_change(closing, london(2027, 1, 4), london(2027, 1, 11)) == (
        "Closing date changed from 4 January 2027, 5pm to 11 January 2027, 5pm")
    interviews = services.DATES[4]
    assert services.describe_change(interviews, None, london(2027, 3, 2, 10)) == (
        "Interview date set to 2 March 2027, 10am")
    assert services.describe_change(interviews, london(2027, 3, 2, 10), None) == (
        "Interview date removed (it was 2 March 2027, 10am)")
    assert services.describe_change(closing, london(2027, 1, 4), london(2027, 1, 4)) is None
    assert services.describe_change(closing, london(2027, 1, 4) + timedelta(seconds=42), london(2027, 1, 4)) is None, (
        "Seconds are not typed, so losing them is no change")


def test_summer_time_is_shown_in_london_time():
    """Stored in UTC, described as people in London read it."""
    closing = services.DATES[2]
    utc = datetime(2027, 6, 1, 16, 0, tzinfo=UTC)  # 5pm British Summer Time
    assert services.describe_change(closing, utc, utc + timedelta(days=7)) == (
        "Closing date changed from 1 June 2027, 5pm to 8 June 2027, 5pm")


def test_changes_to_money_and_eligibility_are_described(draft_round):
    """Amounts in pounds; organisation types by name; free text said to be updated."""
    before = RoundDetails.of(draft_round)
    after = RoundDetails(**{**vars(before), "max_grant_pence": 3_000_000, "budget_pence": 12_000_050,
                            "small_grant_threshold_pence": None, "eligible_organisation_types": ["charity", "cic"],
                            "max_income_pounds": None, "must_serve_london": False,
                            "who_cannot_apply": "Schools.", "what_you_need": "Your accounts."})
    assert services.describe_round_changes(before, after) == [
        "Maximum grant changed from £25,000 to £30,000",
        "Small-grant threshold removed (it was £10,000)",
        "Total budget changed from £100,000 to £120,000.50",
        "Organisations that can apply changed from any type of organisation to Registered charity; "
        "Community interest company (CIC)",
        "Maximum annual income removed (it was £250,000)",
        "Groups no longer need to work in a London borough",
        "“Who cannot apply” was updated",
        "“What you will need” was updated",
    ]


def test_changes_nobody_relies_on_are_not_described(draft_round):
    """Title, summary, themes and the support contact can be polished without notice."""
    before = RoundDetails.of(draft_round)
    after = RoundDetails(**{**vars(before), "title": "New title", "summary": "New", "themes": ["online harm"],
                            "support_contact": "Call us", "panellists_per_application": 4})
    assert services.describe_round_changes(before, after) == []


def test_criterion_changes_are_described():
    """Renames, weights, what good looks like and descriptors."""
    before = CriterionDetails(name="Need", weight=60, what_good_looks_like="Clear need",
                              descriptor_1="a", descriptor_2="b", descriptor_3="c", descriptor_4="d", descriptor_5="e")
    after = CriterionDetails(name="Local need", weight=50, what_good_looks_like="Evidence of need",
                             descriptor_1="a", descriptor_2="B", descriptor_3="C", descriptor_4="d", descriptor_5="e")
    assert services.describe_criterion_changes(before, after) == [
        "Criterion “Need” renamed “Local need”",
        "Criterion “Local need” weight changed from 60% to 50%",
        "Criterion “Local need”: what good looks like was updated",
        "Criterion “Local need”: what scores 2 and 3 mean was changed",
    ]
    one = CriterionDetails(**{**vars(before), "descriptor_5": "E"})
    assert services.describe_criterion_changes(before, one) == [
        "Criterion “Need”: what a score of 5 means was changed"]


def test_question_changes_are_described():
    """The brief's example, and every other part of a question."""
    before = QuestionDetails(text="What will you do?", word_limit=300, guidance="Where and when.", required=True,
                             criterion_id=1, asked_of_small_grants=True)
    after = QuestionDetails(text="What will you do, and where?", word_limit=250, guidance="Where, when, who.",
                            required=False, criterion_id=2, asked_of_small_grants=False)
    summaries = services.describe_question_changes(before, after, number=2, criteria={1: "Need", 2: "Change"},
                                                   threshold_pence=1_000_000)
    assert summaries == [
        "Question 2 now reads “What will you do, and where?”",
        "Question 2 guidance was updated",
        "Question 2 word limit changed from 300 to 250 words",
        "Question 2 is now optional",
        "Question 2 is now scored under “Change”",
        "Question 2 is no longer asked of requests below £10,000",
    ]
    back = services.describe_question_changes(after, QuestionDetails(**{**vars(after), "criterion_id": None,
                                                                        "asked_of_small_grants": True}),
                                              number=2, criteria={2: "Change"}, threshold_pence=None)
    assert back == ["Question 2 is no longer scored under “Change”", "Question 2 is now asked of small grants too"]


# Edits after publication ------------------------------------------------------------------------


def test_drafts_record_no_changes(session, draft_round, commissioner):
    """Until the round is public, nobody relies on it."""
    details = RoundDetails(**{**vars(RoundDetails.of(draft_round)),
                              "closes_at": draft_round.closes_at + timedelta(days=7)})
    services.update_round(session, round_=draft_round, details=details, by=commissioner, now=utcnow())
    services.update_question(session, question=draft_round.questions[0], by=commissioner, now=utcnow(),
                             details=QuestionDetails(**{**vars(QuestionDetails.of(draft_round.questions[0])),
                                                        "word_limit": 100}))
    assert changes(session, draft_round) == []
    assert "round.updated" in actions(session) and "question.updated" in actions(session)


def test_editing_a_published_round_logs_each_change_with_who_and_when(session, published_round, commissioner):
    """Every edit path goes through note_change."""
    now = utcnow()
    old_close = published_round.closes_at
    new_close = old_close - timedelta(days=1)
    details = RoundDetails(**{**vars(RoundDetails.of(published_round)), "closes_at": new_close, "title": "Renamed"})
    services.update_round(session, round_=published_round, details=details, by=commissioner, now=now)
    row = session.scalars(select(RoundChange).where(RoundChange.round_id == published_round.id)).one()
    assert row.summary == (f"Closing date changed from {services.date_time(old_close)} to "
                           f"{services.date_time(new_close)}")
    assert row.changed_by_id == commissioner.id and row.changed_at == now


def test_the_question_word_limit_change_names_the_question_number(session, published_round, commissioner):
    """'Question 2 word limit changed from 200 to 250 words'."""
    question = published_round.questions[1]
    services.update_question(session, question=question, by=commissioner, now=utcnow(),
                             details=QuestionDetails(**{**vars(QuestionDetails.of(question)), "word_limit": 250}))
    assert changes(session, published_round) == ["Question 2 word limit changed from 200 to 250 words"]


def test_criteria_added_changed_and_removed_after_publication_are_logged(session, published_round, commissioner):
    """Before the round opens, criteria can still be removed; each step is told to applicants."""
    now = utcnow()
    need = published_round.criteria[0]
    services.update_criterion(session, criterion=need, by=commissioner, now=now,
                              details=CriterionDetails(**{**vars(CriterionDetails.of(need)), "weight": 50}))
    services.add_criterion(session, round_=published_round, by=commissioner, now=now,
                           details=CriterionDetails(name="Youth voice", weight=10, descriptor_1="1",
                                                    descriptor_2="2", descriptor_3="3", descriptor_4="4",
                                                    descriptor_5="5"))
    services.remove_criterion(session, criterion=published_round.criteria[1], by=commissioner, now=now)
    assert changes(session, published_round) == [
        "Criterion “Need” weight changed from 60% to 50%",
        "Criterion “Youth voice” added, worth 10% of the score",
        "Criterion “What will change” removed",
    ]
    assert [c.position for c in published_round.criteria] == [1, 2]
    assert published_round.questions[1].criterion is None, "Questions scored under it are unlinked"


def test_a_published_round_needs_all_descriptors_on_every_save(session, published_round, commissioner):
    """The public reads them, so an empty descriptor cannot be published by an edit."""
    need = published_round.criteria[0]
    with pytest.raises(RoundProblems) as refused:
        services.update_criterion(session, criterion=need, by=commissioner, now=utcnow(),
                                  details=CriterionDetails(**{**vars(CriterionDetails.of(need)), "descriptor_3": ""}))
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("descriptor_3", "Describe what a score of 3 means: the round is published")]


def test_a_published_round_must_stay_publishable_when_its_details_change(session, published_round, commissioner):
    """Dates out of order or a grant above the budget are refused, beside the field."""
    details = RoundDetails(**{**vars(RoundDetails.of(published_round)),
                              "scoring_starts_at": published_round.closes_at - timedelta(days=1),
                              "max_grant_pence": published_round.budget_pence + 100})
    with pytest.raises(RoundProblems) as refused:
        services.update_round(session, round_=published_round, details=details, by=commissioner, now=utcnow())
    assert [p.field for p in refused.value.problems] == ["scoring_starts_at", "max_grant_pence"]
    assert changes(session, published_round) == []


def test_the_web_address_cannot_change_after_publication(session, published_round, commissioner):
    """People have links to it."""
    details = RoundDetails(**{**vars(RoundDetails.of(published_round)), "slug": "a-new-address"})
    with pytest.raises(ValidationError, match="cannot change once the round is published") as refused:
        services.update_round(session, round_=published_round, details=details, by=commissioner, now=utcnow())
    assert refused.value.field == "slug"


def test_removing_criteria_or_questions_is_refused_once_the_round_has_opened(session, open_round, commissioner):
    """Applicants may already be writing to them."""
    with pytest.raises(ValidationError, match="cannot remove a criterion once the round has opened"):
        services.remove_criterion(session, criterion=open_round.criteria[0], by=commissioner, now=utcnow())
    with pytest.raises(ValidationError, match="cannot remove a question once the round has opened"):
        services.remove_question(session, question=open_round.questions[0], by=commissioner, now=utcnow())
    assert len(open_round.criteria) == 2 and len(open_round.questions) == 2


def test_a_published_round_past_its_opening_time_counts_as_open(session, published_round, commissioner):
    """The status may lag the dates; the opening time decides."""
    after_opening = published_round.opens_at + timedelta(minutes=1)
    assert services.question_removal_problem(published_round.questions[0], now=after_opening)
    assert services.question_removal_problem(published_round.questions[0], now=published_round.opens_at
                                             - timedelta(minutes=1)) is None


def test_questions_removed_or_moved_after_publication_are_logged(session, published_round, commissioner):
    """Question numbers change, so applicants are told."""
    now = utcnow()
    services.move_question(session, question=published_round.questions[1], direction="up", by=commissioner, now=now)
    services.remove_question(session, question=published_round.questions[1], by=commissioner, now=now)
    assert changes(session, published_round) == [
        "Question 2 (“How will you keep young people safe?”) is now question 1",
        "Question 2 removed: “What will you do?”",
    ]


def test_moving_criteria_and_faqs_reorders_without_a_public_note(session, published_round, commissioner):
    """The order of criteria changes no score."""
    first, second = published_round.criteria
    services.move_criterion(session, criterion=second, direction="up", by=commissioner)
    assert published_round.criteria == [second, first] and (second.position, first.position) == (1, 2)
    services.move_criterion(session, criterion=second, direction="up", by=commissioner)  # already first
    assert second.position == 1
    services.add_faq(session, round_=published_round, by=commissioner,
                     details=services.FaqDetails(question="Q1", answer="A1"))
    faq = services.add_faq(session, round_=published_round, by=commissioner,
                           details=services.FaqDetails(question="Q2", answer="A2"))
    services.move_faq(session, faq=faq, direction="up", by=commissioner)
    assert [f.question for f in published_round.faqs] == ["Q2", "Q1"]
    assert changes(session, published_round) == []
    assert actions(session).count("criterion.moved") == 1


def test_question_criteria_must_belong_to_the_round(session, draft_round, open_round, commissioner):
    """A question cannot inform another round's criterion."""
    with pytest.raises(ValidationError) as refused:
        services.add_question(session, round_=draft_round, by=commissioner, now=utcnow(),
                              details=QuestionDetails(text="Q", word_limit=100,
                                                      criterion_id=open_round.criteria[0].id))
    assert refused.value.field == "criterion_id"


def test_criteria_names_are_unique_within_a_round(session, draft_round, commissioner):
    """Otherwise questions could not say which one they inform."""
    with pytest.raises(ValidationError, match="already has a criterion called “need”"):
        services.add_criterion(session, round_=draft_round, by=commissioner, now=utcnow(),
                               details=CriterionDetails(name="need", weight=10))


# Funds and rounds -------------------------------------------------------------------------------


def test_fund_rules(session, open_round, empty_fund, commissioner):
    """Kebab-case address, 2-6 capital letters, unique; the prefix is fixed once a round is published."""
    def details(**changes):
        return FundDetails(**{"name": "Fund", "slug": "new-fund", "reference_prefix": "NEW", **changes})

    for bad, field, message in [
        (details(slug="New Fund"), "slug", "lower-case letters and numbers joined by hyphens"),
        (details(reference_prefix="N"), "reference_prefix", "2 to 6 capital letters"),
        (details(reference_prefix="NEWFUND"), "reference_prefix", "2 to 6 capital letters"),
        (details(reference_prefix="N3W"), "reference_prefix", "2 to 6 capital letters"),
        (details(slug=empty_fund.slug), "slug", "Another fund already uses the web address"),
        (details(reference_prefix="YLF"), "reference_prefix", "Youth Leadership Fund already uses the reference prefix YLF"),
    ]:
        with pytest.raises(ValidationError, match=message) as refused:
            services.create_fund(session, details=bad, by=commissioner)
        assert refused.value.field == field
    fund = services.create_fund(session, details=details(), by=commissioner)
    assert fund.reference_prefix == "NEW" and "fund.created" in actions(session)
    with pytest.raises(ValidationError, match="references already start with YLF"):
        services.update_fund(session, fund=open_round.fund, by=commissioner,
                             details=details(slug=open_round.fund.slug, reference_prefix="YLFX"))


def test_a_round_is_created_as_a_draft_with_an_audit_event(session, empty_fund, open_round, commissioner):
    """Creating never publishes; the address must be new."""
    details = RoundDetails(title="Safer streets", slug="safer-streets", opens_at=london(2027, 2, 1, 9),
                           closes_at=london(2027, 3, 1), min_grant_pence=100_000, max_grant_pence=500_000,
                           budget_pence=5_000_000, themes=["online harm"])
    round_ = services.create_round(session, fund_id=empty_fund.id, details=details, by=commissioner)
    assert round_.status == RoundStatus.DRAFT and round_.fund == empty_fund and round_.published_at is None
    assert "round.created" in actions(session)
    with pytest.raises(ValidationError, match="Another round already uses the web address staying-in-school"):
        services.create_round(session, fund_id=empty_fund.id, by=commissioner,
                              details=RoundDetails(**{**vars(details), "slug": open_round.slug}))
    with pytest.raises(ValidationError, match="Choose themes from the list"):
        services.create_round(session, fund_id=empty_fund.id, by=commissioner,
                              details=RoundDetails(**{**vars(details), "slug": "x", "themes": ["knife crime"]}))


def test_the_theme_list_is_the_funders_six_priorities():
    """Fixed, and stored as written."""
    assert services.THEMES == ("adverse childhood experiences and resilience", "school exclusions", "online harm",
                               "critical thinking", "community mediation", "all forms of violence")


# Typed times ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [
    ("5pm", time(17)), ("5 PM", time(17)), ("5:30pm", time(17, 30)), ("9.15am", time(9, 15)), ("17:00", time(17)),
    ("09:05", time(9, 5)), ("12pm", time(12)), ("12am", time(0)), ("midday", time(12)), ("midnight", time(0)),
    ("5 p.m.", time(17)),
])
def test_times_are_read_as_people_write_them(typed, expected):
    """12-hour and 24-hour clocks."""
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["5", "25:00", "13pm", "0am", "5:60pm", "soon", ""])
def test_unclear_times_are_refused(typed):
    """A bare hour could be morning or evening."""
    with pytest.raises(ValueError):
        parse_time(typed)


def test_the_overview_of_a_round_past_its_closing_date_is_not_marked_incomplete(session, commissioner):
    """The 'closing date has passed' rule is about publishing, not about rounds already public."""
    closed = make_round(session, slug="closed", status=RoundStatus.CLOSED, opens_in_days=-60, closes_in_days=-1,
                        question_deadline=utcnow() - timedelta(days=10))
    overview = services.round_overview(session, round_=closed, by=commissioner, now=utcnow())
    assert overview.problems == []
    assert [(t.name, t.status) for t in overview.tasks][0] == ("Round details", "Completed")
    assert overview.tasks[-1].status == "Completed"


@pytest.mark.parametrize("status", [RoundStatus.DECIDED, RoundStatus.DECISIONS_PUBLISHED])
def test_budget_and_promised_date_are_fixed_once_decisions_are_made(session, commissioner, status):
    """The public results compare awards with the budget and publication with the promised date."""
    from dataclasses import replace

    from portal.commissioning.round_services import RoundDetails, RoundProblems, update_round
    from tests.conftest import make_round

    round_ = make_round(session, slug=f"decided-{status.replace('_', '-')}", status=status, opens_in_days=-90,
                        closes_in_days=-60)
    details = RoundDetails.of(round_)
    with pytest.raises(RoundProblems) as refused:
        update_round(session, round_=round_, by=commissioner, now=utcnow(),
                     details=replace(details, budget_pence=round_.budget_pence + 100,
                                     decisions_by=round_.decisions_by + timedelta(days=5)))
    fields = {p.field for p in refused.value.problems}
    assert fields == {"budget_pence", "decisions_by"}
    update_round(session, round_=round_, by=commissioner, now=utcnow(), details=replace(details, summary="New words"))
    assert round_.summary == "New words"
