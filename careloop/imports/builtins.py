"""The mappings Careloop ships (as data): a django-helpdesk ticket export and a generic
complaints register. Both are starting points: the facility (helpdesk) and the unit names are
the organization's own, so the mapping page asks for them before the dry run."""

from __future__ import annotations

from typing import Any

HELPDESK = "django-helpdesk"
REGISTER = "complaints-register"

# django-helpdesk's Ticket: id, title, queue, created, modified, submitter_email, assigned_to,
# status (1 open, 2 reopened, 3 resolved, 4 closed, 5 duplicate), on_hold, description,
# resolution, priority (1 critical .. 5 very low), due_date. Helpdesk keeps no resolution time,
# so `modified` (its last change) stands in for it; priority and due_date have no Careloop
# field (clocks come from the facility's policy packs).
_HELPDESK_STATUS = {
    "1": "investigating",
    "open": "investigating",
    "2": "investigating",
    "reopened": "investigating",
    "3": "resolved",
    "resolved": "resolved",
    "4": "closed",
    "closed": "closed",
    "5": "skip",
    "duplicate": "skip",
}

_REGISTER_KIND = {
    "complaint": "complaint",
    "concern": "complaint",
    "grievance": "grievance",
    "compliment": "compliment",
    "suggestion": "suggestion",
    "safety": "safety_concern",
    "privacy": "privacy_complaint",
}
_REGISTER_STATUS = {
    "open": "investigating",
    "in progress": "investigating",
    "under investigation": "investigating",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
    "closed": "closed",
    "withdrawn": "closed",
}

BUILTIN_SPECS: dict[str, dict[str, Any]] = {
    HELPDESK: {
        "source_system": HELPDESK,
        "description": "A django-helpdesk ticket export (one row per ticket). Choose the "
        "facility; queues are matched to unit names (add a value map if they differ). Helpdesk "
        "records no resolution time: the ticket's last change (modified) is used.",
        "date_formats": ["iso"],
        "delimiter": "auto",
        "fields": {
            "source_id": {"columns": ["id"], "integer": True},
            "received_at": {"columns": ["created"]},
            "unit": {"columns": ["queue"]},
            "kind": {"fixed": "complaint"},
            "status": {"columns": ["status"], "values": _HELPDESK_STATUS},
            "channel": {"fixed": "web"},
            "reporter_type": {"fixed": "patient"},
            "narrative": {"columns": ["title", "description"]},
            "reporter_email": {"columns": ["submitter_email"]},
            "resolved_at": {"columns": ["modified"]},
            "closed_at": {"columns": ["modified"]},
            "outcome": {"columns": ["resolution"]},
        },
    },
    REGISTER: {
        "source_system": REGISTER,
        "description": "A complaints register kept in a spreadsheet: reference, date received, "
        "facility, unit, category, description, complainant name, email, phone, status, date "
        "closed, outcome. Dates day first (03/04/2025 is 3 April) or ISO.",
        "date_formats": ["iso", "dmy"],
        "delimiter": "auto",
        "fields": {
            "source_id": {"columns": ["Reference"]},
            "received_at": {"columns": ["Date received"]},
            "facility": {"columns": ["Facility"]},
            "unit": {"columns": ["Unit"]},
            "kind": {"columns": ["Category"], "values": _REGISTER_KIND},
            "status": {"columns": ["Status"], "values": _REGISTER_STATUS},
            "channel": {"fixed": "in_person"},
            "reporter_type": {"fixed": "patient"},
            "narrative": {"columns": ["Description"]},
            "reporter_name": {"columns": ["Complainant name"]},
            "reporter_email": {"columns": ["Email"]},
            "reporter_phone": {"columns": ["Phone"]},
            "resolved_at": {"columns": ["Date closed"]},
            "closed_at": {"columns": ["Date closed"]},
            "outcome": {"columns": ["Outcome"]},
        },
    },
}
