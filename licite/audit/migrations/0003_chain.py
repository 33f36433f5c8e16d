"""The audit chain: a sequence number, the way in, the previous hash and the entry's own hash.

The entries written before are chained in the order they were written (id order), each with an
empty way in, so that an old database verifies; the head file is written once this commits.
"""

from typing import Any

from django.conf import settings
from django.db import migrations, models, transaction

import licite.audit.models
from licite.audit import chain

BATCH = 2_000


def chain_existing(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    head = chain.Head(0, chain.GENESIS)
    last_id = 0
    while batch := list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH]):
        for event in batch:
            event.sequence, event.via, event.prev_hash = head.sequence + 1, "", head.hash
            event.hash = chain.entry_hash(
                settings.AUDIT_KEY, event.sequence, chain.canonical_at(event.at), event.actor_label,
                event.action, event.object_type, event.object_id, chain.canonical_detail(event.detail),
                event.via, event.prev_hash,
            )  # fmt: skip
            head = chain.Head(event.sequence, event.hash)
        # detail too: SQLite then keeps it in the canonical form it is hashed in.
        AuditEvent.objects.bulk_update(batch, ["sequence", "via", "prev_hash", "hash", "detail"])
        last_id = batch[-1].id

    def acknowledge() -> None:
        from pathlib import Path

        chain.write_head(Path(settings.AUDIT_HEAD_FILE), head, force=True)

    transaction.on_commit(acknowledge, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_actor_label")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="via",
            field=models.CharField(
                blank=True,
                choices=[
                    ("web", "web"),
                    ("api", "API"),
                    ("cli", "command line"),
                    ("worker", "background worker"),
                    ("internal", "internal"),
                ],
                max_length=10,
                verbose_name="origin",
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="detail",
            field=models.JSONField(
                blank=True,
                default=dict,
                encoder=licite.audit.models.CanonicalJSONEncoder,
                verbose_name="detail",
            ),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-sequence"],
                "verbose_name": "audit event",
                "verbose_name_plural": "audit trail",
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(unique=True, verbose_name="sequence number"),
        ),
    ]
