"""The organisation's editors and moderators may moderate news comments: Wagtail's "Editors" and "Moderators"
groups (made by Wagtail's own migrations; the roles of ``tenant_apps.members.roles`` hand them out) get the
view and change permissions on ``Comment``. Runs in the template schema, so every organisation cloned from it
has them."""

from django.db import migrations

GROUPS = ("Editors", "Moderators")
PERMISSIONS = (("view_comment", "Can view news comment"), ("change_comment", "Can change news comment"))


def grant(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="org_news", model="comment")
    permissions = [
        Permission.objects.get_or_create(content_type=content_type, codename=codename, defaults={"name": name})[0]
        for codename, name in PERMISSIONS
    ]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):  # type: ignore[no-untyped-def]
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.filter(
        content_type__app_label="org_news", codename__in=[codename for codename, _ in PERMISSIONS]
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("org_news", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
