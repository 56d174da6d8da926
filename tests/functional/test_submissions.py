"""Commissioners see a round's sent applications, export them, screen them and follow them over time."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    IncomeBand,
    Membership,
    Organisation,
    OrganisationType,
    Role,
    RoundStatus,
)
from tests.conftest import make_round, make_user
from tests.fixtures.submissions import make_submission


def list_url(round_, **query) -> str:
    """The round's list of applications."""
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/commissioning/rounds/{round_.id}/applications" + (f"?{suffix}" if suffix else "")


def detail_url(application) -> str:
    """One sent application."""
    return f"/commissioning/applications/{application.id}"


@pytest.fixture
def southwark_group(session, other_applicant):
    """A registered charity in Southwark and Lambeth."""
    organisation = Organisation(
        name="Southwark Boxing Club", organisation_type=OrganisationType.CHARITY, charity_number="1100001",
        income_band=IncomeBand.FROM_50K_TO_100K, boroughs=["E09000028", "E09000022"],
        address_line_1="2 Walworth Road", postcode="SE17 1AA",
    )
    session.add_all([organisation, Membership(user=other_applicant, organisation=organisation)])
    session.flush()
    return organisation


@pytest.fixture
def round_with_applications(session, open_round, organisation, applicant, southwark_group, other_applicant):
    """Three sent applications (one small, one ineligible, one large) and a draft, in the open round."""
    small = make_submission(session, round_=open_round, organisation=organisation, by=applicant, number=1,
                            amount_pence=500_000, submitted_at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    large = make_submission(session, round_=open_round, organisation=southwark_group, by=other_applicant,
                            number=2, amount_pence=2_000_000, project_title="Boxing after school",
                            submitted_at=datetime(2026, 3, 3, 10, tzinfo=UTC))
    refused = make_submission(session, round_=open_round, organisation=southwark_group, by=other_applicant,
                              number=3, amount_pence=1_500_000, status=ApplicationStatus.INELIGIBLE,
                              ineligible_reason="You work outside London.",
                              submitted_at=datetime(2026, 3, 4, 10, tzinfo=UTC))
    draft = Application(round=open_round, organisation=organisation, created_by_id=applicant.id,
                        project_title="Secret draft")
    session.add(draft)
    session.flush()
    return {"small": small, "large": large, "refused": refused, "draft": draft}


def references(page) -> list[str]:
    """The references listed, in order."""
    return [th.get_text(strip=True) for th in page.soup.select("tbody th[scope=row] a")]


# The list --------------------------------------------------------------------------------------------


def test_the_list_shows_sent_applications_and_counts_drafts_without_naming_them(
        commissioner_client, open_round, round_with_applications):
    """Every sent application is a row; the draft is only a number."""
    page = commissioner_client.page(list_url(open_round))
    assert page.status == 200
    assert page.h1 == "Applications to Staying in school"
    assert references(page) == ["YLF-2026-0001", "YLF-2026-0002", "YLF-2026-0003"]
    text = page.text()
    assert "Secret draft" not in text
    counts = page.soup.select_one("#counts").get_text(" ", strip=True)
    assert "1 draft" in counts and "3 sent" in counts and "1 ineligible" in counts and "0 withdrawn" in counts
    assert "2 waiting to be screened" in counts
    row = page.soup.select("tbody tr")[1].get_text(" ", strip=True)
    assert "Southwark Boxing Club" in row and "Southwark, Lambeth" in row and "£20,000" in row
    assert "3 March 2026, 10am" in row and "Submitted, not yet screened" in row


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "ineligible"}, ["YLF-2026-0003"]),
    ({"status": "submitted"}, ["YLF-2026-0001", "YLF-2026-0002"]),
    ({"borough": "E09000022"}, ["YLF-2026-0002", "YLF-2026-0003"]),
    ({"borough": "E09000012"}, ["YLF-2026-0001"]),
    ({"organisation_type": "unregistered"}, ["YLF-2026-0001"]),
    ({"small_grant": "yes"}, ["YLF-2026-0001"]),
    ({"small_grant": "no"}, ["YLF-2026-0002", "YLF-2026-0003"]),
    ({"search": "boxing"}, ["YLF-2026-0002", "YLF-2026-0003"]),
    ({"search": "ylf-2026-0003"}, ["YLF-2026-0003"]),
    ({"search": "100%25"}, []),
    ({"status": "submitted", "borough": "E09000028"}, ["YLF-2026-0002"]),
])
def test_filters_narrow_the_list(commissioner_client, open_round, round_with_applications, query, expected):
    """Each filter, and filters together, keep only the applications that match."""
    page = commissioner_client.page(list_url(open_round, **query))
    assert page.status == 200
    assert references(page) == expected
    assert not page.error_summary()


