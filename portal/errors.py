"""One place for error pages: 400, 403, 404, 500, and an expired form that keeps what was typed."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.domain import NotFound, PermissionDenied
from portal.extensions import db
from portal.pending import FIELDS_FIELD, kept_fields

log = logging.getLogger(__name__)

PAGES = {
    400: ("There is a problem with your request", "Something in the request was not right. Go back and try again."),
    403: ("You cannot see this page", "Your account does not give you access to this page. If you think it should, contact us."),
    404: ("Page not found", "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address."),
    405: ("There is a problem with your request", "This page cannot be used that way. Go back and try again."),
    413: ("The file or form was too big", "Go back and send something smaller."),
    500: ("Sorry, there is a problem with the service", "Try again later. Nothing you typed has been saved by this attempt, so check your answers when you go back."),
}


def _page(code: int, message: str | None = None):
    """Render the error page for an HTTP status."""
    title, default = PAGES.get(code, PAGES[400])
    return render_template("errors/error.html", title=title, message=message or default, code=code), code


def register(app: Flask) -> None:
    """Attach the error handlers to the app."""

    @app.errorhandler(CSRFError)
    def expired_form(error: CSRFError):
        """The form's security token was missing or stale (often an expired session): keep the text."""
        db.session.rollback()
        fields = kept_fields(request.form)
        return render_template(
            "errors/csrf.html", fields=fields, action=request.path, field_list=request.form.get(FIELDS_FIELD, ""),
            had_password=any("password" in k for k in request.form.keys()),
        ), 400

    @app.errorhandler(PermissionDenied)
    def permission_denied(error: PermissionDenied):
        """A service refused the actor."""
        db.session.rollback()
        return _page(403, error.message)

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        """A service found nothing the actor may see."""
        db.session.rollback()
        return _page(404, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Every other HTTP error gets a page in the portal's layout."""
        if error.code and error.code < 400:
            return error
        db.session.rollback()
        return _page(error.code or 500)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        """An unexpected failure: undo the transaction, log it, apologise."""
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return _page(500)
