"""``flask --app wsgi seed-demo``: a realistic demo on an empty database."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, time, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import demo_panel
from portal.accounts.passwords import hash_password
from portal.accounts.second_factor import enrol_known_secret
from portal.accounts.second_factor_routes import factor_settings
from portal.application_lifecycle import transition_application
from portal.applications.services import next_reference
from portal.applications.snapshot import build_snapshot
from portal.extensions import db
from portal.formatting import LONDON, date_time
from portal.letters import services as letters
from portal.models import (
    AgeBand,
    Answer,
    Application,
    ApplicationDocument,
    ApplicationMessage,
    ApplicationSection,
    ApplicationStatus,
    BudgetLine,
    ClarificationQuestion,
    Criterion,
    Decision,
    DecisionException,
    DecisionLogEntry,
    DecisionLogRedaction,
    Event,
    EventFormat,
    Faq,
    Fund,
    GuardianConsent,
    IncomeBand,
    Membership,
    Organisation,
    OrganisationType,
    Outcome,
    PanelAssignment,
    Partner,
    Question,
    Role,
    Round,
    RoundChange,
    RoundStatus,
    SectionStatus,
    User,
    utcnow,
)
from portal.transparency import log, redaction

DEMO_PASSWORD = "kettle-orbit-parade-42"
# Commissioners and administrators must sign in with an authenticator app too (accounts/second_factor.py).
# The demo's staff share this published key, so anyone can try the demo: never use it for real people.
DEMO_TOTP_SECRET = "DEMOSTAFFKEYDEMOSTAFFKEYDEMOSTAF"


def demo_recovery_codes(email: str) -> list[str]:
    """A demo staff member's ten recovery codes: commissioner-1 to commissioner-10 (published, like the key)."""
    return [f"{email.split('@')[0]}-{n}" for n in range(1, 11)]

DEMO_FAQS = [
    ("Can we apply if we are not a registered charity?",
     "Yes. Unregistered groups and clubs are welcome. You need a bank account in the group's name."),
    ("Can we apply for a project that has already started?",
     "Yes, if the money pays for new work from the start of the grant."),
    ("Can we make more than one application?",
     "No. Each organisation can make one application to each round, but it can be a partner in others."),
]

DEMO_PEOPLE = [
    ("commissioner@example.org", "Amara Okafor", Role.COMMISSIONER, None),
    # A second commissioner: public notes and redactions of the log need two.
    ("commissioner2@example.org", "Owen Price", Role.COMMISSIONER, None),
    ("admin@example.org", "Sam Patel", Role.ADMIN, None),
    ("panellist@example.org", "Jordan Ellis", Role.PANELLIST, AgeBand.FROM_18_TO_21),
    ("panellist2@example.org", "Priya Shah", Role.PANELLIST, AgeBand.FROM_22_TO_25),
    ("panellist3@example.org", "Tyler Brown", Role.PANELLIST, AgeBand.UNDER_18),
    ("panellist4@example.org", "Kemi Adebayo", Role.PANELLIST, AgeBand.FROM_22_TO_25),
    ("applicant@example.org", "Grace Mensah", Role.APPLICANT, None),
    ("applicant2@example.org", "Daniel Kowalski", Role.APPLICANT, None),
    ("applicant3@example.org", "Fatima Hussain", Role.APPLICANT, None),
    ("applicant4@example.org", "Kwame Asante", Role.APPLICANT, None),
    ("applicant5@example.org", "Chloe Martin", Role.APPLICANT, None),
    ("applicant6@example.org", "Joseph Okoro", Role.APPLICANT, None),
]

# Every group in the decided and assessed rounds has a member who can sign in, so the groups' side of
# the story (their letters, the e-mails about them) can be seen: e-mail -> the organisation's name.
DEMO_MEMBERS = {
    "applicant@example.org": "Hackney Youth Voices",
    "applicant2@example.org": "Southwark Boxing Club CIC",
    "applicant3@example.org": "Tottenham Mothers' Network",
    "applicant4@example.org": "Newham Street Mediators",
    "applicant5@example.org": "Croydon Digital Youth",
    "applicant6@example.org": "Brent Faith Forum",
}

