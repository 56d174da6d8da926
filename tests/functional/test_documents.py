"""Supporting documents and the PDF copy, as applicants and commissioners use them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal import pdf as portal_pdf
from portal.models import ApplicationDocument, ApplicationSection, AuditEvent, SectionStatus, utcnow
from tests.fixtures.documents import PDF_BYTES, add_document, make_application, submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def documents_url(application) -> str:
    """The documents page of an application."""
    return f"/applications/{application.id}/documents"


def upload(client, application, name: str, data: bytes):
    """Upload one file through the form."""
    return client.submit(documents_url(application), {"file": (io.BytesIO(data), name)})


def audit_actions(session, entity_type: str) -> list[str]:
    """The audit trail's actions for this kind of record."""
    return list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == entity_type)))


@pytest.fixture(autouse=True)
def _uploads_in_tmp(documents_upload_dir):
    """Every test here stores uploads in its own temporary folder."""


def test_page_shows_guidance_and_an_upload_form(applicant_client, documents_application):
    """The round's guidance, no documents yet, a multipart form and the completed question."""
    page = applicant_client.page(documents_url(documents_application))
    assert page.status == 200
    assert page.h1 == "Supporting documents"
    assert "Send your safeguarding policy" in page.soup.select_one("#document-guidance").get_text()
    assert page.soup.select_one("#no-documents")
    form = page.soup.select_one("form[enctype='multipart/form-data']")
    assert form and form.select_one("input[type=file][name=file]")
    assert "smaller than 10MB" in page.text()
    assert "Have you completed this section?" in page.text()


def test_small_grants_need_no_documents(session, applicant_client, documents_round, organisation, applicant):
    """Under the small-grant threshold, the page explains nothing is needed and offers no upload."""
    small = make_application(session, round_=documents_round, organisation=organisation, created_by=applicant,
                             amount_pence=800_000)
    page = applicant_client.page(documents_url(small))
    assert page.h1 == "You do not need to send any documents"
    assert "less than £10,000" in page.text()
    assert not page.soup.select("input[type=file]")
    refused = upload(applicant_client, small, "accounts.pdf", PDF_BYTES)
    assert refused.status == 200
    assert session.scalars(select(ApplicationDocument)).all() == []


def test_upload_stores_outside_static_with_its_hash(session, applicant_client, documents_application,
                                                    documents_upload_dir):
    """An accepted PDF is stored under a random name in the upload folder, recorded, audited."""
    response = upload(applicant_client, documents_application, "../../Annual accounts.pdf", PDF_BYTES)
    assert response.status == 302
    document = session.scalars(select(ApplicationDocument)).one()
    assert document.original_name == "Annual accounts.pdf"
    assert document.content_type == "application/pdf"
    assert document.size_bytes == len(PDF_BYTES)
    stored = documents_upload_dir / document.stored_name
    assert stored.read_bytes() == PDF_BYTES
    assert "static" not in str(stored)
    import hashlib
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert "document.uploaded" in audit_actions(session, "application_document")
    section = session.scalars(select(ApplicationSection).where(ApplicationSection.key == "documents")).one()
    assert section.status == SectionStatus.IN_PROGRESS
    page = applicant_client.page(documents_url(documents_application))
    assert "Annual accounts.pdf" in page.soup.select_one("#documents").get_text()


def test_an_upload_whose_request_fails_leaves_no_file(monkeypatch, session, applicant_client,
                                                     documents_application, documents_upload_dir):
    """A request that fails after the file was written rolls back, and takes the file with it."""
    from portal.applications import uploads

    def broken_record(*_args, **_kwargs):
        raise RuntimeError("the audit trail could not be written")

    monkeypatch.setattr(uploads.audit, "record", broken_record)
    response = upload(applicant_client, documents_application, "accounts.pdf", PDF_BYTES)
    assert response.status == 500
    assert session.scalars(select(ApplicationDocument)).all() == []
    assert not documents_upload_dir.exists() or list(documents_upload_dir.iterdir()) == []


@pytest.mark.parametrize(("name", "data", "message"), [
    ("accounts.pdf", b"<html><script>alert(1)</script></html>", "The selected file is not really a .pdf file"),
    ("accounts.pdf", PNG, "The selected file is a PNG image but its name ends in .pdf"),
    ("accounts.pdf.exe", PDF_BYTES, "The selected file must be a PDF, Word"),
    ("accounts.pdf", b"", "The selected file is empty"),
    ("", b"", "Select a file to upload"),
])
def test_bad_uploads_are_refused_beside_the_field(session, applicant_client, documents_application, name, data,
                                                 message):
    """Each refusal is shown beside the file field and in the error summary; nothing is stored."""
    page = upload(applicant_client, documents_application, name, data)
    assert page.status == 200
    assert page.title.startswith("Error: ")
    assert page.field_error("file").startswith(message)
    assert page.error_summary()[0].startswith(message)
    assert session.scalars(select(ApplicationDocument)).all() == []


