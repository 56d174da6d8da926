"""Benchmark outcome letters: the portal's render overhead, and bulk issue with every core against one worker.

    .venv/bin/python bench/letters.py            # 1,000 letters
    .venv/bin/python bench/letters.py --quick    # 50 letters
    .venv/bin/python bench/letters.py --letters 300 --renders 15 --workers 4

Builds a temporary SQLite database (and job queue) with a round whose decisions are published, then prints:
(a) the median time to render one letter through the portal (gathering the letter's content, its HTML and the
tagged PDF/UA-1 with the static-only fetcher) against WeasyPrint rendering the same HTML directly, and the ratio;
(b) letters per second for a bulk issue run by the Huey consumer with every core, against one worker process,
and the ratio. Never part of the test suite. See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class Databases:
    """Where the benchmark's databases live: SQLite files in the folder, or temporary PostgreSQL databases."""

    def __init__(self, folder: Path, postgres: str | None) -> None:
        self.folder, self.postgres, self.made = folder, postgres, []
        self.prefix = f"portal_bench_{os.getpid()}"

    def url(self, name: str) -> str:
        """The URL of the database called ``name``."""
        if self.postgres is None:
            return f"sqlite:///{self.folder / (name + '.sqlite3')}"
        return self.postgres.rsplit("/", 1)[0] + f"/{self.prefix}_{name}"

    def _admin(self, sql: str) -> None:
        """Run CREATE/DROP DATABASE on the PostgreSQL server."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(sql))
        engine.dispose()

    def create(self, name: str, *, copy_of: str | None = None) -> str:
        """An empty database, or a copy of another; returns its URL."""
        if self.postgres is None:
            if copy_of is not None:
                shutil.copy(self.folder / f"{copy_of}.sqlite3", self.folder / f"{name}.sqlite3")
            return self.url(name)
        template = f" TEMPLATE {self.prefix}_{copy_of}" if copy_of else ""
        self._admin(f"CREATE DATABASE {self.prefix}_{name}{template}")
        self.made.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        """Drop the temporary PostgreSQL databases."""
        for name in reversed(self.made):
            self._admin(f"DROP DATABASE IF EXISTS {self.prefix}_{name} WITH (FORCE)")


def _arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=1000, help="letters in the bulk issue (default 1000)")
    parser.add_argument("--quick", action="store_true", help="a quick run: 50 letters, fewer renders")
    parser.add_argument("--renders", type=int, default=25, help="renders timed for the median (default 25)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes for the 'every core' run (default: every core)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    parser.add_argument("--postgres", metavar="URL", nargs="?", const=DEFAULT_POSTGRES,
                        help="run the bulk issue on PostgreSQL instead of SQLite: a server URL whose user may create "
                             f"databases (default {DEFAULT_POSTGRES}); temporary databases are dropped afterwards")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.letters, arguments.renders = 50, 7
    return arguments


def _environment(folder: Path, database: str) -> dict[str, str]:
    """The settings a portal process (this one, or the consumer's workers) runs with."""
    return {
        **os.environ,
        "PORTAL_ENV": "development",
        "PORTAL_INSTANCE_PATH": str(folder),
        "PORTAL_DATABASE_URL": database,
        "PORTAL_QUEUE_URL": f"sqlite:///{folder / 'queue.sqlite3'}",
        "PORTAL_MAIL_BACKEND": "file",
        "PORTAL_OUTBOX_DIR": str(folder / "outbox"),
        "PYTHONPATH": str(ROOT),
    }


def _seed(session, *, letters: int):
    """A round with published decisions: awards, declines and reserves in turn, each needing a letter."""
    from datetime import timedelta

    from portal.models import Decision, Outcome, Role, RoundStatus, utcnow
    from tests.conftest import make_organisation, make_round, make_user
    from tests.fixtures.submissions import make_submission

    now = utcnow()
    commissioner = make_user(session, email="bench-commissioner@example.org", role=Role.COMMISSIONER,
                             name="Bench Commissioner")
    round_ = make_round(session, slug="bench-round", title="Benchmark round", status=RoundStatus.DECISIONS_PUBLISHED,
                        opens_in_days=-90, closes_in_days=-60)
    outcomes = [Outcome.AWARD, Outcome.DECLINE, Outcome.RESERVE]
    for number in range(1, letters + 1):
        member = make_user(session, email=f"member{number}@example.org", role=Role.APPLICANT, name=f"Member {number}")
        organisation = make_organisation(session, name=f"Community group {number}", members=[member])
        application = make_submission(session, round_=round_, organisation=organisation, by=member, number=number,
                                      project_title=f"Project number {number}")
        outcome = outcomes[number % 3]
        application.status = {Outcome.AWARD: "awarded", Outcome.DECLINE: "declined", Outcome.RESERVE: "reserve"}[outcome]
        session.add(Decision(
            application=application, outcome=outcome,
            amount_awarded_pence=application.amount_requested_pence if outcome == Outcome.AWARD else None,
            reason_category="Below the funding line" if outcome == Outcome.DECLINE else None,
            reason="The panel liked the plan; others scored higher." if outcome != Outcome.AWARD else "",
            panel_score=70.0, decided_by_id=commissioner.id, decided_by_role=Role.COMMISSIONER,
            decided_at=now - timedelta(days=2), published_at=now - timedelta(days=1)))
        if number % 200 == 0:
            session.flush()
    session.flush()
    return round_, commissioner


def _render_times(app, *, renders: int) -> tuple[float, float, float]:
    """Median seconds: the portal's whole render path, its PDF step alone, and WeasyPrint directly."""
    from sqlalchemy import select
    from weasyprint import HTML

    from portal.extensions import db
    from portal.letters import rendering, services
    from portal.models import Application

    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.status == "awarded").limit(1))
        decision = services.decision_for(db.session, application)
        kind = services.letter_kind_for(application, decision)
        settings = rendering.letter_settings(public_url="http://127.0.0.1:5000")

        def portal() -> str:
            content = services.letter_content(db.session, application=application, kind=kind, decision=decision,
                                              settings=settings, now=decision.published_at)
            html = rendering.letter_html(content, settings=settings)
            rendering.letter_pdf(html)
            return html

        html = portal()  # warm up fonts and caches for both
        HTML(string=html).write_pdf()
        whole, pdf_only, direct = [], [], []
        for _ in range(renders):
            start = time.perf_counter()
            portal()
            whole.append(time.perf_counter() - start)
            start = time.perf_counter()
            rendering.letter_pdf(html)
            pdf_only.append(time.perf_counter() - start)
            start = time.perf_counter()
            HTML(string=html).write_pdf()
            direct.append(time.perf_counter() - start)
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()  # nobody may be connected to the seeded database while it is copied
    return statistics.median(whole), statistics.median(pdf_only), statistics.median(direct)


