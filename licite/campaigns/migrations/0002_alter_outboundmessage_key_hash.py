"""The keyed hash stored as its 32 bytes (licite.lib.keyhash)."""

from django.db import migrations

import licite.lib.keyhash


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="outboundmessage",
            name="key_hash",
            field=licite.lib.keyhash.KeyHashField(db_index=True, verbose_name="keyed hash"),
        ),
        # RULES F4: the hashes stored before, as their bytes.
        licite.lib.keyhash.stored_as_bytes("campaigns_outboundmessage"),
    ]
