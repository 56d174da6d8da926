"""GOV.UK components rendered once per distinct set of parameters, in each worker process.

govuk-frontend-wtf renders every form field through a small Jinja template and the GOV.UK macros, running
Flask's context processors again for each one, and the layout calls the GOV.UK macros for the navigation and
the phase banner on every page: together most of a simple page's time. What a component renders depends only
on its parameters (label, hint, value, items, error message, the navigation's links), so the HTML of the
components rendered recently is kept, keyed by those parameters exactly: a field with another value, another
error or another choice selected is a different key and is rendered afresh.

Parameters holding long text (an answer being edited) are not kept, so memory stays small and people's
writing is not held longer than their request needs.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app
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


def _kept_or_rendered(kind: str, params: Any, render: Callable[[], Markup]) -> Markup:
    """The HTML kept for these exact parameters, or ``render()``'s, kept for next time."""
    try:
        key = (kind, _frozen(params))
    except _Unkeepable:
        return render()
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
            return html
    html = render()
    with _lock:
        _kept[key] = html
        while len(_kept) > MAX_ENTRIES:
            _kept.popitem(last=False)
    return html


def render(widget: GovFormBase, params: dict[str, Any]) -> Markup:
    """A govuk-frontend-wtf field's HTML, from the kept copy when these exact parameters were rendered before."""
    return _kept_or_rendered(widget.template, params, lambda: _original_render(widget, params))


def govuk(macro: str, params: dict[str, Any]) -> Markup:
    """A GOV.UK Frontend component by its macro's name, e.g. ``govuk("govukPagination", {...})`` in a template.

    The same as importing and calling the macro, but kept per distinct parameters.
    """
    def render_macro() -> Markup:
        folder = re.sub(r"(?<!^)(?=[A-Z])", "-", macro.removeprefix("govuk")).lower()
        module = current_app.jinja_env.get_template(f"govuk_frontend_jinja/components/{folder}/macro.html").module
        return Markup(getattr(module, macro)(params))
    return _kept_or_rendered(macro, params, render_macro)


def install(app) -> None:
    """Render govuk-frontend-wtf fields through the kept copies, and offer ``govuk()`` to templates."""
    GovFormBase.render = render
    app.jinja_env.globals["govuk"] = govuk


def clear() -> None:
    """Forget every kept component (tests)."""
    with _lock:
        _kept.clear()
