"""The models and the migrations describe the same schema."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.extensions import db
from portal.models import Base


def test_models_and_migrations_agree(app, session):
    """Autogenerate finds nothing to do on a database built only from migrations."""
    context = MigrationContext.configure(session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, Base.metadata)
    assert differences == [], (
        "The models differ from the migrations. Run `flask --app wsgi db migrate -m '...'`, "
        f"check the new file under migrations/versions/, and commit it. Differences: {differences}"
    )


def test_every_table_is_created_by_the_migrations(session):
    """Each model's table exists after `db upgrade`."""
    inspector = db.inspect(session.connection())
    missing = set(Base.metadata.tables) - set(inspector.get_table_names())
    assert not missing, f"Tables with no migration: {sorted(missing)}"


@pytest.mark.own_database
def test_migrations_go_down_and_up_again(tmp_path):
    """Every migration can be undone and redone, so a bad release can be rolled back."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, select

    from portal import create_app
    from portal.demo import seed
    from portal.models import Round

    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"})
    with app.app_context():
        upgrade()
        # With data in every table, so that SQLite's copy-and-drop of altered tables is exercised.
        seed(db.session)
        db.session.commit()
        downgrade(revision="0002")
        upgrade()
        assert db.session.scalar(select(func.count(Round.id))) == 4, "Upgrading must keep the rows"
        downgrade(revision="base")
        assert db.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert set(Base.metadata.tables) <= set(db.inspect(db.engine).get_table_names())
