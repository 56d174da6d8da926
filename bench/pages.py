"""Benchmark the key pages over HTTP under gunicorn, each against a trivial view served in the same run.

    .venv/bin/python bench/pages.py --scale 0.2                 # SQLite, a fifth of the full size
    .venv/bin/python bench/pages.py                             # SQLite, full size (bench/generate.py)
    .venv/bin/python bench/pages.py --postgres --scale 0.2      # PostgreSQL at postgres@127.0.0.1:5432
    .venv/bin/python bench/pages.py --database URL              # a database bench/generate.py already filled

Fills a database with bench/generate.py (unless --database names one already filled), starts gunicorn with the
project's gunicorn.conf.py (several worker processes; --workers, --threads override), signs in a commissioner, a
panellist and applicants (cookies and CSRF tokens read from the forms, as a browser would) and, page by page,
drives the server with --clients concurrent clients for --seconds. For each page it prints the median and 95th
percentile latency and the throughput, each also as a ratio to the trivial view (GET /healthz) measured in the
same run, and whether the page meets the aims of issue 8: a median within 10x and a p95 within 25x the trivial
view's. Never part of the test suite; see bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402  (bench/generate.py, beside this file)

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MEDIAN_AIM, P95_AIM = 10.0, 25.0
LOG_PAGE_SIZE = 20  # portal.transparency.services.PAGE_SIZE


# A small browser: one keep-alive connection, cookies, forms -----------------------------------------


class FormReader(HTMLParser):
    """The fields of each form on a page (name to value), keyed by the form's action."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._form: dict[str, str] | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        """Start a form, or note a field inside one."""
        attributes = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(attributes.get("action") or "", {})
        elif self._form is not None and tag == "input" and attributes.get("name"):
            if attributes.get("type") in ("radio", "checkbox") and "checked" not in attributes:
                return
            if attributes.get("type") not in ("submit", "button"):
                self._form[attributes["name"]] = attributes.get("value") or ""
        elif self._form is not None and tag == "textarea" and attributes.get("name"):
            self._textarea = attributes["name"]
            self._form[self._textarea] = ""

    def handle_data(self, data):
        """The text of a textarea."""
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        """End a form or a textarea."""
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None


class Browser:
    """One client: a keep-alive HTTP connection with its own cookies."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection(host, port, timeout=120)

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, bytes]:
        """Send one request (never following redirects); returns the status and the body."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.connection.close()  # the server closed a kept-alive connection: open a new one
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, content

    def form(self, path: str, action: str | None = None) -> dict[str, str]:
        """GET the page and read the fields of the form posting to ``action`` (default: the page itself)."""
        status, content = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        reader = FormReader()
        reader.feed(content.decode())
        return dict(reader.forms[action or path])

    def sign_in(self, email: str) -> None:
        """Sign in through the sign-in form, as a person would."""
        fields = self.form("/sign-in")
        status, _ = self.request("POST", "/sign-in", {**fields, "email": email, "password": generate.PASSWORD})
        if status not in (302, 303):
            raise RuntimeError(f"Signing in as {email} answered {status}")


# The pages --------------------------------------------------------------------------------------------


@dataclass
class Page:
    """A page to measure: what to request, as whom; ``prepare`` runs before each timed request (untimed)."""

    name: str
    path: str
    who: str = "public"  # public, commissioner, panellist, applicant
    method: str = "GET"
    ok: tuple[int, ...] = (200,)


@dataclass
class Result:
    """Latencies of one page's requests, and how many came back wrong."""

    name: str
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    last_error: str = ""

    @property
    def median(self) -> float:
        """Median latency in seconds."""
        return statistics.median(self.latencies)

    @property
    def p95(self) -> float:
        """95th percentile latency in seconds."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def throughput(self) -> float:
        """Requests per second over the run (all clients together)."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def _identifiers(url: str) -> dict[str, object]:
    """The ids the pages need, read from the generated database."""
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from portal.models import Application, DecisionLogEntry, Membership, PanelAssignment, Round, User

    engine = create_engine(url)
    with Session(engine) as session:
        big = session.scalar(select(Round).where(Round.slug == generate.BIG_ROUND_SLUG))
        panellist = session.scalar(select(User).where(User.email == generate.PANELLIST_EMAIL))
        assignment = session.scalar(select(PanelAssignment.id).where(PanelAssignment.panellist_id == panellist.id)
                                    .order_by(PanelAssignment.id).limit(1))
        drafts = {}
        for number in range(1, generate.BENCH_APPLICANTS + 1):
            email = f"bench-applicant{number}@example.org"
            drafts[email] = session.scalar(
                select(Application.id).join(Membership, Membership.organisation_id == Application.organisation_id)
                .join(User, User.id == Membership.user_id).where(User.email == email))
        current = session.scalar(select(func.count(func.distinct(DecisionLogEntry.application_id)))) or 0
        entries = session.scalar(select(func.count(DecisionLogEntry.id))) or 0
        applications = session.scalar(select(func.count(Application.id)).where(Application.round_id == big.id))
    engine.dispose()
    return {"round_id": big.id, "assignment_id": assignment, "drafts": drafts, "current_entries": current,
            "entries": entries, "big_round_applications": applications}


