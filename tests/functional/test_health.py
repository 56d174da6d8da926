"""GET /healthz tells monitoring whether the portal and its database are up."""

import pytest

from portal import create_app


def test_health_is_ok_with_the_database(client):
    """The public contract: exactly status ok and database ok."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.own_database
def test_health_is_503_with_a_reason_when_the_database_is_unreachable(tmp_path):
    """A load balancer can take the server out of service, and an operator can see why."""
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == "unreachable"
    assert body["reason"], "The 503 must say why"


@pytest.mark.own_database
def test_unexpected_errors_show_an_apology_page_and_roll_back(tmp_path):
    """A crash shows the portal's 500 page, not a stack trace, and nothing half-done is saved."""
    from sqlalchemy import func, select

    from portal.access import PUBLIC, access
    from portal.extensions import db
    from portal.models import Base, Fund

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'crash.sqlite3'}"})

    @app.route("/crash")
    @access(PUBLIC)
    def crash():
        db.session.add(Fund(name="Half-made", slug="half-made", reference_prefix="HM"))
        db.session.flush()
        raise RuntimeError("something broke")

    with app.app_context():
        Base.metadata.create_all(db.engine)
    response = app.test_client().get("/crash")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in body
    assert "RuntimeError" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Fund.id))) == 0


def test_unknown_pages_get_the_portal_404(client):
    """A mistyped address gets a helpful page in the portal's layout."""
    page = client.page("/no-such-page")
    assert page.status == 404
    assert page.h1 == "Page not found"
    assert "check it is correct" in page.text()
