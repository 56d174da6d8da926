"""A second factor: the code pages after the password, and each person's sign-in security pages.

The code pages serve only someone who has just given the right password; anyone else signed in is sent on
to their home, and anyone not signed in to sign in. The security pages send people with nothing to change
(no app to turn off, no codes to replace, staff who may not turn theirs off) back to the overview.
"""

from __future__ import annotations

from tests.functional.access import SIGNED_IN

EXPECTED = {
    "second_factor.code": SIGNED_IN,
    "second_factor.recovery": SIGNED_IN,
    "second_factor.overview": SIGNED_IN,
    "second_factor.set_up": SIGNED_IN,
    "second_factor.recovery_codes": SIGNED_IN,
    "second_factor.turn_off": SIGNED_IN,
}

METHODS = {
    "second_factor.code": ("GET", "POST"),
    "second_factor.recovery": ("GET", "POST"),
    "second_factor.set_up": ("GET", "POST"),
    "second_factor.recovery_codes": ("GET", "POST"),
    "second_factor.turn_off": ("GET", "POST"),
}
