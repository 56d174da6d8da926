"""flask verify-decisions reports an intact chain, or the first entry that was changed (exit 1)."""

from sqlalchemy import update

from portal.models import DecisionLogEntry


def test_the_demo_log_verifies_and_a_change_is_reported(app, session):
    app.test_cli_runner().invoke(args=["seed-demo"])
    result = app.test_cli_runner().invoke(args=["verify-decisions"])
    assert result.exit_code == 0, result.output
    assert "The decision log is intact: 6 entries checked." in result.output

    session.execute(update(DecisionLogEntry).where(DecisionLogEntry.position == 3).values(reason="Quietly changed"))
    session.flush()
    result = app.test_cli_runner().invoke(args=["verify-decisions"])
    assert result.exit_code == 1
    assert "broken at entry 3" in result.output and "changed since it was published" in result.output
