"""Supporting documents: content checks, storage outside the web root, and the services that use them.

Rules (from the issue: "the type is checked from the content, names are sanitised, files are stored
outside the web root and served only to people allowed to see them"):

- The type comes from the file's first bytes (PDF, PNG, JPEG, GIF, WebP, Word .doc) or, for ZIP-based
  formats, from the members inside (.docx: ``[Content_Types].xml`` naming WordprocessingML and ``word/``
  entries; .odt/.ods: the ``mimetype`` member). The name's extension must match what was found.
- ZIP-based files are checked for zip bombs (total uncompressed size and compression ratio) from
  their central directory before any member is read, and members are read only up to a small limit.
- Empty files and files over the size limit are refused, with the limit said in MB.
- Names keep letters, digits, spaces, dots, hyphens and underscores; paths and leading dots go; at most
  100 characters, keeping the extension.
- Files are stored as ``<upload dir>/<random hex>`` (never under static) with their SHA-256 recorded.

Whether an application needs documents is one rule, ``documents_rule``: the round's settings decide
(a round that asks for documents asks every grant at or above its small-grant threshold, never smaller
ones, as its prospectus says). When they are needed the section is required: it is "completed" only
with at least one document, and the application cannot be sent until it is. The task list, the
documents page and the refusal all say so in the rule's own words.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal import audit
from portal.applications.access import application_for_member, application_for_staff, ensure_editable
from portal.applications.snapshot import is_small_grant
from portal.domain import NotFound, ValidationError
from portal.formatting import money
from portal.models import (
    Application,
    ApplicationDocument,
    ApplicationSection,
    Role,
    SectionStatus,
    User,
    utcnow,
)

SECTION_KEY = "documents"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 100
# Zip bombs: a real Word or OpenDocument file of 10 MB unpacks to far less than this.
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 2000
ZIP_MEMBER_READ_LIMIT = 64 * 1024


@dataclass(frozen=True)
class FileType:
    """A kind of document we accept: its content type, the extensions it may have, and its name."""

    content_type: str
    extensions: tuple[str, ...]
    label: str


TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (".pdf",), "a PDF"),
    "png": FileType("image/png", (".png",), "a PNG image"),
    "jpeg": FileType("image/jpeg", (".jpg", ".jpeg"), "a JPEG image"),
    "gif": FileType("image/gif", (".gif",), "a GIF image"),
    "webp": FileType("image/webp", (".webp",), "a WebP image"),
    "doc": FileType("application/msword", (".doc",), "a Word document"),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",),
                     "a Word document"),
    "odt": FileType("application/vnd.oasis.opendocument.text", (".odt",), "an OpenDocument text file"),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", (".ods",),
                    "an OpenDocument spreadsheet"),
}
ALLOWED_EXTENSIONS = tuple(ext for t in TYPES.values() for ext in t.extensions)
ALLOWED_IN_WORDS = "PDF, Word (.doc or .docx), OpenDocument (.odt or .ods), PNG, JPEG, GIF or WebP"


def max_megabytes(max_bytes: int) -> str:
    """The size limit in MB as people read it: "10MB", "2.5MB"."""
    megabytes = max_bytes / (1024 * 1024)
    return f"{megabytes:g}MB" if megabytes >= 0.1 else f"{max_bytes:,} bytes"


# Names -------------------------------------------------------------------------------------------

_NOT_ALLOWED_IN_NAMES = re.compile(r"[^\w .\-]", re.UNICODE)


def sanitise_name(name: str) -> str:
    """A safe display name: no path, no leading dots, only letters, digits, spaces, . - _; 100 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]  # browsers may send a whole path, with either slash
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # control characters
    name = _NOT_ALLOWED_IN_NAMES.sub("", name)
    name = " ".join(name.split()).lstrip(". ").rstrip(" ")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = ("." + extension.lower()) if dot else ""
    stem = stem.rstrip(". ")
    if not stem:
        stem = "document"
    stem = stem[: MAX_NAME_LENGTH - len(extension)].rstrip(". ")
    return (stem or "document") + extension


# Content ----------------------------------------------------------------------------------------


