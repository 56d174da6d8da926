"""Forms for asking a question about a round, answering it and merging duplicates."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.clarifications.services import word_limit_problem
from portal.forms import PortalForm, email_field, strip


def _within_word_limit(_form, field) -> None:
    """Say how many words to cut when a question is too long."""
    problem = word_limit_problem(field.data)
    if problem:
        raise ValidationError(problem)


class AskQuestionForm(PortalForm):
    """Anyone asks a question about a round; no account needed."""

    name = StringField(
        "Your name",
        filters=[strip],
        description="We use it only to reply to you. It is never published.",
        validators=[DataRequired(message="Enter your name"),
                    Length(max=200, message="Your name must be 200 characters or fewer")],
        widget=GovTextInput(),
    )
    email = email_field("Your email address", description="We will email you when your question has been answered. It is never published.")
    question = TextAreaField(
        "Your question",
        filters=[strip],
        description="Do not include other people's personal details, such as the names of young people.",
        validators=[DataRequired(message="Enter your question"), _within_word_limit],
        widget=GovCharacterCount(),
    )
    submit = SubmitField("Send question", widget=GovSubmitInput())


class AnswerForm(PortalForm):
    """A commissioner publishes (or changes) the answer to a question."""

    published_question = TextAreaField(
        "Question as it will be published",
        filters=[strip],
        description="Remove anything that could identify the person who asked: names, organisations, places.",
        validators=[DataRequired(message="Enter the question as it will be published")],
        widget=GovTextArea(),
    )
    answer = TextAreaField(
        "Answer",
        filters=[strip],
        description="Everyone will see this answer on the round's page.",
        validators=[DataRequired(message="Enter the answer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Publish answer", widget=GovSubmitInput())


class MergeForm(PortalForm):
    """A commissioner merges a duplicate into the question whose answer covers it."""

    into = RadioField(
        "Which question does this one repeat?",
        description="Questions that have been merged themselves are not listed.",
        coerce=str,
        validators=[InputRequired(message="Select the question this one repeats")],
        validate_choice=False,  # the service refuses questions that are not valid targets, with reasons
        widget=GovRadioInput(),
    )
    submit = SubmitField("Merge question", widget=GovSubmitInput())
