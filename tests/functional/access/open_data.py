"""Open data (the decision log as CSV, JSON and Atom; awarded grants as 360Giving): public, no sign-in."""

from __future__ import annotations

from tests.functional.access import EVERYONE

ENDPOINTS = ("decisions_csv", "decisions_json", "decisions_atom", "threesixtygiving")
EXPECTED = {f"open_data.{name}": EVERYONE for name in ENDPOINTS}

# Data each endpoint needs before the request (fixture names): the 360Giving file is a 404 until an award is
# published, because the 360Giving package schema needs at least one grant. test_access_matrix.py requests
# these fixtures when it supports DATA (see the open-data report); the other files load with an empty log.
DATA = {"open_data.threesixtygiving": ("open_data_log",)}
