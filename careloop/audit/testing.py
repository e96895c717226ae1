"""Test support: go around the audit log's append-only triggers (migration audit 0002), as
someone with full database access could. Used by tests that tamper with the chain on purpose
and by tests that commit, whose clean-up must empty the table."""

from __future__ import annotations

from django.db import connection

_SQLITE_TRIGGERS = {
    "audit_event_no_update": "UPDATE",
    "audit_event_no_delete": "DELETE",
}


def append_only_set(*, enabled: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE audit_auditevent {verb} TRIGGER audit_event_append_only")
            return
        for name, operation in _SQLITE_TRIGGERS.items():
            if enabled:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON audit_auditevent "
                    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;"
                )
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def audit_log_empty() -> None:
    """Delete every audit event (test clean-up only), leaving the triggers on."""
    append_only_set(enabled=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
        cursor.execute("DELETE FROM audit_chainhead")
    append_only_set(enabled=True)
