"""Supporting documents and the PDF copy.

Only members of the applying organisation change documents (not even commissioners); members and
commissioners may download them and the PDF copy. Everyone else gets a 403 from the service.
"""

from __future__ import annotations

from tests.functional.access import APPLICANT, COMMISSIONER

MEMBERS = frozenset({APPLICANT})
MEMBERS_AND_COMMISSIONERS = frozenset({APPLICANT, COMMISSIONER})

EXPECTED = {
    "documents.documents": MEMBERS,
    "documents.complete_section": MEMBERS,
    "documents.remove_document": MEMBERS,
    "documents.download_document": MEMBERS_AND_COMMISSIONERS,
    "documents.copy_pdf": MEMBERS_AND_COMMISSIONERS,
}

METHODS = {
    "documents.documents": ("GET", "POST"),
    "documents.complete_section": ("POST",),
    "documents.remove_document": ("GET", "POST"),
}

# ``application_id`` is the shared draft; the PDF copy needs a sent application, hence its own argument name.
URL_VALUES = {
    "application_id": ("draft_application", "id"),
    "document_id": ("documents_matrix_document", "id"),
    "submitted_application_id": ("submitted_application", "id"),
}
