"""`flask --app wsgi seed-demo` builds a realistic demo on an empty database, and only there."""

from sqlalchemy import func, select

from portal.demo import DEMO_PASSWORD, DEMO_PEOPLE
from portal.models import (
    Application,
    ConflictDeclaration,
    Decision,
    DecisionLogEntry,
    DecisionLogRedaction,
    Event,
    InterviewScore,
    InterviewSlot,
    Letter,
    ModeratedScore,
    PanelAssignment,
    Role,
    Round,
    RoundStatus,
    Score,
    User,
)
from portal.panel.scoring import moderation_flags
from portal.transparency.log import verify_chain


def test_seed_demo_fills_an_empty_database_and_prints_the_sign_ins(app, session):
    """One open round, one upcoming with events, one decided with scores and decisions; every role."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for email, *_ in DEMO_PEOPLE:
        assert email in result.output
    assert DEMO_PASSWORD in result.output
    statuses = dict(session.execute(select(Round.slug, Round.status)).all())
    assert RoundStatus.OPEN in statuses.values()
    assert RoundStatus.PUBLISHED in statuses.values()
    assert RoundStatus.DECISIONS_PUBLISHED in statuses.values()
    assert RoundStatus.ASSESSMENT in statuses.values()
    upcoming = session.scalar(select(Round).where(Round.status == RoundStatus.PUBLISHED))
    assert len(upcoming.events) == 2
    assert {r for (r,) in session.execute(select(User.role))} == set(Role)
    assert session.scalar(select(func.count(Decision.id))) == 6
    # The decided round: 6 applications × 3 panellists × 4 criteria; the round in assessment has 34 more.
    assert session.scalar(select(func.count(Score.id))) == 6 * 3 * 4 + 34
    assert session.scalar(select(func.count(PanelAssignment.id))) == 18 + 13
    assert session.scalar(select(func.count(Application.id))) == 12
    references = sorted(session.scalars(select(Application.reference).where(Application.reference.is_not(None))))
    assert len(references) == 11 and all(r.startswith("YLF-") for r in references), references
    assert session.scalar(select(func.count(Application.id)).where(Application.submitted_snapshot.is_(None),
                                                                 Application.status != "draft")) == 0
    assert session.scalar(select(func.count(Event.id))) == 3


def test_the_decided_round_was_scored_moderated_and_interviewed(app, session):
    """Every flag in the decided round has a moderated score with a reason; the shortlisted were interviewed."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    decided = session.scalar(select(Round).where(Round.slug == "safer-summers-2026"))
    applications = session.scalars(select(Application).where(Application.round_id == decided.id)).all()
    for application in applications:
        assignments = session.scalars(select(PanelAssignment).filter_by(application_id=application.id)).all()
        sent = [{s.criterion_id: s.value for s in a.scores} for a in assignments if a.scores_submitted_at]
        moderated = {m.criterion_id for m in session.scalars(
            select(ModeratedScore).filter_by(application_id=application.id))}
        assert moderated == moderation_flags(sent), application.reference
    assert session.scalar(select(func.count(ModeratedScore.id)).where(ModeratedScore.reason == "")) == 0
    assert session.scalar(select(func.count(ModeratedScore.id))) > 0
    interviewed = set(session.scalars(select(InterviewSlot.application_id)))
    assert interviewed == {a.id for a in applications if a.status in ("awarded", "reserve")}
    assert session.scalar(select(func.count(InterviewScore.id))) == len(interviewed) * 3 * 3


def test_the_decided_round_has_a_verified_log_and_issued_letters(app, session):
    """Its decisions are in the public log, chained intact, and every group has its outcome letter."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    decided = session.scalar(select(Round).where(Round.slug == "safer-summers-2026"))
    assert verify_chain(session).entries == 6 and verify_chain(session).intact
    letters = session.scalars(select(Letter).join(Application).where(Application.round_id == decided.id)).all()
    assert sorted(str(letter.kind) for letter in letters) == ["award", "award", "award", "decline", "decline",
                                                              "reserve"]
    assert all(letter.pdf.startswith(b"%PDF") for letter in letters)


def test_the_round_in_assessment_has_panel_work_in_every_state(app, session):
    """Panellists signing in to the demo find work to declare, score and moderate; one conflict was declared."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    live = session.scalar(select(Round).where(Round.status == RoundStatus.ASSESSMENT))
    assert live.anonymised_scoring and live.panel_lead.email == "panellist2@example.org"
    assignments = session.scalars(select(PanelAssignment).join(Application).where(
        Application.round_id == live.id)).all()
    assert sum(a.recused_at is not None for a in assignments) == 1
    assert any(a.scores_submitted_at is None and a.scores for a in assignments)  # half scored
    assert any(a.scores_submitted_at is None and not a.scores and a.recused_at is None for a in assignments)
    assert session.scalar(select(func.count(ConflictDeclaration.id)).where(ConflictDeclaration.has_conflict)) == 1


