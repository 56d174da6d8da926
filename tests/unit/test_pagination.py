"""The page numbers a pager offers."""

from __future__ import annotations

import pytest

from portal.pagination import page_links


@pytest.mark.parametrize(("page", "pages", "expected"), [
    (1, 1, [1]),
    (1, 2, [1, 2]),
    (1, 200, [1, 2, None, 200]),
    (3, 200, [1, 2, 3, 4, None, 200]),
    (5, 200, [1, None, 4, 5, 6, None, 200]),
    (199, 200, [1, None, 198, 199, 200]),
    (200, 200, [1, None, 199, 200]),
    (4, 7, [1, None, 3, 4, 5, None, 7]),
])
def test_first_last_and_neighbours_with_gaps_between(page, pages, expected):
    assert page_links(page, pages) == expected
