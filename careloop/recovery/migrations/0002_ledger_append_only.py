"""Refuse UPDATE and DELETE on ledger entries at the database, on SQLite and PostgreSQL (as
audit 0002 does for the audit log). Corrections are reversing entries."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER recovery_ledger_no_update BEFORE UPDATE ON recovery_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'recovery ledger entries are append-only'); END;""",
    """CREATE TRIGGER recovery_ledger_no_delete BEFORE DELETE ON recovery_ledgerentry
       BEGIN SELECT RAISE(ABORT, 'recovery ledger entries are append-only'); END;""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION careloop_recovery_ledger_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'recovery ledger entries are append-only'; END; $$
       LANGUAGE plpgsql;""",
    """CREATE TRIGGER recovery_ledger_append_only BEFORE UPDATE OR DELETE
       ON recovery_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION careloop_recovery_ledger_append_only();""",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS recovery_ledger_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS recovery_ledger_no_delete")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS recovery_ledger_append_only ON recovery_ledgerentry"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS careloop_recovery_ledger_append_only()")


class Migration(migrations.Migration):
    dependencies = [("recovery", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
