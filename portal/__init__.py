"""The grant commissioning portal: ``create_app`` wires extensions, blueprints, error pages and CLI."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from flask_migrate import Migrate
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import BASE_DIR, ProductionConfig, config_for
from portal import errors, formatting, limits, request_log, security, sqlite_writers, widget_cache
from portal.access import PUBLIC, access
from portal.extensions import csrf, db, login_manager

migrate = Migrate()
DEVELOPMENT_SECRET = "development-only-secret-key-change-me"


def _configure_engine(app: Flask) -> None:
    """Per-database settings that must be in place before the first connection."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sqlite_writers.install(engine)


def _template_loader() -> ChoiceLoader:
    """Our templates first, then the GOV.UK Frontend macros."""
    return ChoiceLoader([
        FileSystemLoader(str(BASE_DIR / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application; ``test_config`` overrides settings for tests."""
    config_class = config_for("test" if test_config and test_config.get("TESTING") else None)
    app = Flask(__name__, instance_path=str(config_class.INSTANCE_DIR))
    app.config.from_object(config_class)
    if test_config is not None:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if config_class is ProductionConfig and app.config["SECRET_KEY"] == DEVELOPMENT_SECRET:
        raise RuntimeError("Set PORTAL_SECRET_KEY to a long random value before running in production")
    from portal.transparency import checkpoints  # the decision log's signing key, checked before anything runs

    checkpoints.init_app(app)
    app.jinja_loader = _template_loader()
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    proxies = int(app.config.get("PROXY_COUNT", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    request_log.init_app(app)  # first: it times and names everything that follows, the commit included
    security.init_app(app)
    db.init_app(app)
    _configure_engine(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    limits.init_app(app)  # before CSRF protection, which reads the form
    csrf.init_app(app)
    login_manager.init_app(app)
    WTFormsHelpers(app)
    widget_cache.install(app)  # GOV.UK components rendered once per distinct set of parameters
    formatting.register(app)
    _register_login(app)
    # Ids in URLs are database integers: a number too big for one is simply not found (not a 500).
    app.url_map.converters["int"] = DatabaseIntConverter
    _register_blueprints(app)
    errors.register(app)
    _register_request_boundary(app)
    _register_templates(app)
    _register_cli(app)
    # Static files are public too, declared like every other endpoint.
    app.view_functions["static"] = access(PUBLIC)(app.view_functions["static"])
    logging.basicConfig(level=logging.INFO)
    return app


def _register_login(app: Flask) -> None:
    """Flask-Login loads the user from the session key."""
    from portal.accounts.services import load_user

    @login_manager.user_loader
    def _load(session_key: str):
        return load_user(db.session, session_key)


class DatabaseIntConverter(IntegerConverter):
    """Whole numbers that fit a database integer (BIGINT on PostgreSQL); larger ones match no route (404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    """Each domain brings its own blueprint."""
    from portal.accounts.routes import bp as accounts_bp
    from portal.accounts.second_factor_routes import bp as second_factor_bp
    from portal.applications.documents import bp as documents_bp
    from portal.applications.routes import bp as applications_bp
    from portal.clarifications.routes import bp as clarifications_bp
    from portal.commissioning.assessment import bp as assessment_bp
    from portal.commissioning.decisions import bp as decisions_bp
    from portal.commissioning.panel_admin import bp as panel_admin_bp
    from portal.commissioning.redactions import bp as redactions_bp
    from portal.commissioning.round_setup import bp as round_setup_bp
    from portal.commissioning.routes import bp as commissioning_bp
    from portal.commissioning.submissions import bp as submissions_bp
    from portal.events.routes import bp as events_bp
    from portal.health import bp as health_bp
    from portal.letters.bulk_routes import bp as bulk_letters_bp
    from portal.letters.routes import bp as letters_bp
    from portal.messages.routes import bp as messages_bp
    from portal.panel.interviews import bp as interviews_bp
    from portal.panel.routes import bp as panel_bp
    from portal.prospectus.routes import bp as prospectus_bp
    from portal.site import bp as site_bp
    from portal.transparency.checkpoint_routes import bp as checkpoints_bp
    from portal.transparency.open_data_routes import bp as open_data_bp
    from portal.transparency.routes import bp as transparency_bp

    for bp in (prospectus_bp, events_bp, clarifications_bp, accounts_bp, applications_bp, documents_bp,
               commissioning_bp, round_setup_bp, submissions_bp, panel_bp, panel_admin_bp, assessment_bp,
               interviews_bp, decisions_bp, letters_bp, bulk_letters_bp, transparency_bp, checkpoints_bp, open_data_bp,
               health_bp, site_bp, messages_bp, second_factor_bp, redactions_bp):
        app.register_blueprint(bp)


def _register_request_boundary(app: Flask) -> None:
    """Commit once per request, only when it succeeded; services only flush."""

    @app.teardown_request
    def _let_the_next_writer_in(_error):
        sqlite_writers.give_back()

    @app.after_request
    def _commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        sqlite_writers.give_back()  # written: the next post may start while this response is finished
        return response


def _register_templates(app: Flask) -> None:
    """Values every page needs: the portal's name and the navigation for the person's role."""
    from flask_login import current_user

    from portal.models import utcnow
    from portal.navigation import navigation_for
    from portal.pagination import page_links

    app.jinja_env.globals["page_links"] = page_links

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "portal_name": app.config["PORTAL_NAME"],
            "funder_name": app.config["FUNDER_NAME"],
            "support_email": app.config["SUPPORT_EMAIL"],
            "navigation": navigation_for(current_user, request.path),
            "now": utcnow(),
        }


def _register_cli(app: Flask) -> None:
    """Operators' commands: ``seed-demo`` and ``deliver-email`` (``db`` comes from Flask-Migrate)."""
    from portal.backup_cli import backup_command, restore_command
    from portal.commissioning.cli import follow_round_dates_command
    from portal.demo import seed_demo_command
    from portal.letters.cli import issue_letters_command
    from portal.notifications.cli import deliver_email_command, send_reminders_command
    from portal.transparency.cli import checkpoint_decisions_command, verify_decisions_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(deliver_email_command)
    app.cli.add_command(follow_round_dates_command)
    app.cli.add_command(verify_decisions_command)
    app.cli.add_command(checkpoint_decisions_command)
    app.cli.add_command(issue_letters_command)
    app.cli.add_command(send_reminders_command)

