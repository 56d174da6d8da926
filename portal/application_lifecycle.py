"""An application's lifecycle (DESIGN.md): draft, submitted, then withdrawn, ineligible or under
assessment, shortlisted for interview, and awarded, declined or reserve. Only this function changes
an application's status."""

from __future__ import annotations

from portal.domain import StateTransitionError
from portal.models import Application, ApplicationStatus

S = ApplicationStatus
ALLOWED: dict[ApplicationStatus, set[ApplicationStatus]] = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.WITHDRAWN, S.INELIGIBLE, S.UNDER_ASSESSMENT},
    S.INELIGIBLE: {S.SUBMITTED},  # screening undone
    S.UNDER_ASSESSMENT: {S.WITHDRAWN, S.SHORTLISTED, S.AWARDED, S.DECLINED, S.RESERVE},
    S.SHORTLISTED: {S.WITHDRAWN, S.AWARDED, S.DECLINED, S.RESERVE},
    S.RESERVE: {S.AWARDED, S.DECLINED},
    S.WITHDRAWN: set(),
    S.AWARDED: set(),
    S.DECLINED: set(),
}


def transition_application(application: Application, *, to: ApplicationStatus) -> None:
    """Move an application along its lifecycle, refusing any move it does not allow."""
    current = ApplicationStatus(application.status)
    if to in ALLOWED[current]:
        application.status = to
        return
    match (current, to):
        case (S.INELIGIBLE, _):
            raise StateTransitionError(
                "This application is marked as ineligible. Undo that first if it should go forward")
        case (_, S.SUBMITTED):
            raise StateTransitionError("Only an application marked as ineligible can be put back for screening")
        case (_, S.INELIGIBLE | S.UNDER_ASSESSMENT):
            raise StateTransitionError(
                f"This application is {current.value.replace('_', ' ')}, so it cannot be screened now. "
                "Only applications waiting to be screened can be marked as eligible or ineligible")
        case (_, S.WITHDRAWN):
            raise StateTransitionError("This application can no longer be withdrawn")
        case _:
            raise StateTransitionError(
                f"An application cannot go from {current.value.replace('_', ' ')} to {to.value.replace('_', ' ')}")
