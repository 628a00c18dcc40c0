from django.db import migrations, models


class Migration(migrations.Migration):
    """Pool schemas carry a site tree seeded from a blueprint. Older (unseeded) entries get an empty
    blueprint, which no claim matches; ``pool_drain_stale`` drops them."""

    dependencies = [
        ("tenants", "0002_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="poolschema",
            name="blueprint",
            field=models.CharField(default="", help_text="The blueprint its site tree is seeded with.", max_length=40),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="poolschema",
            name="blueprint_version",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
    ]
