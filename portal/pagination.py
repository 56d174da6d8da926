"""Which page numbers a pager shows."""

from __future__ import annotations


def page_links(page: int, pages: int) -> list[int | None]:
    """The first and last pages and those beside this one, in order; None stands for a gap of pages.

    Page 5 of 200: 1, gap, 4, 5, 6, gap, 200. Works out only the handful shown, however many pages there are.
    """
    links: list[int | None] = []
    for number in sorted({1, pages, *range(page - 2, page + 3)}):
        if not 1 <= number <= pages:
            continue
        if number in (1, pages) or abs(number - page) <= 1:
            links.append(number)
        elif abs(number - page) == 2:
            links.append(None)
    return links
