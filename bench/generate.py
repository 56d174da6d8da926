"""Fill a database with a city-wide fund at full size, for the HTTP benchmark (bench/pages.py).

    .venv/bin/python bench/generate.py                      # a temporary SQLite file, full size
    .venv/bin/python bench/generate.py --scale 0.1          # a tenth of everything, for a quick run
    .venv/bin/python bench/generate.py --database postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench --create

At --scale 1 it writes, in bulk (one INSERT per few thousand rows, never the ORM object by object):
- the big round ("City-wide youth fund 2026", in assessment): 10,000 sent applications from 6,000 organisations,
  300 panellists with three panellists on each application and 30,000 scores (two criteria per sent assessment);
- ten past rounds whose 10,000 applications have 10,000 published decisions, and a decision log of 100,000
  entries: each decision's first publication and then later corrections of it, chained with the real hash
  functions of portal.transparency.log so /decisions/verify still reports an intact log, and each application's
  current entry in decision_log_current (which log.append keeps);
- an open round, and the accounts the HTTP benchmark signs in as: a commissioner, a panellist with a scoring
  assignment (no conflict declared) and applicants each with a draft application (see ``ACCOUNTS``).
Prints how long each part took. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-lantern-pebble-7"
COMMISSIONER_EMAIL = "bench-commissioner@example.org"
PANELLIST_EMAIL = "panellist1@example.org"
BENCH_APPLICANTS = 16  # one draft each, so concurrent section saves never share a version
BIG_ROUND_SLUG = "city-wide-2026"
OPEN_ROUND_SLUG = "city-open-2026"
PAST_ROUNDS = 10
BATCH = 5000

# The full size (scale 1), from issue 8.
FULL = {"applications": 10_000, "organisations": 6_000, "panellists": 300, "scores": 30_000,
        "decisions": 10_000, "log_entries": 100_000}
ACCOUNTS = ("the commissioner bench-commissioner@example.org, the panellist panellist1@example.org and applicants "
            f"bench-applicant1..{BENCH_APPLICANTS}@example.org, all with the password {PASSWORD!r}")


@dataclass(frozen=True)
class Sizes:
    """How many of each thing to write."""

    applications: int
    organisations: int
    panellists: int
    scores: int
    decisions: int
    log_entries: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        """The full size times ``scale`` (at least a handful of each)."""
        sizes = {name: max(3, round(count * scale)) for name, count in FULL.items()}
        sizes["log_entries"] = max(sizes["log_entries"], sizes["decisions"])
        return cls(**sizes)


def sqlite_url(folder: Path) -> str:
    """A SQLite database file in this folder."""
    return f"sqlite:///{folder / 'bench.sqlite3'}"


def create_postgres(url: str) -> None:
    """Drop and create the PostgreSQL database the URL names (its server must let the user do that)."""
    from sqlalchemy import create_engine, text

    server, name = url.rsplit("/", 1)
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop_postgres(url: str) -> None:
    """Drop the PostgreSQL database the URL names."""
    from sqlalchemy import create_engine, text

    server, name = url.rsplit("/", 1)
    engine = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _batches(rows: Iterable[dict], size: int = BATCH) -> Iterator[list[dict]]:
    """The rows a few thousand at a time."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Writer:
    """Bulk inserts with ids given here, so rows can point at each other without reading anything back."""

    def __init__(self, session) -> None:
        self.session = session
        self.next_ids: dict[type, int] = {}
        self.counts: dict[str, int] = {}

    def ids(self, model, count: int) -> range:
        """The next ``count`` ids for this table."""
        from sqlalchemy import func, select

        if model not in self.next_ids:
            self.next_ids[model] = (self.session.scalar(select(func.max(model.id))) or 0) + 1
        start = self.next_ids[model]
        self.next_ids[model] = start + count
        return range(start, start + count)

    def insert(self, model, rows: Iterable[dict]) -> None:
        """INSERT the rows (each with its id) in batches: one executemany per batch."""
        from sqlalchemy import insert

        for chunk in _batches(rows):
            self.session.execute(insert(model), chunk)
            self.counts[model.__tablename__] = self.counts.get(model.__tablename__, 0) + len(chunk)

    def fix_sequences(self) -> None:
        """On PostgreSQL, move each id sequence past the ids given here, so the portal's own inserts work."""
        from sqlalchemy import text

        if self.session.get_bind().dialect.name != "postgresql":
            return
        for model in self.next_ids:
            table = model.__tablename__
            self.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))


