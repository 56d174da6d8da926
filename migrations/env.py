"""Alembic environment: migrates the database the Flask app is configured with."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from portal.models import Base

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def render_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain timezone-aware DateTime, so migrations import nothing of ours."""
    if type_ == "type" and obj.__class__.__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def _engine():
    """The app's engine (Flask-SQLAlchemy 3)."""
    return current_app.extensions["migrate"].db.engine


def run_migrations_offline() -> None:
    """Write SQL to standard output instead of running it."""
    url = _engine().url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      compare_type=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection."""

    def skip_empty(context, revision, directives):
        """Do not write an empty migration when nothing changed."""
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", skip_empty)
    conf_args.setdefault("compare_type", True)
    conf_args.setdefault("render_item", render_item)
    with _engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one, which foreign keys from
            # rows in other tables would refuse. Switch the checks off (outside any transaction, or
            # SQLite ignores it), and check every reference once the migrations are done.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        context.configure(connection=connection, target_metadata=Base.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
            if broken:
                raise RuntimeError(f"The migration left rows pointing at nothing: {broken[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
