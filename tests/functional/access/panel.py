"""Panellists' own pages (their work, conflicts of interest, scoring, the panel's scores): panellists only.

Record-level rules (someone else's assignment, a recused panellist, under-18s without consent, seeing
others' scores before sending your own) are tested in tests/functional/test_panel_scoring.py.
"""

from __future__ import annotations

from tests.functional.access import PANELLIST

PANELLISTS_ONLY = frozenset({PANELLIST})

EXPECTED = {f"panel.{name}": PANELLISTS_ONLY
            for name in ("home", "declare", "score", "score_criterion", "whole_application", "send", "panel_scores")}

METHODS = {
    "panel.declare": ("GET", "POST"),
    "panel.score": ("GET", "POST"),
    "panel.score_criterion": ("GET", "POST"),
    "panel.whole_application": ("GET", "POST"),
    "panel.send": ("GET", "POST"),
}

# The matrix's panellist is assigned to panel_assignment (no conflict declared yet: the scoring and send pages
# send them to declare first, which counts as allowed). The panel's scores open only once they have sent theirs.
URL_VALUES = {
    "assignment_id": ("panel_assignment", "id"),
    "sent_assignment_id": ("scoring_sent_assignment", "id"),
    "criterion_number": "1",
}