def test_a_filter_value_not_in_the_list_is_explained_and_ignored(commissioner_client, open_round,
                                                                 round_with_applications):
    """A hand-edited address gets a message beside the filter, and the list is not narrowed by it."""
    page = commissioner_client.page(list_url(open_round, status="lost", borough="E09000012"))
    assert page.title.startswith("Error: ")
    assert "Choose a status from the list" in page.error_summary()
    assert page.field_error("status") == "Choose a status from the list"
    assert references(page) == ["YLF-2026-0001"]
    assert page.soup.find("option", attrs={"value": "E09000012", "selected": True}) is not None


def test_the_list_has_50_a_page_and_keeps_the_filters_across_pages(session, commissioner_client, open_round,
                                                                   organisation, applicant):
    """51 applications make two pages; page links carry the filters."""
    for number in range(1, 52):
        make_submission(session, round_=open_round, organisation=organisation, by=applicant, number=number,
                        submitted_at=datetime(2026, 3, 1, tzinfo=UTC).replace(minute=number % 60, second=number % 60))
    first = commissioner_client.page(list_url(open_round, small_grant="yes"))
    assert len(references(first)) == 50
    assert "51 applications match the filters" in first.text()
    next_link = first.soup.select_one(".govuk-pagination__next a")["href"]
    assert "page=2" in next_link and "small_grant=yes" in next_link
    second = commissioner_client.page(next_link)
    assert len(references(second)) == 1
    assert second.soup.select_one(".govuk-pagination__item--current").get_text(strip=True) == "2"
    beyond = commissioner_client.page(list_url(open_round, page=9))
    assert len(references(beyond)) == 1  # past the end shows the last page


def test_an_empty_round_says_so(commissioner_client, open_round):
    """No sent applications: no table, no download link."""
    page = commissioner_client.page(list_url(open_round))
    assert "0 applications have been sent" in page.text()
    assert page.soup.select_one("table") is None


def test_the_round_pages_link_to_the_applications(commissioner_client, open_round):
    """The commissioners' home and the round's overview both link to its applications."""
    for url in ("/commissioning", f"/commissioning/rounds/{open_round.id}"):
        page = commissioner_client.page(url)
        assert page.soup.find("a", href=list_url(open_round)) is not None, url


# CSV --------------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    """The rows of a CSV download (after its byte order mark)."""
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff"), "The CSV must start with a byte order mark so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_csv_has_one_row_per_application_in_london_time(session, commissioner_client, open_round,
                                                            round_with_applications):
    """Headers, pounds without signs, London times (British Summer Time in June), the reason."""
    round_with_applications["large"].submitted_at = datetime(2026, 6, 3, 16, 30, tzinfo=UTC)
    session.flush()
    response = commissioner_client.get(f"/commissioning/rounds/{open_round.id}/applications.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="staying-in-school-applications.csv"' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Reference", "Organisation", "Organisation type", "Boroughs", "Amount asked (£)",
                       "Small grant", "Status", "Submitted at (London time)", "Ineligible reason"]
    assert rows[1] == ["YLF-2026-0001", "Hackney Youth Voices", "Unregistered community group or club", "Hackney",
                       "5000", "Yes", "Submitted, not yet screened", "2026-03-02 10:00", ""]
    assert rows[2] == ["YLF-2026-0003", "Southwark Boxing Club", "Registered charity", "Southwark; Lambeth",
                       "15000", "No", "Ineligible", "2026-03-04 10:00", "You work outside London."]
    assert rows[3][0] == "YLF-2026-0002" and rows[3][4] == "20000"
    assert rows[3][7] == "2026-06-03 17:30"  # 4:30pm UTC is 5:30pm in London in June
    assert len(rows) == 4  # the draft is not exported


