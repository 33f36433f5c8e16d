"""The texts the notice quotes are kept in French and English (RULES D4).

Each existing text moves into the field of the organisation's default language (else the
installation's language); the other language's field stays empty, so that no notice goes out in
that language until the DPO writes it (the notice builder refuses, naming the field).
"""

from django.conf import settings
from django.db import migrations, models

TEXTS = (
    "purpose",
    "interest_pursued",
    "recipients_internal",
    "recipients_external",
    "transfers_outside_eu",
    "retention",
    "automated_decisions",
)


def _language(apps):
    organisation = apps.get_model("accounts", "Organisation").objects.order_by("pk").first()
    language = organisation.default_language if organisation else settings.LANGUAGE_CODE
    return language if language in ("fr", "en") else "fr"


def forwards(apps, schema_editor):
    language = _language(apps)
    activities = list(apps.get_model("register", "ProcessingActivity").objects.all())
    for activity in activities:
        for name in TEXTS:
            setattr(activity, f"{name}_{language}", getattr(activity, name))
    fields = [f"{name}_{language}" for name in TEXTS]
    apps.get_model("register", "ProcessingActivity").objects.bulk_update(activities, fields)


def backwards(apps, schema_editor):
    language = _language(apps)
    other = "en" if language == "fr" else "fr"
    activities = list(apps.get_model("register", "ProcessingActivity").objects.all())
    for activity in activities:
        for name in TEXTS:
            setattr(
                activity,
                name,
                getattr(activity, f"{name}_{language}") or getattr(activity, f"{name}_{other}"),
            )
    apps.get_model("register", "ProcessingActivity").objects.bulk_update(activities, list(TEXTS))


def _pair(name, label, required=False, help_text=""):
    return [
        migrations.AddField(
            model_name="processingactivity",
            name=f"{name}_{language}",
            field=models.TextField(
                blank=not required, default="", help_text=help_text, verbose_name=f"{label} ({words})"
            ),
            preserve_default=False,
        )
        for language, words in (("fr", "French"), ("en", "English"))
    ]


INTEREST_HELP = "Required under legitimate interest."
RETENTION_HELP = "Empty: licite's standard retention, 3 years from collection or from the last contact."


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("register", "0001_initial"),
    ]

    operations = [
        *_pair("purpose", "purpose", required=True),
        *_pair("interest_pursued", "legitimate interest pursued", help_text=INTEREST_HELP),
        *_pair("recipients_internal", "internal recipients"),
        *_pair("recipients_external", "external recipients"),
        *_pair("transfers_outside_eu", "transfers outside the EU and safeguards"),
        *_pair("retention", "retention period or criteria", help_text=RETENTION_HELP),
        *_pair("automated_decisions", "automated decision-making"),
        migrations.RunPython(forwards, backwards),
        *(migrations.RemoveField(model_name="processingactivity", name=name) for name in TEXTS),
    ]
