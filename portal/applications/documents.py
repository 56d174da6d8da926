"""Supporting documents: checked by content, stored outside the web root, served only to those allowed.

Also the PDF copy of a submitted application. Its URL argument is ``submitted_application_id`` (the
address is still /applications/<id>/copy.pdf): only submitted applications have a copy, and the
access matrix fills each argument name with one fixture.
"""

from __future__ import annotations

import os

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import FileField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.access import APPLICANTS, SIGNED_IN, access
from portal.applications import copy_pdf as pdf_copy
from portal.applications import uploads
from portal.domain import ValidationError
from portal.extensions import db
from portal.forms import PortalForm

bp = Blueprint("documents", __name__)


class UploadForm(PortalForm):
    """One file; every check on it is the service's (see uploads.py)."""

    file = FileField("Upload a file", widget=GovFileInput())
    submit = SubmitField("Upload file", widget=GovSubmitInput())


class CompletedForm(PortalForm):
    """GOV.UK "Have you completed this section?"."""

    completed = RadioField(
        "Have you completed this section?",
        choices=[SelectChoice("yes", "Yes, I’ve completed this section"),
                 SelectChoice("no", "No, I’ll come back to it later")],
        validators=[InputRequired(message="Select whether you have completed this section")],
        widget=GovRadioInput(),
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


def upload_settings() -> tuple[int, str]:
    """The size limit and the folder uploads go to (never under static)."""
    max_bytes = int(current_app.config.get("UPLOAD_MAX_BYTES", uploads.DEFAULT_MAX_BYTES))
    upload_dir = current_app.config.get("UPLOAD_DIR", os.path.join(current_app.instance_path, "uploads"))
    return max_bytes, upload_dir


def _render(application_id: int, *, upload_form: UploadForm, completed_form: CompletedForm, failed=None):
    """The documents page; ``failed`` is the form whose errors the summary lists."""
    page = uploads.documents_page(db.session, application_id=application_id, by=current_user)
    max_bytes, _ = upload_settings()
    if completed_form.completed.data is None:
        completed_form.completed.data = page.completed_answer
    return render_template(
        "applications/documents.html", page=page, application=page.application, upload_form=upload_form,
        completed_form=completed_form, form=failed, limit=uploads.max_megabytes(max_bytes),
        allowed=uploads.ALLOWED_IN_WORDS,
        accept=",".join(uploads.ALLOWED_EXTENSIONS),
    )


@bp.route("/applications/<int:application_id>/documents", methods=["GET", "POST"])
@access(APPLICANTS)
def documents(application_id: int):
    """See the documents, upload another (POST), and say whether the section is finished."""
    upload_form = UploadForm()
    if upload_form.validate_on_submit():
        max_bytes, upload_dir = upload_settings()
        storage = upload_form.file.data
        # Read one byte past the limit: enough to know it is too big without reading all of it.
        data = storage.stream.read(max_bytes + 1) if storage else None
        try:
            document = uploads.upload_document(
                db.session, application_id=application_id, filename=storage.filename if storage else None,
                data=data, max_bytes=max_bytes, upload_dir=upload_dir, by=current_user,
            )
        except ValidationError as error:
            upload_form.add_domain_error(error, "file")
        else:
            flash(f"{document.original_name} has been uploaded")
            return redirect(url_for("documents.documents", application_id=application_id))
    return _render(application_id, upload_form=upload_form, completed_form=CompletedForm(formdata=None),
                   failed=upload_form if upload_form.errors else None)


@bp.route("/applications/<int:application_id>/documents/completed", methods=["POST"])
@access(APPLICANTS)
def complete_section(application_id: int):
    """Mark the documents section completed, or still in progress."""
    form = CompletedForm()
    if form.validate_on_submit():
        try:
            uploads.complete_documents_section(
                db.session, application_id=application_id, completed=form.completed.data == "yes",
                by=current_user,
            )
        except ValidationError as error:
            form.add_domain_error(error, "completed")
        else:
            flash("Your documents section has been saved")
            return redirect(url_for("documents.documents", application_id=application_id))
    return _render(application_id, upload_form=UploadForm(formdata=None), completed_form=form, failed=form)


@bp.route("/applications/<int:application_id>/documents/<int:document_id>/remove", methods=["GET", "POST"])
@access(APPLICANTS)
def remove_document(application_id: int, document_id: int):
    """Ask "Remove this document?", then remove it."""
    application, document = uploads.document_to_remove(
        db.session, application_id=application_id, document_id=document_id, by=current_user)
    form = PortalForm()
    problem = None
    if form.validate_on_submit():
        _, upload_dir = upload_settings()
        try:
            uploads.remove_document(db.session, application_id=application_id, document_id=document_id,
                                    upload_dir=upload_dir, by=current_user)
        except ValidationError as error:
            problem = error.message
        else:
            flash(f"{document.original_name} has been removed")
            return redirect(url_for("documents.documents", application_id=application_id))
    return render_template("applications/documents_remove.html", application=application, document=document,
                           problem=problem)


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
@access(SIGNED_IN)
def download_document(application_id: int, document_id: int):
    """The file, as a download, for the organisation's members and commissioners only."""
    _, upload_dir = upload_settings()
    document, path = uploads.document_for_download(
        db.session, application_id=application_id, document_id=document_id, upload_dir=upload_dir,
        by=current_user)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.original_name, max_age=0, conditional=False, etag=False)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/applications/<int:submitted_application_id>/copy.pdf")
@access(SIGNED_IN)
def copy_pdf(submitted_application_id: int):
    """The PDF copy of what was submitted, for the organisation's members and commissioners."""
    pdf, filename = pdf_copy.application_copy(db.session, application_id=submitted_application_id,
                                              by=current_user)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    })
