"""gunicorn settings for the portal: ``.venv/bin/gunicorn`` in this folder reads them (or ``-c gunicorn.conf.py``).

Every value can be changed from the environment, so one file serves every machine (see docs/deployment.md):

- PORTAL_BIND               where to listen: ``127.0.0.1:8000`` (default), ``0.0.0.0:8000``, ``unix:/run/portal.sock``
- PORTAL_WEB_WORKERS        processes (default 2 x CPU cores + 1)
- PORTAL_WEB_THREADS        threads per process (default 4 on PostgreSQL, 1 on SQLite); keep PORTAL_DB_POOL_SIZE at
                            least this
- PORTAL_WEB_TIMEOUT        seconds a request may take before its worker is restarted (default 60: PDFs)
- PORTAL_FORWARDED_ALLOW_IPS the proxies trusted to say the request came over HTTPS (default 127.0.0.1,::1)
- PORTAL_CONTROL_SOCKET     a path for gunicorn's control socket (``gunicornc``); none by default

gunicorn's access log is off: the portal writes its own structured request log (portal/request_log.py).
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "wsgi:app"
bind = [address.strip() for address in os.environ.get("PORTAL_BIND", "127.0.0.1:8000").split(",") if address.strip()]

# Processes for CPU (templates, PDFs), threads for waiting on the database and the network.
workers = int(os.environ.get("PORTAL_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# On SQLite nothing waits on a database server, so a second thread only competes for the interpreter, and
# the request holding the database's write lock waits for its neighbours' turns: one thread per process
# (bench/RESULTS.md measured both).
_SQLITE = os.environ.get("PORTAL_DATABASE_URL", "sqlite").startswith("sqlite")
threads = int(os.environ.get("PORTAL_WEB_THREADS") or (1 if _SQLITE else 4))
worker_class = "gthread"

timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("PORTAL_WEB_GRACEFUL_TIMEOUT", "30"))  # finish requests in flight on restart
keepalive = 5  # seconds: the proxy reuses connections to us
# Restart each worker after a while (with jitter, so they do not all restart at once): bounds any slow leak.
max_requests = int(os.environ.get("PORTAL_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10

# Load the app once in the master, then fork: workers start fast and share its memory.
preload_app = True

# Only these proxies may say "this came over HTTPS" (X-Forwarded-Proto); PORTAL_PROXY_COUNT does the same
# inside the portal for the client's address and scheme.
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

accesslog = None  # the portal's JSON request log replaces it
errorlog = "-"
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
capture_output = False

# gunicorn 25+ opens a control socket in the home folder by default; two servers on one machine would share
# it, so it is opt-in here.
control_socket_disable = not os.environ.get("PORTAL_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["PORTAL_CONTROL_SOCKET"]


def post_fork(server, worker) -> None:
    """Each worker opens its own database connections: never use ones inherited from the master."""
    from portal.extensions import db
    from wsgi import app  # already imported by the master (preload_app), so this is the same app

    with app.app_context():
        db.engine.dispose(close=False)
