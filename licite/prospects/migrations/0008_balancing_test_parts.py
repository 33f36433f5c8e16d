"""RULES C4: the balancing test gets its purpose, necessity, conclusion and review date.

The tests recorded before keep their texts; their necessity stays empty (not asked for then),
their conclusion is favourable (they were written to allow the imports that rested on them) and
their review date is one year after the test.
"""

import django.db.models.deletion
from django.db import migrations, models


def review_date_after(assessed):
    try:
        return assessed.replace(year=assessed.year + 1)
    except ValueError:  # 29 February
        return assessed.replace(year=assessed.year + 1, day=28)


def review_one_year_after(apps, schema_editor):
    BalancingTest = apps.get_model("prospects", "BalancingTest")
    tests = list(BalancingTest.objects.filter(review_on__isnull=True))
    for test in tests:
        test.review_on = review_date_after(test.assessed_at.date())
    BalancingTest.objects.bulk_update(tests, ["review_on"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0007_translated_labels"),
        ("register", "0002_bilingual_notice_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="balancingtest",
            name="activity",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="balancing_tests",
                to="register.processingactivity",
                verbose_name="purpose (processing activity)",
            ),
        ),
        migrations.AddField(
            model_name="balancingtest",
            name="necessity",
            field=models.TextField(blank=True, verbose_name="necessity"),
        ),
        migrations.AddField(
            model_name="balancingtest",
            name="conclusion",
            field=models.CharField(
                choices=[
                    ("favourable", "Favourable: the interest prevails"),
                    ("unfavourable", "Unfavourable: the persons' rights prevail"),
                ],
                default="favourable",
                max_length=12,
                verbose_name="conclusion",
            ),
        ),
        migrations.AddField(
            model_name="balancingtest",
            name="conclusion_text",
            field=models.TextField(blank=True, verbose_name="reasoning of the conclusion"),
        ),
        migrations.AddField(
            model_name="balancingtest",
            name="review_on",
            field=models.DateField(blank=True, null=True, verbose_name="review date"),
        ),
        migrations.RunPython(review_one_year_after, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="balancingtest",
            name="review_on",
            field=models.DateField(
                blank=True, help_text="Empty: one year after the test.", verbose_name="review date"
            ),
        ),
    ]
