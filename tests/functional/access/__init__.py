"""The access matrix's actors, and the per-domain tables that extend it.

A domain adds a module here (e.g. ``events.py``) defining ``EXPECTED`` (endpoint -> actors allowed),
and optionally ``DATA`` (endpoint -> fixtures to load first), ``METHODS`` (endpoint -> methods other than GET only), ``TOKEN_ENDPOINTS`` (public
routes where an unknown token gives a 404 "link not valid") and ``URL_VALUES`` (URL argument ->
``(fixture name, attribute)`` or a constant). ``tests/functional/test_access_matrix.py`` merges them.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

ANONYMOUS = "anonymous"
APPLICANT = "applicant"  # a member of the organisation named in the URL
OTHER_APPLICANT = "other_applicant"  # a member of a different organisation
PANELLIST = "panellist"
COMMISSIONER = "commissioner"
ACTORS = (ANONYMOUS, APPLICANT, OTHER_APPLICANT, PANELLIST, COMMISSIONER)

EVERYONE = frozenset(ACTORS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
COMMISSIONERS_ONLY = frozenset({COMMISSIONER})


def domain_tables() -> list[ModuleType]:
    """Every module in this package: one per domain."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