def _snapshot(*, reference: str, submitted_at, round_, organisation: dict, title: str, amount: int,
              answer: str) -> dict:
    """A submitted snapshot in the shape portal.applications.snapshot.build_snapshot makes."""
    from portal.boroughs import borough_name
    from portal.models import IncomeBand, OrganisationType

    return {
        "reference": reference, "submitted_at": submitted_at.isoformat(),
        "round": {"title": round_.title, "slug": round_.slug, "fund": round_.fund.name},
        "organisation": {
            "name": organisation["name"], "type": OrganisationType(organisation["organisation_type"]).label,
            "charity_number": organisation["charity_number"], "company_number": None,
            "income_band": IncomeBand(organisation["income_band"]).label,
            "boroughs": [borough_name(code) for code in organisation["boroughs"]],
            "address": [organisation["address_line_1"], "London", organisation["postcode"]],
        },
        "project_title": title, "amount_requested_pence": amount,
        "small_grant": amount < (round_.small_grant_threshold_pence or 0),
        "answers": [{"question_id": q.id, "question": q.text, "word_limit": q.word_limit, "answer": answer}
                    for q in round_.questions if q.asked_of_small_grants or amount >= round_.small_grant_threshold_pence],
        "budget": [{"item": "Sessional youth workers", "cost_pence": amount - 100_000},
                   {"item": "Equipment", "cost_pence": 100_000}],
        "budget_total_pence": amount, "partners": [], "documents": [],
        "declaration": {"name": "Chair of the group", "role": "Chair", "declared_at": submitted_at.isoformat()},
    }