def test_seed_demo_refuses_politely_when_there_is_data(app, session, applicant):
    """Existing data is never changed; the message says why."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "already has people or rounds in it, so the demo was not added" in result.output
    assert session.scalar(select(func.count(Round.id))) == 0


def test_the_set_up_script_can_run_seed_demo_again_harmlessly(app, session, applicant):
    """With --skip-if-not-empty a second run succeeds and still prints the sign-ins."""
    result = app.test_cli_runner().invoke(args=["seed-demo", "--skip-if-not-empty"])
    assert result.exit_code == 0
    assert "leaving it as it is" in result.output and "commissioner@example.org" in result.output


def test_demo_people_can_sign_in_and_see_their_homes(app, session, client):
    """The printed sign-ins work, and each role sees its own pages."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    client.sign_in("commissioner@example.org", DEMO_PASSWORD)
    home = client.page("/commissioning")
    assert "Staying in school" in home.text() and "Safer summers" in home.text()
    client.sign_out()
    client.sign_in("applicant@example.org", DEMO_PASSWORD)
    dashboard = client.page("/account").text()
    assert "Hackney Youth Voices" in dashboard and "Homework club and mentoring" in dashboard
    client.sign_out()
    client.sign_in("applicant2@example.org", DEMO_PASSWORD)
    assert "Gloves not knives" in client.page("/account").text()
    client.sign_out()
    client.sign_in("panellist@example.org", DEMO_PASSWORD)
    assert client.page("/panel").h1 == "Your panel work"


def test_the_home_page_lists_open_upcoming_and_decided_rounds(app, session, client):
    """The public sees every kind of round, with money in pounds and London dates."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    page = client.page("/")
    text = page.text()
    assert "Open for applications Staying in school" in text
    assert "Coming soon Safer online" in text
    assert "Recently decided Safer summers" in text
    assert "£2,000 to £25,000" in text
    assert ", 5pm" in text


def test_every_group_in_the_decided_and_assessed_rounds_has_a_member_listed_in_the_sign_ins(app, session):
    """So an applicant's side of each letter and e-mail can be seen; the printed sign-ins name each one's group."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    for slug in ("safer-summers-2026", "safe-routes-home-2026"):
        applications = session.scalars(select(Application).join(Round).where(Round.slug == slug)).all()
        for application in applications:
            members = application.organisation.members
            assert members, f"{application.organisation.name} has nobody who can sign in"
            line = next(line for line in result.output.splitlines() if members[0].email in line)
            assert application.organisation.name in line


def test_a_group_in_the_decided_round_sees_its_letter_and_its_e_mail(app, session, client, sent_emails):
    """Tottenham Mothers' Network's member signs in, finds the outcome letter and has had the e-mail about it."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    session.commit()
    assert any(e["To"] == "applicant3@example.org" for e in sent_emails())
    client.sign_in("applicant3@example.org", DEMO_PASSWORD)
    dashboard = client.page("/account")
    assert "Tottenham Mothers' Network" in dashboard.text()
    link = dashboard.soup.find("a", string=lambda s: s and "letter" in s.lower())
    assert link is not None, "the dashboard links to the group's letter"
    letter = client.get(link["href"])
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")


def test_the_open_round_asks_for_supporting_documents(app, session, client):
    """Grace's draft (a larger grant) lists the documents section; the sent application carries its document."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    open_round = session.scalar(select(Round).where(Round.status == RoundStatus.OPEN))
    assert open_round.asks_for_documents
    boxing = session.scalar(select(Application).where(Application.round_id == open_round.id,
                                                      Application.status == "submitted"))
    assert [d["name"] for d in boxing.submitted_snapshot["documents"]] == ["Safeguarding policy.pdf"]
    client.sign_in("applicant@example.org", DEMO_PASSWORD)
    draft = session.scalar(select(Application).where(Application.round_id == open_round.id,
                                                     Application.status == "draft"))
    assert "Supporting documents" in client.page(f"/applications/{draft.id}").text()
    client.sign_out()
    client.sign_in("applicant2@example.org", DEMO_PASSWORD)
    document = boxing.documents[0]
    download = client.get(f"/applications/{boxing.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_the_decided_round_counts_an_application_decided_with_fewer_scores(app, session, client):
    """One panellist left before sending scores on one application; the public results count it, without why."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    decided = session.scalar(select(Round).where(Round.status == RoundStatus.DECISIONS_PUBLISHED))
    page = client.page(f"/decisions/rounds/{decided.slug}")
    assert page.soup.select_one("#fewer-scores").get_text(" ", strip=True).startswith(
        "1 application was decided with fewer scores than planned")
    assert "left the panel before sending" not in page.text()


def test_the_decided_round_shows_a_public_note_and_redactions_in_both_states(app, session, client):
    """A reserve decision's public note approved by a second commissioner; one redaction done, one waiting."""
    app.test_cli_runner().invoke(args=["seed-demo"])
    reserve = session.scalar(select(Decision).where(Decision.outcome == "reserve"))
    assert reserve.public_note_approved_by_id not in (None, reserve.public_note_by_id)
    redactions = session.scalars(select(DecisionLogRedaction).order_by(DecisionLogRedaction.id)).all()
    assert [(r.field, r.approved_at is not None) for r in redactions] == [("reason", True), ("project_title", False)]
    done, waiting = redactions
    assert done.approved_by_id != done.requested_by_id
    assert verify_chain(session).intact
    page = client.page(f"/decisions/entries/{done.entry.position}")
    assert "Redacted on" in page.text() and "Marcus Reid" not in page.text()
    assert "Marcus Reid" not in client.get("/decisions.json").get_data(as_text=True)
    reserve_entry = session.scalar(select(DecisionLogEntry.position)
                                   .where(DecisionLogEntry.application_id == reserve.application_id))
    assert "would fund this plan if money becomes available" in client.page(f"/decisions/entries/{reserve_entry}").text()
    # The request waiting for approval was made by Owen, so Amara can approve it; nothing public has changed yet.
    assert waiting.requested_by.email == "commissioner2@example.org"
    assert waiting.entry.project_title != "[redacted]"