def _pages(ids: dict[str, object]) -> list[Page]:
    """The key pages of issue 8, in the order they are measured."""
    last_page = max(1, math.ceil(ids["current_entries"] / LOG_PAGE_SIZE))
    deep = min(400, last_page)
    return [
        Page("trivial view (/healthz)", "/healthz"),
        Page("home", "/"),
        Page("prospectus", f"/rounds/{generate.OPEN_ROUND_SLUG}"),
        Page("decision log, page 1", "/decisions"),
        Page(f"decision log, page {deep}", f"/decisions?page={deep}"),
        Page("submissions list (commissioner)", f"/commissioning/rounds/{ids['round_id']}/applications",
             who="commissioner"),
        Page("scoring page (panellist)", f"/panel/assessments/{ids['assignment_id']}/scores", who="panellist"),
        Page("save project section (POST)", "", who="applicant", method="POST", ok=(302, 303)),
        Page("360Giving file", "/open-data/360giving.json"),
    ]


def _chosen(pages: list[Page], only: str | None) -> list[Page]:
    """The trivial view and the pages ``--only`` names (every page without it)."""
    if not only:
        return pages
    words = [word.strip().lower() for word in only.split(",") if word.strip()]
    return [page for number, page in enumerate(pages)
            if number == 0 or any(word in page.name.lower() for word in words)]


def _measure(page: Page, *, host: str, port: int, clients: int, seconds: float, cookies: dict[str, dict],
             drafts: dict[str, int]) -> Result:
    """Drive one page with ``clients`` concurrent clients for ``seconds``; every latency is kept."""
    result = Result(page.name)
    lock = threading.Lock()
    applicants = list(drafts.items())
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(number: int) -> None:
        """One client's loop: request, time, repeat until the time is up."""
        if page.who == "applicant":
            email, application_id = applicants[number % len(applicants)]
            browser = Browser(host, port, cookies[email])
            path = f"/applications/{application_id}/project"
        else:
            browser = Browser(host, port, cookies.get(page.who))
            path = page.path
        latencies, errors, last_error, count = [], 0, "", 0
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            body = None
            if page.method == "POST":
                count += 1
                body = {**browser.form(path), "project_title": f"Youth project, saved {count} times"}
            started = time.perf_counter()
            try:
                status, _ = browser.request(page.method, path, body)
            except OSError as error:
                status, last_error = 0, repr(error)
            latencies.append(time.perf_counter() - started)
            if status not in page.ok:
                errors += 1
                last_error = last_error or f"status {status}"
        browser.connection.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.last_error = result.last_error or last_error

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def _free_port() -> int:
    """A TCP port nobody is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(url: str, *, folder: Path, port: int, workers: int | None, threads: int | None
                  ) -> subprocess.Popen:
    """gunicorn with the project's gunicorn.conf.py (read from the project folder), in production settings."""
    env = {
        **os.environ, "PORTAL_ENV": "production", "PORTAL_DATABASE_URL": url, "PORTAL_REQUEST_LOG": "0",
        "PORTAL_SECRET_KEY": "bench-secret-key-not-for-real-use", "PORTAL_SECURE_COOKIES": "0",
        "PORTAL_MAIL_BACKEND": "file", "PORTAL_OUTBOX_DIR": str(folder / "outbox"),
        "PORTAL_INSTANCE_PATH": str(folder), "PORTAL_UPLOAD_DIR": str(folder / "uploads"),
        "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_LOG_LEVEL": "warning",
    }
    command = [str(ROOT / ".venv/bin/gunicorn")]
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    log = open(folder / "gunicorn.log", "w")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            status, _ = Browser("127.0.0.1", port).request("GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"gunicorn did not start; see {folder / 'gunicorn.log'}")


def _processes(url: str, workers: int | None, threads: int | None) -> tuple[int, int]:
    """How many processes and threads gunicorn runs: the options given, else gunicorn.conf.py's defaults."""
    with mock.patch.dict(os.environ, PORTAL_DATABASE_URL=url):  # it chooses its threads by database
        settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return workers or settings["workers"], threads or settings["threads"]


def _arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size of the generated data (default 1: full)")
    parser.add_argument("--database", metavar="URL", help="use this database, already filled by bench/generate.py")
    parser.add_argument("--postgres", metavar="URL", nargs="?", const=DEFAULT_POSTGRES,
                        help="generate into a temporary PostgreSQL database on this server (default "
                             f"{DEFAULT_POSTGRES}); dropped afterwards")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients per page (default 8)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per page (default 10)")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument("--only", metavar="WORDS", help="measure only the pages whose names contain one of these "
                        "comma-separated words (the trivial view always), e.g. --only log,save")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and database)")
    return parser.parse_args()


