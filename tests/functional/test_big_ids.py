"""An id in a URL too big for the database is "not found", never a server error."""

import pytest


@pytest.mark.parametrize("url", [
    "/decisions/entries/99999999999999999999",
    "/applications/99999999999999999999",
    "/commissioning/rounds/99999999999999999999",
])
def test_huge_ids_are_not_found(commissioner_client, url):
    assert commissioner_client.page(url).status == 404


def test_ids_that_fit_still_work_as_before(commissioner_client, open_round):
    assert commissioner_client.page(f"/commissioning/rounds/{open_round.id}").status == 200
