from django.db import migrations, models


def ids_from_slugs(apps, schema_editor):
    """Key the existing trail by organisation id: an event gets the id of the organisation that holds its
    slug now, if it was written after that organisation was created (older events with the same slug
    belong to an earlier organisation that has gone, and stay without an id)."""
    Organisation = apps.get_model("tenants", "Organisation")
    AuditEvent = apps.get_model("tenants", "AuditEvent")
    for organisation in Organisation.objects.only("pk", "slug", "created_at").iterator():
        AuditEvent.objects.filter(
            organisation_slug=organisation.slug, organisation_id__isnull=True, at__gte=organisation.created_at
        ).update(organisation_id=organisation.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0007_email_domain_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="organisation_id",
            field=models.BigIntegerField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(ids_from_slugs, migrations.RunPython.noop),
    ]
