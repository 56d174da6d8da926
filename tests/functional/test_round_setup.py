"""Commissioners set up a round: funds, details, criteria, questions, FAQs, preview and publication."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.formatting import LONDON, date_time
from portal.models import AuditEvent, Criterion, Faq, Fund, Question, Round, RoundChange, RoundStatus, utcnow
from tests.conftest import make_round

NEXT_YEAR = str(utcnow().year + 1)


def audit_actions(session) -> list[str]:
    """Every audit action recorded, oldest first."""
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def round_form(fund: Fund | None = None, **changes) -> dict:
    """A complete, valid round details form as a browser would post it."""
    data = {
        "title": "Safer streets", "slug": "safer-streets", "summary": "Money for street-based youth work.",
        "aims": "Fewer young people hurt.", "themes": ["online harm", "community mediation"],
        "eligible_organisation_types": ["unregistered", "charity"], "max_income_pounds": "£250,000",
        "must_serve_london": "True", "who_cannot_apply": "Individuals.",
        "min_grant_pence": "£2,000", "max_grant_pence": "25000", "small_grant_threshold_pence": "10000.50",
        "budget_pence": "100,000", "panellists_per_application": "3",
        "opens_at": ["4", "1", NEXT_YEAR, "9am"], "question_deadline": ["25", "1", NEXT_YEAR, "5pm"],
        "closes_at": ["1", "2", NEXT_YEAR, "5pm"], "scoring_starts_at": ["8", "2", NEXT_YEAR, "9am"],
        "interviews_at": ["1", "3", NEXT_YEAR, "10am"], "decisions_by": ["15", "3", NEXT_YEAR, "5pm"],
        "what_you_need": "Your bank details.", "support_contact": "grants@example.org, weekdays 9am to 5pm",
    }
    if fund is not None:
        data["fund_id"] = str(fund.id)
    data.update(changes)
    return data


def date_parts(page, name: str) -> list[str]:
    """Day, month, year and time as a date-and-time field shows them."""
    return [page.soup.select_one(f"#{name}-{part}")["value"] for part in ("day", "month", "year", "time")]


def checked(page, name: str) -> set[str]:
    """The ticked values of a group of checkboxes or radios."""
    return {i["value"] for i in page.soup.select(f"input[name={name}][checked]")}


# The commissioners' list of rounds and funds ---------------------------------------------------


def test_the_list_of_rounds_links_each_round_to_its_set_up_and_offers_a_new_one(commissioner_client, open_round,
                                                                               draft_round):
    """Every round's title leads to its overview page."""
    page = commissioner_client.page("/commissioning")
    links = {a.get_text(strip=True): a["href"] for a in page.soup.select("main a")}
    assert links["Staying in school"] == f"/commissioning/rounds/{open_round.id}"
    assert links["Draft round"] == f"/commissioning/rounds/{draft_round.id}"
    assert links["Create a round"] == "/commissioning/rounds/new"
    assert links["Funds"] == "/commissioning/funds"


def test_a_commissioner_creates_and_changes_a_fund(commissioner_client, session):
    """The prefix is taken in capitals; the list shows the fund."""
    page = commissioner_client.submit("/commissioning/funds/new", {
        "name": "Safer Streets Fund", "slug": "safer-streets-fund", "reference_prefix": "ssf",
        "description": "Street-based youth work."}, follow=True)
    assert "Safer Streets Fund created" in page.text()
    fund = session.scalars(select(Fund).where(Fund.slug == "safer-streets-fund")).one()
    assert fund.reference_prefix == "SSF"
    assert "Safer Streets Fund SSF 0" in page.text()
    edit = commissioner_client.page(f"/commissioning/funds/{fund.id}/edit")
    assert edit.h1 == "Change the fund" and edit.value_of("reference_prefix") == "SSF"
    commissioner_client.submit(f"/commissioning/funds/{fund.id}/edit", {
        "name": "Safe Streets Fund", "slug": "safer-streets-fund", "reference_prefix": "SSF"})
    session.refresh(fund)
    assert fund.name == "Safe Streets Fund"
    assert audit_actions(session)[-2:] == ["fund.created", "fund.updated"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter the name of the fund"),
    ({"slug": ""}, "slug", "Enter the web address of the fund"),
    ({"slug": "Safer Streets"}, "slug",
     "The web address of the fund must be lower-case letters and numbers joined by hyphens, like staying-in-school"),
    ({"slug": "fund-for-staying-in-school"}, "slug",
     "Another fund already uses the web address fund-for-staying-in-school: choose a different one"),
    ({"reference_prefix": ""}, "reference_prefix", "Enter the reference prefix, like YLF"),
    ({"reference_prefix": "S1"}, "reference_prefix", "The reference prefix must be 2 to 6 capital letters, like YLF"),
    ({"reference_prefix": "ylf"}, "reference_prefix",
     "Youth Leadership Fund already uses the reference prefix YLF: choose a different one, so that application "
     "references stay unique"),
])
def test_each_fund_mistake_gets_its_message_and_keeps_what_was_typed(commissioner_client, open_round, changes,
                                                                     field, message):
    """Beside the field and in the summary, with an 'Error: ' title."""
    data = {"name": "Safer Streets Fund", "slug": "safer-streets-fund", "reference_prefix": "SSF",
            "description": "Street work.", **changes}
    page = commissioner_client.submit("/commissioning/funds/new", data)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error(field) == message
    assert message in page.error_summary()
    assert page.soup.select_one("textarea#description").get_text() == "Street work."
    assert page.value_of("name") == data["name"]


# Creating and editing a round ------------------------------------------------------------------