def _zip_kind(data: bytes) -> str | None:
    """Which ZIP-based document this is (docx, odt, ods), refusing zip bombs and damaged files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise ValidationError("The selected file is damaged: it could not be opened", field="file") from error
    total = sum(member.file_size for member in members)
    if (len(members) > ZIP_MAX_MEMBERS or total > ZIP_MAX_UNCOMPRESSED
            or total > ZIP_MAX_RATIO * max(len(data), 1)):
        raise ValidationError(
            "The selected file unpacks to far more than its size, so we cannot accept it. "
            "Save it again as a PDF and upload that", field="file")

    def read(name: str) -> bytes | None:
        """A member's first bytes, or None if it is missing or damaged."""
        try:
            with archive.open(name) as member:
                return member.read(ZIP_MEMBER_READ_LIMIT)
        except (KeyError, zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
            return None

    names = {member.filename for member in members}
    if "mimetype" in names:
        mimetype = (read("mimetype") or b"").strip()
        for kind in ("odt", "ods"):
            if mimetype == TYPES[kind].content_type.encode():
                return kind
        return None
    if "[Content_Types].xml" in names and any(name.startswith("word/") for name in names):
        content_types = read("[Content_Types].xml") or b""
        if b"wordprocessingml" in content_types:
            return "docx"
    return None


def detect_kind(data: bytes) -> str | None:
    """The kind of document the bytes are (a key of TYPES), or None if it is not one we accept."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check."""

    name: str
    content_type: str
    size_bytes: int
    sha256: str


def check_upload(*, filename: str | None, data: bytes | None, max_bytes: int) -> CheckedFile:
    """Refuse anything that is missing, empty, too big, not an accepted type, or named as another type."""
    if not filename and not data:
        raise ValidationError("Select a file to upload", field="file")
    if not data:
        raise ValidationError("The selected file is empty. Check it and upload it again", field="file")
    if len(data) > max_bytes:
        raise ValidationError(f"The selected file must be smaller than {max_megabytes(max_bytes)}", field="file")
    name = sanitise_name(filename or "")
    extension = os.path.splitext(name)[1]
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(f"The selected file must be a {ALLOWED_IN_WORDS} file", field="file")
    kind = detect_kind(data)
    if kind is None:
        raise ValidationError(
            f"The selected file is not really a {extension} file. Upload a {ALLOWED_IN_WORDS} file",
            field="file")
    file_type = TYPES[kind]
    if extension not in file_type.extensions:
        raise ValidationError(
            f"The selected file is {file_type.label} but its name ends in {extension}. "
            f"Rename it to end in {file_type.extensions[0]} and upload it again", field="file")
    return CheckedFile(name=name, content_type=file_type.content_type, size_bytes=len(data),
                       sha256=hashlib.sha256(data).hexdigest())


# Storage ----------------------------------------------------------------------------------------

_STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


def stored_path(upload_dir: str, stored_name: str) -> Path:
    """Where a stored file lives; only names we made (32 hex digits) are accepted."""
    if not _STORED_NAME.fullmatch(stored_name):
        raise NotFound("There is no such document")
    return Path(upload_dir) / stored_name


def store_file(upload_dir: str, data: bytes) -> str:
    """Write the bytes under a new random name in the upload folder; return that name."""
    os.makedirs(upload_dir, mode=0o700, exist_ok=True)
    stored_name = secrets.token_hex(16)
    with open(stored_path(upload_dir, stored_name), "xb") as file:
        file.write(data)
    return stored_name


def _discard_unless_committed(session: Session, path: Path) -> None:
    """Delete a newly stored file if its transaction is rolled back, so no file is left that nothing names."""
    settled = False

    def committed(_session: Session) -> None:
        nonlocal settled
        settled = True

    def rolled_back(_session: Session, previous) -> None:
        nonlocal settled
        if not settled and not previous.nested:  # a savepoint inside the request does not decide it
            settled = True
            path.unlink(missing_ok=True)

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)


def _discard_after_commit(session: Session, path: Path) -> None:
    """Delete a removed document's file only once the removal has committed (a rollback keeps it)."""

    def discard(_session: Session) -> None:
        path.unlink(missing_ok=True)

    event.listen(session, "after_commit", discard, once=True)


# Services ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentsRule:
    """Whether this application must send supporting documents, and the words every page uses to say so."""

    needed: bool
    wording: str


def documents_rule(application: Application) -> DocumentsRule:
    """The one rule: the round's settings and the amount asked for decide whether documents are needed."""
    round_ = application.round
    if not round_.asks_for_documents:
        return DocumentsRule(needed=False, wording="This round does not ask for supporting documents")
    if is_small_grant(application):
        return DocumentsRule(needed=False, wording=(
            f"Groups asking for less than {money(round_.small_grant_threshold_pence)} do not need to send "
            "documents with their application"))
    return DocumentsRule(needed=True, wording="Upload at least one document")


def documents_needed(application: Application) -> bool:
    """Whether the application must send at least one supporting document (see ``documents_rule``)."""
    return documents_rule(application).needed


@dataclass(frozen=True)
class DocumentsPage:
    """What the documents page shows."""

    application: Application
    rule: DocumentsRule
    documents: list[ApplicationDocument]
    status: SectionStatus
    locked_reason: str | None

    @property
    def needed(self) -> bool:
        """Whether this application must send documents."""
        return self.rule.needed

    @property
    def completed_answer(self) -> str | None:
        """The answer already given to "Have you completed this section?", if any."""
        if self.status == SectionStatus.NOT_STARTED:
            return None
        return "yes" if self.status == SectionStatus.COMPLETED else "no"


def _section(session: Session, application: Application) -> ApplicationSection:
    """The documents section's row, made if it is missing."""
    for section in application.sections:
        if section.key == SECTION_KEY:
            return section
    section = ApplicationSection(application=application, key=SECTION_KEY, status=SectionStatus.NOT_STARTED)
    session.add(section)
    return section


def _mark(section: ApplicationSection, status: SectionStatus, *, by: User) -> None:
    """Change the section's status and version."""
    section.status = status
    section.version = (section.version or 0) + 1
    section.updated_at = utcnow()
    section.updated_by_id = by.id


