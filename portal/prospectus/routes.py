"""Public pages about rounds: the home page, the prospectus (page and PDF) and the eligibility checker."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, session

from portal.access import PUBLIC, access
from portal.extensions import db
from portal.models import IncomeBand, OrganisationType
from portal.pdf import render_pdf
from portal.prospectus import services
from portal.prospectus.eligibility import SESSION_KEY, EligibilityAnswers
from portal.prospectus.forms import EligibilityForm

bp = Blueprint("prospectus", __name__)


@bp.route("/")
@access(PUBLIC)
def home():
    """Open, upcoming and recently decided rounds."""
    return render_template("prospectus/home.html", rounds=services.home_rounds(db.session))


@bp.route("/rounds/<slug>")
@access(PUBLIC)
def round_page(slug: str):
    """A round's prospectus: what the money is for, who can apply, how it is scored, key dates."""
    prospectus = services.public_prospectus(db.session, slug=slug)
    return render_template("prospectus/round.html", prospectus=prospectus, preview=False)


@bp.route("/rounds/<slug>/prospectus.pdf")
@access(PUBLIC)
def prospectus_pdf(slug: str):
    """The prospectus as an accessible PDF to read offline or print."""
    prospectus = services.public_prospectus(db.session, slug=slug)
    html = render_template("prospectus/round_pdf.html", prospectus=prospectus)
    stylesheet = render_template("prospectus/print.css")
    pdf = render_pdf(html, stylesheet=stylesheet)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{prospectus.round.slug}-prospectus.pdf"'})


@bp.route("/rounds/<slug>/check-eligibility", methods=["GET", "POST"])
@access(PUBLIC)
def check_eligibility(slug: str):
    """Four questions, then "you can apply" or exactly which rule stops the group and what to do."""
    round_ = services.public_round(db.session, slug=slug)
    form = EligibilityForm()
    if form.validate_on_submit():
        answers = EligibilityAnswers(
            organisation_type=OrganisationType(form.organisation_type.data),
            income_band=IncomeBand(form.income_band.data),
            boroughs=form.boroughs.data or [],
            amount_pence=form.amount.pence,
        )
        result = services.check_round_eligibility(db.session, slug=slug, answers=answers)
        session[SESSION_KEY] = {
            "organisation_type": answers.organisation_type.value,
            "income_band": answers.income_band.value,
            "boroughs": answers.boroughs,
            "round": round_.slug,
            "amount": form.amount.data,
        }
        return render_template("prospectus/eligibility_result.html", result=result)
    return render_template("prospectus/check_eligibility.html", form=form, round=round_)
