"""Only the lifecycle's moves change an application's status."""

from types import SimpleNamespace

import pytest

from portal.application_lifecycle import ALLOWED, transition_application
from portal.domain import StateTransitionError
from portal.models import ApplicationStatus as S


@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_every_move_is_allowed_or_refused_as_the_lifecycle_says(current, target):
    """Allowed moves change the status; every other move raises and leaves it as it was."""
    application = SimpleNamespace(status=current)
    if target in ALLOWED[current]:
        transition_application(application, to=target)
        assert application.status == target
    else:
        with pytest.raises(StateTransitionError):
            transition_application(application, to=target)
        assert application.status == current


def test_decided_and_withdrawn_applications_are_final():
    """Nothing moves an application on once it is awarded, declined or withdrawn."""
    assert ALLOWED[S.AWARDED] == ALLOWED[S.DECLINED] == ALLOWED[S.WITHDRAWN] == set()


def test_a_draft_can_only_be_sent():
    """Drafts are never screened, decided or withdrawn."""
    assert ALLOWED[S.DRAFT] == {S.SUBMITTED}
