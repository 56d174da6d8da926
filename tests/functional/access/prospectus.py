"""The public prospectus, its PDF and the eligibility checker: open to everyone."""

from tests.functional.access import EVERYONE

EXPECTED = {
    "prospectus.round_page": EVERYONE,
    "prospectus.prospectus_pdf": EVERYONE,
    "prospectus.check_eligibility": EVERYONE,
}
METHODS = {"prospectus.check_eligibility": ("GET", "POST")}
URL_VALUES = {"slug": ("open_round", "slug")}
