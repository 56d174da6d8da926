"""The password policy: long enough, not common, not made of the person's own details."""

import pytest

from portal.accounts.passwords import hash_password, needs_rehash, password_problem, verify_password


@pytest.mark.parametrize("password", ["short", "elevenchars"])
def test_passwords_under_twelve_characters_are_refused(password):
    """Length is the rule that matters most."""
    assert "at least 12 characters" in password_problem(password)


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123", "123456789012", "Password!!!!",
                                      "iloveyouiloveyou", "aaaaaaaaaaaaaa", "abcabcabcabc"])
def test_common_passwords_and_their_variations_are_refused(password):
    """Common passwords stay refused with digits or symbols added, repeated, or capitalised."""
    assert password_problem(password) == "This password is too common and easy to guess. Choose a different one"


def test_three_random_words_are_accepted():
    """The advice we give works."""
    assert password_problem("purple kettle orbit") is None


def test_a_password_containing_the_email_is_refused():
    """The address is the first thing a guesser tries."""
    assert "email address" in password_problem("grace.mensah-2026!", email="grace.mensah@example.org")


def test_a_password_containing_the_name_is_refused():
    """So is the person's name."""
    assert "your name" in password_problem("GraceMensah-rocks", name="Grace Mensah")


def test_very_long_passwords_are_refused_with_the_limit():
    """A limit keeps hashing cheap for the server."""
    assert "200 characters or fewer" in password_problem("x1y2" * 60)


def test_hashes_are_argon2id_and_verify():
    """Hashes use Argon2id, verify the right password and refuse a wrong one."""
    hashed = hash_password("purple kettle orbit")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "purple kettle orbit")
    assert not verify_password(hashed, "purple kettle orbiT")
    assert not verify_password("not a hash", "anything")


def test_fast_test_hashes_are_upgraded_to_full_strength():
    """A hash made with weaker settings is flagged for rehashing at the next sign-in."""
    assert needs_rehash(hash_password("purple kettle orbit", fast=True))
    assert not needs_rehash(hash_password("purple kettle orbit"))