def _bulk_issue(folder: Path, databases: Databases, *, workers: int, letters: int) -> float:
    """Letters per second for a bulk issue by a consumer with this many worker processes (on a fresh copy)."""
    from sqlalchemy import select

    from portal import create_app, jobs
    from portal.extensions import db
    from portal.letters import bulk
    from portal.models import LetterBatch, Round, User

    database = databases.create(f"bulk_{workers}", copy_of="seeded")
    env = _environment(folder, database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database})
    jobs.huey.flush()
    log = open(folder / f"consumer-{workers}.log", "w")
    consumer = subprocess.Popen(
        [str(ROOT / ".venv/bin/huey_consumer"), "portal.jobs.huey", "-k", "process", "-w", str(workers),
         "-d", "0.01", "-m", "0.1", "-n", "-q"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(2)  # let the workers start and import the portal
        with app.app_context():
            round_ = db.session.scalar(select(Round).where(Round.slug == "bench-round"))
            by = db.session.scalar(select(User).where(User.email == "bench-commissioner@example.org"))
            batch = bulk.start_batch(db.session, round_=round_, by=by)
            batch_id, total = batch.id, batch.total
            start = time.perf_counter()
            db.session.commit()  # queues one task per letter
            while True:
                time.sleep(0.2)
                db.session.expire_all()
                done = db.session.get(LetterBatch, batch_id)
                if done.finished_at is not None:
                    elapsed = time.perf_counter() - start
                    break
                db.session.rollback()
                if consumer.poll() is not None:
                    raise RuntimeError(f"The consumer stopped; see {folder / f'consumer-{workers}.log'}")
            if done.issued != total or total != letters:
                print(f"  warning: {done.issued} issued, {done.failed} failed, {done.skipped} skipped of {total};"
                      f" last error: {done.last_error}")
            db.session.remove()
            db.engine.dispose()
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        log.close()
    return total / elapsed


def main() -> None:
    """Run both measurements and print them."""
    arguments = _arguments()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    databases = Databases(folder, arguments.postgres)
    seeded = databases.create("seeded")
    os.environ.update(_environment(folder, seeded))  # before the portal reads its configuration
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    try:
        app = create_app()
        where = "PostgreSQL" if arguments.postgres else "SQLite"
        print(f"Building a round with {arguments.letters} published decisions on {where} ({folder}) ...")
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            _seed(db.session, letters=arguments.letters)
            db.session.commit()

        whole, pdf_only, direct = _render_times(app, renders=arguments.renders)
        print(f"\n(a) One letter, median of {arguments.renders} renders")
        print(f"    portal (content, HTML and tagged PDF/UA-1): {whole * 1000:7.1f} ms")
        print(f"      of which the PDF step alone:            {pdf_only * 1000:7.1f} ms")
        print(f"    WeasyPrint directly, same HTML:            {direct * 1000:7.1f} ms")
        print(f"    overhead ratio (portal / direct):          {whole / direct:7.2f}  (aim: under 1.20)")

        print(f"\n(b) Bulk issue of {arguments.letters} letters through the Huey consumer")
        many = _bulk_issue(folder, databases, workers=arguments.workers, letters=arguments.letters)
        print(f"    {arguments.workers} worker processes (every core): {many:7.1f} letters per second")
        one = _bulk_issue(folder, databases, workers=1, letters=arguments.letters)
        print(f"    1 worker process:                {one:7.1f} letters per second")
        print(f"    scaling ratio:                   {many / one:7.2f}  (ideal: {arguments.workers})")
    finally:
        databases.drop_all()
        if arguments.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
