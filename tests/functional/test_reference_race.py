"""Two groups sending the year's first applications to a fund at the same moment both get a reference.

The year's reference counter does not exist until its first application is sent; when two are sent at once,
both find no counter. The second must wait for the first and take the next number, not fail on the
counter's unique key. On PostgreSQL this needs two real connections to a database of the test's own.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from portal.applications.services import next_reference
from portal.models import Base, Fund

pytestmark = pytest.mark.own_database

SENT = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(own_database_url):
    """An engine on an empty database of this test's own, with the portal's tables."""
    engine = create_engine(own_database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _reference(session: Session, fund_id: int) -> str:
    """The reference ``next_reference`` gives an application to this fund, sent at SENT."""
    fund = session.get(Fund, fund_id)
    return next_reference(session, application=SimpleNamespace(round=SimpleNamespace(fund=fund)), now=SENT)


def test_two_first_applications_of_the_year_sent_at_once_get_the_next_two_numbers(engine):
    with Session(engine) as setup:
        fund = Fund(name="Young Leaders Fund", slug="young-leaders", reference_prefix="YLF")
        setup.add(fund)
        setup.commit()
        fund_id = fund.id

    first = Session(engine)
    first_reference = _reference(first, fund_id)  # creates the year's counter, not yet committed
    second_results: list[object] = []

    def send_the_second() -> None:
        with Session(engine) as second:
            try:
                second_results.append(_reference(second, fund_id))
                second.commit()
            except Exception as error:  # reported below, where the test can fail on it
                second_results.append(error)
                second.rollback()

    sending = threading.Thread(target=send_the_second)
    sending.start()
    sending.join(timeout=0.3)
    assert sending.is_alive(), "the second waits for the first to finish"
    first.commit()
    first.close()
    sending.join()

    assert first_reference == "YLF-2026-0001"
    assert second_results == ["YLF-2026-0002"]
