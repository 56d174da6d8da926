"""Upload checks: the type comes from the content, names are made safe, zip bombs and empty files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from portal.applications.uploads import check_upload, detect_kind, max_megabytes, sanitise_name
from portal.domain import ValidationError

MB = 1024 * 1024
PDF = b"%PDF-1.7\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
GIF = b"GIF89a" + b"\x00" * 20
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 10
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20


def zipped(members: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP file with these members, in this order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({
    "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.openxmlformats-officedocument.'
                           b'wordprocessingml.document.main+xml" PartName="/word/document.xml"/></Types>',
    "word/document.xml": b"<w:document/>",
})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
             compression=zipfile.ZIP_STORED)
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"},
             compression=zipfile.ZIP_STORED)


def refusal(filename: str, data: bytes, max_bytes: int = 10 * MB) -> str:
    """The message an upload is refused with."""
    with pytest.raises(ValidationError) as caught:
        check_upload(filename=filename, data=data, max_bytes=max_bytes)
    assert caught.value.field == "file", "Upload messages belong beside the file field"
    return caught.value.message


@pytest.mark.parametrize(("data", "kind"), [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (GIF, "gif"), (WEBP, "webp"), (DOC, "doc"),
    (DOCX, "docx"), (ODT, "odt"), (ODS, "ods"), (b"<html><script>", None), (b"MZ\x90\x00", None),
    (zipped({"readme.txt": b"hello"}), None),
])
def test_kind_comes_from_the_content(data, kind):
    """Magic bytes, or the members of a ZIP, say what a file is."""
    assert detect_kind(data) == kind


@pytest.mark.parametrize(("filename", "data", "content_type"), [
    ("accounts.pdf", PDF, "application/pdf"),
    ("logo.PNG", PNG, "image/png"),
    ("photo.jpeg", JPEG, "image/jpeg"),
    ("photo.jpg", JPEG, "image/jpeg"),
    ("policy.doc", DOC, "application/msword"),
    ("policy.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("plan.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
])
def test_accepted_files_record_type_size_and_hash(filename, data, content_type):
    """Each accepted type gets its content type from the content, with size and SHA-256."""
    checked = check_upload(filename=filename, data=data, max_bytes=10 * MB)
    assert checked.content_type == content_type
    assert checked.size_bytes == len(data)
    assert len(checked.sha256) == 64


def test_wrong_content_with_a_right_extension_is_refused():
    """A web page renamed to .pdf is not a PDF."""
    assert refusal("accounts.pdf", b"<html><script>alert(1)</script>") == (
        "The selected file is not really a .pdf file. Upload a PDF, Word (.doc or .docx), OpenDocument "
        "(.odt or .ods), PNG, JPEG, GIF or WebP file")


def test_extension_must_match_the_detected_type():
    """A PNG named .pdf is refused, with what it really is."""
    assert refusal("accounts.pdf", PNG) == (
        "The selected file is a PNG image but its name ends in .pdf. Rename it to end in .png and upload it again")


def test_other_extensions_are_refused():
    """Programs, scripts and web pages are not accepted, whatever they contain."""
    for name in ("setup.exe", "page.html", "notes.txt", "noextension"):
        assert refusal(name, PDF).startswith("The selected file must be a PDF, Word")


def test_double_extensions_go_by_the_last_one():
    """accounts.pdf.exe is a program; report.png.pdf holding a PNG is refused; a PDF named x.exe.pdf is a PDF."""
    assert refusal("accounts.pdf.exe", PDF).startswith("The selected file must be a PDF")
    assert "is a PNG image but its name ends in .pdf" in refusal("report.png.pdf", PNG)
    checked = check_upload(filename="minutes.exe.pdf", data=PDF, max_bytes=MB)
    assert checked.name == "minutes.exe.pdf" and checked.content_type == "application/pdf"


def test_empty_and_missing_files_are_refused():
    """Nothing chosen, or a file with nothing in it."""
    assert refusal("", b"") == "Select a file to upload"
    assert refusal("accounts.pdf", b"") == "The selected file is empty. Check it and upload it again"


def test_oversized_files_are_refused_with_the_limit_in_mb():
    """The limit is said in megabytes."""
    assert refusal("accounts.pdf", PDF + b"x" * (2 * MB), max_bytes=2 * MB) == (
        "The selected file must be smaller than 2MB")
    assert max_megabytes(10 * MB) == "10MB"
    assert max_megabytes(int(2.5 * MB)) == "2.5MB"


def test_zip_bombs_are_refused_before_anything_is_unpacked():
    """A .docx whose members unpack to far more than its size is refused."""
    bomb = zipped({
        "[Content_Types].xml": b"wordprocessingml", "word/document.xml": b"\x00" * (20 * MB),
    })
    assert len(bomb) < MB
    assert refusal("policy.docx", bomb).startswith("The selected file unpacks to far more than its size")


def test_many_small_bombs_are_refused_by_total_size():
    """The total of every member counts, not just one."""
    members = {"[Content_Types].xml": b"wordprocessingml"}
    members.update({f"word/part{i}.xml": b"a" * (2 * MB) for i in range(60)})
    assert refusal("policy.docx", zipped(members)).startswith("The selected file unpacks to far more")


def test_damaged_zip_is_refused():
    """A file that starts like a ZIP but is not one."""
    assert refusal("policy.docx", b"PK\x03\x04 not really a zip") == (
        "The selected file is damaged: it could not be opened")


def test_zip_that_is_not_a_document_is_refused():
    """A ZIP of anything else, renamed .docx."""
    assert refusal("policy.docx", zipped({"virus.exe": b"MZ"})).startswith("The selected file is not really a .docx")


def test_odf_with_a_wrong_mimetype_is_refused():
    """The mimetype member decides: an OpenDocument drawing is not accepted."""
    drawing = zipped({"mimetype": b"application/vnd.oasis.opendocument.graphics"}, compression=zipfile.ZIP_STORED)
    assert refusal("plan.odt", drawing).startswith("The selected file is not really a .odt")


@pytest.mark.parametrize(("given", "safe"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\report.pdf", "report.pdf"),
    ("C:\\Users\\Grace\\Documents\\Annual report 2025.pdf", "Annual report 2025.pdf"),
    (".htaccess.pdf", "htaccess.pdf"),
    ("...pdf", "pdf"),
    ("..pdf.pdf", "pdf.pdf"),
    ("<script>alert(1)</script>.pdf", "script.pdf"),
    ("<b>\"quoted\"<b>?.pdf", "bquotedb.pdf"),
    ("budget\x00.exe.pdf", "budget.exe.pdf"),
    ("rapport d’activité.pdf", "rapport dactivité.pdf"),
    ("  spaced   out  .pdf", "spaced out.pdf"),
    ("Policy.PDF", "Policy.pdf"),
    ("", "document"),
])
def test_names_are_sanitised(given, safe):
    """Paths, leading dots, control and odd characters go; letters, digits, spaces, . - _ stay."""
    assert sanitise_name(given) == safe


def test_long_names_keep_their_extension():
    """At most 100 characters, and the extension survives."""
    name = sanitise_name("a" * 300 + ".docx")
    assert len(name) == 100 and name.endswith(".docx")
