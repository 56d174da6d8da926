"""Typed tables, one module per domain, all on one declarative base."""

from portal.models.accounts import (
    EmailConfirmationToken,
    GuardianConsent,
    Invitation,
    Membership,
    Organisation,
    PasswordResetToken,
    RecoveryCode,
    SignInAttempt,
    User,
)
from portal.models.applications import (
    Answer,
    Application,
    ApplicationDocument,
    ApplicationSection,
    BudgetLine,
    Partner,
)
from portal.models.audit import AuditEvent
from portal.models.base import Base, utcnow
from portal.models.decisions import (
    CurrentDecisionEntry,
    Decision,
    DecisionException,
    DecisionLogCheckpoint,
    DecisionLogEntry,
    DecisionLogRedaction,
)
from portal.models.enums import (
    AgeBand,
    ApplicationStatus,
    EventFormat,
    IncomeBand,
    LetterKind,
    OrganisationType,
    OutboxStatus,
    Outcome,
    Role,
    RoundStatus,
    SectionStatus,
)
from portal.models.funding import (
    ClarificationQuestion,
    Criterion,
    Event,
    EventRegistration,
    Faq,
    Fund,
    Question,
    ReferenceCounter,
    Round,
    RoundChange,
)
from portal.models.kept_forms import KeptForm
from portal.models.letters import Letter, LetterBatch, LetterDraft
from portal.models.messages import ApplicationMessage
from portal.models.notifications import DraftReminder, OutboxMessage
from portal.models.panel import (
    ConflictDeclaration,
    InterviewQuestion,
    InterviewScore,
    InterviewSlot,
    ModeratedScore,
    PanelAssignment,
    PanelExclusion,
    RoundInterviewQuestion,
    Score,
)

__all__ = [
    "ApplicationMessage",
    "ApplicationDocument", "ApplicationSection", "ReferenceCounter", "SectionStatus",
    "AgeBand", "Answer", "ClarificationQuestion", "Faq", "RoundChange", "Application", "ApplicationStatus", "AuditEvent", "Base", "BudgetLine",
    "ConflictDeclaration", "Criterion", "Decision", "Event", "EventFormat", "EventRegistration",
    "Fund", "GuardianConsent", "IncomeBand", "Invitation", "KeptForm", "Letter", "LetterKind", "Membership",
    "Organisation", "OrganisationType", "Outcome", "OutboxMessage", "OutboxStatus", "PanelAssignment",
    "Partner", "PasswordResetToken", "Question", "Role", "Round", "RoundStatus", "Score",
    "RecoveryCode", "SignInAttempt", "User", "utcnow",
    "EmailConfirmationToken",
    "DraftReminder",
    "CurrentDecisionEntry", "DecisionException", "DecisionLogCheckpoint", "DecisionLogEntry", "DecisionLogRedaction", "LetterBatch", "LetterDraft", "PanelExclusion", "InterviewQuestion", "InterviewScore", "InterviewSlot", "ModeratedScore", "RoundInterviewQuestion",
]
