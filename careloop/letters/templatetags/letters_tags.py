"""The letters part of the case page's decision-letter section (the page's view fetched the case
through the scoped selector; this only adds what the letters app knows about it)."""

from __future__ import annotations

from typing import Any

from django import template

from careloop.cases.models import Case, DecisionLetter
from careloop.core.time import local_date, utcnow
from careloop.letters.selectors import issued_letters_of
from careloop.letters.services import decision_letter_plan, letter_language
from careloop.orgs.models import User
from careloop.orgs.permissions import has_capability
from careloop.policies.models import CaseClock, ClockStatus

register = template.Library()

INTERIM_STOP = "interim_notice_sent"


@register.inclusion_tag("letters/case_section.html", takes_context=True)
def letters_section(context: template.Context, case: Case) -> dict[str, Any]:
    user = context["request"].user
    letter = DecisionLetter.objects.filter(case=case).first()
    issued = letter is not None and letter.issued_at is not None
    plan = None
    if not issued:
        on = (letter.issued_on if letter else None) or local_date(
            at=utcnow(), tz_name=case.facility.time_zone
        )
        plan = decision_letter_plan(case=case, issued_on=on)
    interim_clocks = [
        clock
        for clock in CaseClock.objects.filter(case=case, status=ClockStatus.RUNNING)
        if INTERIM_STOP in clock.stops_on
    ]
    return {
        "case": case,
        "plan": plan,
        "language": letter_language(case),
        "issued_letters": list(issued_letters_of(case)),
        "interim_clocks": interim_clocks,
        "can_work": isinstance(user, User) and has_capability(user, "work_case", case),
    }