def _print_table(results: list[Result], trivial: Result) -> None:
    """Each page's figures and ratios to the trivial view, and whether it meets the aims."""
    print(f"\n{'page':<34}{'n':>6}{'err':>5}{'median ms':>11}{'p95 ms':>9}{'req/s':>8}"
          f"{'median x':>10}{'p95 x':>8}{'req/s x':>9}  aims")
    for result in results:
        median_ratio, p95_ratio = result.median / trivial.median, result.p95 / trivial.p95
        meets = "yes" if median_ratio <= MEDIAN_AIM and p95_ratio <= P95_AIM and not result.errors else "NO"
        if result is trivial:
            meets = "-"
        print(f"{result.name:<34}{len(result.latencies):>6}{result.errors:>5}{result.median * 1000:>11.1f}"
              f"{result.p95 * 1000:>9.1f}{result.throughput:>8.1f}{median_ratio:>10.2f}{p95_ratio:>8.2f}"
              f"{result.throughput / trivial.throughput:>9.3f}  {meets}")
    print(f"\nAims: median within {MEDIAN_AIM:g}x and p95 within {P95_AIM:g}x the trivial view's, no errors.")
    for result in results:
        if result.errors:
            print(f"  {result.name}: {result.errors} bad answers, e.g. {result.last_error}")


def main() -> None:
    """Generate (or reuse) the data, start gunicorn, measure every page and print the table."""
    arguments = _arguments()
    folder = Path(tempfile.mkdtemp(prefix="portal-bench-pages-"))
    made_postgres = None
    server = None
    try:
        url = arguments.database
        if url is None:
            sizes = generate.Sizes.at(arguments.scale)
            if arguments.postgres:
                url = arguments.postgres.rsplit("/", 1)[0] + f"/portal_bench_pages_{os.getpid()}"
                generate.create_postgres(url)
                made_postgres = url
            else:
                url = generate.sqlite_url(folder)
            print(f"Generating {sizes} into {url} ...")
            timings = generate.build(url, sizes=sizes)
            print(f"  generated in {timings['total']:.1f} s")
        ids = _identifiers(url)
        print(f"Data: {ids['big_round_applications']:,} applications in the big round; decision log "
              f"{ids['entries']:,} entries, {ids['current_entries']:,} current")
        port = _free_port()
        server = _start_server(url, folder=folder, port=port, workers=arguments.workers, threads=arguments.threads)
        cookies: dict[str, dict] = {}
        for who, email in (("commissioner", generate.COMMISSIONER_EMAIL), ("panellist", generate.PANELLIST_EMAIL)):
            browser = Browser("127.0.0.1", port)
            browser.sign_in(email)
            cookies[who] = browser.cookies
        for email in ids["drafts"]:
            browser = Browser("127.0.0.1", port)
            browser.sign_in(email)
            cookies[email] = browser.cookies
        load = os.getloadavg()
        workers, threads = _processes(url, arguments.workers, arguments.threads)
        print(f"gunicorn on port {port} ({workers} processes x {threads} thread{'' if threads == 1 else 's'}); "
              f"{arguments.clients} clients, {arguments.seconds:g} s a page; "
              f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        results = []
        for page in _chosen(_pages(ids), arguments.only):
            warm = Browser("127.0.0.1", port, cookies.get(page.who))
            if page.method == "GET":
                warm.request("GET", page.path)  # each worker's first request fills caches; warm one at least
            result = _measure(page, host="127.0.0.1", port=port, clients=arguments.clients,
                              seconds=arguments.seconds, cookies=cookies, drafts=ids["drafts"])
            print(f"  {page.name:<34} median {result.median * 1000:8.1f} ms  p95 {result.p95 * 1000:8.1f} ms  "
                  f"{result.throughput:7.1f} req/s  ({len(result.latencies)} requests, {result.errors} errors)")
            results.append(result)
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        _print_table(results, results[0])
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        if made_postgres and not arguments.keep:
            generate.drop_postgres(made_postgres)
        if arguments.keep:
            print(f"Kept {folder}" + (f" and {made_postgres}" if made_postgres else ""))
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