def generate(session, *, sizes: Sizes, report=print) -> dict[str, float]:
    """Write everything at these sizes into an empty, migrated database; returns seconds per part."""
    from portal.accounts.passwords import hash_password
    from portal.boroughs import BOROUGHS
    from portal.models import (
        AgeBand,
        Answer,
        Application,
        ApplicationStatus,
        ConflictDeclaration,
        CurrentDecisionEntry,
        Decision,
        DecisionLogEntry,
        IncomeBand,
        Membership,
        Organisation,
        OrganisationType,
        Outcome,
        PanelAssignment,
        Role,
        RoundStatus,
        Score,
        User,
        utcnow,
    )
    from portal.transparency import checkpoints, log
    from tests.conftest import make_fund, make_round

    timings: dict[str, float] = {}
    started = time.perf_counter()
    now = utcnow().replace(microsecond=0)
    writer = Writer(session)
    password_hash = hash_password(PASSWORD, fast=True)  # one hash for every account: hashing is slow on purpose
    boroughs = list(BOROUGHS)
    kinds = list(OrganisationType)
    bands = list(IncomeBand)

    # Rounds (a handful, through the ORM like the tests build them).
    fund = make_fund(session, slug="city-youth-fund")
    fund.name, fund.reference_prefix = "City Youth Fund", "CYF"
    big = make_round(session, fund=fund, slug=BIG_ROUND_SLUG, title="City-wide youth fund 2026",
                     status=RoundStatus.ASSESSMENT, opens_in_days=-60, closes_in_days=-10,
                     budget_pence=500_000_000)
    open_round = make_round(session, fund=fund, slug=OPEN_ROUND_SLUG, title="Summer of safety 2026",
                            status=RoundStatus.OPEN, opens_in_days=-5, closes_in_days=40)
    past = [make_round(session, fund=fund, slug=f"city-past-{year}", title=f"City-wide youth fund {year}",
                       status=RoundStatus.DECISIONS_PUBLISHED, opens_in_days=-400 * (PAST_ROUNDS - index) - 60,
                       closes_in_days=-400 * (PAST_ROUNDS - index) - 30,
                       decisions_published_at=now - timedelta(days=400 * (PAST_ROUNDS - index)))
            for index, year in enumerate(range(2026 - PAST_ROUNDS, 2026))]
    session.flush()

    # People and organisations.
    staff = User(email=COMMISSIONER_EMAIL, name="Bench Commissioner", role=Role.COMMISSIONER,
                 password_hash=password_hash, email_confirmed_at=now)
    session.add(staff)
    session.flush()
    organisation_ids = writer.ids(Organisation, sizes.organisations + BENCH_APPLICANTS)
    user_ids = writer.ids(User, sizes.organisations + BENCH_APPLICANTS)
    organisations = [{
        "id": organisation_id, "name": f"Community group {number}",
        "organisation_type": kinds[number % len(kinds)], "income_band": bands[number % len(bands)],
        "charity_number": f"{1_100_000 + number}" if kinds[number % len(kinds)] == OrganisationType.CHARITY else None,
        "company_number": None,
        "boroughs": [boroughs[number % len(boroughs)], boroughs[(number * 7 + 3) % len(boroughs)]],
        "address_line_1": f"{number} High Street", "town": "London", "postcode": "E8 1DY", "created_at": now,
    } for number, organisation_id in enumerate(organisation_ids, start=1)]
    writer.insert(Organisation, organisations)
    members = [{"id": user_id, "email": (f"member{number}@example.org" if number <= sizes.organisations
                                         else f"bench-applicant{number - sizes.organisations}@example.org"),
                "name": f"Member {number}", "role": Role.APPLICANT, "password_hash": password_hash,
                "is_active_account": True, "created_at": now, "session_version": 1, "email_confirmed_at": now}
               for number, user_id in enumerate(user_ids, start=1)]
    writer.insert(User, members)
    writer.insert(Membership, ({"id": membership_id, "user_id": user_id, "organisation_id": organisation_id,
                                "joined_at": now}
                               for membership_id, user_id, organisation_id in zip(
                                   writer.ids(Membership, len(user_ids)), user_ids, organisation_ids, strict=True)))
    panellist_ids = writer.ids(User, sizes.panellists)
    writer.insert(User, ({"id": user_id, "email": f"panellist{number}@example.org", "name": f"Panellist {number}",
                          "role": Role.PANELLIST, "age_band": AgeBand.FROM_18_TO_21, "password_hash": password_hash,
                          "is_active_account": True, "created_at": now, "session_version": 1,
                          "email_confirmed_at": now}
                         for number, user_id in enumerate(panellist_ids, start=1)))
    timings["people and organisations"] = time.perf_counter() - started

    # The big round: sent applications, three panellists each, scores for half the assessments.
    started = time.perf_counter()
    submitted_at = big.closes_at - timedelta(days=1)
    application_ids = writer.ids(Application, sizes.applications)
    big_rows, answers = [], []
    for number, application_id in enumerate(application_ids, start=1):
        organisation = organisations[(number - 1) % sizes.organisations]
        amount = 200_000 + (number % 23) * 100_000
        reference = f"CYF-2026-{number:05d}"
        text = f"Weekly sessions for young people, plan number {number}."
        big_rows.append({
            "id": application_id, "round_id": big.id, "organisation_id": organisation["id"], "reference": reference,
            "status": ApplicationStatus.UNDER_ASSESSMENT, "project_title": f"Youth project {number}",
            "amount_requested_pence": amount, "created_by_id": user_ids[(number - 1) % sizes.organisations],
            "created_at": submitted_at - timedelta(days=3), "updated_at": submitted_at,
            "submitted_at": submitted_at - timedelta(minutes=number % 5000), "screened_at": submitted_at,
            "screened_by_id": staff.id, "declared_by_name": "Chair of the group", "declared_by_role": "Chair",
            "declared_at": submitted_at, "version": 1,
            "submitted_snapshot": _snapshot(reference=reference, submitted_at=submitted_at, round_=big,
                                            organisation=organisation, title=f"Youth project {number}",
                                            amount=amount, answer=text),
        })
        answers.append({"application_id": application_id, "question_id": big.questions[0].id, "text": text,
                        "updated_at": submitted_at})
    writer.insert(Application, big_rows)
    writer.insert(Answer, ({"id": answer_id, **row} for answer_id, row in zip(
        writer.ids(Answer, len(answers)), answers, strict=True)))
    del big_rows, answers

    per_application = min(3, sizes.panellists)
    assignment_ids = writer.ids(PanelAssignment, sizes.applications * per_application)
    assignments, declarations, scores = [], [], []
    for index, assignment_id in enumerate(assignment_ids):
        application_id = application_ids[index // per_application]
        panellist_id = panellist_ids[(index // per_application * per_application + index % per_application)
                                     % sizes.panellists]
        scored = index % 2 == 0 and len(scores) < sizes.scores
        bench_one = panellist_id == panellist_ids[0]
        assignments.append({"id": assignment_id, "application_id": application_id, "panellist_id": panellist_id,
                            "assigned_at": submitted_at, "assigned_by_id": staff.id,
                            "scores_submitted_at": submitted_at + timedelta(days=2) if scored and not bench_one
                            else None})
        if scored or bench_one:
            declarations.append({"application_id": application_id, "panellist_id": panellist_id,
                                 "has_conflict": False, "declared_at": submitted_at + timedelta(days=1)})
        if scored:
            for criterion in big.criteria:
                scores.append({"assignment_id": assignment_id, "criterion_id": criterion.id,
                               "value": 1 + (index + criterion.position) % 5,
                               "comment": "Clear plan, young people involved.", "updated_at": submitted_at})
    writer.insert(PanelAssignment, assignments)
    writer.insert(ConflictDeclaration, ({"id": declaration_id, **row} for declaration_id, row in zip(
        writer.ids(ConflictDeclaration, len(declarations)), declarations, strict=True)))
    writer.insert(Score, ({"id": score_id, **row} for score_id, row in zip(
        writer.ids(Score, len(scores)), scores, strict=True)))
    del assignments, declarations, scores
    timings["the big round"] = time.perf_counter() - started

    # Past rounds: decided applications, their decisions and the hash-chained decision log.
    started = time.perf_counter()
    past_ids = writer.ids(Application, sizes.decisions)
    decision_ids = writer.ids(Decision, sizes.decisions)
    outcomes = [Outcome.AWARD, Outcome.DECLINE, Outcome.RESERVE]
    status_for = {Outcome.AWARD: ApplicationStatus.AWARDED, Outcome.DECLINE: ApplicationStatus.DECLINED,
                  Outcome.RESERVE: ApplicationStatus.RESERVE}
    past_rows, decisions, facts = [], [], []
    for number, (application_id, decision_id) in enumerate(zip(past_ids, decision_ids, strict=True), start=1):
        round_ = past[(number - 1) * PAST_ROUNDS // sizes.decisions]
        organisation = organisations[(number * 13) % sizes.organisations]
        outcome = outcomes[number % 3]
        amount = 200_000 + (number % 23) * 100_000
        sent_at = round_.closes_at - timedelta(days=1)
        decided_at = round_.decisions_published_at - timedelta(days=3)
        reference = f"CYF-{round_.slug[-4:]}-{number:05d}"
        title = f"Past project {number}"
        snapshot = _snapshot(reference=reference, submitted_at=sent_at, round_=round_, organisation=organisation,
                             title=title, amount=amount, answer="What we did.")
        past_rows.append({
            "id": application_id, "round_id": round_.id, "organisation_id": organisation["id"],
            "reference": reference, "status": status_for[outcome], "project_title": title,
            "amount_requested_pence": amount, "created_by_id": user_ids[(number * 13) % sizes.organisations],
            "created_at": sent_at - timedelta(days=3), "updated_at": decided_at, "submitted_at": sent_at,
            "declared_by_name": "Chair of the group", "declared_by_role": "Chair", "declared_at": sent_at,
            "version": 1, "submitted_snapshot": snapshot,
        })
        awarded = amount if outcome == Outcome.AWARD else None
        score = round(40 + (number * 37) % 55 + 0.25, 2)
        decisions.append({
            "id": decision_id, "application_id": application_id, "outcome": outcome,
            "amount_awarded_pence": awarded,
            "reason_category": "Below the funding line" if outcome == Outcome.DECLINE else None,
            "reason": "A strong plan led by young people." if outcome == Outcome.AWARD else "Others scored higher.",
            "panel_score": score, "decided_by_id": staff.id, "decided_by_role": Role.COMMISSIONER,
            "decided_at": decided_at, "published_at": round_.decisions_published_at, "version": 1,
            "from_recommendation": False,
        })
        sent = log.organisation_as_sent(SimpleNamespace(organisation=SimpleNamespace(**organisation),
                                                          submitted_snapshot=snapshot))
        named = outcome == Outcome.AWARD
        facts.append({
            "round_id": round_.id, "application_id": application_id, "decision_id": decision_id,
            "reference": reference, "outcome": outcome, "organisation_name": sent.name if named else None,
            "organisation_description": log.describe_group(sent.organisation_type, sent.boroughs),
            "organisation_type": str(sent.organisation_type),
            "small_organisation": sent.income_band in log.SMALL_INCOME_BANDS,
            "boroughs": "," + ",".join(sent.boroughs) + ",",
            "charity_number": sent.charity_number if named else None, "company_number": None,
            "project_title": title if named else None, "amount_requested_pence": amount,
            "amount_awarded_pence": awarded, "panel_score": round(score, 1),
            "reason_category": decisions[-1]["reason_category"], "reason": decisions[-1]["reason"],
            "decided_at": decided_at, "decided_by_role": str(Role.COMMISSIONER), "panellists_recused": 0,
            "published_at": round_.decisions_published_at, "corrects_id": None, "correction_reason": None,
        })
    writer.insert(Application, past_rows)
    writer.insert(Decision, decisions)
    del past_rows, decisions
    timings["past applications and decisions"] = time.perf_counter() - started

    started = time.perf_counter()
    entry_ids = writer.ids(DecisionLogEntry, sizes.log_entries)
    latest: dict[int, SimpleNamespace] = {}  # application id -> its latest entry so far
    previous = log.GENESIS_HASH
    first_correction = max(round_.decisions_published_at for round_ in past) + timedelta(days=1)

    def entries() -> Iterator[dict]:
        """Every entry in position order: first publications, then corrections of them in turn."""
        nonlocal previous
        for position, entry_id in enumerate(entry_ids, start=1):
            base = facts[(position - 1) % len(facts)]
            row = dict(base, id=entry_id, position=position)
            if position > len(facts):
                corrected = latest[base["application_id"]]
                row.update(corrects_id=corrected.id, reason=f"{base['reason']} (correction {position // len(facts)})",
                           correction_reason="A typing mistake in the reason.",
                           published_at=first_correction + timedelta(minutes=position))
            entry = SimpleNamespace(**row)
            entry.corrects = latest.get(base["application_id"]) if row["corrects_id"] else None
            entry.field_salts, entry.redactions = log.new_salts(log.entry_content(entry)), {}
            entry.content_hash = log.content_hash(entry)
            entry.previous_hash = previous
            entry.entry_hash = log.chain_hash(previous, entry.content_hash)
            previous = entry.entry_hash
            latest[base["application_id"]] = entry
            yield {**row, "content_hash": entry.content_hash, "previous_hash": entry.previous_hash,
                   "entry_hash": entry.entry_hash, "field_salts": entry.field_salts, "redactions": {}}

    writer.insert(DecisionLogEntry, entries())
    # Which entry is each application's current one (log.append keeps this table; here it is written in bulk).
    writer.insert(CurrentDecisionEntry, ({"application_id": application_id, "entry_id": entry.id,
                                          "decided_at": entry.decided_at, "reference": entry.reference}
                                         for application_id, entry in latest.items()))
    timings["decision log (hashed)"] = time.perf_counter() - started
    # The signed checkpoint log.append would have stored: one pass over every entry hash (the Merkle tree).
    started = time.perf_counter()
    checkpoints.record_checkpoint(session, now=now)
    timings["decision log checkpoint (signed)"] = time.perf_counter() - started

    # The benchmark's applicants: each with a draft application to the open round.
    started = time.perf_counter()
    bench_users = user_ids[sizes.organisations:]
    bench_organisations = organisation_ids[sizes.organisations:]
    writer.insert(Application, ({
        "id": application_id, "round_id": open_round.id, "organisation_id": organisation_id, "reference": None,
        "status": ApplicationStatus.DRAFT, "project_title": "Draft project", "amount_requested_pence": 500_000,
        "created_by_id": user_id, "created_at": now, "updated_at": now, "version": 1,
    } for application_id, user_id, organisation_id in zip(
        writer.ids(Application, BENCH_APPLICANTS), bench_users, bench_organisations, strict=True)))
    writer.fix_sequences()
    session.flush()
    timings["benchmark accounts"] = time.perf_counter() - started
    report("  rows written: " + ", ".join(f"{table} {count:,}" for table, count in writer.counts.items()))
    return timings


def build(url: str, *, sizes: Sizes, report=print) -> dict[str, float]:
    """Migrate an empty database at ``url`` and fill it; returns seconds per part (and in total)."""
    os.environ["PORTAL_DATABASE_URL"] = url
    os.environ.setdefault("PORTAL_ENV", "development")
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        timings = {"migrations": time.perf_counter() - started}
        timings |= generate(db.session, sizes=sizes, report=report)
        commit = time.perf_counter()
        db.session.commit()
        timings["commit"] = time.perf_counter() - commit
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                from sqlalchemy import text

                # As autovacuum would within a minute of a bulk load: fresh statistics, and the visibility map
                # that lets PostgreSQL answer counts from an index without reading the table.
                connection.execute(text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    timings["total"] = time.perf_counter() - started
    return timings


def _arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", metavar="URL",
                        help="the database to fill (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--create", action="store_true",
                        help="PostgreSQL: drop and create the database named in --database first")
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the full size (default 1)")
    return parser.parse_args()


def main() -> None:
    """Fill the database and print what was written and how long it took."""
    arguments = _arguments()
    url = arguments.database or sqlite_url(Path(tempfile.mkdtemp(prefix="portal-bench-data-")))
    if arguments.create:
        create_postgres(url)
    sizes = Sizes.at(arguments.scale)
    print(f"Filling {url} at scale {arguments.scale}: {sizes}")
    timings = build(url, sizes=sizes)
    for part, seconds in timings.items():
        print(f"  {part:<34} {seconds:7.1f} s")
    print(f"Sign in as {ACCOUNTS}.")
    print(f"Database: {url}")


if __name__ == "__main__":
    main()