def test_the_csv_uses_the_same_filters(commissioner_client, open_round, round_with_applications):
    """The download link carries the filters and the file holds only what matches."""
    page = commissioner_client.page(list_url(open_round, borough="E09000022"))
    link = page.soup.find("a", string=lambda s: s and "spreadsheet" in s)["href"]
    assert "borough=E09000022" in link
    rows = read_csv(commissioner_client.get(link))
    assert [r[0] for r in rows[1:]] == ["YLF-2026-0002", "YLF-2026-0003"]


def test_csv_cells_cannot_run_as_formulas(session, commissioner_client, open_round, southwark_group,
                                          round_with_applications):
    """Cells starting = + - @ are prefixed with a quote, so a spreadsheet shows them as text."""
    southwark_group.name = '=HYPERLINK("http://evil.example","Click")'
    round_with_applications["refused"].ineligible_reason = "-1+1 is not a budget"
    session.flush()
    rows = read_csv(commissioner_client.get(f"/commissioning/rounds/{open_round.id}/applications.csv"))
    assert rows[2][1] == "'=HYPERLINK(\"http://evil.example\",\"Click\")"
    assert rows[3][8] == "'-1+1 is not a budget"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "applications.csv_downloaded"))


# One application -----------------------------------------------------------------------------------------


def test_an_application_is_shown_as_it_was_sent(session, commissioner_client, screening_application):
    """The page reads the frozen snapshot: later changes to the live record do not show."""
    screening_application.answers[0].text = "Changed after sending"
    screening_application.organisation.name = "Renamed group"
    session.flush()
    page = commissioner_client.page(detail_url(screening_application))
    assert page.status == 200
    assert page.h1 == "YLF-2026-0001: After-school football"
    text = page.text()
    assert "Weekly sessions in the park." in text and "Changed after sending" not in text
    assert "Hackney Youth Voices" in text and "Renamed group" not in text
    assert "What will you do?" in text
    assert "How will you keep young people safe?" not in text  # a small grant is not asked it
    assert "Coach's fees" in text and "Total £5,000" in text
    assert "Mare Street Youth Club" in text and "Lends the hall" in text
    assert "Grace Mensah (Chair) confirmed" in text
    assert "Submitted, not yet screened" in text


def test_a_draft_cannot_be_opened_by_commissioners(session, commissioner_client, open_round, organisation, applicant):
    """Drafts are the group's own until sent: the page is not found."""
    draft = Application(round=open_round, organisation=organisation, created_by_id=applicant.id)
    session.add(draft)
    session.flush()
    assert commissioner_client.page(detail_url(draft)).status == 404
    assert commissioner_client.page("/commissioning/applications/999999").status == 404
    assert commissioner_client.page("/commissioning/rounds/999999/applications").status == 404


@pytest.mark.parametrize("who", ["applicant_client", "other_applicant_client", "panellist_client"])
def test_nobody_but_commissioners_sees_applications_or_screens_them(request, screening_application, open_round, who):
    """Even the group that applied gets the 403 page here (they have their own dashboard)."""
    client = request.getfixturevalue(who)
    for url in (detail_url(screening_application), list_url(open_round),
                f"/commissioning/rounds/{open_round.id}/applications.csv",
                f"/commissioning/rounds/{open_round.id}/applications/over-time"):
        assert client.page(url).status == 403, url
    page = client.submit(f"{detail_url(screening_application)}/mark-ineligible", {"reason": "No"},
                         token_from="/forgot-password")
    assert page.status == 403
    assert screening_application.status == ApplicationStatus.SUBMITTED


def test_an_administrator_can_screen(app, session, screening_application):
    """Administrators hold every commissioner's rights."""
    from tests.conftest import _signed_in

    admin = make_user(session, email="root@example.org", role=Role.ADMIN, name="Ada Admin")
    page = _signed_in(app, admin).page(detail_url(screening_application))
    assert page.status == 200


# Screening ----------------------------------------------------------------------------------------------