def test_a_commissioner_creates_a_draft_round_with_money_in_pounds_and_times_in_london(
        commissioner_client, empty_fund, session):
    """"£2,000", "25000" and "10000.50" become pence; 9am in January is 9am UTC, in summer it is 8am UTC."""
    page = commissioner_client.page(f"/commissioning/rounds/new?fund={empty_fund.id}")
    assert page.h1 == "Create a round"
    assert page.soup.select_one("#fund_id option[selected]")["value"] == str(empty_fund.id)
    response = commissioner_client.submit("/commissioning/rounds/new", round_form(
        empty_fund, interviews_at=["1", "6", NEXT_YEAR, "10:30am"], decisions_by=["2", "6", NEXT_YEAR, "17:00"]))
    round_ = session.scalars(select(Round).where(Round.slug == "safer-streets")).one()
    assert response.response.location == f"/commissioning/rounds/{round_.id}"
    assert round_.status == RoundStatus.DRAFT and round_.fund == empty_fund
    assert (round_.min_grant_pence, round_.max_grant_pence, round_.small_grant_threshold_pence,
            round_.budget_pence, round_.max_income_pounds) == (200_000, 2_500_000, 1_000_050, 10_000_000, 250_000)
    assert round_.opens_at.astimezone(LONDON).strftime("%d %m %H:%M") == "04 01 09:00"
    assert round_.opens_at.utcoffset() == timedelta(0) and round_.opens_at.hour == 9
    assert round_.interviews_at.hour == 9 and round_.interviews_at.minute == 30, "10:30am in June is 9:30 UTC"
    assert round_.themes == ["online harm", "community mediation"]
    assert round_.eligible_organisation_types == ["unregistered", "charity"]
    assert "round.created" in audit_actions(session)
    overview = commissioner_client.page(response.response.location)
    assert "Safer streets created as a draft" in overview.text()
    assert "Status Draft" in overview.text()


def test_creating_a_round_needs_a_fund_first(commissioner_client):
    """With no funds, the page says so and links to creating one."""
    page = commissioner_client.page("/commissioning/rounds/new")
    assert "there are no funds yet" in page.text()
    assert page.soup.find("a", string="Create a fund first")["href"] == "/commissioning/funds/new"
    assert page.soup.select_one("form[action='/commissioning/rounds/new']") is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"fund_id": ""}, "fund_id", "Choose the fund this round belongs to"),
    ({"title": ""}, "title", "Enter the title of the round"),
    ({"slug": ""}, "slug", "Enter the web address of the round"),
    ({"slug": "Safer_Streets"}, "slug",
     "The web address of the round must be lower-case letters and numbers joined by hyphens, like staying-in-school"),
    ({"slug": "staying-in-school"}, "slug",
     "Another round already uses the web address staying-in-school: choose a different one"),
    ({"min_grant_pence": ""}, "min_grant_pence", "Enter the minimum grant"),
    ({"min_grant_pence": "two thousand"}, "min_grant_pence",
     "Enter the minimum grant in pounds, like 8,000 or 8000.50"),
    ({"max_grant_pence": "25000.505"}, "max_grant_pence",
     "Enter the maximum grant in pounds, like 8,000 or 8000.50"),
    ({"budget_pence": "0"}, "budget_pence", "The total budget must be more than £0"),
    ({"small_grant_threshold_pence": "-5"}, "small_grant_threshold_pence",
     "Enter the small-grant threshold in pounds, like 8,000 or 8000.50"),
    ({"max_income_pounds": "250000.50"}, "max_income_pounds", "The maximum annual income must be a whole number"),
    ({"panellists_per_application": "0"}, "panellists_per_application",
     "The number of panellists must be between 1 and 12"),
    ({"panellists_per_application": "three"}, "panellists_per_application",
     "The number of panellists must be a whole number"),
    ({"opens_at": ["", "", "", ""]}, "opens_at", "Enter the opening date"),
    ({"closes_at": ["1", "", NEXT_YEAR, ""]}, "closes_at", "The closing date must include a month and a time"),
    ({"closes_at": ["31", "2", NEXT_YEAR, "5pm"]}, "closes_at", "The closing date must be a real date"),
    ({"closes_at": ["1", "2", "27", "5pm"]}, "closes_at", "The year of the closing date must include 4 numbers, like 2027"),
    ({"question_deadline": ["25", "1", NEXT_YEAR, "5"]}, "question_deadline",
     "Enter the time for the deadline for questions like 5pm, 9:30am or 17:30"),
])
def test_each_round_mistake_gets_its_message_and_nothing_typed_is_lost(commissioner_client, open_round,
                                                                      empty_fund, changes, field, message):
    """The message sits beside the field and in the summary; every other answer is still there."""
    page = commissioner_client.submit("/commissioning/rounds/new", round_form(empty_fund, **changes))
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error(field) == message
    assert message in page.error_summary()
    typed = round_form(empty_fund, **changes)
    assert page.value_of("title") == typed["title"]
    assert page.value_of("summary") == typed["summary"]
    assert page.value_of("min_grant_pence") == typed["min_grant_pence"]
    assert date_parts(page, "closes_at") == typed["closes_at"]
    assert date_parts(page, "question_deadline") == typed["question_deadline"]
    assert checked(page, "themes") == {"online harm", "community mediation"}
    assert checked(page, "eligible_organisation_types") == {"unregistered", "charity"}