ORGANISATIONS = [
    # name, type, charity, company, income, boroughs, address, postcode
    ("Hackney Youth Voices", OrganisationType.UNREGISTERED, None, None, IncomeBand.UNDER_10K,
     ["E09000012"], "St Mary's Church Hall, Eastway", "E9 5JA"),
    ("Southwark Boxing Club CIC", OrganisationType.CIC, None, "12345678", IncomeBand.FROM_50K_TO_100K,
     ["E09000028", "E09000022"], "Unit 4, Old Kent Road", "SE1 5AA"),
    ("Tottenham Mothers' Network", OrganisationType.CHARITY, "1187654", None, IncomeBand.FROM_10K_TO_50K,
     ["E09000014"], "12 High Road", "N17 9LN"),
    ("Newham Street Mediators", OrganisationType.CIO, "1199001", None, IncomeBand.FROM_100K_TO_250K,
     ["E09000025", "E09000030"], "The Old Library, Barking Road", "E13 9EX"),
    ("Croydon Digital Youth", OrganisationType.COMPANY, None, "09876543", IncomeBand.FROM_10K_TO_50K,
     ["E09000008"], "3 Surrey Street", "CR0 1RG"),
    ("Brent Faith Forum", OrganisationType.FAITH_GROUP, None, None, IncomeBand.UNDER_10K,
     ["E09000005"], "Harlesden Methodist Church", "NW10 4NB"),
]

CRITERIA = [
    ("Need and young people's voice", 35,
     "Clear evidence of need in the area, and young people shaped the project.",
     ["No evidence of need; young people not involved", "Little evidence; young people consulted once",
      "Some evidence; young people give views", "Good evidence; young people help plan",
      "Strong local evidence; young people lead"]),
    ("What will change", 30,
     "Realistic outcomes that reduce the risk of violence, and a plan to notice them.",
     ["Outcomes unclear", "Outcomes vague or unrealistic", "Outcomes clear but hard to see",
      "Clear outcomes with a simple way to track them", "Clear, realistic outcomes, tracked and shared"]),
    ("Reaching young people", 20,
     "Reaches the young people most at risk, safely and with safeguarding in place.",
     ["No plan to reach young people", "A plan that reaches few at risk", "Reaches some at risk",
      "Reaches many at risk, with safeguarding", "Trusted by those most at risk, strong safeguarding"]),
    ("Value for money", 15,
     "The budget is realistic and the money goes to the work.",
     ["Budget unclear", "Budget has gaps", "Budget mostly realistic", "Realistic budget",
      "Realistic, careful budget with other support brought in"]),
]

QUESTIONS = [
    ("What will you do, and who with?", "Tell us about the activities, where and when they happen, and who runs them.", 300, 0, True),
    ("Why is it needed in your area?", "Tell us what you have seen or heard, and from whom. Figures help but are not required.", 250, 0, True),
    ("How did young people shape this project?", "Tell us how young people were involved and how they will stay involved.", 200, 0, True),
    ("What difference will it make?", "Tell us what will change for young people and how you will know.", 250, 1, True),
    ("How will you keep young people safe?", "Tell us about your safeguarding policy and who is responsible for it.", 200, 2, False),
]


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    """That London date at that London time, as UTC-aware."""
    local = datetime.combine(day.astimezone(LONDON).date(), time(hour, minute), tzinfo=LONDON)
    return local.astimezone(day.tzinfo)


def _criteria(round_: Round) -> list[Criterion]:
    """The demo's four criteria."""
    return [
        Criterion(round=round_, position=i, name=name, weight=weight, what_good_looks_like=good,
                  descriptor_1=d[0], descriptor_2=d[1], descriptor_3=d[2], descriptor_4=d[3], descriptor_5=d[4])
        for i, (name, weight, good, d) in enumerate(CRITERIA, start=1)
    ]


def _questions(round_: Round, criteria: list[Criterion]) -> list[Question]:
    """The demo's five questions, the last asked only of larger grants."""
    return [
        Question(round=round_, position=i, text=text, guidance=guidance, word_limit=limit,
                 criterion=criteria[criterion], asked_of_small_grants=small, required=True)
        for i, (text, guidance, limit, criterion, small) in enumerate(QUESTIONS, start=1)
    ]


def _make_round(session: Session, fund: Fund, **fields) -> Round:
    """A round with the demo's criteria and questions."""
    round_ = Round(fund=fund, **fields)
    criteria = _criteria(round_)
    session.add_all([round_, *criteria, *_questions(round_, criteria)])
    return round_


def database_is_empty(session: Session) -> bool:
    """True when no people or rounds exist yet."""
    return not (session.scalar(select(func.count(User.id))) or session.scalar(select(func.count(Round.id))))