def test_marking_ineligible_needs_a_reason(commissioner_client, screening_application):
    """No reason: a message beside the field and in the summary; nothing changes."""
    url = f"{detail_url(screening_application)}/mark-ineligible"
    page = commissioner_client.page(url)
    assert page.h1 == "Mark YLF-2026-0001 as ineligible"
    assert "The applicant will see this" in page.soup.select_one("#reason-hint").get_text()
    page = commissioner_client.submit(url, {"reason": "   "})
    assert page.status == 200 and page.title.startswith("Error: ")
    message = "Enter the reason the application is not eligible, written to the applicant"
    assert page.error_summary() == [message]
    assert page.field_error("reason") == message
    assert screening_application.status == ApplicationStatus.SUBMITTED


def test_a_reason_that_is_too_long_is_kept_with_a_message(commissioner_client, screening_application):
    """What was typed comes back, with the limit."""
    url = f"{detail_url(screening_application)}/mark-ineligible"
    page = commissioner_client.submit(url, {"reason": "x" * 2001})
    assert page.field_error("reason") == "The reason must be 2,000 characters or fewer"
    assert page.value_of("reason") == "x" * 2001


def test_marking_ineligible_records_the_reason_and_emails_every_member(
        session, app, commissioner_client, commissioner, screening_application, organisation, sent_emails):
    """The reason is stored for the applicant to see, audited, and e-mailed with a link to sign in."""
    colleague = make_user(session, email="sam@example.org", role=Role.APPLICANT, name="Sam Patel")
    session.add(Membership(user=colleague, organisation=organisation))
    session.flush()
    url = f"{detail_url(screening_application)}/mark-ineligible"
    reason = "Your group works in Surrey.\n\nThis fund is only for groups working in London boroughs."
    page = commissioner_client.submit(url, {"reason": reason}, follow=True)
    assert page.status == 200
    assert "YLF-2026-0001 is marked as ineligible" in page.text()
    assert "This fund is only for groups working in London boroughs." in page.text()

    session.refresh(screening_application)
    assert screening_application.status == ApplicationStatus.INELIGIBLE
    assert screening_application.ineligible_reason == reason
    assert screening_application.screened_by_id == commissioner.id
    assert screening_application.screened_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "application.marked_ineligible"))
    assert event.before["status"] == "submitted" and event.after["status"] == "ineligible"
    assert event.after["ineligible_reason"] == reason and event.actor_id == commissioner.id

    emails = sent_emails()
    assert sorted(e["To"] for e in emails) == ["grace@example.org", "sam@example.org"]
    body = emails[0].get_content()
    assert emails[0]["Subject"] == "Your application YLF-2026-0001 to Staying in school is not eligible"
    assert "> Your group works in Surrey." in body
    assert "http://portal.test/sign-in" in body


def test_only_a_submitted_application_can_be_screened(session, commissioner_client, screening_application):
    """Marking ineligible twice, or eligible after ineligible, is refused in words."""
    url = f"{detail_url(screening_application)}/mark-ineligible"
    commissioner_client.submit(url, {"reason": "Outside London"})
    again = commissioner_client.page(url)
    assert "Only applications waiting to be screened can be marked as ineligible" in again.text()
    assert again.soup.find("textarea") is None
    refused = commissioner_client.submit(url, {"reason": "Twice"})
    assert refused.field_error("reason") == ("This application is marked as ineligible. "
                                             "Undo that first if it should go forward")
    eligible = commissioner_client.submit(f"{detail_url(screening_application)}/mark-eligible",
                                          token_from=detail_url(screening_application))
    assert eligible.status == 200 and eligible.title.startswith("Error: ")
    assert eligible.error_summary() == ["This application is marked as ineligible. Undo that first if it should go forward"]
    session.refresh(screening_application)
    assert screening_application.ineligible_reason == "Outside London"


def test_marking_eligible_sends_it_to_assessment(session, commissioner_client, commissioner, screening_application,
                                                 sent_emails):
    """Eligible applications go on to the panel; they can no longer be marked ineligible here."""
    page = commissioner_client.submit(f"{detail_url(screening_application)}/mark-eligible",
                                      token_from=detail_url(screening_application), follow=True)
    assert "YLF-2026-0001 is marked as eligible" in page.text()
    assert "Eligible, being assessed" in page.text()
    session.refresh(screening_application)
    assert screening_application.status == ApplicationStatus.UNDER_ASSESSMENT
    assert screening_application.screened_by_id == commissioner.id
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "application.marked_eligible"))
    refused = commissioner_client.submit(f"{detail_url(screening_application)}/mark-ineligible",
                                         {"reason": "Too late"})
    assert "under assessment, so it cannot be screened now" in refused.field_error("reason")
    assert sent_emails() == []


