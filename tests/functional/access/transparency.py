"""The public decision log, its entries, each round's results and the chain check: open to everyone."""

from tests.functional.access import EVERYONE

EXPECTED = {
    "transparency.decision_log": EVERYONE,
    "transparency.entry": EVERYONE,
    "transparency.round_results": EVERYONE,
    "transparency.verify": EVERYONE,
    "checkpoints.checkpoint": EVERYONE,
    "checkpoints.entry_proof": EVERYONE,
}
# The checkpoint exists once something is published (404 before).
DATA = {"checkpoints.checkpoint": ("log_round",)}
URL_VALUES = {"round_slug": ("log_round", "slug"), "position": ("log_entry", "position")}
