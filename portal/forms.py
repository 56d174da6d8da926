"""The base form every page uses: CSRF-protected, and restores text kept over a sign-in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from markupsafe import Markup
from wtforms import RadioField, StringField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from portal.domain import DomainError
from portal.invisible import strip_invisible
from portal.models.enums import INCOME_BAND_LABELS, ORGANISATION_TYPE_LABELS, OrganisationType
from portal.pending import FIELDS_FIELD, field_list_token, take_pending_form


def strip(value: Any) -> Any:
    """Field filter: ignore spaces typed (or pasted) before and after a value."""
    return value.strip() if isinstance(value, str) else value


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def drop_control_characters(value: Any) -> Any:
    """Field filter: remove NUL and other control characters nobody types (PostgreSQL cannot store a NUL), and
    the invisible bidirectional controls and zero-width characters that make a name read as something else
    (see portal/invisible.py; zero-width joiners stay).

    Tabs and line breaks stay.
    """
    return strip_invisible(_CONTROL_CHARACTERS.sub("", value)) if isinstance(value, str) else value


class _WithFieldList:
    """The CSRF token's hidden input, followed by a hidden input of the form's field names, signed."""

    def __init__(self, form: Any, widget: Any) -> None:
        self.form, self.widget = form, widget

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        names = [name for name in self.form._fields if name != field.name]
        return Markup(self.widget(field, **kwargs)) + Markup('<input type="hidden" name="{}" value="{}">').format(
            FIELDS_FIELD, field_list_token(names))


class PortalForm(FlaskForm):
    """A Flask-WTF form that gives back what was typed before the session ran out."""

    class Meta:
        """Options for every PortalForm."""

        def bind_field(self, form, unbound_field, options):
            """Every field drops control and invisible characters from what is posted, before its own filters (so
            spaces hidden behind a zero-width character are still stripped). The CSRF token also sends the
            signed names of the form's fields, so a post after the session ended keeps only those
            (portal/pending.py)."""
            field = unbound_field.bind(form=form, **options)
            field.filters = (drop_control_characters, *field.filters)
            if isinstance(field, CSRFTokenField):
                field.widget = _WithFieldList(form, field.widget)
            return field

    restored: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        restored = None
        if request.method == "GET" and "formdata" not in kwargs:
            restored = take_pending_form(request.path)
            if restored is not None:
                kwargs["formdata"] = restored
        super().__init__(*args, **kwargs)
        self.restored = restored is not None

    def add_domain_error(self, error: DomainError, default_field: str | None = None) -> None:
        """Show a service's refusal beside the field it concerns (or the first field)."""
        name = error.field or default_field or next(iter(self._fields))
        field = self._fields[name]
        field.errors = [*field.errors, error.message]


def email_field(label: str = "Email address", *, description: str | None = None,
                message: str = "Enter your email address") -> StringField:
    """An e-mail address field with plain-English messages (used by every form that asks for one)."""
    return StringField(
        label,
        description=description,
        filters=[strip],
        validators=[
            InputRequired(message=message),
            Email(message="Enter an email address in the correct format, like name@example.com",
                  check_deliverability=False),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ],
        widget=GovTextInput(),
    )


def organisation_type_field(label: str = "What type of organisation is it?", *,
                            types: Iterable[OrganisationType] | None = None,
                            invalid_choice_message: str | None = None) -> RadioField:
    """The legal form of a community group, as radios (every type, or only ``types``)."""
    offered = set(types) if types is not None else set(ORGANISATION_TYPE_LABELS)
    return RadioField(
        label,
        choices=[SelectChoice(t.value, text) for t, text in ORGANISATION_TYPE_LABELS.items() if t in offered],
        validators=[InputRequired(message="Select the type of organisation")],
        invalid_choice_message=invalid_choice_message,
        widget=GovRadioInput(),
    )


def income_band_field() -> RadioField:
    """A group's annual income band, as radios."""
    return RadioField(
        "What was your organisation's income in its last financial year?",
        description="If you are new, give your expected income for this year",
        choices=[SelectChoice(b.value, text) for b, text in INCOME_BAND_LABELS.items()],
        validators=[InputRequired(message="Select your organisation's annual income")],
        widget=GovRadioInput(),
    )
