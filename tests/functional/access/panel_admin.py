"""Running the youth panel (settings, allocation, hand changes, progress, reminders, guardians' consent):
commissioners only."""

from __future__ import annotations

from tests.functional.access import COMMISSIONERS_ONLY

ENDPOINTS = ("round_panel", "start_assessment", "allocate", "send_reminders", "panel_settings",
             "application_panel", "add_panellist", "remove_panellist", "panellists", "guardian_consent")
EXPECTED = {f"panel_admin.{name}": COMMISSIONERS_ONLY for name in ENDPOINTS}

METHODS = {
    "panel_admin.start_assessment": ("POST",),
    "panel_admin.allocate": ("POST",),
    "panel_admin.send_reminders": ("POST",),
    "panel_admin.panel_settings": ("GET", "POST"),
    "panel_admin.add_panellist": ("POST",),
    "panel_admin.remove_panellist": ("POST",),
    "panel_admin.guardian_consent": ("GET", "POST"),
}

# round_id is the open round (set elsewhere): the round's panel pages answer for a round in any status.
URL_VALUES = {
    "panel_application_id": ("panel_application", "id"),
    "panel_assignment_id": ("panel_assignment", "id"),
    "panellist_id": ("admin_young_panellist", "id"),
}
