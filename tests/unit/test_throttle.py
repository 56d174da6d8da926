"""Repeated failed sign-ins slow down, per account and per address, but never lock out for long."""

from datetime import timedelta

import pytest

from portal.accounts import services, throttle
from portal.models import utcnow
from tests.conftest import PASSWORD

SETTINGS = services.Settings(public_url="http://portal.test", portal_name="Portal", fast_hashing=True)


def fail(session, email, address, now, times=1):
    """Record failed attempts."""
    for _ in range(times):
        throttle.record(session, email=email, address=address, succeeded=False, now=now)


def test_the_first_five_failures_need_no_wait(session):
    """Mistyping a password a few times costs nothing."""
    now = utcnow()
    fail(session, "a@example.org", "10.0.0.1", now, times=4)
    assert throttle.check(session, email="a@example.org", address="10.0.0.1", now=now).allowed


def test_waits_double_and_stop_at_fifteen_minutes(session):
    """After five failures the wait starts at 30 seconds, doubles, and is capped."""
    now = utcnow()
    fail(session, "a@example.org", "10.0.0.1", now, times=5)
    assert throttle.check(session, email="a@example.org", address="10.0.0.9", now=now).wait == timedelta(seconds=30)
    fail(session, "a@example.org", "10.0.0.1", now, times=1)
    assert throttle.check(session, email="a@example.org", address="10.0.0.9", now=now).wait == timedelta(seconds=60)
    fail(session, "a@example.org", "10.0.0.1", now, times=20)
    assert throttle.check(session, email="a@example.org", address="10.0.0.9", now=now).wait == timedelta(minutes=15)
    later = now + timedelta(minutes=15, seconds=1)
    assert throttle.check(session, email="a@example.org", address="10.0.0.9", now=later).allowed


def test_one_address_guessing_many_accounts_is_slowed(session):
    """An address that fails across many accounts is slowed even though each account is fine."""
    now = utcnow()
    for n in range(20):
        fail(session, f"person{n}@example.org", "10.0.0.66", now)
    assert not throttle.check(session, email="new@example.org", address="10.0.0.66", now=now).allowed
    assert throttle.check(session, email="new@example.org", address="10.0.0.67", now=now).allowed


def test_the_owner_gets_in_after_the_wait_and_success_clears_the_count(session, applicant):
    """The real owner is not locked out: the right password works once the wait is over."""
    now = utcnow()
    fail(session, applicant.email, "10.0.0.1", now, times=6)
    with pytest.raises(services.SignInRefused, match="Wait 1 minute"):
        services.sign_in(session, email=applicant.email, password=PASSWORD, address="10.0.0.1",
                         settings=SETTINGS, now=now)
    later = now + timedelta(minutes=2)
    assert services.sign_in(session, email=applicant.email, password=PASSWORD, address="10.0.0.1",
                            settings=SETTINGS, now=later) == applicant
    assert throttle.check(session, email=applicant.email, address="10.0.0.2", now=later).allowed


def test_a_throttled_attempt_is_not_checked_or_counted(session, applicant):
    """While waiting, even the right password is refused, and the refusal does not lengthen the wait."""
    now = utcnow()
    fail(session, applicant.email, "10.0.0.1", now, times=5)
    for _ in range(3):
        with pytest.raises(services.SignInRefused, match="too many times"):
            services.sign_in(session, email=applicant.email, password=PASSWORD, address="10.0.0.1",
                             settings=SETTINGS, now=now + timedelta(seconds=5))
    assert throttle.check(session, email=applicant.email, address="10.0.0.1", now=now).wait == timedelta(seconds=30)


@pytest.mark.parametrize("seconds, words", [(1, "1 second"), (30, "30 seconds"), (61, "2 minutes"), (60, "1 minute")])
def test_waits_are_described_in_words(seconds, words):
    """Messages say how long to wait in plain words."""
    assert throttle.describe_wait(timedelta(seconds=seconds)) == words
