"""The applicant's journey: start, task list, sections, check answers, send, withdraw."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.access import APPLICANTS, access
from portal.accounts.services import OrganisationDetails
from portal.applications import services, uploads
from portal.applications.forms import (
    DeclarationsForm,
    OrganisationSectionForm,
    StartForm,
    SubmitForm,
    WithdrawForm,
    budget_form,
    partners_form,
    project_form,
)
from portal.applications.snapshot import questions_for
from portal.boroughs import borough_name
from portal.domain import StateTransitionError, ValidationError
from portal.extensions import db
from portal.formatting import clock, money
from portal.models import ApplicationStatus, IncomeBand, OrganisationType, utcnow

bp = Blueprint("applications", __name__)


@bp.app_template_filter("time_left")
def time_left_filter(closes_at) -> str:
    """'Closes 4 January 2027, 5pm (39 days left)' for templates."""
    return services.time_left(closes_at, utcnow())


def _typed(form) -> list[tuple[str, str]]:
    """What the person typed, as (label, text), to show back when a save was refused."""
    rows = []
    for field in form:
        if field.name in ("csrf_token", "version", "completed", "submit"):
            continue
        value = field.data
        if isinstance(value, list):
            if field.name == "boroughs":
                value = ", ".join(borough_name(v) for v in value)
            else:
                value = ", ".join(str(v) for v in value)
        if value:
            rows.append((field.label.text, str(value)))
    return rows


def _refused(application, form, error: ValidationError, template: str, **context):
    """Show why a save was refused: deadline or frozen (read-only copy), a conflict, or a field message."""
    db.session.rollback()
    if error.field is None:
        return render_template("applications/not_saved.html", application=application, message=error.message,
                               typed=_typed(form))
    if isinstance(error, services.SectionConflict):
        form.version.data = str(error.section.version)
        form.version.errors = [error.message]
        return render_template(template, application=application, form=form, conflict=error.section,
                               saved=services.answers_snapshot(application), **context)
    form.add_domain_error(error)
    return render_template(template, application=application, form=form, **context)


def _save(save, **arguments) -> None:
    """Run a section's save; if a colleague's save of this application landed at the same moment, run it again.

    A save reads the application, then writes it with the version it read. If another save committed in
    between, the write finds a newer version (or the section's row just made) and fails; the second run reads
    what that save wrote, so a save of another section goes through and a save of the same section is refused
    as a conflict, with both versions shown.
    """
    try:
        save(db.session, **arguments)
        return
    except (StaleDataError, IntegrityError):
        db.session.rollback()
    try:
        save(db.session, **arguments)
    except (StaleDataError, IntegrityError) as error:
        raise ValidationError("Someone else saved this application at the same moment, so we could not save your "
                              "changes. What you typed is shown below: go back to the application and try again"
                              ) from error


def _not_editable(application):
    """Where a GET of an edit page goes once the application is sent or the deadline has passed."""
    if application.status != ApplicationStatus.DRAFT or utcnow() >= application.round.closes_at:
        return redirect(url_for("applications.application", application_id=application.id))
    return None


@bp.route("/rounds/<slug>/apply", methods=["GET", "POST"])
@access(APPLICANTS)
def start_application(slug: str):
    """Start (or go back to) this organisation's application to a round."""
    round_ = services.round_to_apply_to(db.session, slug=slug)
    organisations = current_user.organisations
    form = StartForm()
    form.organisation_id.choices = [(o.id, o.name) for o in organisations]
    if request.method == "GET" and len(organisations) == 1:
        existing = services.existing_application(db.session, round_=round_, organisation=organisations[0])
        if existing is not None:
            return redirect(url_for("applications.application", application_id=existing.id))
    if form.validate_on_submit():
        try:
            application = services.start_application(db.session, round_=round_, by=current_user,
                                                     organisation_id=form.organisation_id.data)
        except ValidationError as error:
            form.add_domain_error(error, default_field="organisation_id")
        else:
            return redirect(url_for("applications.application", application_id=application.id))
    return render_template("applications/start.html", form=form, round=round_, organisations=organisations,
                           accepting=services.accepting_applications(round_, utcnow()))


@bp.route("/applications/<int:application_id>")
@access(APPLICANTS)
def application(application_id: int):
    """The task list of a draft, or the sent application and its status."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    now = utcnow()
    letter = services.latest_letter(db.session, application=app_)
    return render_template(
        "applications/task_list.html", application=app_, keys=services.sections_for(app_),
        documents=uploads.documents_rule(app_), titles=services.SECTION_TITLES,
        status_of=lambda key: services.section_status(app_, key),
        open_for_edits=app_.status == ApplicationStatus.DRAFT and now < app_.round.closes_at,
        status_label=services.STATUS_LABELS[app_.status],
        next_step=services.next_step(app_, now, letter_issued=letter is not None), letter=letter,
        can_withdraw=app_.status in services.WITHDRAWABLE, snapshot=app_.submitted_snapshot,
    )


@bp.route("/applications/<int:application_id>/organisation", methods=["GET", "POST"])
@access(APPLICANTS)
def organisation_section(application_id: int):
    """About your organisation: confirm or correct its details."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    template = "applications/organisation.html"
    form = OrganisationSectionForm()
    if request.method == "GET":
        if (gone := _not_editable(app_)) is not None:
            return gone
        if not form.restored:
            org = app_.organisation
            form.organisation_name.data = org.name
            form.organisation_type.data = org.organisation_type.value
            form.charity_number.data = org.charity_number
            form.company_number.data = org.company_number
            form.income_band.data = org.income_band.value
            form.boroughs.data = list(org.boroughs)
            form.address_line_1.data = org.address_line_1
            form.address_line_2.data = org.address_line_2
            form.town.data = org.town
            form.postcode.data = org.postcode
        form.version.data = str(services.section_version(app_, "organisation"))
    if form.validate_on_submit():
        details = OrganisationDetails(
            name=form.organisation_name.data, organisation_type=OrganisationType(form.organisation_type.data),
            income_band=IncomeBand(form.income_band.data), boroughs=form.boroughs.data,
            address_line_1=form.address_line_1.data, address_line_2=form.address_line_2.data,
            town=form.town.data, postcode=form.postcode.data, charity_number=form.charity_number.data,
            company_number=form.company_number.data)
        try:
            _save(services.save_organisation, application_id=app_.id, by=current_user,
                  version=form.started_from(), details=details, completed=form.is_completed)
        except ValidationError as error:
            return _refused(app_, form, error, template)
        return redirect(url_for("applications.application", application_id=app_.id))
    return render_template(template, application=app_, form=form)


@bp.route("/applications/<int:application_id>/project", methods=["GET", "POST"])
@access(APPLICANTS)
def project_section(application_id: int):
    """Your project: title, amount and the questions for the group's grant size."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    template = "applications/project.html"
    if request.method == "GET":
        if (gone := _not_editable(app_)) is not None:
            return gone
        questions = questions_for(app_)
        form = project_form(questions)
        if not form.restored:
            form.project_title.data = app_.project_title
            form.amount.data = _pounds(app_.amount_requested_pence)
            answers = {a.question_id: a.text for a in app_.answers}
            for question in questions:
                form[f"answer_{question.id}"].data = answers.get(question.id, "")
        form.version.data = str(services.section_version(app_, "project"))
    else:
        questions = services.questions_for_amount(app_, request.form.get("amount"))
        form = project_form(questions)
    context = {"questions": questions}
    autosave = request.headers.get("X-Autosave") == "1"
    if form.validate_on_submit():
        try:
            _save(
                services.save_project, application_id=app_.id, by=current_user, version=form.started_from(),
                project_title=form.project_title.data or "", amount=form.amount.data or "",
                answers={q.id: form[f"answer_{q.id}"].data or "" for q in questions},
                completed=form.is_completed and not autosave)
        except ValidationError as error:
            if autosave:
                return _autosave_refused(error)
            return _refused(app_, form, error, template, **context)
        if autosave:
            return jsonify(saved=True, version=services.section_version(app_, "project"),
                           message=f"Saved at {clock(utcnow())}")
        return redirect(url_for("applications.application", application_id=app_.id))
    if autosave:
        first = next(iter(form.errors.values()))[0]
        return jsonify(saved=False, message=f"Not saved yet: {first}"), 422
    return render_template(template, application=app_, form=form, **context)


def _autosave_refused(error: ValidationError):
    """A quiet save that did not happen: the page says why, and the person's text stays where it is."""
    db.session.rollback()
    status = 409 if isinstance(error, services.SectionConflict) else 422
    return jsonify(saved=False, message=f"Not saved: {error.message}. Use the button to save", stop=status == 409), status


def _pounds(pence: int | None) -> str:
    """An amount as a person would type it: 8,000 or 8,000.50."""
    return "" if pence is None else money(pence).removeprefix("£")


# A list form never builds more rows than the most a service accepts plus one (which it refuses, with a message).
MAX_ROWS = services.MAX_LIST_ROWS + 1


def _rows_posted(prefix: str) -> int:
    """How many rows a list form posted (from its field names), never more than MAX_ROWS."""
    indexes = [int(k.rsplit("_", 1)[1]) for k in request.form
               if k.startswith(prefix) and k.rsplit("_", 1)[1].isdigit() and len(k.rsplit("_", 1)[1]) < 6]
    return min(max(indexes, default=-1) + 1, MAX_ROWS)


def _row_values(form, first: str, second: str, rows: int) -> tuple[list[tuple[str, str]], str]:
    """A list form's rows as typed, minus the one whose "Remove" button was pressed, and the button's action.

    The action is "save" for the main button, "add" to add a row, or "remove-<n>".
    """
    values = [(form[f"{first}_{i}"].data or "", form[f"{second}_{i}"].data or "") for i in range(rows)]
    action = request.form.get("action", "save")
    if action.startswith("remove-") and action[7:].isdigit() and int(action[7:]) < rows:
        del values[int(action[7:])]
    return values, action


@bp.route("/applications/<int:application_id>/budget", methods=["GET", "POST"])
@access(APPLICANTS)
def budget_section(application_id: int):
    """Budget: items and costs that add up to the amount requested."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    template = "applications/budget.html"
    if request.method == "GET":
        if (gone := _not_editable(app_)) is not None:
            return gone
        form = budget_form(min(len(app_.budget_lines) + 1, MAX_ROWS))
        if not form.restored:
            for index, line in enumerate(app_.budget_lines):
                form[f"item_{index}"].data = line.item
                form[f"cost_{index}"].data = _pounds(line.cost_pence)
        form.version.data = str(services.section_version(app_, "budget"))
    else:
        form = budget_form(max(_rows_posted("item_"), 1))
    rows = len([f for f in form if f.name.startswith("item_")])
    if form.validate_on_submit():
        lines, action = _row_values(form, "item", "cost", rows)
        try:
            _save(services.save_budget, application_id=app_.id, by=current_user, version=form.started_from(),
                  lines=lines, completed=form.is_completed and action == "save")
        except ValidationError as error:
            return _refused(app_, form, error, template, rows=rows)
        if action != "save":
            return redirect(url_for("applications.budget_section", application_id=app_.id))
        return redirect(url_for("applications.application", application_id=app_.id))
    return render_template(template, application=app_, form=form, rows=rows)


@bp.route("/applications/<int:application_id>/partners", methods=["GET", "POST"])
@access(APPLICANTS)
def partners_section(application_id: int):
    """Partners: whether this is a partnership bid, and who the partners are."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    template = "applications/partners.html"
    if request.method == "GET":
        if (gone := _not_editable(app_)) is not None:
            return gone
        form = partners_form(min(len(app_.partners) + 1, MAX_ROWS))
        if not form.restored:
            started = services.section_status(app_, "partners") != "not_started"
            form.partnership.data = ("yes" if app_.partners else "no") if started else None
            for index, partner in enumerate(app_.partners):
                form[f"name_{index}"].data = partner.organisation_name
                form[f"role_{index}"].data = partner.role_description
        form.version.data = str(services.section_version(app_, "partners"))
    else:
        form = partners_form(max(_rows_posted("name_"), 1))
    rows = len([f for f in form if f.name.startswith("name_")])
    if form.validate_on_submit():
        partners, action = _row_values(form, "name", "role", rows)
        partnership = {"yes": True, "no": False}.get(form.partnership.data or "")
        if action != "save" and partnership is None:
            partnership = True
        try:
            _save(services.save_partners, application_id=app_.id, by=current_user, version=form.started_from(),
                  partnership=partnership, partners=partners, completed=form.is_completed and action == "save")
        except ValidationError as error:
            return _refused(app_, form, error, template, rows=rows)
        if action != "save":
            return redirect(url_for("applications.partners_section", application_id=app_.id))
        return redirect(url_for("applications.application", application_id=app_.id))
    return render_template(template, application=app_, form=form, rows=rows)


@bp.route("/applications/<int:application_id>/declarations", methods=["GET", "POST"])
@access(APPLICANTS)
def declarations_section(application_id: int):
    """Declarations: who confirms the application is true and that they may apply."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    template = "applications/declarations.html"
    form = DeclarationsForm()
    form.confirmed.choices = list(services.DECLARATIONS.items())
    if request.method == "GET":
        if (gone := _not_editable(app_)) is not None:
            return gone
        if not form.restored:
            form.name.data = app_.declared_by_name or current_user.name
            form.role.data = app_.declared_by_role
            form.confirmed.data = list(services.DECLARATIONS) if app_.declared_at else []
        form.version.data = str(services.section_version(app_, "declarations"))
    if form.validate_on_submit():
        try:
            _save(services.save_declarations, application_id=app_.id, by=current_user,
                  version=form.started_from(), name=form.name.data or "", role=form.role.data or "",
                  confirmed=form.confirmed.data or [], completed=form.is_completed)
        except ValidationError as error:
            return _refused(app_, form, error, template)
        return redirect(url_for("applications.application", application_id=app_.id))
    return render_template(template, application=app_, form=form)


@bp.route("/applications/<int:application_id>/check-answers", methods=["GET", "POST"])
@access(APPLICANTS)
def check_answers(application_id: int):
    """Check your answers, then send the application."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    if app_.status != ApplicationStatus.DRAFT:
        return redirect(url_for("applications.application", application_id=app_.id))
    form = SubmitForm()
    refusal = None
    if form.validate_on_submit():
        try:
            services.submit_application(db.session, application_id=app_.id, by=current_user,
                                        public_url=current_app.config["PUBLIC_URL"].rstrip("/"))
        except ValidationError as error:
            db.session.rollback()
            refusal = error.message
        else:
            return redirect(url_for("applications.sent", application_id=app_.id))
    return render_template("applications/check_answers.html", application=app_, form=form, refusal=refusal,
                           snapshot=services.answers_snapshot(app_), problems=services.submission_problems(app_),
                           keys=services.sections_for(app_), titles=services.SECTION_TITLES,
                           open_for_edits=utcnow() < app_.round.closes_at)


@bp.route("/applications/<int:application_id>/sent")
@access(APPLICANTS)
def sent(application_id: int):
    """The confirmation page: the reference and what happens next."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    if app_.reference is None:
        return redirect(url_for("applications.application", application_id=app_.id))
    return render_template("applications/sent.html", application=app_,
                           next_step=services.next_step(app_, utcnow()))


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@access(APPLICANTS)
def withdraw(application_id: int):
    """Withdraw a sent application before a decision, after confirming."""
    app_ = services.application_for(db.session, application_id=application_id, by=current_user)
    form = WithdrawForm()
    problem = services.withdrawal_problem(app_)
    if form.validate_on_submit() and problem is None:
        try:
            services.withdraw_application(db.session, application_id=app_.id, by=current_user)
        except StateTransitionError as error:
            db.session.rollback()
            problem = error.message
        else:
            flash(f"You have withdrawn application {app_.reference}")
            return redirect(url_for("accounts.dashboard"))
    return render_template("applications/withdraw.html", application=app_, form=form, problem=problem)