def test_oversized_upload_says_the_limit(app, monkeypatch, session, applicant_client, documents_application,
                                         documents_upload_dir):
    """The limit comes from UPLOAD_MAX_BYTES and is said in MB; nothing is written to disk."""
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1024 * 1024)
    page = upload(applicant_client, documents_application, "big.pdf", PDF_BYTES + b"x" * (1024 * 1024))
    assert page.field_error("file") == "The selected file must be smaller than 1MB"
    assert not documents_upload_dir.exists() or not any(documents_upload_dir.iterdir())


def test_zip_bomb_is_refused(applicant_client, documents_application):
    """A .docx that would unpack to 50MB from a few kilobytes."""
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "wordprocessingml")
        archive.writestr("word/document.xml", b"\x00" * (50 * 1024 * 1024))
    page = upload(applicant_client, documents_application, "policy.docx", buffer.getvalue())
    assert page.field_error("file").startswith("The selected file unpacks to far more than its size")


def test_remove_asks_first_then_removes_the_file(session, applicant_client, documents_document,
                                                 documents_upload_dir):
    """A confirmation page, then the record and (once committed) the file go."""
    url = f"{documents_url(documents_document.application)}/{documents_document.id}/remove"
    stored = documents_upload_dir / documents_document.stored_name
    page = applicant_client.page(url)
    assert page.h1 == "Remove this document?"
    assert "safeguarding-policy.pdf" in page.text()
    response = applicant_client.submit(url)
    assert response.status == 302
    assert session.scalars(select(ApplicationDocument)).all() == []
    assert not stored.exists()
    assert "document.removed" in audit_actions(session, "application_document")


def test_completed_needs_a_document(session, applicant_client, documents_application, applicant,
                                   documents_upload_dir):
    """Completed only with at least one document; "no" keeps it in progress."""
    url = f"{documents_url(documents_application)}/completed"
    page = applicant_client.submit(url, {"completed": "yes"}, token_from=documents_url(documents_application))
    assert page.field_error("completed") == "Upload at least one document before you mark this section as completed"
    page = applicant_client.submit(url, {}, token_from=documents_url(documents_application))
    assert page.field_error("completed") == "Select whether you have completed this section"

    add_document(session, application=documents_application, upload_dir=documents_upload_dir, by=applicant)
    response = applicant_client.submit(url, {"completed": "yes"}, token_from=documents_url(documents_application))
    assert response.status == 302
    section = session.scalars(select(ApplicationSection).where(ApplicationSection.key == "documents")).one()
    assert section.status == SectionStatus.COMPLETED
    assert section.updated_by_id == applicant.id
    assert "application_section.status_changed" in audit_actions(session, "application_section")
    page = applicant_client.page(documents_url(documents_application))
    assert page.soup.select_one("input[name=completed][value=yes]").has_attr("checked")


def test_uploads_refused_after_the_deadline(session, applicant_client, documents_application):
    """After the round closes, the page is read-only and an upload is refused with the deadline."""
    documents_application.round.closes_at = utcnow() - timedelta(hours=1)
    session.flush()
    page = applicant_client.page(documents_url(documents_application))
    assert "The deadline for this round was" in page.soup.select_one("#locked").get_text()
    assert not page.soup.select("input[type=file]")
    token = applicant_client.csrf_token("/forgot-password")
    refused = applicant_client._parse(applicant_client.post(documents_url(documents_application), data={
        "csrf_token": token, "file": (io.BytesIO(PDF_BYTES), "accounts.pdf")}))
    assert refused.title.startswith("Error: ")
    assert refused.error_summary()[0].startswith("The deadline for this round was")
    assert refused.soup.select_one(".govuk-error-summary a")["href"] == "#file"
    assert refused.soup.select_one("#file")
    assert session.scalars(select(ApplicationDocument)).all() == []


def test_submitted_applications_are_frozen(session, applicant_client, documents_document):
    """After submission, documents cannot be added or removed."""
    application = submit(session, documents_document.application)
    token = applicant_client.csrf_token("/forgot-password")
    refused = applicant_client._parse(applicant_client.post(documents_url(application), data={
        "csrf_token": token, "file": (io.BytesIO(PDF_BYTES), "more.pdf")}))
    assert refused.error_summary() == ["This application has been sent, so it cannot be changed"]
    assert "This application has been sent" in refused.soup.select_one("#locked").get_text()
    remove = applicant_client.submit(f"{documents_url(application)}/{documents_document.id}/remove",
                                     token_from="/forgot-password")
    assert remove.h1 == "You cannot remove this document"
    assert len(session.scalars(select(ApplicationDocument)).all()) == 1


