"""Accessible PDFs with WeasyPrint, which may read the portal's own static files and nothing else.

Applicant text can contain anything (an <img src="http://..."> or "file:///etc/passwd" in an answer
is escaped, but a mistake in a template must not turn into a network request or a file read), so
the fetcher refuses every URL that is not a file under portal/static/.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = (Path(__file__).parent / "static").resolve()
STATIC_URL_PREFIX = "/static/"

# WeasyPrint logs each refused URL as a warning; keep them, they show a template fetching something.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class StaticOnlyFetcher(URLFetcher):
    """Serves files from portal/static/ and refuses everything else."""

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        """Return the static file ``url`` names, or raise."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ValueError(f"PDFs may not fetch {url!r}: only the portal's own static files")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(STATIC_DIR) or not path.is_file():
            raise ValueError(f"PDFs may not read {path}: only files under portal/static/")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), headers={}, status=200)


def render_pdf(html: str, *, stylesheet: str | None = None) -> bytes:
    """A tagged PDF/UA-1 document from the HTML (which must set <title> and lang)."""
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher())
    stylesheets = [CSS(string=stylesheet, url_fetcher=StaticOnlyFetcher())] if stylesheet else []
    return document.write_pdf(stylesheets=stylesheets, pdf_variant="pdf/ua-1")
