"""Test support: go around the issued letters' append-only triggers (migration letters 0002), as
audit.testing does for the audit log. Tests that commit and issue letters must empty the table
this way before the test database is flushed: on SQLite the flush deletes rows, which the
triggers refuse (PostgreSQL truncates, which they do not see)."""

from __future__ import annotations

from django.db import connection

TABLE = "letters_issuedletter"
MESSAGE = "issued letters are append-only"
_SQLITE_TRIGGERS = {
    "issued_letter_no_update": "UPDATE",
    "issued_letter_no_delete": "DELETE",
}


def issued_letters_append_only_set(*, enabled: bool) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE {TABLE} {verb} TRIGGER issued_letter_append_only")
            return
        for name, operation in _SQLITE_TRIGGERS.items():
            if enabled:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {operation} ON {TABLE} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                )
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def issued_letters_empty() -> None:
    """Delete every issued letter (test clean-up only), leaving the triggers on."""
    issued_letters_append_only_set(enabled=False)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608  # a constant table name
    issued_letters_append_only_set(enabled=True)
