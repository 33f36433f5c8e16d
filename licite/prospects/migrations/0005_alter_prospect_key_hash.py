"""The keyed hash stored as its 32 bytes (licite.lib.keyhash)."""

from django.db import migrations

import licite.lib.keyhash


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0004_email_unique_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="prospect",
            name="key_hash",
            field=licite.lib.keyhash.KeyHashField(verbose_name="keyed hash"),
        ),
        # RULES F4: the hashes stored before, as their bytes.
        licite.lib.keyhash.stored_as_bytes("prospects_prospect"),
    ]
