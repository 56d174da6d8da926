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
