"""The table of the "throttle" cache (settings.CACHES), where the password-reset limits count.

Django's database cache needs a table made by `createcachetable`; made here, so that `migrate`
makes it on every database, the tests' included. No model: nothing else changes.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "oms_throttle"  # settings.CACHES["throttle"]["LOCATION"]


def create_table(apps, schema_editor):
    # Does nothing if the table is there already (made by hand with createcachetable).
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("journal", "0005_event_and_course_versions")]

    operations = [migrations.RunPython(create_table, drop_table)]
