"""Full-text index on narratives for PostgreSQL (SQLite searches with LIKE)."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS case_narrative_fts ON cases_case USING gin "
    "(to_tsvector('simple'::regconfig, COALESCE(narrative, '')))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_narrative_fts")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
