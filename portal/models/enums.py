"""Status and category values, stored as plain strings."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in the portal."""

    APPLICANT = "applicant"
    PANELLIST = "panellist"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role as a person reads it."""
        return {
            Role.APPLICANT: "Community group member",
            Role.PANELLIST: "Youth panellist",
            Role.COMMISSIONER: "Commissioner",
            Role.ADMIN: "Administrator",
        }[self]


class OrganisationType(StrEnum):
    """Legal forms a community group may take."""

    UNREGISTERED = "unregistered"
    CHARITY = "charity"
    CIO = "cio"
    CIC = "cic"
    COMPANY = "company"
    COMMUNITY_BENEFIT_SOCIETY = "community_benefit_society"
    FAITH_GROUP = "faith_group"
    SCHOOL = "school"

    @property
    def label(self) -> str:
        """The type as a person reads it."""
        return ORGANISATION_TYPE_LABELS[self]


ORGANISATION_TYPE_LABELS = {
    OrganisationType.UNREGISTERED: "Unregistered community group or club",
    OrganisationType.CHARITY: "Registered charity",
    OrganisationType.CIO: "Charitable incorporated organisation (CIO)",
    OrganisationType.CIC: "Community interest company (CIC)",
    OrganisationType.COMPANY: "Company limited by guarantee",
    OrganisationType.COMMUNITY_BENEFIT_SOCIETY: "Community benefit society",
    OrganisationType.FAITH_GROUP: "Faith group",
    OrganisationType.SCHOOL: "School or college",
}

# Types registered with the Charity Commission (a charity number) or Companies House (a company number).
CHARITY_NUMBER_TYPES = frozenset({OrganisationType.CHARITY, OrganisationType.CIO})
COMPANY_NUMBER_TYPES = frozenset({OrganisationType.COMPANY, OrganisationType.CIC})
# Schools and colleges may only be partners in a bid, never the group that applies, so they cannot sign up;
# organisations already recorded as schools stay valid.
SIGN_UP_TYPES = tuple(t for t in OrganisationType if t != OrganisationType.SCHOOL)


class IncomeBand(StrEnum):
    """Annual income bands; small groups are those under £100,000."""

    UNDER_10K = "under_10k"
    FROM_10K_TO_50K = "10k_to_50k"
    FROM_50K_TO_100K = "50k_to_100k"
    FROM_100K_TO_250K = "100k_to_250k"
    FROM_250K_TO_1M = "250k_to_1m"
    OVER_1M = "over_1m"

    @property
    def label(self) -> str:
        """The band as a person reads it."""
        return INCOME_BAND_LABELS[self]

    @property
    def upper_limit_pounds(self) -> int | None:
        """The top of the band in pounds, or None for the open-ended band."""
        return INCOME_BAND_LIMITS[self]


INCOME_BAND_LABELS = {
    IncomeBand.UNDER_10K: "Less than £10,000",
    IncomeBand.FROM_10K_TO_50K: "£10,000 to £49,999",
    IncomeBand.FROM_50K_TO_100K: "£50,000 to £99,999",
    IncomeBand.FROM_100K_TO_250K: "£100,000 to £249,999",
    IncomeBand.FROM_250K_TO_1M: "£250,000 to £999,999",
    IncomeBand.OVER_1M: "£1 million or more",
}
INCOME_BAND_LIMITS = {
    IncomeBand.UNDER_10K: 10_000,
    IncomeBand.FROM_10K_TO_50K: 50_000,
    IncomeBand.FROM_50K_TO_100K: 100_000,
    IncomeBand.FROM_100K_TO_250K: 250_000,
    IncomeBand.FROM_250K_TO_1M: 1_000_000,
    IncomeBand.OVER_1M: None,
}


class RoundStatus(StrEnum):
    """A grant round's lifecycle (see DESIGN.md)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    OPEN = "open"
    CLOSED = "closed"
    ASSESSMENT = "assessment"
    DECIDED = "decided"
    DECISIONS_PUBLISHED = "decisions_published"


class ApplicationStatus(StrEnum):
    """An application's lifecycle (see DESIGN.md)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    INELIGIBLE = "ineligible"
    UNDER_ASSESSMENT = "under_assessment"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    DECLINED = "declined"
    RESERVE = "reserve"


class EventFormat(StrEnum):
    """How a market-warming event is held."""

    IN_PERSON = "in_person"
    ONLINE = "online"


class AgeBand(StrEnum):
    """Panellists' age bands; under-18s need a guardian's consent."""

    UNDER_18 = "16_17"
    FROM_18_TO_21 = "18_21"
    FROM_22_TO_25 = "22_25"

    @property
    def label(self) -> str:
        """The band as a person reads it."""
        return {"16_17": "16 or 17", "18_21": "18 to 21", "22_25": "22 to 25"}[self.value]


class Outcome(StrEnum):
    """What was decided for an application."""

    AWARD = "award"
    DECLINE = "decline"
    RESERVE = "reserve"


class LetterKind(StrEnum):
    """The outcome letters the portal writes."""

    AWARD = "award"
    DECLINE = "decline"
    RESERVE = "reserve"
    INELIGIBLE = "ineligible"


class OutboxStatus(StrEnum):
    """Where an e-mail is in delivery."""

    PENDING = "pending"
    SENT = "sent"


class SectionStatus(StrEnum):
    """How far a task-list section of an application has got."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """The status as the GOV.UK task list shows it."""
        return {"not_started": "Not started", "in_progress": "In progress", "completed": "Completed"}[self.value]
