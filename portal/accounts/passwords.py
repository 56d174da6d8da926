"""Password hashing (Argon2id) and the length-based policy that refuses common passwords."""

from __future__ import annotations

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 200

_hasher = PasswordHasher()
# The test suite hashes hundreds of passwords; the cheapest Argon2id settings keep it quick.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _active_hasher(fast: bool) -> PasswordHasher:
    """The hasher for this configuration."""
    return _fast_hasher if fast else _hasher


def hash_password(password: str, *, fast: bool = False) -> str:
    """An Argon2id hash of the password."""
    return _active_hasher(fast).hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, *, fast: bool = False) -> bool:
    """Whether the hash was made with weaker settings than today's."""
    return _active_hasher(fast).check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    """30,000 of the most used passwords (the list zxcvbn ships)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


_SEQUENCES = ("01234567890123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def _is_sequence(text: str) -> bool:
    """Runs along the alphabet, the digits or the keyboard, either way round."""
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def _is_common(password: str) -> bool:
    """A common password, perhaps with digits or symbols added, or said twice, or a simple run."""
    lowered = password.lower()
    common = _common_passwords()
    if lowered in common or _is_sequence(lowered):
        return True
    core = re.sub(r"^[\d\W_]+|[\d\W_]+$", "", lowered)
    if len(core) >= 4 and core in common:
        return True
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered[:size] * (len(lowered) // size) == lowered:
            piece = lowered[:size]
            return size < 4 or piece in common or piece.isdigit()
    return False


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """What is wrong with a new password, in words for the user, or None if it will do."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_LENGTH:
        return (
            f"Your password must be at least {MIN_LENGTH} characters long. "
            "Three random words together are easy to remember and hard to guess"
        )
    if len(password) > MAX_LENGTH:
        return f"Your password must be {MAX_LENGTH} characters or fewer"
    if _is_common(password):
        return "This password is too common and easy to guess. Choose a different one"
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return "Your password must not contain your email address"
    if name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", ""):
        return "Your password must not contain your name"
    return None