def test_download_headers_and_audit(session, applicant_client, documents_document):
    """An attachment, with the detected type and nosniff, audited."""
    url = f"{documents_url(documents_document.application)}/{documents_document.id}"
    response = applicant_client.get(url)
    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "safeguarding-policy.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    assert audit_actions(session, "application_document").count("document.downloaded") == 1


def test_commissioners_may_download(commissioner_client, documents_document):
    """Commissioners see every application's documents."""
    url = f"{documents_url(documents_document.application)}/{documents_document.id}"
    assert commissioner_client.get(url).status_code == 200


def test_other_organisations_and_panellists_are_refused(other_applicant_client, panellist_client,
                                                        documents_document):
    """Nobody outside the organisation (but commissioners) gets the file, the page or the removal."""
    base = documents_url(documents_document.application)
    for client in (other_applicant_client, panellist_client):
        assert client.page(f"{base}/{documents_document.id}").status == 403
        assert client.page(f"{base}/{documents_document.id}/remove").status == 403
    assert other_applicant_client.page(base).status == 403
    refused = other_applicant_client.submit(f"{base}/{documents_document.id}/remove", token_from="/forgot-password")
    assert refused.status == 403


def test_another_applications_document_is_not_found(session, applicant_client, documents_document,
                                                    documents_round, organisation, applicant):
    """A document id under the wrong application is a 404, even in the same organisation."""
    other = make_application(session, round_=documents_round, organisation=organisation, created_by=applicant,
                             title="Another idea")
    page = applicant_client.page(f"{documents_url(other)}/{documents_document.id}")
    assert page.status == 404


# The PDF copy ------------------------------------------------------------------------------------


def test_no_copy_before_submission(applicant_client, documents_application):
    """A draft has no PDF copy: a 404 that says why."""
    page = applicant_client.page(f"/applications/{documents_application.id}/copy.pdf")
    assert page.status == 404
    assert "we make one when the application is sent" in page.text()


def test_copy_of_a_submitted_application(applicant_client, commissioner_client, documents_submitted_application):
    """Members and commissioners get a tagged A4 PDF of what was sent, with a title and language."""
    url = f"/applications/{documents_submitted_application.id}/copy.pdf"
    response = applicant_client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="application-YLF-2026-0042.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Application YLF-2026-0042" in text
    assert "Saturday boxing club" in text and "£15,000" in text
    assert "Our answer to what will you do?" in text
    assert "Coach fees" in text and "Grace Mensah, Chair" in text
    assert reader.metadata.title.startswith("Application YLF-2026-0042: Saturday boxing club")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert commissioner_client.get(url).status_code == 200


def test_copy_refused_to_other_organisations(other_applicant_client, panellist_client,
                                             documents_submitted_application):
    """Only the organisation's members and commissioners see the copy."""
    url = f"/applications/{documents_submitted_application.id}/copy.pdf"
    assert other_applicant_client.page(url).status == 403
    assert panellist_client.page(url).status == 403


def test_copy_shows_applicant_markup_as_text_and_fetches_nothing(monkeypatch, session, applicant_client,
                                                                documents_round, organisation, applicant):
    """An answer with an <img> tag and a file:// address is printed as text; no URL is fetched."""
    from portal.models import Answer
    application = make_application(session, round_=documents_round, organisation=organisation,
                                   created_by=applicant, title="<b>Bold</b> plans")
    hostile = '<img src="http://attacker.example/track.png"> file:///etc/passwd'
    session.add(Answer(application=application, question=documents_round.questions[0], text=hostile))
    session.flush()
    submit(session, application, reference="YLF-2026-0043")
    fetched = []
    original = portal_pdf.StaticOnlyFetcher.fetch

    def spy(self, url, *args, **kwargs):
        fetched.append(url)
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(portal_pdf.StaticOnlyFetcher, "fetch", spy)
    response = applicant_client.get(f"/applications/{application.id}/copy.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert '<img src="http://attacker.example/track.png">' in text
    assert "file:///etc/passwd" in text
    assert "<b>Bold</b> plans" in text
    assert fetched == [], f"The PDF tried to fetch {fetched}"


def test_commissioners_download_documents_from_the_sent_application(commissioner_client, session, submitted_application, tmp_path):
    """The commissioner's view of a sent application links each document to its download."""
    from portal.applications.snapshot import build_snapshot
    from portal.models import ApplicationDocument

    document = ApplicationDocument(application=submitted_application, original_name="accounts.pdf",
                                   stored_name="a" * 32, content_type="application/pdf", size_bytes=2048,
                                   sha256="0" * 64, uploaded_by_id=submitted_application.created_by_id)
    session.add(document)
    session.flush()
    submitted_application.submitted_snapshot = build_snapshot(
        submitted_application, submitted_at=submitted_application.submitted_at)
    session.flush()
    page = commissioner_client.page(f"/commissioning/applications/{submitted_application.id}")
    link = page.soup.find("a", string="accounts.pdf")
    assert link["href"] == f"/applications/{submitted_application.id}/documents/{document.id}"
