"""With the SMTP server down no e-mail is lost; when it comes back each is delivered exactly once.

``flask deliver-email`` is run as the operator runs it, against a real socket: first a closed local
port (the server is down), then a tiny SMTP server in a thread on that same port.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from portal.models import OutboxMessage, OutboxStatus, utcnow
from portal.notifications.services import queue_email
from tests.fixtures.security import FakeSMTPServer

PEOPLE = ["grace@example.org", "dan@example.org", "jordan@example.org", "amara@example.org", "bola@example.org"]


def deliver(app) -> str:
    """Run ``flask deliver-email`` once and return what it printed."""
    result = app.test_cli_runner().invoke(args=["deliver-email"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def queue_messages(session, count: int = len(PEOPLE)) -> None:
    """Queue one e-mail to each person (as a receipt or reminder would), committed."""
    for address in PEOPLE[:count]:
        queue_email(session, to=address, subject=f"Your application receipt for {address}",
                    body="Thank you. We have your application: £8,000 for after-school boxing.")
    session.commit()


def outbox(session) -> list[OutboxMessage]:
    """Every outbox message, oldest first, as stored now."""
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def a_while_later(session) -> None:
    """Let the retry wait pass (the first retry is a minute later)."""
    session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                    .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    session.commit()


def assert_each_delivered_once(session, server: FakeSMTPServer) -> None:
    """The server holds every outbox message exactly once, and the outbox says so."""
    received = server.message_ids()
    for message in outbox(session):
        copies = [m for m in received if f"outbox-{message.id}" in m]
        assert len(copies) == 1, f"Message {message.id} to {message.to_address} arrived {len(copies)} times"
        assert message.status == OutboxStatus.SENT and message.sent_at is not None
    assert len(received) == len(outbox(session))


def test_nothing_is_lost_while_the_smtp_server_is_down(app, session, sec_smtp_config, sec_smtp_servers):
    """Each message is kept for a retry with the error; once the server is back all arrive, once each."""
    queue_messages(session)

    assert deliver(app) == f"Sent 0 e-mail(s); {len(PEOPLE)} failed and will be retried."
    for message in outbox(session):
        assert message.status == OutboxStatus.PENDING and message.attempts == 1
        assert message.last_error and "refused" in message.last_error.lower()
        assert message.next_attempt_at > utcnow()
    assert deliver(app) == "Sent 0 e-mail(s); 0 failed and will be retried.", "Retries wait before trying again"

    server = FakeSMTPServer(sec_smtp_config).start()
    sec_smtp_servers.append(server)
    a_while_later(session)
    assert deliver(app) == f"Sent {len(PEOPLE)} e-mail(s); 0 failed and will be retried."
    assert_each_delivered_once(session, server)
    assert sorted(message.to_address for message in outbox(session)) == sorted(PEOPLE)

    assert deliver(app) == "Sent 0 e-mail(s); 0 failed and will be retried."
    assert_each_delivered_once(session, server)


def test_a_server_failing_mid_batch_loses_nothing_and_sends_nothing_twice(app, session, sec_smtp_config,
                                                                          sec_smtp_servers):
    """The server takes two messages then refuses the rest: those are retried, the two are not sent again."""
    queue_messages(session)
    server = FakeSMTPServer(sec_smtp_config, accept_at_most=2).start()
    sec_smtp_servers.append(server)

    assert deliver(app) == f"Sent 2 e-mail(s); {len(PEOPLE) - 2} failed and will be retried."
    statuses = [message.status for message in outbox(session)]
    assert statuses == [OutboxStatus.SENT] * 2 + [OutboxStatus.PENDING] * (len(PEOPLE) - 2)

    server.accept_at_most = None
    a_while_later(session)
    assert deliver(app) == f"Sent {len(PEOPLE) - 2} e-mail(s); 0 failed and will be retried."
    assert_each_delivered_once(session, server)


def test_a_message_the_server_accepted_is_not_sent_again_when_the_goodbye_fails(app, session, sec_smtp_config,
                                                                               sec_smtp_servers):
    """The server accepts the message, then answers QUIT with an error: the message is still sent once."""
    queue_messages(session, count=1)
    server = FakeSMTPServer(sec_smtp_config, quit_reply="421 Closing connection").start()
    sec_smtp_servers.append(server)

    deliver(app)
    a_while_later(session)
    deliver(app)

    assert len(server.received) == 1, (
        f"The server got the message {len(server.received)} times: once the server has accepted the data "
        "(250 after DATA) the message is delivered, so a failure saying goodbye must not mark it for a retry"
    )
    assert_each_delivered_once(session, server)
