"""Messages about a sent application: the group's members on their side, commissioners on theirs.

Other groups get a 403 from the service; panellists are refused by the role rule (they see only messages a
commissioner shares, on their own scoring pages).
"""

from __future__ import annotations

from tests.functional.access import APPLICANT, COMMISSIONERS_ONLY

EXPECTED = {
    "messages.application_messages": frozenset({APPLICANT}),
    "messages.submission_messages": COMMISSIONERS_ONLY,
    "messages.share_message": COMMISSIONERS_ONLY,
    "messages.round_messages": COMMISSIONERS_ONLY,
}

METHODS = {
    "messages.application_messages": ("GET", "POST"),
    "messages.submission_messages": ("GET", "POST"),
    "messages.share_message": ("POST",),
    "messages.round_messages": ("GET",),
}

# submitted_application_id is Hackney Youth Voices' sent application (as for the PDF copy); submission_id is the
# commissioners' screening_application (tests/fixtures/submissions.py), which screening_question is about.
URL_VALUES = {
    "submitted_application_id": ("submitted_application", "id"),
    "message_id": ("screening_question", "id"),
}