def test_the_details_page_shows_the_round_as_saved(commissioner_client, draft_round):
    """Money with commas, dates split into boxes in London time, choices ticked."""
    page = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}/details")
    assert page.h1 == "Round details"
    assert page.value_of("min_grant_pence") == "2,000"
    assert page.value_of("budget_pence") == "100,000"
    assert page.value_of("max_income_pounds") == "250,000"
    local = draft_round.closes_at.astimezone(LONDON)
    assert date_parts(page, "closes_at") == [str(local.day), str(local.month), str(local.year),
                                             date_time(draft_round.closes_at).rpartition(", ")[2]]
    assert checked(page, "themes") == {"school exclusions"}
    assert checked(page, "must_serve_london") == {"True"}
    assert page.soup.select_one("#fund_id") is None, "A round cannot move to another fund"


def test_saving_a_drafts_details_records_no_public_change(commissioner_client, draft_round, session):
    """Drafts can be changed freely."""
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/details",
                                      round_form(slug="draft-round", must_serve_london="False",
                                                 eligible_organisation_types=[]), follow=True)
    assert "Round details saved" in page.text()
    session.refresh(draft_round)
    assert draft_round.title == "Safer streets" and draft_round.must_serve_london is False
    assert draft_round.eligible_organisation_types == []
    assert session.scalars(select(RoundChange)).all() == []
    assert "round.updated" in audit_actions(session)


def test_editing_a_published_round_tells_applicants_what_changed(commissioner_client, published_round, session):
    """The change log shows on the overview page, worded for applicants."""
    form = round_form(slug="published-round")
    page = commissioner_client.page(f"/commissioning/rounds/{published_round.id}/details")
    assert "This round is published" in page.text()
    old_close = published_round.closes_at
    page = commissioner_client.submit(f"/commissioning/rounds/{published_round.id}/details", form, follow=True)
    assert page.h1 == "Safer streets"
    session.refresh(published_round)
    summaries = [c.summary for c in published_round.changes]
    assert f"Closing date changed from {date_time(old_close)} to 1 February {NEXT_YEAR}, 5pm" in summaries
    assert "Small-grant threshold changed from £10,000 to £10,000.50" in summaries
    assert ("Organisations that can apply changed from any type of organisation to Unregistered community group "
            "or club; Registered charity") in summaries
    assert "“What you will need” was updated" in summaries
    assert not any(s.startswith(("Minimum grant", "Maximum grant", "Total budget")) for s in summaries), (
        "Amounts typed differently but equal (£2,000 and 2000) are not changes")
    assert f"Closing date changed from {date_time(old_close)} to 1 February {NEXT_YEAR}, 5pm" in page.text()


def test_a_published_round_refuses_dates_out_of_order_beside_the_field(commissioner_client, published_round, session):
    """It must stay publishable: the message says what is wrong and nothing is saved or logged."""
    form = round_form(slug="published-round", scoring_starts_at=["1", "2", NEXT_YEAR, "5pm"])
    page = commissioner_client.submit(f"/commissioning/rounds/{published_round.id}/details", form)
    assert page.field_error("scoring_starts_at") == (
        f"The panel scoring start date (1 February {NEXT_YEAR}, 5pm) must be after the closing date "
        f"(1 February {NEXT_YEAR}, 5pm)")
    assert date_parts(page, "scoring_starts_at") == ["1", "2", NEXT_YEAR, "5pm"]
    session.refresh(published_round)
    assert published_round.changes == [] and published_round.title == "Published round"


def test_round_dates_cannot_move_past_the_date_scores_are_due(commissioner_client, published_round, session):
    """Scores are due between the scoring start and the decision date; moving either past it says what to do."""
    published_round.scores_due_at = datetime(int(NEXT_YEAR), 3, 1, 23, 59, tzinfo=LONDON)
    session.flush()
    form = round_form(slug="published-round", interviews_at=["20", "2", NEXT_YEAR, "10am"],
                      decisions_by=["28", "2", NEXT_YEAR, "5pm"])
    page = commissioner_client.submit(f"/commissioning/rounds/{published_round.id}/details", form)
    assert page.status == 200 and page.title.startswith("Error: ")
    assert page.field_error("decisions_by") == (
        f"The date scores are due must be before decisions are due on 28 February {NEXT_YEAR}. Scores are due on "
        f"1 March {NEXT_YEAR} (in the panel settings): change that date first, or choose a date that leaves it in "
        "between")
    assert date_parts(page, "decisions_by") == ["28", "2", NEXT_YEAR, "5pm"]
    session.refresh(published_round)
    assert published_round.changes == [] and published_round.title == "Published round"
    # A decision date after it is saved.
    assert commissioner_client.submit(f"/commissioning/rounds/{published_round.id}/details",
                                      round_form(slug="published-round")).status == 302


def test_how_long_grants_last_is_saved_shown_in_the_prospectus_and_checked(commissioner_client, published_round,
                                                                          client, session):
    url = f"/commissioning/rounds/{published_round.id}/details"
    page = commissioner_client.submit(url, round_form(slug="published-round", grant_months="61"))
    assert page.field_error("grant_months") == "The length of grants must be between 1 and 60 months"
    assert page.value_of("grant_months") == "61"
    assert commissioner_client.submit(url, round_form(slug="published-round", grant_months="18 months")).status == 302
    session.refresh(published_round)
    assert published_round.grant_months == 18
    assert "Length of grants set to 18 months" in [c.summary for c in published_round.changes]
    prospectus = client.page(f"/rounds/{published_round.slug}")
    assert prospectus.soup.select_one("#grant-length").get_text(strip=True) == (
        "Grants last 18 months from the date of the award.")


def test_a_published_rounds_web_address_cannot_change(commissioner_client, published_round):
    """People have links to it."""
    page = commissioner_client.submit(f"/commissioning/rounds/{published_round.id}/details",
                                      round_form(slug="something-else"))
    assert page.field_error("slug") == ("The web address cannot change once the round is published, because "
                                        "people have links to /rounds/published-round")


# The overview and publication ------------------------------------------------------------------


