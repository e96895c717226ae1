"""Issued letters stay append-only, with one exception: the retention job may erase a letter's
PDF (set it empty and stamp `erased_at`, once), changing nothing else. The digest stays, so the
record of what was sent survives without the client's details."""

from django.db import migrations, models

MESSAGE = "issued letters are append-only (only retention erasure of the PDF is allowed)"
ERASURE = (
    "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND length(NEW.pdf) = 0"
    " AND NEW.sha256 = OLD.sha256 AND NEW.case_id = OLD.case_id AND NEW.kind = OLD.kind"
    " AND NEW.template_id = OLD.template_id AND NEW.template_version = OLD.template_version"
    " AND NEW.language = OLD.language AND NEW.delivery = OLD.delivery"
    " AND NEW.issued_at = OLD.issued_at AND NEW.issued_by_id = OLD.issued_by_id"
)
SQLITE = [
    "DROP TRIGGER IF EXISTS issued_letter_no_update",
    f"""CREATE TRIGGER issued_letter_no_update BEFORE UPDATE ON letters_issuedletter
       WHEN NOT ({ERASURE})
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION careloop_issued_letter_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND ({ERASURE}) THEN RETURN NEW; END IF;
         RAISE EXCEPTION '{MESSAGE}';
       END; $$ LANGUAGE plpgsql;""",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS issued_letter_no_update",
    """CREATE TRIGGER issued_letter_no_update BEFORE UPDATE ON letters_issuedletter
       BEGIN SELECT RAISE(ABORT, 'issued letters are append-only'); END;""",
]
POSTGRES_BACK = [
    """CREATE OR REPLACE FUNCTION careloop_issued_letter_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'issued letters are append-only'; END; $$ LANGUAGE plpgsql;""",
]


def _run(schema_editor, sqlite, postgres):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in sqlite if vendor == "sqlite" else postgres if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, SQLITE, POSTGRES)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(schema_editor, SQLITE_BACK, POSTGRES_BACK)


class Migration(migrations.Migration):
    dependencies = [("letters", "0002_append_only")]
    operations = [
        migrations.AddField(
            model_name="issuedletter",
            name="erased_at",
            field=models.DateTimeField(
                blank=True,
                null=True,
                help_text="When the PDF was erased under the retention policy.",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
