from django.db import migrations


def backfill_names(apps, schema_editor):
    # Widgets imported from the old catalogue have no name yet; take their title.
    schema_editor.execute(
        "UPDATE widgets SET name = legacy_title WHERE name = ''"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0002_widget_price_cents"),
    ]

    operations = [
        migrations.RunPython(backfill_names, migrations.RunPython.noop),
    ]
