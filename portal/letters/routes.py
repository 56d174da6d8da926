"""Outcome letters: commissioners preview, edit feedback and issue; members and commissioners download."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import COMMISSIONERS, SIGNED_IN, access
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.letters import bulk, services
from portal.letters.forms import FeedbackForm, IssueForm, feedback_form
from portal.letters.rendering import score_text
from portal.models import Application, Letter

bp = Blueprint("letters", __name__)


def _public_url() -> str:
    """Where the portal lives, for links printed in letters and e-mails."""
    return current_app.config["PUBLIC_URL"]


def _pdf_response(pdf: bytes, filename: str, *, disposition: str = "inline") -> Response:
    """A PDF with its file name."""
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


def _letter_page(application: Application, *, problem: str | None = None):
    """Render the commissioner's letter page, with any refusal in an error summary."""
    page = services.letter_page(db.session, application=application, by=current_user, public_url=_public_url())
    return render_template("letters/letter_page.html", page=page, issue_form=IssueForm(), problem=problem,
                           application=application, kind_labels=services.KIND_LABELS)


@bp.route("/commissioning/applications/<int:letter_application_id>/letter")
@access(COMMISSIONERS)
def letter(letter_application_id: int):
    """The letter as it would be issued now, the way to issue it, and the versions issued so far."""
    application = services.letter_application(db.session, letter_application_id=letter_application_id,
                                              by=current_user)
    return _letter_page(application)


# The letter's own HTML, framed by the letter page: it has inline styles, so it gets a policy of its own that
# allows them and nothing else (no scripts, no forms, no network), and may only be framed by the portal.
PREVIEW_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
                  "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox")


@bp.route("/commissioning/applications/<int:letter_application_id>/letter/preview")
@access(COMMISSIONERS)
def preview_html(letter_application_id: int):
    """The letter as HTML, made now and not stored, for the preview frame on the letter page."""
    application = services.letter_application(db.session, letter_application_id=letter_application_id,
                                              by=current_user)
    page = services.letter_page(db.session, application=application, by=current_user, public_url=_public_url())
    return Response(page.html, mimetype="text/html",
                    headers={"Content-Security-Policy": PREVIEW_POLICY, "X-Frame-Options": "SAMEORIGIN"})


@bp.route("/commissioning/applications/<int:letter_application_id>/letter/preview.pdf")
@access(COMMISSIONERS)
def preview_pdf(letter_application_id: int):
    """The letter as a PDF made now and not stored."""
    application = services.letter_application(db.session, letter_application_id=letter_application_id,
                                              by=current_user)
    pdf, filename = services.preview_pdf(db.session, application=application, by=current_user,
                                         public_url=_public_url())
    return _pdf_response(pdf, filename)


@bp.route("/commissioning/applications/<int:letter_application_id>/letter/feedback", methods=["GET", "POST"])
@access(COMMISSIONERS)
def edit_feedback(letter_application_id: int):
    """Edit the feedback per criterion that a decline letter shows, starting from the panel's comments."""
    application = services.letter_application(db.session, letter_application_id=letter_application_id,
                                              by=current_user)
    draft = services.draft_for(db.session, application)
    criteria = services.criterion_drafts(db.session, application)
    form: FeedbackForm = feedback_form(criteria, version=draft.version if draft else None,
                                       general_feedback=draft.general_feedback if draft else "",
                                       fill=request.method == "GET")
    conflict = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.save_feedback(db.session, application=application, feedback=form.feedback(),
                                   general_feedback=form.general_feedback.data or "", version=form.started_from(),
                                   by=current_user)
        except services.FeedbackConflict as error:
            conflict = error
            form.version.data = str(error.draft.version) if error.draft is not None else ""
            form.version.errors = [error.message]
        except ValidationError as error:
            form.add_domain_error(error)
        else:
            flash(f"Feedback saved for {application.reference}'s letter. Preview it before you issue it")
            return redirect(url_for(".letter", letter_application_id=application.id))
    return render_template("letters/feedback.html", form=form, application=application, criteria=criteria,
                           conflict=conflict)


@bp.route("/commissioning/applications/<int:letter_application_id>/letter/issue", methods=["POST"])
@access(COMMISSIONERS)
def issue(letter_application_id: int):
    """Issue the letter: store it as a new version and e-mail the organisation's members."""
    application = services.letter_application(db.session, letter_application_id=letter_application_id,
                                              by=current_user)
    if not IssueForm().validate_on_submit():
        return redirect(url_for(".letter", letter_application_id=application.id))
    try:
        issued = services.issue_letter(db.session, application=application, by=current_user,
                                       public_url=_public_url())
    except StateTransitionError as error:
        return _letter_page(application, problem=error.message)
    flash(f"Version {issued.version} of the letter for {application.reference} is issued. "
          "The organisation's members have been e-mailed")
    return redirect(url_for(".letter", letter_application_id=application.id))


@bp.route("/commissioning/rounds/<int:round_id>/letters")
@access(COMMISSIONERS)
def round_letters(round_id: int):
    """Every application of the round that needs or has a letter, and where each letter stands."""
    round_ = services.letters_round(db.session, round_id=round_id, by=current_user)
    overview = services.round_letters(db.session, round_=round_, by=current_user)
    latest_batch = bulk.latest_batch(db.session, round_=round_, by=current_user)
    return render_template("letters/round_letters.html", overview=overview, round=round_,
                           kind_labels=services.KIND_LABELS, latest_batch=latest_batch)


@bp.route("/applications/<int:letter_application_id>/letters")
@access(SIGNED_IN)
def application_letters(letter_application_id: int):
    """The letters issued about one application, for its organisation's members (and commissioners)."""
    application = services.member_application(db.session, letter_application_id=letter_application_id,
                                              by=current_user)
    letters = services.letters_for_member(db.session, application=application, by=current_user)
    return render_template("letters/application_letters.html", application=application, letters=letters)


@bp.route("/letters/<int:letter_id>.pdf")
@access(SIGNED_IN)
def download(letter_id: int):
    """An issued letter as the PDF that was stored; every download is in the audit trail."""
    letter: Letter = services.letter_for_download(db.session, letter_id=letter_id, by=current_user)
    return _pdf_response(letter.pdf, services.download_filename(letter), disposition="attachment")


@bp.app_template_filter("letter_score")
def letter_score(score: float | None) -> str:
    """A mean score out of 5 as a letter shows it."""
    return score_text(score)
