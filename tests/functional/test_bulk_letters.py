"""Commissioners issue every letter of a round at once; the queue's workers (immediate in tests) issue them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import jobs
from portal.domain import PermissionDenied, StateTransitionError
from portal.letters import bulk
from portal.letters import services as letter_services
from portal.models import AuditEvent, Letter, LetterBatch

LETTERS_PAGE = "/commissioning/rounds/{}/letters"
START = "/commissioning/rounds/{}/letters/issue-all"


def _letters(session, round_) -> list[Letter]:
    """Every letter issued for the round's applications."""
    return list(session.scalars(select(Letter).join(Letter.application).where(Letter.application.has(round_id=round_.id))
                                .order_by(Letter.application_id, Letter.version)))


def _start(client, round_):
    """Press "Issue all letters" on the round's letters page and follow to the batch page."""
    return client.submit(START.format(round_.id), token_from=LETTERS_PAGE.format(round_.id), follow=True)


def _run(session, batch) -> None:
    """Commit (a savepoint in tests), so the batch's queued tasks run at once."""
    session.commit()
    jobs.run_ready(session)
    session.refresh(batch)


def test_issue_all_letters_issues_one_letter_per_application(commissioner_client, session, bulk_round):
    page = _start(commissioner_client, bulk_round)
    assert page.status == 200
    assert page.h1 == f"Issuing letters for {bulk_round.title}"
    assert "5 of 5 letters issued, 0 failed" in page.text()
    assert "Finished" in page.text()
    letters = _letters(session, bulk_round)
    assert len(letters) == 5
    assert len({letter.application_id for letter in letters}) == 5
    batch = session.scalar(select(LetterBatch).where(LetterBatch.round_id == bulk_round.id))
    assert all(letter.batch_id == batch.id for letter in letters)
    assert (batch.total, batch.issued, batch.skipped, batch.failed) == (5, 5, 0, 0)
    assert batch.finished_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "letters.bulk_started"))
    assert event.after["total"] == 5


def test_pressing_it_twice_makes_no_duplicates(commissioner_client, session, bulk_round):
    _start(commissioner_client, bulk_round)
    page = _start(commissioner_client, bulk_round)
    assert "Every letter is already issued" in page.text()
    assert len(_letters(session, bulk_round)) == 5
    second = session.scalars(select(LetterBatch).order_by(LetterBatch.id.desc())).first()
    assert second.total == 0 and second.finished_at is not None


def test_a_letter_issued_by_hand_is_not_issued_again(session, bulk_round, commissioner, decision_published):
    letter_services.issue_letter(session, application=decision_published.top, by=commissioner,
                                 public_url="http://portal.test")
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner)
    assert batch.total == 4
    _run(session, batch)
    assert (batch.issued, batch.failed) == (4, 0)
    assert len(_letters(session, bulk_round)) == 5


def test_refused_before_the_decisions_are_published(commissioner_client, session, decision_round):
    page = _start(commissioner_client, decision_round.round)
    assert page.status == 200
    assert page.title.startswith("Error: ")
    assert "once the round's decisions are published" in " ".join(page.error_summary())
    assert session.scalar(select(func.count()).select_from(LetterBatch)) == 0


def test_only_commissioners_start_a_batch(session, bulk_round, applicant, panellist):
    for person in (applicant, panellist):
        with pytest.raises(PermissionDenied):
            bulk.start_batch(session, round_=bulk_round, by=person)


def test_the_round_letters_page_offers_the_button_and_the_latest_batch(commissioner_client, bulk_round):
    page = commissioner_client.page(LETTERS_PAGE.format(bulk_round.id))
    button = page.soup.find("button", string="Issue all letters")
    assert button is not None and button.find_parent("form")["action"] == START.format(bulk_round.id)
    _start(commissioner_client, bulk_round)
    page = commissioner_client.page(LETTERS_PAGE.format(bulk_round.id))
    assert "5 of 5 letters issued, 0 failed" in page.soup.select_one("#latest-batch").get_text(" ")


def test_a_failed_letter_is_counted_shown_and_issued_on_resume(commissioner_client, session, bulk_round,
                                                               decision_published, monkeypatch):
    real = letter_services.issue_letter
    failing = decision_published.middle.id

    def flaky(session, *, application, **kwargs):
        if application.id == failing:
            raise RuntimeError("The PDF renderer stopped")
        return real(session, application=application, **kwargs)

    monkeypatch.setattr(letter_services, "issue_letter", flaky)
    page = _start(commissioner_client, bulk_round)
    assert "4 of 5 letters issued, 1 failed" in page.text()
    assert "The PDF renderer stopped" in page.soup.select_one("#batch-error").get_text()
    resume = page.soup.find("button", string="Resume issuing letters").find_parent("form")["action"]

    monkeypatch.setattr(letter_services, "issue_letter", real)
    batch_url = page.response.request.path
    page = commissioner_client.submit(resume, token_from=batch_url, follow=True)
    assert "5 of 5 letters issued, 0 failed" in page.text()
    letters = _letters(session, bulk_round)
    assert len(letters) == 5 and [letter.version for letter in letters] == [1] * 5
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "letters.bulk_resumed"))