def seed(session: Session, *, now: datetime | None = None) -> None:
    """Fill an empty database with the demo fund, rounds, people, applications and decisions."""
    now = now or utcnow()
    rng = random.Random(2026)
    password_hash = hash_password(DEMO_PASSWORD)
    people = {
        # Demo people count as having confirmed their e-mail addresses, so the demo can send applications.
        email: User(email=email, name=name, role=role, age_band=age, password_hash=password_hash,
                    email_confirmed_at=now)
        for email, name, role, age in DEMO_PEOPLE
    }
    session.add_all(people.values())
    session.flush()
    for person in people.values():
        if person.needs_second_factor:
            enrol_known_secret(session, user=person, secret=DEMO_TOTP_SECRET, settings=factor_settings(),
                               recovery_codes=demo_recovery_codes(person.email), now=now)
    commissioner = people["commissioner@example.org"]
    session.add(GuardianConsent(panellist=people["panellist3@example.org"], guardian_name="Michelle Brown",
                                guardian_contact="Phone 07700 900123", recorded_by=commissioner))

    organisations = [
        Organisation(name=name, organisation_type=kind, charity_number=charity, company_number=company,
                     income_band=income, boroughs=boroughs, address_line_1=address, postcode=postcode)
        for name, kind, charity, company, income, boroughs, address, postcode in ORGANISATIONS
    ]
    session.add_all(organisations)
    by_name = {organisation.name: organisation for organisation in organisations}
    session.add_all([Membership(user=people[email], organisation=by_name[name])
                     for email, name in DEMO_MEMBERS.items()])

    fund = Fund(name="Youth Leadership Fund", slug="youth-leadership-fund", reference_prefix="YLF",
                description="Grants for community groups that help young Londoners stay safe from violence.")
    session.add(fund)
    common = dict(
        budget_pence=15_000_000, min_grant_pence=200_000, max_grant_pence=2_500_000,
        small_grant_threshold_pence=1_000_000, max_income_pounds=250_000, panellists_per_application=3,
        grant_months=12,
        support_contact="Email grants@example.org or call 020 7946 0000 (Monday to Friday, 9am to 5pm).",
        who_cannot_apply=("Individuals, political parties, and organisations that would use the money "
                          "to promote religious beliefs. Schools can only apply as a partner."),
        what_you_need=("Your organisation's bank details (an account in its name, needing two people to "
                       "sign).\n\nYour safeguarding policy, or the name of the organisation whose policy "
                       "you follow.\n\nThe names of two people who know your work."),
    )
    decided = _make_round(
        session, fund, title="Safer summers", slug="safer-summers-2026",
        summary="Summer activities that give young people safe places and trusted adults.",
        aims="Keep young people safe over the summer holidays, when violence often rises.",
        themes=["community mediation", "all forms of violence"], status=RoundStatus.DECISIONS_PUBLISHED,
        opens_at=_at(now - timedelta(days=300), 9), closes_at=_at(now - timedelta(days=240), 17),
        scoring_starts_at=_at(now - timedelta(days=235), 9), interviews_at=_at(now - timedelta(days=215), 10),
        decisions_by=_at(now - timedelta(days=200), 17), published_at=now - timedelta(days=330),
        decisions_published_at=now - timedelta(days=205), **common,
    )
    open_round = _make_round(
        session, fund, title="Staying in school", slug="staying-in-school-2027",
        summary="Projects that help young people at risk of exclusion stay in education.",
        aims="Reduce school exclusions, which put young people at greater risk of harm.",
        themes=["school exclusions", "adverse childhood experiences and resilience"], status=RoundStatus.OPEN,
        opens_at=_at(now - timedelta(days=20), 9), closes_at=_at(now + timedelta(days=40), 17),
        scoring_starts_at=_at(now + timedelta(days=45), 9), interviews_at=_at(now + timedelta(days=60), 10),
        decisions_by=_at(now + timedelta(days=75), 17), published_at=now - timedelta(days=50),
        question_deadline=_at(now + timedelta(days=30), 17), asks_for_documents=True,
        document_guidance=("Upload your safeguarding policy, and your latest accounts if you have them. "
                           "A photo of each page is fine."),
        **common,
    )
    upcoming = _make_round(
        session, fund, title="Safer online", slug="safer-online-2027",
        summary="Work that helps young people spot and resist online harm and exploitation.",
        aims="Build young people's critical thinking about what they see and who contacts them online.",
        themes=["online harm", "critical thinking"], status=RoundStatus.PUBLISHED,
        opens_at=_at(now + timedelta(days=90), 9), closes_at=_at(now + timedelta(days=150), 17),
        scoring_starts_at=_at(now + timedelta(days=155), 9), interviews_at=_at(now + timedelta(days=170), 10),
        decisions_by=_at(now + timedelta(days=185), 17), published_at=now - timedelta(days=5),
        question_deadline=_at(now + timedelta(days=140), 17), **common,
    )
    session.add_all([
        Event(round=upcoming, title="Meet the funder: Safer online", event_format=EventFormat.IN_PERSON,
              description="Hear what the round is for, ask questions and meet other groups.",
              starts_at=_at(now + timedelta(days=30), 18), ends_at=_at(now + timedelta(days=30), 20),
              venue_address="Hackney Central Library, 1 Reading Lane, London E8 1GQ",
              access_information="Step-free access, hearing loop, accessible toilet. Food provided.",
              capacity=60, published_at=now - timedelta(days=4)),
        Event(round=upcoming, title="Online drop-in: your questions answered", event_format=EventFormat.ONLINE,
              description="A short talk followed by questions. Captions will be on.",
              starts_at=_at(now + timedelta(days=45), 12, 30), ends_at=_at(now + timedelta(days=45), 13, 30),
              online_link="https://meet.example.org/safer-online-drop-in", capacity=200,
              published_at=now - timedelta(days=4)),
        Event(round=open_round, title="Application surgery: staying in school", event_format=EventFormat.ONLINE,
              description="Bring your draft answers and get advice from the grants team.",
              starts_at=_at(now + timedelta(days=10), 18), ends_at=_at(now + timedelta(days=10), 19),
              online_link="https://meet.example.org/application-surgery", capacity=2,
              published_at=now - timedelta(days=15)),
    ])
    for round_, faqs in ((open_round, DEMO_FAQS), (upcoming, DEMO_FAQS)):
        session.add_all([Faq(round=round_, position=i, question=q, answer=a) for i, (q, a) in enumerate(faqs, 1)])
    session.add_all([
        ClarificationQuestion(
            round=open_round, asker_name="Femi Adeyemi", asker_email="femi@example.org",
            question="Can we pay young people for their time helping to run sessions?",
            published_question="Can we pay young people for their time helping to run sessions?",
            answer="Yes. Paying young people fairly for their time is welcome. Show it as a line in your budget.",
            asked_at=now - timedelta(days=12), answered_at=now - timedelta(days=10),
            answered_by_id=None, asker_notified_at=now - timedelta(days=10)),
        ClarificationQuestion(
            round=open_round, asker_name="Rosa Lima", asker_email="rosa@example.org",
            question="We are a Tottenham group of mums. Can we apply if we have no bank account yet?",
            asked_at=now - timedelta(days=2)),
        RoundChange(round=open_round, changed_at=now - timedelta(days=8),
                    summary=f"Closing date changed from {date_time(open_round.closes_at - timedelta(days=7))} "
                            f"to {date_time(open_round.closes_at)}"),
    ])
    session.flush()

    panellists = [people[e] for e in ("panellist@example.org", "panellist2@example.org", "panellist3@example.org")]
    decided.panel_lead = panellists[0]
    bank = demo_panel.interview_bank(session, by=commissioner, at=decided.opens_at)
    demo_panel.choose_interview_questions(session, round_=decided, questions=bank[:3])
    sent: list[Application] = []
    decisions: list[Decision] = []
    outcomes = [Outcome.AWARD, Outcome.AWARD, Outcome.DECLINE, Outcome.AWARD, Outcome.RESERVE, Outcome.DECLINE]
    requested = [1_200_000, 2_000_000, 800_000, 2_400_000, 500_000, 1_500_000]
    for number, (organisation, outcome, amount) in enumerate(zip(organisations, outcomes, requested), start=1):
        status = {Outcome.AWARD: ApplicationStatus.AWARDED, Outcome.DECLINE: ApplicationStatus.DECLINED,
                  Outcome.RESERVE: ApplicationStatus.RESERVE}[outcome]
        application = _sent_application(
            session, round_=decided, organisation=organisation, status=status, amount=amount,
            title=f"{organisation.name.split()[0]} summer programme", commissioner=commissioner,
            submitted_at=decided.closes_at - timedelta(days=rng.randint(1, 20)))
        sent.append(application)
        if number == 4:
            session.add(Partner(application=application, organisation_name="Tower Hamlets Youth Service",
                                role_description="Refers young people and lends a detached youth worker."))
        base = {Outcome.AWARD: 4, Outcome.RESERVE: 3, Outcome.DECLINE: 2}[outcome]
        work = demo_panel.PanelWork(application)
        for panellist in panellists:
            # The sixth application's third panellist left the panel before sending their scores (a draft stays).
            left = number == 6 and panellist is panellists[2]
            demo_panel.score(session, work, round_=decided, panellist=panellist, base=base, rng=rng,
                             assigned_at=decided.scoring_starts_at,
                             sent_at=None if left else decided.interviews_at - timedelta(days=4),
                             by=commissioner, spread=(-1, 0, 0, 1) if number != 3 else (-2, 0, 1))
        if number == 6:
            session.add(DecisionException(
                application=application, round_id=decided.id, scores_sent=2, panel_size=3,
                recorded_by_id=commissioner.id, recorded_at=decided.decisions_by - timedelta(days=11),
                reason="One panellist left the panel before sending their scores. The other two agreed closely."))
        demo_panel.moderate(session, work, lead=panellists[0], at=decided.interviews_at - timedelta(days=2))
        interview_scores = None
        if outcome != Outcome.DECLINE:
            interview_scores = demo_panel.interview(
                session, work, questions=bank[:3], base=base, rng=rng, by=commissioner,
                starts_at=decided.interviews_at + timedelta(hours=number))
        total = demo_panel.panel_score(work, round_=decided, interview_scores=interview_scores)
        reasons = {
            Outcome.AWARD: (None, "A strong, youth-led plan in an area of high need."),
            Outcome.RESERVE: (None, "A good plan; funded if money becomes available."),
            Outcome.DECLINE: ("Outcomes not clear enough", "The panel could not see what would change for young people."),
        }[outcome]
        decisions.append(Decision(
            application=application, outcome=outcome,
            amount_awarded_pence=amount if outcome == Outcome.AWARD else None,
            reason_category=reasons[0], reason=reasons[1], panel_score=total,
            decided_by=commissioner, decided_by_role=Role.COMMISSIONER,
            decided_at=decided.decisions_by - timedelta(days=10),
        ))
        session.add(decisions[-1])

    sent += _assessment_round(session, fund, common, organisations, people, rng=rng, now=now)
    session.flush()
    for application in sorted(sent, key=lambda a: a.submitted_at):
        application.reference = next_reference(session, application=application, now=application.submitted_at)
        application.submitted_snapshot = build_snapshot(application, submitted_at=application.submitted_at)
    _open_round_applications(session, open_round, organisations, people, now)
    session.flush()
    _demo_messages(session, people, now=now)
    session.flush()
    # Published in the panel's order, as the decisions page does.
    _demo_public_texts(decisions, second=people["commissioner2@example.org"], commissioner=commissioner,
                       at=decided.decisions_by - timedelta(days=9))
    log.append(session, sorted(decisions, key=lambda d: -d.panel_score), now=decided.decisions_published_at)
    _demo_redactions(session, decisions, commissioner=commissioner, second=people["commissioner2@example.org"],
                     at=decided.decisions_published_at + timedelta(days=3))
    for decision in decisions:
        letters.issue_letter(session, application=decision.application, by=commissioner,
                             public_url=current_app.config["PUBLIC_URL"],
                             now=decided.decisions_published_at + timedelta(days=1))


