"""The PDF copy of a submitted application, made from the frozen snapshot (what the panel reads).

Everything in it comes from ``application.submitted_snapshot`` (shape in snapshot.py), so later edits,
renamed organisations or changed questions never alter the copy. Applicant text is escaped by the
template's autoescaping, and render_pdf's fetcher refuses anything outside portal/static/.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import render_template
from sqlalchemy.orm import Session

from portal.applications.access import application_for_member, application_for_staff
from portal.domain import NotFound
from portal.models import Application, Role, User
from portal.pdf import render_pdf


def submitted_application(session: Session, *, application_id: int, by: User) -> Application:
    """A submitted application its members or a commissioner may see; a draft has no copy yet."""
    if by.has_role(Role.COMMISSIONER):
        application = application_for_staff(session, application_id=application_id, by=by)
    else:
        application = application_for_member(session, application_id=application_id, by=by)
    if not application.submitted_snapshot:
        raise NotFound("There is no PDF copy of this application yet: we make one when the application is sent")
    return application


def _moment(value: str | None) -> datetime | None:
    """A stored ISO timestamp as an aware datetime."""
    return datetime.fromisoformat(value) if value else None


def copy_html(snapshot: dict[str, Any]) -> str:
    """The copy as HTML for WeasyPrint (autoescaped: applicant text is only ever text)."""
    declaration = snapshot.get("declaration") or {}
    return render_template(
        "applications/copy_pdf.html", copy=snapshot, submitted_at=_moment(snapshot.get("submitted_at")),
        declared_at=_moment(declaration.get("declared_at")), declaration=declaration,
    )


def copy_filename(application: Application) -> str:
    """application-YLF-2026-0042.pdf (only safe characters, whatever the reference holds)."""
    reference = re.sub(r"[^A-Za-z0-9-]", "", application.reference or "") or str(application.id)
    return f"application-{reference}.pdf"


def application_copy(session: Session, *, application_id: int, by: User) -> tuple[bytes, str]:
    """The PDF copy and its file name, for the organisation's members and commissioners."""
    application = submitted_application(session, application_id=application_id, by=by)
    html = copy_html(application.submitted_snapshot)
    stylesheet = render_template("applications/copy_print.css")
    return render_pdf(html, stylesheet=stylesheet), copy_filename(application)
