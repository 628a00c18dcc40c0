"""Collections carry their visibility level by identity, not by name (a renamed collection keeps it).

Until now a collection named "Organisation", "Civil servants" or "Public" carried that level; each such
collection is given the level its name stood for, so nothing changes for content already filed.
"""

import django.db.models.deletion
from django.db import migrations, models

LEVEL_OF_NAME = {"Organisation": "organisation", "Civil servants": "civil_servants", "Public": "public"}


def record_levels_of_named_collections(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Collection = apps.get_model("wagtailcore", "Collection")
    CollectionLevel = apps.get_model("org_pages", "CollectionLevel")
    for collection in Collection.objects.filter(name__in=LEVEL_OF_NAME):
        CollectionLevel.objects.get_or_create(collection=collection, defaults={"level": LEVEL_OF_NAME[collection.name]})


class Migration(migrations.Migration):

    dependencies = [
        ('org_pages', '0003_visibility_collections'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.CreateModel(
            name='CollectionLevel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('organisation', 'Colleagues within the organisation'), ('civil_servants', 'All civil servants'), ('public', 'Everyone')], max_length=20)),
                ('collection', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='visibility_level', to='wagtailcore.collection')),
            ],
            options={
                'verbose_name': 'collection level',
            },
        ),
        migrations.RunPython(record_levels_of_named_collections, migrations.RunPython.noop),
    ]
