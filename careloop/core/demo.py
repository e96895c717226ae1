"""The demo organization: three facilities in two time zones, every role, a year of cases made
through the real services (so clocks, timelines and audit events are genuine)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from careloop.cases import records, services
from careloop.cases.models import Case, Channel, ContactPreference, Kind, ReporterType, Status
from careloop.cases.services import NewCase
from careloop.core.demo_insights import demo_insights
from careloop.core.demo_recovery import recovery_demo
from careloop.core.demo_text import FIRST_NAMES, JOB_TITLES, LAST_NAMES, NARRATIVES
from careloop.core.time import local_date
from careloop.orgs.models import Facility, Membership, Organization, Person, Role, Unit, User
from careloop.policies.services import clocks_sweep
from careloop.safety.models import SafetyFlag
from careloop.safety.services import (
    on_call_entry_add,
    on_call_rota_set,
    safety_flag_confirm,
    safety_flag_dismiss,
    safety_page_acknowledge,
)

DEMO_PASSWORD = "careloop-demo"  # noqa: S105  # printed for the demo; never a real account

FACILITIES = (
    (
        "Riverside General Hospital",
        "hospital",
        "US-IL",
        "America/Chicago",
        ["us.hospital.grievance", "house.standard"],
        [
            "4 West Medical",
            "5 East Surgical",
            "Emergency Department",
            "ICU",
            "Maternity",
            "Outpatient Clinic",
        ],
    ),
    (
        "Maple Grove Care Center",
        "nursing_facility",
        "US-NY",
        "America/New_York",
        ["us.snf.grievance", "us.snf.abuse_allegation", "house.standard"],
        ["North Wing", "South Wing", "Memory Care", "Rehabilitation"],
    ),
    (
        "Riverside Home Care",
        "home_health",
        "US-IL",
        "America/Chicago",
        ["house.standard"],
        ["North Route", "South Route", "Night Team"],
    ),
)

# (username, first, last, role, facility index or None, unit name or None)
ACCOUNTS = (
    ("admin", "Alex", "Morgan", Role.ADMIN, None, None),
    ("executive", "Dana", "Whitfield", Role.EXECUTIVE, None, None),
    ("advocate", "Priya", "Raman", Role.ADVOCATE, 0, None),
    ("grievance.official", "Tom", "Becker", Role.ADVOCATE, 1, None),
    ("homecare.lead", "Rosa", "Delgado", Role.ADVOCATE, 2, None),
    ("manager", "Marcus", "Lee", Role.MANAGER, 0, "4 West Medical"),
    ("manager.northwing", "Grace", "Obi", Role.MANAGER, 1, "North Wing"),
    ("aide", "Sam", "Carter", Role.FRONTLINE, 0, "4 West Medical"),
    ("nurse.ed", "Leila", "Haddad", Role.FRONTLINE, 0, "Emergency Department"),
    ("aide.northwing", "Ben", "Adeyemi", Role.FRONTLINE, 1, "North Wing"),
)


@dataclass
class DemoResult:
    organization: Organization
    cases: int
    accounts: tuple[tuple[str, str, str], ...]


def _org_structure(rng: random.Random) -> tuple[Organization, list[Facility], list[Unit]]:
    org = Organization.objects.create(
        name="Riverside Health Partners", slug="riverside", reference_prefix="RHP"
    )
    facilities, units = [], []
    for name, setting, jurisdiction, tz, packs, unit_names in FACILITIES:
        facility = Facility.objects.create(
            organization=org,
            name=name,
            setting=setting,
            jurisdiction=jurisdiction,
            time_zone=tz,
            holiday_calendar="us_federal",
            policy_packs=packs,
            phone="+1 312 555 0100",
            after_hours_phone="+1 312 555 0199",
        )
        facilities.append(facility)
        units += [Unit.objects.create(facility=facility, name=u) for u in unit_names]
    for _ in range(45):
        unit = rng.choice(units)
        title, group = rng.choice(JOB_TITLES)
        Person.objects.create(
            organization=org,
            facility=unit.facility,
            unit=unit,
            full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            job_title=title,
            staff_group=group,
        )
    return org, facilities, units


def _accounts(org: Organization, facilities: list[Facility]) -> list[User]:
    users = []
    for username, first, last, role, fac_index, unit_name in ACCOUNTS:
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@riverside.example",
            organization=org,
        )
        facility = facilities[fac_index] if fac_index is not None else None
        unit = Unit.objects.get(facility=facility, name=unit_name) if unit_name else None
        Membership.objects.create(user=user, role=role, facility=facility, unit=unit)
        Person.objects.create(
            organization=org,
            facility=facility or facilities[0],
            unit=unit,
            full_name=f"{first} {last}",
            job_title=role.label,
            user=user,
            staff_group="administrative" if role != Role.FRONTLINE else "nursing",
        )
        users.append(user)
    return users


def _letter_values(case: Case, on: datetime) -> dict[str, object]:
    return {
        "contact_person": "Priya Raman, Patient Advocate, (312) 555-0142",
        "received_on": local_date(at=case.received_at, tz_name=case.facility.time_zone),
        "summary": "Concerns about the care described in your message.",
        "steps_taken": "Interviewed the staff on duty, reviewed the records and call-bell log.",
        "findings": "The delay was confirmed; staffing on the night was below plan.",
        "results": "Staffing changed on nights; the team has reviewed call-bell response.",
        "confirmed": "confirmed",
        "corrective_action": "Night staffing plan revised; call-bell audit weekly for 3 months.",
        "completion_on": local_date(at=on, tz_name=case.facility.time_zone),
        "signed_by": "Dana Whitfield, Chief Nursing Officer",
        "ombudsman_rights": True,
    }


def _work(case: Case, owner: User, rng: random.Random, received: datetime, now: datetime) -> None:
    """Move an older case along as staff would have, sometimes late."""
    age = (now - received).days
    if case.kind == Kind.COMPLIMENT or age < 1:
        return
    late = rng.random() < 0.15
    t = received + timedelta(hours=rng.randint(30, 80) if late else rng.randint(1, 20))
    if t >= now:
        return
    services.case_assign(actor=owner, case=case, owner=owner, now=t)
    services.case_acknowledge(actor=owner, case=case, channel=ContactPreference.PHONE, now=t)
    if case.kind == Kind.SAFETY_CONCERN:
        sent = received + timedelta(minutes=rng.randint(40, 100) if not late else 200)
        if sent < now:
            records.external_report_record(
                actor=owner,
                case=case,
                kind="initial",
                agency="State Survey Agency",
                recipients="Administrator\nState Survey Agency\nAdult Protective Services",
                method="portal",
                sent_at=sent,
                confirmation_ref="",
                now=max(sent, t),
            )
    if age < 6:
        return
    t2 = t + timedelta(days=rng.randint(1, 4))
    services.case_move(actor=owner, case=case, status=Status.INVESTIGATING, now=t2)
    records.investigation_step_add(
        actor=owner,
        case=case,
        at=None,
        now=t2,
        description="Spoke with the unit manager and staff on shift.",
    )
    if age < 20 or rng.random() < 0.1:
        return
    t3 = t2 + timedelta(days=rng.randint(2, 12))
    if case.kind == Kind.SAFETY_CONCERN:
        records.external_report_record(
            actor=owner,
            case=case,
            kind="results",
            agency="State Survey Agency",
            recipients="Administrator\nState Survey Agency",
            method="portal",
            sent_at=t3,
            confirmation_ref=f"SSA-{rng.randint(10000, 99999)}",
            now=t3,
        )
    records.letter_update(actor=owner, case=case, values=_letter_values(case, t3), now=t3)
    records.letter_issue(actor=owner, case=case, delivery=ContactPreference.LETTER, now=t3)
    services.case_move(actor=owner, case=case, status=Status.RESOLVED, now=t3)
    if rng.random() < 0.85:
        services.case_move(
            actor=owner, case=case, status=Status.CLOSED, now=t3 + timedelta(hours=2)
        )


def _on_call(facilities: list[Facility], by_name: dict[str, User], now: datetime) -> None:
    """Each facility's advocate is first on call around the clock, with the administrator
    next (paged when the advocate has not acknowledged within 15 minutes)."""
    admin = by_name["admin"]
    first = ["advocate", "grievance.official", "homecare.lead"]
    for facility, username in zip(facilities, first, strict=True):
        on_call_rota_set(actor=admin, facility=facility, escalate_after_minutes=15, now=now)
        for position, user in enumerate((by_name[username], admin)):
            on_call_entry_add(
                actor=admin,
                facility=facility,
                user=user,
                position=position,
                weekdays=[],
                start_time=None,
                end_time=None,
                now=now,
            )


def _safety_review(case: Case, owner: User, received: datetime, now: datetime) -> None:
    """Flags older than a day have been reviewed by the facility's advocate; newer ones wait
    for a person, as they would."""
    flag = SafetyFlag.objects.filter(case=case).first()
    reviewed_at = received + timedelta(minutes=40)
    if flag is None or received > now - timedelta(days=1):
        return
    for page in flag.pages.filter(user=owner):
        safety_page_acknowledge(actor=owner, page=page, now=received + timedelta(minutes=5))
    if case.kind == Kind.SAFETY_CONCERN:
        safety_flag_confirm(
            actor=owner, flag=flag, reason="Spoke with the resident; reported.", now=reviewed_at
        )
    else:
        safety_flag_dismiss(
            actor=owner,
            flag=flag,
            reason="Read in full: a service complaint, no sign of harm.",
            now=reviewed_at,
        )


def demo_create(*, now: datetime, cases: int = 300, seed: int = 7) -> DemoResult:
    rng = random.Random(seed)  # noqa: S311  # demo data, not security
    with transaction.atomic():
        org, facilities, units = _org_structure(rng)
        users = _accounts(org, facilities)
    by_name = {u.username: u for u in users}
    owners = {0: by_name["advocate"], 1: by_name["grievance.official"], 2: by_name["homecare.lead"]}
    frontline = {
        u.memberships.get().unit_id: u for u in (by_name["aide"], by_name["aide.northwing"])
    }
    _on_call(facilities, by_name, now)
    people = list(Person.objects.filter(organization=org, user__isnull=True))
    for i in reversed(range(cases)):
        received = now - timedelta(days=365 * (i / cases) ** 1.4, minutes=rng.randint(0, 1440))
        fi = rng.choices([0, 1, 2], weights=[6, 3, 2])[0]
        kind, lang, text, outcome, _cat = rng.choice(NARRATIVES)
        if kind == Kind.SAFETY_CONCERN and fi != 1:
            kind = Kind.COMPLAINT
        unit = rng.choice([u for u in units if u.facility_id == facilities[fi].pk])
        anonymous = rng.random() < 0.08
        data = NewCase(
            facility=facilities[fi],
            unit=unit,
            kind=kind,
            safety_type=(
                "abuse"
                if "grab" in text or "push" in text or "empuj" in text
                else "misappropriation"
                if kind == Kind.SAFETY_CONCERN and ("missing" in text or "spariti" in text)
                else "neglect"
                if kind == Kind.SAFETY_CONCERN
                else ""
            ),
            reporter_type=ReporterType.ANONYMOUS
            if anonymous
            else rng.choice(
                [
                    ReporterType.FAMILY,
                    ReporterType.PATIENT,
                    ReporterType.RESIDENT,
                    ReporterType.REPRESENTATIVE,
                ]
            ),
            reporter_name=""
            if anonymous
            else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            reporter_phone="" if anonymous else f"+1 312 555 {rng.randint(1000, 9999)}",
            contact_preference=ContactPreference.NONE if anonymous else ContactPreference.PHONE,
            channel=rng.choice(
                [Channel.IN_PERSON, Channel.PHONE, Channel.EMAIL, Channel.WEB, Channel.LETTER]
            ),
            narrative=text,
            desired_outcome=outcome,
            language=lang,
            received_at=received,
            classification_reason="Asked for a written response" if kind == Kind.GRIEVANCE else "",
            resolved_at_time=kind == Kind.COMPLAINT and rng.random() < 0.5,
            staff_involved=tuple(rng.sample(people, k=rng.randint(0, 2))),
        )
        logger = frontline.get(unit.pk, owners[fi])
        case = services.case_open(actor=logger, data=data, now=received)
        _safety_review(case, owners[fi], received, now)
        _work(case, owners[fi], rng, received, now)
    clocks_sweep(now=now, limit=100_000, notify=False)
    recovery_demo(
        organization=org,
        facilities=facilities,
        units=units,
        admin=by_name["admin"],
        owners=owners,
        rng=rng,
        now=now,
    )
    demo_insights(
        organization=org,
        facilities=facilities,
        units=units,
        admin=by_name["admin"],
        owners=owners,
        rng=rng,
        now=now,
        work=_work,
    )
    accounts = tuple((u, r.label, DEMO_PASSWORD) for u, _f, _l, r, _fi, _un in ACCOUNTS)
    return DemoResult(organization=org, cases=cases, accounts=accounts)