def test_marking_ineligible_can_be_undone_with_a_reason(session, commissioner_client, screening_application,
                                                        sent_emails):
    """Undo needs a reason (kept in the audit trail); the reason shown to the applicant is removed."""
    commissioner_client.submit(f"{detail_url(screening_application)}/mark-ineligible", {"reason": "Outside London"})
    sent_emails()
    url = f"{detail_url(screening_application)}/undo-ineligible"
    page = commissioner_client.page(url)
    assert page.h1 == "Undo ineligible for YLF-2026-0001"
    assert "Outside London" in page.text()
    missing = commissioner_client.submit(url, {"reason": ""})
    assert missing.field_error("reason") == "Enter why you are undoing the decision that it is not eligible"
    done = commissioner_client.submit(url, {"reason": "They work in Hackney too"}, follow=True)
    assert "back with you to be screened" in done.text()
    session.refresh(screening_application)
    assert screening_application.status == ApplicationStatus.SUBMITTED
    assert screening_application.ineligible_reason is None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "application.ineligible_undone"))
    assert event.after["undo_reason"] == "They work in Hackney too"
    assert event.before["ineligible_reason"] == "Outside London"
    (email,) = sent_emails()
    assert email["Subject"] == "Your application YLF-2026-0001 is being considered again"
    nothing = commissioner_client.page(url)
    assert "there is nothing to undo" in nothing.text()


# Counts over time -----------------------------------------------------------------------------------------


def test_counts_over_time_use_london_days_from_opening_to_closing(session, commissioner_client, organisation,
                                                                  applicant):
    """Grouped in the database by hour, then by London day: 11:30pm UTC in June is the next London day."""
    round_ = make_round(session, slug="summer-round", title="Summer round", status=RoundStatus.CLOSED,
                        opens_at=datetime(2025, 6, 1, 8, tzinfo=UTC), closes_at=datetime(2025, 6, 5, 16, tzinfo=UTC))
    moments = {
        1: (datetime(2025, 6, 1, 9, tzinfo=UTC), datetime(2025, 6, 2, 23, 30, tzinfo=UTC)),  # sent 3 June, London
        2: (datetime(2025, 6, 1, 22, 59, tzinfo=UTC), datetime(2025, 6, 3, 10, tzinfo=UTC)),  # started 1 June
        3: (datetime(2025, 6, 1, 23, 0, tzinfo=UTC), datetime(2025, 6, 5, 15, 59, tzinfo=UTC)),  # started 2 June
    }
    for number, (started, sent) in moments.items():
        make_submission(session, round_=round_, organisation=organisation, by=applicant, number=100 + number,
                        created_at=started, submitted_at=sent)
    draft = Application(round=round_, organisation=organisation, created_by_id=applicant.id,
                        created_at=datetime(2025, 6, 4, 12, tzinfo=UTC))
    session.add(draft)
    session.flush()

    page = commissioner_client.page(f"/commissioning/rounds/{round_.id}/applications/over-time")
    assert page.status == 200
    assert page.h1 == "Drafts and applications over time"
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in page.soup.select("tbody tr")]
    assert rows == [
        ["1 June 2025", "2", "0"],
        ["2 June 2025", "1", "0"],
        ["3 June 2025", "0", "2"],
        ["4 June 2025", "1", "0"],
        ["5 June 2025", "0", "1"],
        ["Total", "4", "3"],
    ]
    assert page.soup.select_one("svg") is not None and len(page.soup.select("svg rect")) == 10


def test_counts_over_time_before_opening(commissioner_client, upcoming_round):
    """A round that has not opened has no days yet."""
    page = commissioner_client.page(f"/commissioning/rounds/{upcoming_round.id}/applications/over-time")
    assert page.status == 200
    assert "has not opened yet" in page.text()
