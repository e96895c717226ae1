"""Who a compliment goes to: the staff member it names (matched on the facility's staff list)
and the manager closest to them (their unit's manager, else the facility's)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from careloop.cases.models import Case
from careloop.orgs.models import Membership, Person, Role, User


@dataclass(frozen=True)
class ComplimentRecipients:
    person: Person | None
    manager: User | None
    emails: tuple[str, ...]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in letters).split())


def named_person(*, written: str, people: list[Person]) -> Person | None:
    """The one person whose full name (or first name, when only one person has it) appears in
    what the client wrote. Ambiguous or absent gives None: a person then routes it by hand."""
    text = f" {_fold(written)} "
    if not text.strip():
        return None
    full = [p for p in people if _fold(p.full_name) and f" {_fold(p.full_name)} " in text]
    if len(full) == 1:
        return full[0]
    if full:
        return None
    first_names: dict[str, list[Person]] = {}
    for p in people:
        parts = _fold(p.full_name).split()
        if parts:
            first_names.setdefault(parts[0], []).append(p)
    found = [group for name, group in first_names.items() if f" {name} " in text]
    if len(found) == 1 and len(found[0]) == 1:
        return found[0][0]
    return None


def _manager_for(person: Person) -> User | None:
    memberships = Membership.objects.filter(
        role=Role.MANAGER,
        user__organization_id=person.organization_id,
        user__is_active=True,
        facility_id=person.facility_id,
    ).select_related("user")
    unit_level = [m for m in memberships if person.unit_id and m.unit_id == person.unit_id]
    facility_level = [m for m in memberships if m.unit_id is None]
    for group in (unit_level, facility_level):
        if group:
            return sorted(group, key=lambda m: m.user.pk)[0].user
    return None


def compliment_recipients(*, case: Case) -> ComplimentRecipients:
    people = list(Person.objects.filter(facility_id=case.facility_id, active=True))
    person = named_person(written=case.people_involved, people=people)
    if person is None:
        return ComplimentRecipients(person=None, manager=None, emails=())
    manager = _manager_for(person)
    emails = []
    person_email = person.email or (person.user.email if person.user else "")
    if person_email:
        emails.append(person_email)
    if manager is not None and manager.email and manager.email not in emails:
        emails.append(manager.email)
    return ComplimentRecipients(person=person, manager=manager, emails=tuple(emails))
