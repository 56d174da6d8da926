"""GOV.UK form components rendered once per distinct set of parameters, in each worker process.

govuk-frontend-wtf renders every field through a small Jinja template and the GOV.UK macros, running Flask's
context processors again for each one: about a millisecond a field, most of a scoring page's or a filter form's
time. What a component renders depends only on its parameters (label, hint, value, items, error message), so
the HTML of the components rendered recently is kept, keyed by those parameters exactly: a field with another
value, another error or another choice selected is a different key and is rendered afresh.

Parameters holding long text (an answer being edited) are not kept, so memory stays small and people's
writing is not held longer than their request needs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from govuk_frontend_wtf.gov_form_base import GovFormBase
from markupsafe import Markup

MAX_ENTRIES = 2048
MAX_TEXT = 400  # characters of any one string in the parameters; longer ones are rendered every time

_original_render = GovFormBase.render
_kept: OrderedDict[tuple, Markup] = OrderedDict()
_lock = threading.Lock()


class _Unkeepable(Exception):
    """The parameters cannot be a key: long text, or a value of a kind not known to be safe to compare."""


def _frozen(value: Any) -> Any:
    """A hashable, exact copy of the parameters: Markup and plain text differ, as do True and 1."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _Unkeepable
        return value if type(value) is str else (type(value).__name__, str(value))
    if isinstance(value, dict):
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    if value is None or isinstance(value, bool | int | float):
        return (type(value).__name__, value)
    raise _Unkeepable


def render(widget: GovFormBase, params: dict[str, Any]) -> Markup:
    """The component's HTML, from the kept copy when these exact parameters were rendered before."""
    try:
        key = (widget.template, _frozen(params))
    except _Unkeepable:
        return _original_render(widget, params)
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = _original_render(widget, params)
    with _lock:
        _kept[key] = html
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)
    return html


def install() -> None:
    """Render every govuk-frontend-wtf component through the kept copies (idempotent)."""
    GovFormBase.render = render


def clear() -> None:
    """Forget every kept component (tests)."""
    with _lock:
        _kept.clear()
