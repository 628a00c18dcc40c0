"""Creates the role groups that Wagtail does not ship ("Members", "Administrators") in organisation schemas.

"Editors" and "Moderators" come from Wagtail's own migrations, with their page permissions.
"""

from django.db import migrations

WAGTAIL_ADMIN_ACCESS = ("wagtailadmin", "admin", "access_admin")


def create_role_groups(apps, schema_editor):
    if schema_editor.connection.schema_name == "public":
        return  # roles belong to organisations; the shared space gets its own in a later change
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Members")
    administrators, _ = Group.objects.get_or_create(name="Administrators")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    app_label, model, codename = WAGTAIL_ADMIN_ACCESS
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": "Can access Wagtail admin"}
    )
    administrators.permissions.add(permission)


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["Members", "Administrators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