def set_up_list(page):
    """The set-up task list (the round's stages come first, in a task list of their own)."""
    return page.soup.select_one("#set-up").find_next("ul", class_="govuk-task-list")


def tasks(page) -> dict[str, str]:
    """Task name -> status, from the GOV.UK task list."""
    return {item.select_one(".govuk-task-list__name-and-hint a").get_text(strip=True):
            item.select_one(".govuk-task-list__status").get_text(" ", strip=True)
            for item in set_up_list(page).select(".govuk-task-list__item")}


def test_the_overview_shows_the_task_list_with_statuses_and_links(commissioner_client, bare_draft_round,
                                                                  draft_round):
    """A bare draft has work to do; a complete draft is ready to publish."""
    page = commissioner_client.page(f"/commissioning/rounds/{bare_draft_round.id}")
    assert page.h1 == "Bare draft"
    assert tasks(page) == {
        "Round details": "Incomplete", "Assessment criteria": "Not yet started",
        "Application questions": "Not yet started", "Frequently asked questions": "Not yet started",
        "Preview the prospectus": "Available", "Publish the round": "Cannot start yet"}
    links = {a.get_text(strip=True): a["href"] for a in set_up_list(page).select("a")}
    base = f"/commissioning/rounds/{bare_draft_round.id}"
    assert links == {"Round details": f"{base}/details", "Assessment criteria": f"{base}/criteria",
                     "Application questions": f"{base}/application-questions",
                     "Frequently asked questions": f"{base}/faqs", "Preview the prospectus": f"{base}/preview",
                     "Publish the round": "#publish"}
    assert "Status Draft" in page.text()
    ready = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}")
    assert tasks(ready) == {
        "Round details": "Completed", "Assessment criteria": "Completed", "Application questions": "Completed",
        "Frequently asked questions": "Not yet started", "Preview the prospectus": "Available",
        "Publish the round": "Not yet started"}


def test_publishing_a_complete_draft(commissioner_client, draft_round, session):
    """It becomes public; the overview says so and links to the prospectus."""
    response = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/publish",
                                          token_from=f"/commissioning/rounds/{draft_round.id}")
    assert response.response.location == f"/commissioning/rounds/{draft_round.id}"
    session.refresh(draft_round)
    assert draft_round.status == RoundStatus.PUBLISHED and draft_round.published_at is not None
    page = commissioner_client.page(response.response.location)
    assert "Draft round is published. Anyone can now read its prospectus" in page.text()
    assert "Status Published, not yet open" in page.text()
    assert tasks(page)["Publish the round"] == "Completed"
    assert page.soup.find("a", string="Read the public prospectus")["href"] == "/rounds/draft-round"
    assert "round.published" in audit_actions(session)
    assert commissioner_client.page("/rounds/draft-round").status == 200


def test_publishing_lists_every_problem_at_once_in_an_error_summary(commissioner_client, bare_draft_round, session):
    """Each problem links to where it is fixed; nothing is published."""
    page = commissioner_client.submit(f"/commissioning/rounds/{bare_draft_round.id}/publish",
                                      token_from=f"/commissioning/rounds/{bare_draft_round.id}")
    assert page.status == 200 and page.title.startswith("Error: Bare draft")
    assert page.error_summary() == [
        "Enter a summary of what the round is for",
        "Enter how applicants can contact you for help",
        "Enter the deadline for questions",
        "Enter the panel scoring start date",
        "Enter the decision date",
        "Add at least one assessment criterion",
        "Add at least one application question",
    ]
    assert "Fix these 7 problems, then publish again." in page.text()
    hrefs = [a["href"] for a in page.soup.select(".govuk-error-summary a")]
    base = f"/commissioning/rounds/{bare_draft_round.id}"
    assert hrefs[0] == f"{base}/details#summary" and hrefs[2] == f"{base}/details#question_deadline"
    assert hrefs[-2:] == [f"{base}/criteria", f"{base}/application-questions"]
    session.refresh(bare_draft_round)
    assert bare_draft_round.status == RoundStatus.DRAFT and "round.published" not in audit_actions(session)


def _question_deadline_at_opening(round_) -> str:
    """Break 'opens < question deadline' and say how it reads."""
    round_.question_deadline = round_.opens_at
    moment = date_time(round_.opens_at)
    return f"The deadline for questions ({moment}) must be after the opening date ({moment})"


def _min_above_max(round_) -> str:
    """Break 'min grant <= max grant'."""
    round_.min_grant_pence, round_.small_grant_threshold_pence = round_.max_grant_pence + 1, None
    return "The minimum grant (£25,000.01) must not be more than the maximum grant (£25,000)"


def _weights_to_90(round_) -> str:
    """Break 'weights sum to 100'."""
    round_.criteria[1].weight = 30
    return "The weights of the assessment criteria add up to 90%. They must add up to 100%"


def _descriptor_missing(round_) -> str:
    """Break 'all five descriptors'."""
    round_.criteria[0].descriptor_3 = ""
    return "Criterion “Need” needs a descriptor for a score of 3"


def _max_above_budget(round_) -> str:
    """Break 'max grant <= budget'."""
    round_.max_grant_pence = round_.budget_pence + 1
    return "The maximum grant (£100,000.01) must not be more than the total budget (£100,000)"


def _threshold_at_minimum(round_) -> str:
    """Break 'threshold inside the range'."""
    round_.small_grant_threshold_pence = round_.min_grant_pence
    return ("The small-grant threshold (£2,000) must be more than the minimum grant (£2,000) and no more than the "
            "maximum grant (£25,000)")


@pytest.mark.parametrize("break_rule", [_question_deadline_at_opening, _min_above_max, _weights_to_90,
                                        _descriptor_missing, _max_above_budget, _threshold_at_minimum])
