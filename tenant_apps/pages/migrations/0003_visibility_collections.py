"""Gives every organisation schema the collections that carry a visibility level for documents and images.

New organisations get them from the template (and ``sites.seeding.collections_seed`` makes sure);
this brings them to organisations made before. The names are data keys
(``tenant_apps.pages.visibility.COLLECTION_LEVELS``), never translated.
"""

from django.db import migrations

LEVEL_COLLECTIONS = ["Organisation", "Civil servants", "Public"]
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # django-treebeard's materialised-path steps
STEP = 4


def _step(number: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEP, "0")


def _number(step: str) -> int:
    value = 0
    for char in step:
        value = value * len(ALPHABET) + ALPHABET.index(char)
    return value


def add_level_collections(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    children = Collection.objects.filter(depth=2, path__startswith=root.path)
    names = set(children.values_list("name", flat=True))
    last = max((_number(path[-STEP:]) for path in children.values_list("path", flat=True)), default=0)
    added = 0
    for name in LEVEL_COLLECTIONS:
        if name in names:
            continue
        last += 1
        Collection.objects.create(name=name, depth=2, path=root.path + _step(last), numchild=0)
        added += 1
    if added:
        Collection.objects.filter(pk=root.pk).update(numchild=children.count())


class Migration(migrations.Migration):
    dependencies = [
        ("org_pages", "0002_visibility"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_level_collections, migrations.RunPython.noop)]
