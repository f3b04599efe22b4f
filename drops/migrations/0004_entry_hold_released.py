from django.db import migrations, models
from django.db.models import F


def released_before(apps, schema_editor):
    """Entries closed before this field existed had their release tried then: they are not owed one now."""
    DrawEntry = apps.get_model("drops", "DrawEntry")
    DrawEntry.objects.filter(status__in=("cancelled", "lost")).update(hold_released_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("drops", "0003_draws"),
    ]

    operations = [
        migrations.AddField(
            model_name="drawentry",
            name="hold_released_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="холд снят"),
        ),
        migrations.RunPython(released_before, migrations.RunPython.noop),
    ]
