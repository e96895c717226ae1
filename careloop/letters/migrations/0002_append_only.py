"""Refuse UPDATE and DELETE on issued letters at the database, on SQLite and PostgreSQL (as
audit 0002 does for audit events)."""

from django.db import migrations

MESSAGE = "issued letters are append-only"
SQLITE = [
    f"""CREATE TRIGGER issued_letter_no_update BEFORE UPDATE ON letters_issuedletter
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER issued_letter_no_delete BEFORE DELETE ON letters_issuedletter
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION careloop_issued_letter_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER issued_letter_append_only BEFORE UPDATE OR DELETE ON letters_issuedletter
       FOR EACH ROW EXECUTE FUNCTION careloop_issued_letter_append_only();""",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS issued_letter_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS issued_letter_no_delete")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS issued_letter_append_only ON letters_issuedletter"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS careloop_issued_letter_append_only()")


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_issued_letter")]
    operations = [migrations.RunPython(forwards, backwards)]
