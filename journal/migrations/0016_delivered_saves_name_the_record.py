from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0015_translatable_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="deliveredsave",
            name="kind",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="deliveredsave",
            name="object_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
    ]