def test_each_publication_rule_is_shown_on_the_overview(commissioner_client, draft_round, session, break_rule):
    """One broken rule, one message in the summary, and the round stays a draft."""
    expected = break_rule(draft_round)
    session.flush()
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/publish",
                                      token_from=f"/commissioning/rounds/{draft_round.id}")
    assert page.error_summary() == [expected]
    assert "Fix this problem, then publish again." in page.text()
    session.refresh(draft_round)
    assert draft_round.status == RoundStatus.DRAFT


def test_publishing_twice_is_refused_with_a_message(commissioner_client, open_round):
    """The summary says when it was published."""
    page = commissioner_client.submit(f"/commissioning/rounds/{open_round.id}/publish",
                                      token_from=f"/commissioning/rounds/{open_round.id}")
    assert page.error_summary() == [f"This round was already published on {open_round.published_at.day} "
                                    f"{open_round.published_at.astimezone(LONDON):%B %Y}"]


def test_the_preview_is_the_public_prospectus_with_a_banner(commissioner_client, client, draft_round):
    """Exactly the public page, marked as a preview; the public still cannot see the draft."""
    page = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}/preview")
    assert page.status == 200 and page.h1 == "Draft round"
    assert "This is a preview" in page.text()
    assert "How applications are scored" in page.text() and "Need (60% of the score)" in page.text()
    assert client.page("/rounds/draft-round").status == 404


# Criteria ---------------------------------------------------------------------------------------


def criterion_form(**changes) -> dict:
    """A complete criterion."""
    return {"name": "Youth voice", "what_good_looks_like": "Young people shape the work.", "weight": "20",
            "descriptor_1": "Not at all", "descriptor_2": "A little", "descriptor_3": "Some",
            "descriptor_4": "Mostly", "descriptor_5": "Led by young people", **changes}


def test_criteria_are_added_edited_and_shown_with_the_running_total(commissioner_client, draft_round, session):
    """60 + 40 + 20 = 120%: the page says to take 20% away."""
    page = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}/criteria/new")
    assert page.h1 == "Add a criterion"
    assert "The other criteria add up to 100%." in page.text()
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/criteria/new", criterion_form(),
                                      follow=True)
    assert page.h1 == "Assessment criteria"
    assert "Criterion “Youth voice” added" in page.text()
    assert "The weights add up to 120%" in page.text()
    assert "They must add up to 100% before you can publish the round (take away 20%)" in page.text()
    need = draft_round.criteria[0]
    edit = commissioner_client.page(f"/commissioning/criteria/{need.id}/edit")
    assert edit.value_of("weight") == "60" and edit.value_of("descriptor_5") == "Strong"
    assert "The other criteria add up to 60%, so this one needs 40% to make 100%." in edit.text()
    page = commissioner_client.submit(f"/commissioning/criteria/{need.id}/edit",
                                      criterion_form(name="Need", weight="40%"), follow=True)
    assert "The weights add up to 100%" in page.text() and "must add up" not in page.text()
    session.refresh(need)
    assert need.weight == 40 and need.descriptor_5 == "Led by young people"
    assert {"criterion.added", "criterion.updated"} <= set(audit_actions(session))


def test_a_criterion_may_be_saved_without_descriptors_while_the_round_is_a_draft(commissioner_client, draft_round):
    """The page shows how many of the five are described."""
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/criteria/new",
                                      criterion_form(descriptor_2="", descriptor_4=""), follow=True)
    assert "3 of 5 described" in page.text()
    assert "Not described yet" in page.text()


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter the name of the criterion"),
    ({"name": "need"}, "name", "This round already has a criterion called “need”"),
    ({"weight": ""}, "weight", "Enter the weight"),
    ({"weight": "twenty"}, "weight", "The weight must be a whole number"),
    ({"weight": "12.5"}, "weight", "The weight must be a whole number"),
    ({"weight": "0"}, "weight", "The weight must be between 1 and 100%"),
    ({"weight": "101"}, "weight", "The weight must be between 1 and 100%"),
])
def test_each_criterion_mistake_gets_its_message(commissioner_client, draft_round, changes, field, message):
    """Nothing typed is lost."""
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/criteria/new",
                                      criterion_form(**changes))
    assert page.field_error(field) == message and message in page.error_summary()
    assert page.value_of("descriptor_5") == "Led by young people"
    assert page.value_of("weight") == criterion_form(**changes)["weight"]


def test_a_published_round_needs_every_descriptor(commissioner_client, published_round):
    """Each empty descriptor is named beside its box."""
    page = commissioner_client.submit(f"/commissioning/rounds/{published_round.id}/criteria/new",
                                      criterion_form(descriptor_1="", descriptor_4=""))
    assert page.field_error("descriptor_1") == "Describe what a score of 1 means: the round is published"
    assert page.field_error("descriptor_4") == "Describe what a score of 4 means: the round is published"
    assert page.value_of("name") == "Youth voice"


def test_criteria_are_moved_and_removed_in_a_draft(commissioner_client, draft_round, session):
    """Moving swaps neighbours; removing asks first and unlinks its questions."""
    need, change = draft_round.criteria
    need_id = need.id
    response = commissioner_client.submit(f"/commissioning/criteria/{change.id}/move", {"direction": "up"},
                                          token_from=f"/commissioning/rounds/{draft_round.id}/criteria")
    assert response.response.location == f"/commissioning/rounds/{draft_round.id}/criteria#criterion-{change.id}"
    session.refresh(draft_round)
    assert [c.name for c in draft_round.criteria] == ["What will change", "Need"]
    confirm = commissioner_client.page(f"/commissioning/criteria/{need.id}/remove")
    assert confirm.h1 == "Remove this criterion?" and "Need" in confirm.text()
    page = commissioner_client.submit(f"/commissioning/criteria/{need.id}/remove", follow=True)
    assert "Criterion “Need” removed" in page.text()
    assert session.scalar(select(Criterion).where(Criterion.id == need_id)) is None
    assert session.scalars(select(Question).where(Question.round_id == draft_round.id)).first().criterion_id is None
    assert {"criterion.moved", "criterion.removed"} <= set(audit_actions(session))


