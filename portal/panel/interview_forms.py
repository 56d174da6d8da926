"""Forms for interviews: bank questions, choosing a round's questions, booking a slot and scoring answers."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from portal.commissioning.round_forms import LondonDateTimeField, WholeNumberField
from portal.forms import PortalForm, strip
from portal.models import InterviewQuestion, InterviewScore, InterviewSlot, RoundInterviewQuestion
from portal.panel.forms import chosen_id
from portal.panel.interview_services import (
    COMMENT_MAX_CHARACTERS,
    GUIDANCE_MAX_CHARACTERS,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    PLACE_MAX_CHARACTERS,
    QUESTION_MAX_CHARACTERS,
    SCORE_LABELS,
    AnswerScore,
    SlotDetails,
    comment_field,
    score_field,
)


class BankQuestionForm(PortalForm):
    """A new question for the interview bank."""

    text = TextAreaField(
        "Question",
        description="Ask one thing, in plain English. Panellists read it out to the group.",
        filters=[strip],
        validators=[InputRequired(message="Enter the question"),
                    Length(max=QUESTION_MAX_CHARACTERS,
                           message=f"The question must be {QUESTION_MAX_CHARACTERS} characters or fewer")],
        widget=GovTextArea(),
    )
    guidance = TextAreaField(
        "Guidance for panellists (optional)",
        description="What a good answer covers. Panellists see this when they score the answer.",
        filters=[strip],
        validators=[Length(max=GUIDANCE_MAX_CHARACTERS,
                           message=f"The guidance must be {GUIDANCE_MAX_CHARACTERS:,} characters or fewer")],
        widget=GovTextArea(),
    )
    submit = SubmitField("Add the question", widget=GovSubmitInput())


class RoundQuestionForm(PortalForm):
    """Choose a question from the bank to add to a round's interviews."""

    interview_question_id = SelectField(
        "Add a question from the bank",
        coerce=chosen_id,
        validate_choice=False,
        widget=GovSelect(),
    )
    submit = SubmitField("Add the question", widget=GovSubmitInput())

    def offer(self, questions: list[InterviewQuestion]) -> RoundQuestionForm:
        """Offer these questions in the select."""
        self.interview_question_id.choices = [SelectChoice("", "Choose a question")] + [
            SelectChoice(str(q.id), q.text) for q in questions]
        return self


class ConfirmForm(PortalForm):
    """A button only: confirms an action such as shortlisting or retiring a question."""


class SlotForm(PortalForm):
    """When, for how long and where a shortlisted group is interviewed."""

    starts_at = LondonDateTimeField("Date and start time", what="the date and time the interview starts",
                                    required=True, description="In London time. For example, 27 3 2027 and 2:30pm")
    duration_minutes = WholeNumberField(
        "How long it lasts, in minutes", what="how long the interview lasts", required=True,
        minimum=MIN_DURATION_MINUTES, maximum=MAX_DURATION_MINUTES, unit=" minutes",
        description=f"From {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} minutes",
    )
    place = StringField(
        "Where",
        description="An address the group can find, or “Online: we will e-mail a link”",
        filters=[strip],
        validators=[InputRequired(message="Enter where the interview will be, or say it is online"),
                    Length(max=PLACE_MAX_CHARACTERS,
                           message=f"The place must be {PLACE_MAX_CHARACTERS} characters or fewer")],
        widget=GovTextInput(),
    )
    submit = SubmitField("Save and e-mail the group", widget=GovSubmitInput())

    @classmethod
    def for_slot(cls, slot: InterviewSlot | None) -> SlotForm:
        """The form, filled in from a booked slot when there is one."""
        if slot is None:
            return cls()
        return cls(data={"starts_at": slot.starts_at, "duration_minutes": slot.duration_minutes, "place": slot.place})

    def details(self) -> SlotDetails:
        """What was entered, for the service."""
        return SlotDetails(starts_at=self.starts_at.data, duration_minutes=self.duration_minutes.data,
                           place=self.place.data)


# The radios' values and the scores they stand for; NOT_A_SCORE marks anything else that was sent.
_SCORES = {str(value): value for value in SCORE_LABELS}
NOT_A_SCORE = 0


class InterviewScoreFormBase(PortalForm):
    """A panellist's scores for one interview; one radio group and one comment per question are added."""

    save = SubmitField("Save and come back later", widget=GovSubmitInput())
    send = SubmitField("Send your interview scores", widget=GovSubmitInput())

    questions: list[RoundInterviewQuestion] = []

    def answers(self) -> dict[int, AnswerScore]:
        """Question id -> the score and comment entered (a score left blank is None)."""
        answers = {}
        for chosen in self.questions:
            raw = self[score_field(chosen.question_id)].data
            # Only the offered choices count: anything else ("²" passes isdigit) is refused by check_answers.
            value = _SCORES.get(str(raw), NOT_A_SCORE) if raw else None
            answers[chosen.question_id] = AnswerScore(value=value,
                                                      comment=self[comment_field(chosen.question_id)].data or "")
        return answers


def _score_radios(number: int, chosen: RoundInterviewQuestion) -> RadioField:
    """The 1 to 5 radios for one answer; the question is the legend and its guidance the hint."""
    return RadioField(
        f"Question {number}: {chosen.question.text}",
        description=chosen.question.guidance or None,
        choices=[SelectChoice(str(value), f"{value} – {label}") for value, label in SCORE_LABELS.items()],
        validate_choice=False,
        widget=GovRadioInput(),
    )


def _comment(number: int) -> TextAreaField:
    """The comment on one answer."""
    return TextAreaField(
        f"Your comment on the answer to question {number}",
        description="Say why you gave that score. The grants team and the panel lead read this.",
        filters=[strip],
        validators=[Length(max=COMMENT_MAX_CHARACTERS,
                           message=f"Your comment on question {number} must be {COMMENT_MAX_CHARACTERS:,} "
                                   "characters or fewer")],
        widget=GovTextArea(),
    )


def interview_score_form(questions: list[RoundInterviewQuestion], scores: dict[int, InterviewScore],
                         **kwargs: Any) -> InterviewScoreFormBase:
    """A scoring form for these questions, filled in from the panellist's saved scores."""
    fields: dict[str, Any] = {"questions": questions}
    data: dict[str, Any] = {}
    for number, chosen in enumerate(questions, start=1):
        fields[score_field(chosen.question_id)] = _score_radios(number, chosen)
        fields[comment_field(chosen.question_id)] = _comment(number)
        saved = scores.get(chosen.question_id)
        if saved is not None:
            data[score_field(chosen.question_id)] = None if saved.value is None else str(saved.value)
            data[comment_field(chosen.question_id)] = saved.comment
    form_class = type("InterviewScoreForm", (InterviewScoreFormBase,), fields)
    return form_class(data=data, **kwargs)