def _demo_public_texts(decisions: list[Decision], *, commissioner: User, second: User, at: datetime) -> None:
    """The reserve decision gets a public note, written by one commissioner and approved by another.

    An award's reason names a volunteer by mistake (it is redacted after publication: ``_demo_redactions``).
    """
    reserve = next(d for d in decisions if d.outcome == Outcome.RESERVE)
    reserve.public_note = "The panel would fund this plan if money becomes available in this round."
    reserve.public_note_by_id, reserve.public_note_approved_by_id = commissioner.id, second.id
    reserve.public_note_approved_at = at
    awards = [d for d in decisions if d.outcome == Outcome.AWARD]
    awards[1].reason = "A strong, youth-led plan. The panel praised Marcus Reid, the volunteer who runs the sessions."


def _demo_redactions(session: Session, decisions: list[Decision], *, commissioner: User, second: User,
                     at: datetime) -> None:
    """Two redactions of published entries: one approved (a volunteer's name in an award's reason), one waiting
    for a second commissioner (asked for by Owen, so Amara, the demo's usual commissioner, can approve it)."""
    awards = [d for d in decisions if d.outcome == Outcome.AWARD]
    entries = {e.application_id: e for e in session.scalars(select(DecisionLogEntry))}
    named = entries[awards[1].application_id]
    approved = DecisionLogRedaction(
        entry=named, field="reason", reason_category="Identifying details published by mistake",
        reason="The reason named a volunteer, who asked for their name to be removed.",
        requested_by_id=commissioner.id, requested_at=at - timedelta(days=1), approved_by_id=second.id,
        approved_at=at)
    session.add(approved)
    redaction.apply(named, field="reason", reason_category=approved.reason_category, reason=approved.reason, at=at)
    session.add(DecisionLogRedaction(
        entry=entries[awards[2].application_id], field="project_title",
        reason_category="Erasure under data protection law",
        reason="The group asked for its project title to be removed, as it names the estate where its members live.",
        requested_by_id=second.id, requested_at=at + timedelta(days=1)))
    session.flush()