def test_a_criterion_cannot_be_removed_once_the_round_has_opened(commissioner_client, open_round, session):
    """The page explains why and offers no button; a POST is refused the same way."""
    need = open_round.criteria[0]
    page = commissioner_client.page(f"/commissioning/criteria/{need.id}/remove")
    assert page.h1 == "You cannot remove this criterion"
    assert ("You cannot remove a criterion once the round has opened: applicants may already be writing their "
            "answers to it. You can change its wording or weight instead") in page.text()
    assert page.soup.find("button", string="Yes, remove it") is None
    refused = commissioner_client.submit(f"/commissioning/criteria/{need.id}/remove",
                                         token_from=f"/commissioning/rounds/{open_round.id}")
    assert refused.status == 200 and refused.h1 == "You cannot remove this criterion"
    assert session.get(Criterion, need.id) is not None


def test_changing_a_published_criterion_is_logged_for_applicants(commissioner_client, published_round, session):
    """Weight and descriptor changes are listed on the prospectus."""
    need = published_round.criteria[0]
    commissioner_client.submit(f"/commissioning/criteria/{need.id}/edit", criterion_form(
        name="Need", weight="55", what_good_looks_like="Clear local need", descriptor_1="None",
        descriptor_2="Little", descriptor_3="Some", descriptor_4="Good", descriptor_5="Very strong"))
    session.refresh(published_round)
    assert [c.summary for c in published_round.changes] == [
        "Criterion “Need” weight changed from 60% to 55%",
        "Criterion “Need”: what a score of 5 means was changed"]


# Application questions --------------------------------------------------------------------------


def question_form(**changes) -> dict:
    """A complete question."""
    return {"text": "How will young people lead?", "guidance": "Say who decides what.", "word_limit": "250",
            "required": "True", "criterion_id": "", "asked_of_small_grants": "False", **changes}


def test_questions_are_added_with_a_criterion_and_edited(commissioner_client, draft_round, session):
    """The criterion list is the round's own; small grants can be spared a question."""
    page = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}/application-questions/new")
    options = [o.get_text(strip=True) for o in page.soup.select("#criterion_id option")]
    assert options == ["None", "Need", "What will change"]
    assert "Small grants are requests below £10,000" in page.text()
    need = draft_round.criteria[0]
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/application-questions/new",
                                      question_form(criterion_id=str(need.id)), follow=True)
    assert page.h1 == "Application questions" and "Question 3 added" in page.text()
    assert "Not asked of requests below £10,000" in page.text()
    question = session.scalars(select(Question).where(Question.round_id == draft_round.id,
                                                      Question.position == 3)).one()
    assert (question.word_limit, question.required, question.criterion_id, question.asked_of_small_grants) == (
        250, True, need.id, False)
    edit = commissioner_client.page(f"/commissioning/application-questions/{question.id}/edit")
    assert edit.h1 == "Change question 3" and edit.value_of("word_limit") == "250"
    assert edit.soup.select_one("#criterion_id option[selected]").get_text(strip=True) == "Need"
    commissioner_client.submit(f"/commissioning/application-questions/{question.id}/edit",
                               question_form(required="False", word_limit="150 words"))
    session.refresh(question)
    assert question.required is False and question.word_limit == 150 and question.criterion_id is None
    assert {"question.added", "question.updated"} <= set(audit_actions(session))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"text": ""}, "text", "Enter the question"),
    ({"word_limit": ""}, "word_limit", "Enter the word limit"),
    ({"word_limit": "lots"}, "word_limit", "The word limit must be a whole number"),
    ({"word_limit": "5000"}, "word_limit", "The word limit must be between 1 and 2,000 words"),
    ({"criterion_id": "999999"}, "criterion_id", "Choose one of this round's criteria, or none"),
])
def test_each_question_mistake_gets_its_message(commissioner_client, draft_round, changes, field, message):
    """Nothing typed is lost."""
    page = commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/application-questions/new",
                                      question_form(**changes))
    assert page.field_error(field) == message and message in page.error_summary()
    assert page.value_of("guidance") == "Say who decides what."
    assert checked(page, "asked_of_small_grants") == {"False"}


def test_a_published_questions_word_limit_change_is_logged(commissioner_client, published_round, session):
    """'Question 1 word limit changed from 300 to 250 words'."""
    question = published_round.questions[0]
    commissioner_client.submit(f"/commissioning/application-questions/{question.id}/edit", question_form(
        text="What will you do?", guidance="Activities, where and when.", word_limit="250",
        criterion_id=str(question.criterion_id), asked_of_small_grants="True"))
    session.refresh(published_round)
    assert [c.summary for c in published_round.changes] == ["Question 1 word limit changed from 300 to 250 words"]
    overview = commissioner_client.page(f"/commissioning/rounds/{published_round.id}")
    assert "Question 1 word limit changed from 300 to 250 words" in overview.text()


