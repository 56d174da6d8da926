"""Upload cases not covered elsewhere: path tricks sent through the real form, and requests that are too big.

Wrong types with a right extension, files over the limit and zip bombs are in tests/unit/test_uploads.py
and tests/functional/test_documents.py; name cleaning is unit-tested there too. Here the same tricks go
through the page, and the checks are on what lands on disk and what people see.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.models import ApplicationDocument
from tests.fixtures.documents import PDF_BYTES


def documents_url(application) -> str:
    """The documents page of an application."""
    return f"/applications/{application.id}/documents"


@pytest.mark.parametrize(("name", "shown"), [
    ("../../../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("/etc/cron.d/evil.pdf", "evil.pdf"),
    (".htaccess.pdf", "htaccess.pdf"),
    ("budget\x00.exe.pdf", "budget.exe.pdf"),
    ("<script>alert(1)</script>.pdf", "script.pdf"),
    ("%2e%2e%2f%2e%2e%2fescape.pdf", "2e2e2f2e2e2fescape.pdf"),
])
def test_path_tricks_in_file_names_stay_in_the_upload_folder(session, applicant_client, documents_application,
                                                             documents_upload_dir, tmp_path, name, shown):
    """The file is stored under a random name inside the upload folder; the name shown is cleaned."""
    before = {path for path in tmp_path.rglob("*")}
    page = applicant_client.submit(documents_url(documents_application), {"file": (io.BytesIO(PDF_BYTES), name)})
    assert page.status in (200, 302), f"Upload of {name!r} gave {page.status}"
    document = session.scalars(select(ApplicationDocument)).one()
    # (The test client drops backslashes inside the quoted file name, so only the end is certain for that case.)
    assert document.original_name.endswith(shown) and not document.original_name.startswith(".")
    assert not {"/", "\\", "\x00", "<", ">"} & set(document.original_name)
    new_files = {path for path in tmp_path.rglob("*") if path.is_file()} - before
    assert [path.parent for path in new_files] == [documents_upload_dir], f"Written outside the folder: {new_files}"
    assert [path.name for path in new_files] == [document.stored_name] and len(document.stored_name) == 32
    listing = applicant_client.page(documents_url(documents_application))
    assert document.original_name in listing.text() and "<script>alert(1)</script>" not in listing.response.get_data(as_text=True)


def test_a_request_over_the_size_limit_gets_the_too_big_page(app, monkeypatch, session, applicant_client,
                                                             documents_application, documents_upload_dir):
    """A body bigger than MAX_CONTENT_LENGTH is refused with the 413 page before anything is read or stored."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    page = applicant_client.submit(documents_url(documents_application),
                                   {"file": (io.BytesIO(PDF_BYTES + b"x" * (128 * 1024)), "big.pdf")})
    assert page.status == 413
    assert page.h1 == "The file or form was too big"
    assert session.scalars(select(ApplicationDocument)).all() == []
    assert not documents_upload_dir.exists() or not any(documents_upload_dir.iterdir())


def test_another_organisations_document_id_is_not_served(session, applicant_client, other_applicant_client,
                                                        documents_document):
    """Guessing a document's URL from another group gets nothing, not even with the right application id."""
    url = f"{documents_url(documents_document.application)}/{documents_document.id}"
    assert applicant_client.get(url).status_code == 200
    response = other_applicant_client.get(url)
    assert response.status_code in (403, 404) and response.mimetype == "text/html"
    assert PDF_BYTES not in response.get_data()
