"""On an intranet, editors publish: Wagtail's "Editors" group (the editor role, ``tenant_apps.members.roles``)
gets the publish permission on the whole tree, beside add and change, which Wagtail's own migrations give it.
Runs in every organisation schema and in the template, so every new organisation has it."""

from django.db import migrations


def editors_publish(apps, schema_editor):  # type: ignore[no-untyped-def]
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    editors = Group.objects.filter(name="Editors").first()
    root = Page.objects.filter(depth=1).first()
    if editors is None or root is None:
        return
    page_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    publish, _ = Permission.objects.get_or_create(
        content_type=page_type, codename="publish_page", defaults={"name": "Can publish any page"}
    )
    GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=publish)


def editors_stop_publishing(apps, schema_editor):  # type: ignore[no-untyped-def]
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(
        group__name="Editors", page__depth=1, permission__codename="publish_page"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org_pages", "0005_searchpage_alter_contentpage_options_and_more"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(editors_publish, editors_stop_publishing)]