def _editable_application(session: Session, *, application_id: int, by: User) -> Application:
    """A member's application that can still be changed and that asks for documents."""
    application = application_for_member(session, application_id=application_id, by=by)
    ensure_editable(application, now=utcnow())
    if not documents_needed(application):
        raise ValidationError("This application does not need any documents", field="file")
    return application


def documents_page(session: Session, *, application_id: int, by: User) -> DocumentsPage:
    """The documents uploaded, the section's status, and why it cannot be changed (if it cannot)."""
    application = application_for_member(session, application_id=application_id, by=by)
    try:
        ensure_editable(application, now=utcnow())
        locked_reason = None
    except ValidationError as error:
        locked_reason = error.message.split(". We could not")[0]
    section = next((s for s in application.sections if s.key == SECTION_KEY), None)
    return DocumentsPage(
        application=application, rule=documents_rule(application), documents=list(application.documents),
        status=section.status if section else SectionStatus.NOT_STARTED, locked_reason=locked_reason,
    )


def upload_document(session: Session, *, application_id: int, filename: str | None, data: bytes | None,
                    max_bytes: int, upload_dir: str, by: User) -> ApplicationDocument:
    """Check an upload, store it outside the web root and attach it to the application."""
    application = _editable_application(session, application_id=application_id, by=by)
    checked = check_upload(filename=filename, data=data, max_bytes=max_bytes)
    stored_name = store_file(upload_dir, data or b"")
    _discard_unless_committed(session, stored_path(upload_dir, stored_name))
    document = ApplicationDocument(
        application=application, original_name=checked.name, stored_name=stored_name,
        content_type=checked.content_type, size_bytes=checked.size_bytes, sha256=checked.sha256,
        uploaded_at=utcnow(), uploaded_by_id=by.id,
    )
    session.add(document)
    section = _section(session, application)
    if section.status == SectionStatus.NOT_STARTED:
        _mark(section, SectionStatus.IN_PROGRESS, by=by)
    session.flush()
    audit.record(session, actor=by, action="document.uploaded", entity=document, after=audit.snapshot(
        document, ["application_id", "original_name", "content_type", "size_bytes", "sha256"]))
    return document


def _document_of(application: Application, document_id: int) -> ApplicationDocument:
    """One of this application's documents (another application's document is not found)."""
    for document in application.documents:
        if document.id == document_id:
            return document
    raise NotFound("There is no such document on this application")


def document_to_remove(session: Session, *, application_id: int, document_id: int,
                       by: User) -> tuple[Application, ApplicationDocument]:
    """The document a member is about to remove (for the confirmation page)."""
    application = application_for_member(session, application_id=application_id, by=by)
    return application, _document_of(application, document_id)


def remove_document(session: Session, *, application_id: int, document_id: int, upload_dir: str,
                    by: User) -> ApplicationDocument:
    """Take a document off a draft application; its file is deleted once the removal commits."""
    application = application_for_member(session, application_id=application_id, by=by)
    document = _document_of(application, document_id)
    ensure_editable(application, now=utcnow())
    before = audit.snapshot(document, ["application_id", "original_name", "content_type", "size_bytes", "sha256"])
    path = stored_path(upload_dir, document.stored_name)
    application.documents.remove(document)
    session.delete(document)
    section = _section(session, application)
    if not application.documents and section.status == SectionStatus.COMPLETED:
        _mark(section, SectionStatus.IN_PROGRESS, by=by)
    audit.record(session, actor=by, action="document.removed", entity=document, before=before)
    session.flush()
    _discard_after_commit(session, path)
    return document


def complete_documents_section(session: Session, *, application_id: int, completed: bool,
                               by: User) -> ApplicationSection:
    """Mark the documents section completed (needs at least one document) or still in progress."""
    application = _editable_application(session, application_id=application_id, by=by)
    if completed and not application.documents:
        raise ValidationError(f"{documents_rule(application).wording} before you mark this section as completed",
                              field="completed")
    section = _section(session, application)
    before = {"status": section.status.value if section.status else None}
    _mark(section, SectionStatus.COMPLETED if completed else SectionStatus.IN_PROGRESS, by=by)
    session.flush()
    audit.record(session, actor=by, action="application_section.status_changed", entity=section,
                 before=before, after={"key": SECTION_KEY, "status": section.status.value})
    return section


def document_for_download(session: Session, *, application_id: int, document_id: int, upload_dir: str,
                          by: User) -> tuple[ApplicationDocument, Path]:
    """A document for its organisation's members or commissioners, with where its file is; audited."""
    if by.has_role(Role.COMMISSIONER):
        application = application_for_staff(session, application_id=application_id, by=by)
    else:
        application = application_for_member(session, application_id=application_id, by=by)
    document = _document_of(application, document_id)
    path = stored_path(upload_dir, document.stored_name)
    if not path.is_file():
        raise NotFound("This document's file is missing. Contact us and we will look into it")
    audit.record(session, actor=by, action="document.downloaded", entity=document,
                 after={"application_id": application.id, "original_name": document.original_name})
    return document, path