def test_questions_are_moved_and_removed_before_opening(commissioner_client, published_round, session):
    """A published round not yet open can still lose a question, and says so publicly."""
    first, second = published_round.questions
    commissioner_client.submit(f"/commissioning/application-questions/{first.id}/move", {"direction": "down"},
                               token_from=f"/commissioning/rounds/{published_round.id}/application-questions")
    session.refresh(published_round)
    assert published_round.questions == [second, first]
    page = commissioner_client.submit(f"/commissioning/application-questions/{second.id}/remove", follow=True)
    assert "Question “How will you keep young people safe?” removed" in page.text()
    session.refresh(published_round)
    assert [q.text for q in published_round.questions] == ["What will you do?"]
    assert list(session.scalars(select(RoundChange.summary).order_by(RoundChange.id))) == [
        "Question 1 (“What will you do?”) is now question 2",
        "Question 1 removed: “How will you keep young people safe?”"]


def test_a_question_cannot_be_removed_once_the_round_has_opened(commissioner_client, open_round, session):
    """Applicants may already have answered it."""
    question = open_round.questions[0]
    page = commissioner_client.page(f"/commissioning/application-questions/{question.id}/remove")
    assert page.h1 == "You cannot remove this question"
    assert "You can make it optional instead" in page.text()
    commissioner_client.submit(f"/commissioning/application-questions/{question.id}/remove",
                               token_from=f"/commissioning/rounds/{open_round.id}")
    assert session.get(Question, question.id) is not None


# FAQs -------------------------------------------------------------------------------------------


def test_faqs_are_added_edited_moved_and_removed(commissioner_client, draft_round, session):
    """They show on the prospectus in the order set here."""
    url = f"/commissioning/rounds/{draft_round.id}/faqs"
    commissioner_client.submit(f"{url}/new", {"question": "Can we apply twice?", "answer": "No."})
    page = commissioner_client.submit(f"{url}/new", {"question": "Can schools apply?", "answer": "Yes, with a group."},
                                      follow=True)
    assert page.h1 == "Frequently asked questions" and "Question and answer added" in page.text()
    first, second = session.scalars(select(Faq).where(Faq.round_id == draft_round.id).order_by(Faq.position))
    commissioner_client.submit(f"/commissioning/faqs/{second.id}/move", {"direction": "up"}, token_from=url)
    edit = commissioner_client.page(f"/commissioning/faqs/{first.id}/edit")
    assert edit.value_of("answer") == "No."
    commissioner_client.submit(f"/commissioning/faqs/{first.id}/edit",
                               {"question": "Can we apply twice?", "answer": "No, once per round."})
    preview = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}/preview")
    assert preview.text().index("Can schools apply?") < preview.text().index("Can we apply twice?")
    assert "No, once per round." in preview.text()
    confirm = commissioner_client.page(f"/commissioning/faqs/{second.id}/remove")
    assert confirm.h1 == "Remove this frequently asked question?"
    commissioner_client.submit(f"/commissioning/faqs/{second.id}/remove")
    assert [f.question for f in session.scalars(select(Faq).where(Faq.round_id == draft_round.id))] == [
        "Can we apply twice?"]
    assert {"faq.added", "faq.moved", "faq.updated", "faq.removed"} <= set(audit_actions(session))


def test_each_faq_mistake_gets_its_message(commissioner_client, draft_round):
    """Both parts are needed, and the other is kept."""
    url = f"/commissioning/rounds/{draft_round.id}/faqs/new"
    page = commissioner_client.submit(url, {"question": "", "answer": "No."})
    assert page.field_error("question") == "Enter the question" and page.value_of("answer") == "No."
    page = commissioner_client.submit(url, {"question": "Can we apply twice?", "answer": ""})
    assert page.field_error("answer") == "Enter the answer" and page.value_of("question") == "Can we apply twice?"


# Who may do this --------------------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["applicant_client", "panellist_client"])
def test_nobody_else_can_change_or_publish_a_round(request, client_name, draft_round, session):
    """The access matrix tries every endpoint; here, the round is also left untouched."""
    other = request.getfixturevalue(client_name)
    page = other.submit(f"/commissioning/rounds/{draft_round.id}/publish", token_from="/forgot-password")
    assert page.status == 403
    page = other.submit(f"/commissioning/rounds/{draft_round.id}/details", round_form(slug="draft-round"),
                        token_from="/forgot-password")
    assert page.status == 403
    session.refresh(draft_round)
    assert draft_round.status == RoundStatus.DRAFT and draft_round.title == "Draft round"
    assert not any(action.startswith("round.") for action in audit_actions(session))


def test_an_administrator_can_set_up_rounds(app, session, draft_round):
    """Administrators hold every commissioner's rights."""
    from portal.models import Role
    from tests.conftest import PortalClient, make_user

    admin = make_user(session, email="sam@example.org", role=Role.ADMIN, name="Sam Patel")
    app.test_client_class = PortalClient
    client = app.test_client()
    client.sign_in(admin.email)
    assert client.page(f"/commissioning/rounds/{draft_round.id}").status == 200


def test_times_are_kept_in_utc_and_shown_in_london(commissioner_client, draft_round, session):
    """A summer time typed as 5pm is stored as 4pm UTC and shown again as 5pm."""
    form = round_form(slug="draft-round", opens_at=["1", "5", NEXT_YEAR, "9am"],
                      question_deadline=["1", "6", NEXT_YEAR, "5pm"], closes_at=["15", "6", NEXT_YEAR, "5pm"],
                      scoring_starts_at=["16", "6", NEXT_YEAR, "9am"], interviews_at=["", "", "", ""],
                      decisions_by=["30", "7", NEXT_YEAR, "midday"])
    commissioner_client.submit(f"/commissioning/rounds/{draft_round.id}/details", form)
    session.refresh(draft_round)
    assert draft_round.closes_at.hour == 16 and draft_round.interviews_at is None
    page = commissioner_client.page(f"/commissioning/rounds/{draft_round.id}/details")
    assert date_parts(page, "closes_at") == ["15", "6", NEXT_YEAR, "5pm"]
    assert date_parts(page, "decisions_by") == ["30", "7", NEXT_YEAR, "midday"]
    assert date_parts(page, "interviews_at") == ["", "", "", ""]


