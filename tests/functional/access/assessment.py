"""Moderation and the ranked list: the round's panel lead and commissioners moderate; commissioners rank.

The matrix's panellist does not lead the round's panel, so is refused moderation; leading the panel, a
conflict of interest and blind scoring are checked in tests/functional/test_moderation.py.
"""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

EXPECTED = {
    "assessment.moderation": COMMISSIONERS_ONLY,
    "assessment.moderate_application": COMMISSIONERS_ONLY,
    # Commissioners have nothing to declare: they are sent on to the moderation page.
    "assessment.declare_for_moderation": COMMISSIONERS_ONLY,
    "assessment.ranking": COMMISSIONERS_ONLY,
    "assessment.ranking_csv": COMMISSIONERS_ONLY,
}

METHODS = {
    "assessment.moderate_application": ("GET", "POST"),
    "assessment.declare_for_moderation": ("GET", "POST"),
}

# round_id is the open round (mapped by round set-up): the pages explain that assessment has not started.
URL_VALUES = {
    "assessed_application_id": ("panel_application", "id"),
}
