"""The status index keeps only the statuses that are looked for (licite.prospects.models)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0005_alter_prospect_key_hash"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="prospect",
            name="prospect_status",
        ),
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(
                condition=models.Q(("status", "consent_pending"), ("status", "restricted"), _connector="OR"),
                fields=["status"],
                name="prospect_status",
            ),
        ),
    ]
