"""The frozen copy of an application made at submission: what the panel reads and the PDF shows.

Its shape (keep it stable; panel pages, the PDF copy and exports read it):

    {"reference", "submitted_at" (ISO, UTC), "round": {"title", "slug", "fund"},
     "organisation": {"name", "type", "charity_number", "company_number", "income_band", "boroughs", "address"},
     "project_title", "amount_requested_pence", "small_grant",
     "answers": [{"question_id", "question", "word_limit", "answer"}],
     "budget": [{"item", "cost_pence"}], "budget_total_pence",
     "partners": [{"name", "role"}],
     "documents": [{"id", "name", "content_type", "size_bytes", "sha256"}],
     "declaration": {"name", "role", "declared_at"}}
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.boroughs import borough_name
from portal.models import Application, Question


def questions_for(application: Application) -> list[Question]:
    """The round's questions this application is asked: small grants skip those marked for larger ones."""
    threshold = application.round.small_grant_threshold_pence
    amount = application.amount_requested_pence
    small = threshold is not None and amount is not None and amount < threshold
    return [q for q in application.round.questions if q.asked_of_small_grants or not small]


def is_small_grant(application: Application) -> bool:
    """Whether the amount asked for is under the round's small-grant threshold."""
    threshold = application.round.small_grant_threshold_pence
    amount = application.amount_requested_pence
    return threshold is not None and amount is not None and amount < threshold


def build_snapshot(application: Application, *, submitted_at: datetime) -> dict[str, Any]:
    """Everything the applicant sent, as plain data that later edits cannot reach."""
    organisation = application.organisation
    answers = {a.question_id: a.text for a in application.answers}
    return {
        "reference": application.reference,
        "submitted_at": submitted_at.isoformat(),
        "round": {"title": application.round.title, "slug": application.round.slug,
                  "fund": application.round.fund.name},
        "organisation": {
            "name": organisation.name,
            "type": organisation.organisation_type.label,
            "charity_number": organisation.charity_number,
            "company_number": organisation.company_number,
            "income_band": organisation.income_band.label,
            "boroughs": [borough_name(code) for code in organisation.boroughs],
            "address": [line for line in (organisation.address_line_1, organisation.address_line_2,
                                          organisation.town, organisation.postcode) if line],
        },
        "project_title": application.project_title,
        "amount_requested_pence": application.amount_requested_pence,
        "small_grant": is_small_grant(application),
        "answers": [
            {"question_id": q.id, "question": q.text, "word_limit": q.word_limit, "answer": answers.get(q.id, "")}
            for q in questions_for(application)
        ],
        "budget": [{"item": line.item, "cost_pence": line.cost_pence} for line in application.budget_lines],
        "budget_total_pence": sum(line.cost_pence for line in application.budget_lines),
        "partners": [{"name": p.organisation_name, "role": p.role_description} for p in application.partners],
        "documents": [
            {"id": d.id, "name": d.original_name, "content_type": d.content_type, "size_bytes": d.size_bytes,
             "sha256": d.sha256}
            for d in application.documents
        ],
        "declaration": {"name": application.declared_by_name, "role": application.declared_by_role,
                        "declared_at": application.declared_at.isoformat() if application.declared_at else None},
    }