def _sent_application(session: Session, *, round_: Round, organisation: Organisation, status: ApplicationStatus,
                      amount: int, title: str, commissioner: User, submitted_at: datetime) -> Application:
    """A sent application with an answer to every question and a three-line budget (no reference yet)."""
    creator = organisation.members[0] if organisation.members else commissioner
    application = Application(
        round=round_, organisation=organisation, status=status, project_title=title,
        amount_requested_pence=amount, created_by=creator, submitted_at=submitted_at,
        declared_by_name=creator.name, declared_by_role="Chair", declared_at=submitted_at,
    )
    session.add(application)
    for question in round_.questions:
        session.add(Answer(application=application, question=question,
                           text=f"{organisation.name} answer to: {question.text} We run weekly sessions "
                                "in the evenings and at weekends, planned with the young people who come."))
    session.add_all([
        BudgetLine(application=application, position=1, item="Youth workers' time", cost_pence=amount * 6 // 10),
        BudgetLine(application=application, position=2, item="Venue hire", cost_pence=amount * 2 // 10),
        BudgetLine(application=application, position=3, item="Trips, food and equipment",
                   cost_pence=amount - amount * 6 // 10 - amount * 2 // 10),
    ])
    return application


def _assessment_round(session: Session, fund: Fund, common: dict, organisations: list[Organisation],
                      people: dict[str, User], *, rng: random.Random, now: datetime) -> list[Application]:
    """A round the youth panel is assessing now, with work in every state, anonymised for scorers.

    Jordan (panellist@) has one application to declare on, one half scored and one sent; Tyler declared
    a conflict and Kemi replaced him; Priya (panellist2@) leads the panel and has flags to moderate.
    """
    commissioner = people["commissioner@example.org"]
    jordan, priya, tyler, kemi = (people[f"panellist{n}@example.org"] for n in ("", "2", "3", "4"))
    round_ = _make_round(
        session, fund, title="Safe routes home", slug="safe-routes-home-2026",
        summary="Trusted adults and safe spaces on the journey home from school.",
        aims="Cut the violence young people meet between school and home.",
        themes=["safe spaces", "trusted adults"], status=RoundStatus.ASSESSMENT,
        opens_at=_at(now - timedelta(days=90), 9), closes_at=_at(now - timedelta(days=21), 17),
        scoring_starts_at=_at(now - timedelta(days=14), 9), interviews_at=_at(now + timedelta(days=14), 10),
        decisions_by=_at(now + timedelta(days=30), 17), published_at=now - timedelta(days=100),
        scores_due_at=_at(now + timedelta(days=7), 23, 59),  # panellists see "2 to score by ..."
        anonymised_scoring=True, panel_lead=priya, **common,
    )
    session.flush()
    assigned_at = round_.scoring_starts_at
    sent_at = now - timedelta(days=3)
    plans = [  # organisation, amount, title, [(panellist, base, state)], spread
        (organisations[2], 900_000, "Walking buses from three schools", 4,
         [(priya, "sent"), (kemi, "sent"), (jordan, "sent")], (-2, 0, 1)),
        (organisations[3], 1_800_000, "Mediators at the bus station", 3,
         [(priya, "sent"), (tyler, "conflict"), (kemi, "new"), (jordan, "draft")], (-1, 0, 1)),
        (organisations[4], 700_000, "After-school coding club", 3,
         [(tyler, "sent"), (kemi, "sent"), (jordan, "new")], (-1, 0, 0, 1)),
        (organisations[5], 1_200_000, "Safe havens in faith buildings", 4,
         [(priya, "sent"), (kemi, "sent"), (tyler, "new")], (-1, 0, 0)),
    ]
    applications = []
    for organisation, amount, title, base, panel, spread in plans:
        application = _sent_application(
            session, round_=round_, organisation=organisation, status=ApplicationStatus.UNDER_ASSESSMENT,
            amount=amount, title=title, commissioner=commissioner,
            submitted_at=round_.closes_at - timedelta(days=rng.randint(1, 10)))
        applications.append(application)
        work = demo_panel.PanelWork(application)
        for panellist, state in panel:
            if state == "new":
                session.add(PanelAssignment(application=application, panellist=panellist,
                                            assigned_by_id=commissioner.id, assigned_at=assigned_at))
            elif state == "conflict":
                demo_panel.declare(session, application=application, panellist=panellist, at=assigned_at,
                                   conflict="I volunteered with this group last summer.")
                session.add(PanelAssignment(application=application, panellist=panellist, assigned_at=assigned_at,
                                            assigned_by_id=commissioner.id, recused_at=assigned_at))
            else:
                demo_panel.score(session, work, round_=round_, panellist=panellist, base=base, rng=rng,
                                 assigned_at=assigned_at, sent_at=sent_at if state == "sent" else None,
                                 by=commissioner, how_many=2 if state == "draft" else None, spread=spread)
    return applications


def _open_round_applications(session: Session, open_round: Round, organisations: list[Organisation],
                             people: dict[str, User], now: datetime) -> None:
    """A draft half done, and a complete application already sent with its supporting document, in the open round.

    Both ask for more than a small grant, so the round asks them for supporting documents.
    """
    grace, daniel = people["applicant@example.org"], people["applicant2@example.org"]
    draft = Application(round=open_round, organisation=organisations[0], project_title="Homework club and mentoring",
                        amount_requested_pence=1_200_000, created_by=grace)
    session.add(draft)
    session.add(Answer(application=draft, question=open_round.questions[0],
                       text="Twice a week after school we run a homework club with mentors from the estate."))
    session.add_all([
        ApplicationSection(application=draft, key="organisation", status=SectionStatus.COMPLETED, version=1,
                           updated_at=now - timedelta(days=3), updated_by_id=None),
        ApplicationSection(application=draft, key="project", status=SectionStatus.IN_PROGRESS, version=2,
                           updated_at=now - timedelta(days=1), updated_by_id=None),
    ])
    sent_at = now - timedelta(days=2)
    boxing = Application(
        round=open_round, organisation=organisations[1], project_title="Gloves not knives: a boxing club for 13 to 17s",
        amount_requested_pence=1_800_000, created_by=daniel, declared_by_name=daniel.name,
        declared_by_role="Director", declared_at=sent_at,
    )
    session.add(boxing)
    for question in open_round.questions:
        session.add(Answer(application=boxing, question=question,
                           text="We coach young people three evenings a week, with mentoring from older members "
                                "who grew up on the same estates. Schools refer pupils at risk of exclusion."))
    session.add_all([
        BudgetLine(application=boxing, position=1, item="Two coaches, 3 evenings a week for a year", cost_pence=1_200_000),
        BudgetLine(application=boxing, position=2, item="Gym hire", cost_pence=450_000),
        BudgetLine(application=boxing, position=3, item="Kit and first aid training", cost_pence=150_000),
        Partner(application=boxing, organisation_name="Lambeth Youth Offending Service",
                role_description="Refers young people and joins the monthly review."),
        *[ApplicationSection(application=boxing, key=key, status=SectionStatus.COMPLETED, version=1,
                             updated_at=sent_at, updated_by_id=None)
          for key in ("organisation", "project", "budget", "partners", "declarations", "documents")],
    ])
    _demo_document(session, application=boxing, by=daniel, at=sent_at - timedelta(hours=1))
    session.flush()
    transition_application(boxing, to=ApplicationStatus.SUBMITTED)
    boxing.submitted_at = sent_at
    boxing.reference = next_reference(session, application=boxing, now=sent_at)
    boxing.submitted_snapshot = build_snapshot(boxing, submitted_at=sent_at)


def _demo_messages(session: Session, people: dict[str, User], *, now: datetime) -> None:
    """Messages about sent applications: a screening question answered, and an answer shared with the panel."""
    amara = people["commissioner@example.org"]
    by_title = {a.project_title: a for a in session.scalars(select(Application).where(Application.project_title.in_(
        ["Gloves not knives: a boxing club for 13 to 17s", "Mediators at the bus station"])))}
    boxing = by_title["Gloves not knives: a boxing club for 13 to 17s"]
    session.add_all([
        ApplicationMessage(
            application=boxing, sender_id=amara.id, from_funder=True, sent_at=now - timedelta(hours=26),
            read_at=now - timedelta(hours=20),
            body="Thank you for your application. The prospectus asks who your safeguarding lead is.\n\n"
                 "Is it the club's director, and have they done the designated safeguarding lead training?"),
        # Not read yet: the commissioners' page shows it as new.
        ApplicationMessage(
            application=boxing, sender_id=people["applicant2@example.org"].id, from_funder=False,
            sent_at=now - timedelta(hours=19),
            body="Yes, our director is our safeguarding lead.\nShe did the designated safeguarding lead course "
                 "in March, and we can send the certificate if you need it."),
    ])
    mediators = by_title["Mediators at the bus station"]
    members = mediators.organisation.members
    if members:
        asked = now - timedelta(days=10)
        session.add_all([
            ApplicationMessage(
                application=mediators, sender_id=amara.id, from_funder=True, sent_at=asked, read_at=asked,
                body="Does the bus station's manager know about the plan, and have they agreed to it?"),
            # Shared with the panel: panellists read it on their scoring page, labelled "From the group".
            ApplicationMessage(
                application=mediators, sender_id=members[0].id, from_funder=False,
                sent_at=asked + timedelta(hours=5), read_at=asked + timedelta(hours=6),
                shared_with_panel_at=asked + timedelta(hours=7), shared_by_id=amara.id,
                body="Yes. The station manager agreed in writing in September, and Transport for London's "
                     "community team will join our monthly review."),
        ])


def _demo_document(session: Session, *, application: Application, by: User, at: datetime) -> None:
    """A one-page safeguarding policy (a PDF), stored in the upload folder as an upload would be."""
    from portal.applications.documents import upload_settings
    from portal.applications.uploads import store_file
    from portal.pdf import render_pdf

    name = application.organisation.name
    pdf = render_pdf(f"<html lang='en'><head><title>{name}: safeguarding policy</title></head><body>"
                     f"<h1>{name}: safeguarding policy</h1><p>Every coach has an enhanced DBS check and "
                     "safeguarding training, renewed every two years. Our safeguarding lead is the club's director."
                     "</p></body></html>")
    _, upload_dir = upload_settings()
    session.add(ApplicationDocument(
        application=application, original_name="Safeguarding policy.pdf", stored_name=store_file(upload_dir, pdf),
        content_type="application/pdf", size_bytes=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(),
        uploaded_at=at, uploaded_by_id=by.id))


def sign_in_lines() -> list[str]:
    """The demo accounts, for the terminal (a group member's line names the group)."""
    width = max(len(e) for e, *_ in DEMO_PEOPLE)
    lines = [f"Demo sign-ins (every password is {DEMO_PASSWORD}):"]
    lines += [f"  {email.ljust(width)}  {role.label}: {name}"
              + (f" ({DEMO_MEMBERS[email]})" if email in DEMO_MEMBERS else "")
              for email, name, role, _ in DEMO_PEOPLE]
    staff = [email for email, _, role, _ in DEMO_PEOPLE if role in (Role.COMMISSIONER, Role.ADMIN)]
    lines += [
        f"Staff ({', '.join(staff)}) then enter a code from an authenticator app set up with the key",
        f"  {DEMO_TOTP_SECRET} (or run: .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\"),",
        "  or a recovery code: " + ", ".join(f"{codes[0]} to {codes[-1]}" for codes in map(demo_recovery_codes, staff))
        + " (each works once).",
    ]
    return lines


@click.command("seed-demo")
@click.option("--skip-if-not-empty", is_flag=True, help="Do nothing (and succeed) if the database has data.")
@with_appcontext
def seed_demo_command(skip_if_not_empty: bool) -> None:
    """Fill an empty database with a realistic demo."""
    if not database_is_empty(db.session):
        message = ("The database already has people or rounds in it, so the demo was not added. "
                   "seed-demo only fills an empty database; it never changes existing data.")
        if skip_if_not_empty:
            click.echo("The database already has data; leaving it as it is.")
            click.echo("\n".join(sign_in_lines()))
            return
        raise click.ClickException(message)
    seed(db.session)
    db.session.commit()
    click.echo("Demo data added.")
    click.echo("\n".join(sign_in_lines()))