def form_values(page, action: str) -> dict:
    """What a browser would send from the form as shown: typed values, ticked boxes, chosen options."""
    form = page.soup.select_one(f"form[action='{action}']")
    values: dict[str, list[str]] = {}
    for field in form.select("input, textarea, select"):
        name, kind = field.get("name"), field.get("type")
        if not name or name == "csrf_token" or (kind in ("checkbox", "radio") and not field.has_attr("checked")):
            continue
        if field.name == "textarea":
            value = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            value = chosen["value"]
        else:
            value = field.get("value", "")
        values.setdefault(name, []).append(value)
    return values


def test_saving_a_published_round_without_changes_tells_applicants_nothing(commissioner_client, open_round, session):
    """Pressing save on the page as shown records no change, though stored times had seconds."""
    url = f"/commissioning/rounds/{open_round.id}/details"
    page = commissioner_client.submit(url, form_values(commissioner_client.page(url), url))
    assert page.status == 302, page.error_summary()
    session.refresh(open_round)
    assert open_round.changes == []



def test_a_round_can_ask_larger_grants_for_documents(commissioner_client, session, published_round):
    """The setting and its guidance are saved, and applicants are told it changed."""
    page = commissioner_client.submit(
        f"/commissioning/rounds/{published_round.id}/details",
        round_form(slug="published-round", asks_for_documents="True",
                   document_guidance="Your latest accounts."), follow=True)
    assert page.status == 200
    session.refresh(published_round)
    assert published_round.asks_for_documents is True
    assert published_round.document_guidance == "Your latest accounts."
    assert "Applicants for larger grants now upload supporting documents" in [
        c.summary for c in published_round.changes]


# Criteria are fixed once the round closes: the youth panel scores against them ------------------------

CRITERIA_FIXED = "Scoring has started, so the criteria can no longer change"


@pytest.mark.parametrize("status", [RoundStatus.CLOSED, RoundStatus.ASSESSMENT, RoundStatus.DECIDED,
                                    RoundStatus.DECISIONS_PUBLISHED])
def test_criteria_cannot_change_once_the_round_has_closed(commissioner_client, session, status):
    """No edit, addition, removal or move once the round closes; the page shows them read-only and says why."""
    round_ = make_round(session, slug="fixed-criteria", status=status, opens_in_days=-60, closes_in_days=-10)
    need, change = round_.criteria
    base = f"/commissioning/rounds/{round_.id}/criteria"

    page = commissioner_client.page(base)
    assert CRITERIA_FIXED in page.text()
    hrefs = [a["href"] for a in page.soup.select("a")]
    assert f"{base}/new" not in hrefs
    assert not [h for h in hrefs if h.endswith("/edit") or h.endswith("/remove")]
    assert page.soup.select("form.portal-move") == []
    assert "Need (60%)" in page.text() and "What will change (40%)" in page.text()

    edit = commissioner_client.page(f"/commissioning/criteria/{need.id}/edit")
    assert CRITERIA_FIXED in edit.text() and edit.soup.select("form[action$='/edit']") == []
    edited = commissioner_client.submit(f"/commissioning/criteria/{need.id}/edit",
                                        criterion_form(name="Need", weight="70"), token_from=base)
    assert edited.status == 200 and CRITERIA_FIXED in edited.error_summary()
    assert edited.value_of("weight") == "70"  # what was typed is kept
    added = commissioner_client.submit(f"{base}/new", criterion_form(), token_from=base)
    assert added.status == 200 and CRITERIA_FIXED in added.error_summary()
    assert CRITERIA_FIXED in commissioner_client.page(f"/commissioning/criteria/{need.id}/remove").text()
    removed = commissioner_client.submit(f"/commissioning/criteria/{need.id}/remove", token_from=base)
    assert CRITERIA_FIXED in removed.text()
    moved = commissioner_client.submit(f"/commissioning/criteria/{change.id}/move", {"direction": "up"},
                                       token_from=base)
    assert moved.status == 403 and CRITERIA_FIXED in moved.text()

    session.expire_all()
    assert [(c.name, c.weight) for c in round_.criteria] == [("Need", 60), ("What will change", 40)]
    assert not {"criterion.added", "criterion.updated", "criterion.removed", "criterion.moved"} & set(
        audit_actions(session))


def test_criteria_can_still_change_while_the_round_is_open(commissioner_client, open_round, session):
    """Until the deadline the wording and weights can change (the change log tells applicants)."""
    need = open_round.criteria[0]
    page = commissioner_client.submit(f"/commissioning/criteria/{need.id}/edit",
                                      criterion_form(name="Need", weight="60"), follow=True)
    assert page.h1 == "Assessment criteria" and CRITERIA_FIXED not in page.text()


def test_after_decisions_the_budget_decision_date_and_length_of_grants_are_fixed(commissioner_client,
                                                                               decision_published, session):
    """The published results and the grants awarded rely on them."""
    round_ = decision_published.round
    page = commissioner_client.submit(f"/commissioning/rounds/{round_.id}/details",
                                      round_form(slug=round_.slug, grant_months="6", budget_pence="1"))
    assert page.status == 200
    assert page.field_error("grant_months").startswith(
        "The length of grants cannot change now that decisions have been made")
    assert page.field_error("budget_pence").startswith("The budget cannot change now that decisions have been made")
    assert page.field_error("decisions_by").startswith("The date decisions were promised by cannot change")
    session.refresh(round_)
    assert round_.grant_months is None