def test_a_crash_mid_batch_then_resume_issues_exactly_the_missing_letters(session, bulk_round, commissioner,
                                                                          monkeypatch):
    queued = []
    real = jobs.enqueue_after_commit
    monkeypatch.setattr(jobs, "enqueue_after_commit",
                        lambda session, task, *args: queued.append(args) or (len(queued) <= 2 and
                                                                             real(session, task, *args)))
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner)
    _run(session, batch)  # the workers died after two letters: the other three tasks were lost
    assert (batch.total, batch.issued, batch.finished_at) == (5, 2, None)

    with pytest.raises(StateTransitionError, match="still issuing"):
        bulk.resume_batch(session, batch=batch, by=commissioner)
    monkeypatch.setattr(jobs, "enqueue_after_commit", real)
    later = batch.requested_at + bulk.STALLED_AFTER + timedelta(minutes=1)
    assert bulk.resume_batch(session, batch=batch, by=commissioner, now=later) == 3
    _run(session, batch)
    assert (batch.issued, batch.skipped, batch.failed) == (5, 0, 0)
    assert batch.finished_at is not None
    letters = _letters(session, bulk_round)
    assert len(letters) == 5 and {letter.batch_id for letter in letters} == {batch.id}


def test_a_task_run_twice_issues_nothing_more(session, bulk_round, commissioner, decision_published):
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner)
    _run(session, batch)
    outcome = bulk.issue_one(session, batch_id=batch.id, application_id=decision_published.top.id,
                             public_url="http://portal.test")
    session.refresh(batch)
    assert outcome == bulk.ALREADY
    assert (batch.issued, batch.skipped) == (5, 0)
    assert len(_letters(session, bulk_round)) == 5


def test_progress_as_json(commissioner_client, bulk_round):
    page = _start(commissioner_client, bulk_round)
    path = page.response.request.path
    data = commissioner_client.get(f"{path}.json").get_json()
    assert data["summary"] == "5 of 5 letters issued, 0 failed"
    assert (data["total"], data["issued"], data["failed"], data["finished"]) == (5, 5, 0, True)


def test_an_unfinished_batch_page_refreshes(commissioner_client, session, bulk_round, commissioner):
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner)
    session.info.pop("portal_jobs_pending", None)  # the workers have not started yet
    session.commit()
    page = commissioner_client.page(f"/commissioning/letter-batches/{batch.id}")
    assert "0 of 5 letters issued, 0 failed" in page.soup.select_one("[aria-live]").get_text(" ")
    assert page.soup.select_one("#batch-refresh a")["href"] == f"/commissioning/letter-batches/{batch.id}"
    assert f"/commissioning/letter-batches/{batch.id}.json" in page.soup.find("script", type="module", src=None).string
    assert page.soup.find("button", string="Resume issuing letters") is None  # not stalled yet


def test_cli_issues_the_letters_and_resumes(app, session, bulk_round, commissioner, monkeypatch):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["issue-letters", "--round", bulk_round.slug, "--wait", "--interval", "0"])
    assert result.exit_code == 0, result.output
    assert "5 letter(s) queued" in result.output
    assert "5 of 5 letters issued, 0 failed" in result.output
    assert len(_letters(session, bulk_round)) == 5

    again = runner.invoke(args=["issue-letters", "--round", bulk_round.slug])
    assert "every letter is already issued" in again.output
    finished = session.scalars(select(LetterBatch).order_by(LetterBatch.id)).first()
    refused = runner.invoke(args=["issue-letters", "--resume", str(finished.id)])
    assert refused.exit_code != 0 and "has finished" in refused.output


def test_cli_resume_issues_a_stalled_batch(app, session, bulk_round, commissioner):
    batch = bulk.start_batch(session, round_=bulk_round, by=commissioner,
                             now=bulk_round.opens_at)  # long ago: stalled
    session.info.pop("portal_jobs_pending", None)  # the queue lost every task
    session.commit()
    result = app.test_cli_runner().invoke(args=["issue-letters", "--resume", str(batch.id), "--as", commissioner.email])
    assert result.exit_code == 0, result.output
    assert "5 letter(s) queued again" in result.output
    session.refresh(batch)
    assert (batch.issued, batch.finished_at is not None) == (5, True)


def test_cli_refuses_an_unknown_round(app, commissioner):
    result = app.test_cli_runner().invoke(args=["issue-letters", "--round", "no-such-round"])
    assert result.exit_code != 0 and "no round called 'no-such-round'" in result.output
