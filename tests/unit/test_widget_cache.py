"""GOV.UK form components kept between renders: a kept copy is only ever used for exactly the same field."""

from __future__ import annotations

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from markupsafe import Markup
from wtforms import Form, SelectField, StringField

from portal import widget_cache


class Filters(Form):
    search = StringField("Search", widget=GovTextInput())
    borough = SelectField("Borough", choices=[("", "Any borough"), ("E09000001", "City of London"),
                                              ("E09000002", "Barking and Dagenham")], widget=GovSelect())


@pytest.fixture(autouse=True)
def _fresh(app):
    widget_cache.clear()
    with app.test_request_context():
        yield
    widget_cache.clear()


def test_the_same_field_renders_the_same_html_twice():
    form = Filters(data={"search": "youth club", "borough": "E09000001"})
    assert str(form.search()) == str(form.search())
    assert 'value="youth club"' in str(form.search())


def test_another_value_or_choice_is_rendered_afresh():
    first = Filters(data={"search": "youth club", "borough": "E09000001"})
    second = Filters(data={"search": "boxing", "borough": "E09000002"})
    first.search(), first.borough()
    assert 'value="boxing"' in str(second.search())
    assert 'value="youth club"' not in str(second.search())
    selected = str(second.borough())
    assert '<option value="E09000002" selected>' in selected
    assert '<option value="E09000001" selected>' not in selected


def test_an_error_shows_after_the_same_field_was_kept_without_one_and_goes_when_mended():
    plain = Filters(data={"search": "youth club"})
    assert "govuk-error-message" not in str(plain.search())
    with_error = Filters(data={"search": "youth club"})
    with_error.search.errors = ["Enter 100 characters or fewer"]
    assert "Enter 100 characters or fewer" in str(with_error.search())
    assert "govuk-error-message" not in str(Filters(data={"search": "youth club"}).search())


def test_text_is_escaped_and_markup_is_not_even_when_they_read_the_same():
    escaped = str(Filters().search(params={"hint": {"text": "<b>Name</b>"}}))
    raw = str(Filters().search(params={"hint": {"text": Markup("<b>Name</b>")}}))
    assert "&lt;b&gt;Name&lt;/b&gt;" in escaped
    assert "<b>Name</b>" in raw


def test_long_text_is_rendered_every_time_and_never_kept():
    answer = "A long answer. " * 100
    html = str(Filters(data={"search": answer}).search())
    assert answer.strip() in html
    assert not any(answer in str(key) for key in widget_cache._kept)


def test_layout_components_follow_their_parameters():
    signed_out = widget_cache.govuk("govukServiceNavigation", {"navigation": [
        {"text": "Sign in", "href": "/sign-in", "active": True}]})
    signed_in = widget_cache.govuk("govukServiceNavigation", {"navigation": [
        {"text": "Your applications", "href": "/applications", "active": False}]})
    assert "Sign in" in signed_out and "Sign in" not in signed_in
    assert "Your applications" in signed_in
    again = widget_cache.govuk("govukServiceNavigation", {"navigation": [
        {"text": "Sign in", "href": "/sign-in", "active": False}]})
    assert "govuk-service-navigation__item--active" in signed_out
    assert "govuk-service-navigation__item--active" not in again
