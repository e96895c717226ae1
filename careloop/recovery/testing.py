"""Test support: go around the ledger's append-only triggers (migration recovery 0002), as
someone with full database access could. Used by tests that commit, whose clean-up must empty
the table (the flush that resets a SQLite test database deletes rows, which the triggers
refuse)."""

from __future__ import annotations

from django.db import connection

_MESSAGE = "recovery ledger entries are append-only"
_SQLITE_TRIGGERS = {
    "recovery_ledger_no_update": "UPDATE",
    "recovery_ledger_no_delete": "DELETE",
}


def ledger_append_only_set(*, enabled: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ENABLE" if enabled else "DISABLE"
            cursor.execute(
                f"ALTER TABLE recovery_ledgerentry {verb} TRIGGER recovery_ledger_append_only"
            )
            return
        for name, operation in _SQLITE_TRIGGERS.items():
            if enabled:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON "
                    f"recovery_ledgerentry BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END;"
                )
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ledger_empty() -> None:
    """Delete every ledger entry (test clean-up only), leaving the triggers on."""
    ledger_append_only_set(enabled=False)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM recovery_ledgerentry")
    ledger_append_only_set(enabled=True)
