"""A group in seconds, its settings, archiving and deleting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shared_apps.accounts.models import Account
from shared_apps.groups import access, tabs
from shared_apps.groups.models import Group, GroupMembership
from shared_apps.groups.richtext import sanitise
from shared_apps.groups.services.activity import activity_record
from shared_apps.groups.services.common import actor_of, refuse
from tenants.audit import Actor, audited

NAME_MAX = 120
PURPOSE_MAX = 300
TAGS_MAX = 10
TAG_MAX = 40
PICTURE_MAX_BYTES = 2 * 1024 * 1024
PICTURE_TYPES = {"image/jpeg", "image/png", "image/webp"}

#: Who may create groups: "civil_servants" (the default) or "everyone" (every active account).
CREATORS_CIVIL_SERVANTS = "civil_servants"
CREATORS_EVERYONE = "everyone"


def viewer_may_create_groups(*, viewer: access.GroupViewer) -> bool:
    """The platform setting ``GROUPS_CREATORS``: civil servants (and operators), or every account."""
    if not viewer.signed_in:
        return False
    if getattr(settings, "GROUPS_CREATORS", CREATORS_CIVIL_SERVANTS) == CREATORS_EVERYONE:
        return True
    return viewer.operator or viewer.civil_servant


def may_create_groups(*, account: Account | None) -> bool:
    return viewer_may_create_groups(viewer=access.viewer_for_account(account))


#: Addresses under /groups/ that the groups pages use themselves: never a group's slug.
RESERVED_SLUGS = frozenset({"new", "invitations", "reports"})


def _free_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "group"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Group.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def _clean_name_and_purpose(name: str, purpose: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    name = " ".join((name or "").replace("\x00", "").split())
    purpose = " ".join((purpose or "").replace("\x00", "").split())
    if not name:
        errors["name"] = [_("Give the group a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Keep the name to %(count)s characters.") % {"count": NAME_MAX}]
    if not purpose:
        errors["purpose"] = [_("Say in a sentence what the group is for.")]
    elif len(purpose) > PURPOSE_MAX:
        errors["purpose"] = [_("Keep the purpose to %(count)s characters.") % {"count": PURPOSE_MAX}]
    return name, purpose


def _choice(value: str, choices: type, field: str, errors: dict[str, list[str]]) -> str:
    if value not in choices.values:
        errors[field] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(str(c) for c in choices.values)}]
    return value


def group_create(
    *,
    creator: Account,
    name: str,
    purpose: str,
    visibility: str = Group.Visibility.OPEN,
    audience: str = Group.Audience.CIVIL_SERVANTS,
    joining: str = Group.Joining.OPEN,
) -> Group:
    """A working group from a name and a purpose, with sensible defaults; the creator is its owner."""
    if not may_create_groups(account=creator):
        raise refuse(_("Only civil servants can create groups on this platform."))
    errors: dict[str, list[str]] = {}
    name, purpose = _clean_name_and_purpose(name, purpose, errors)
    _choice(visibility, Group.Visibility, "visibility", errors)
    _choice(audience, Group.Audience, "audience", errors)
    _choice(joining, Group.Joining, "joining", errors)
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor_of(creator), action="group.create", name=name) as detail, transaction.atomic():
        group = Group.objects.create(
            slug=_free_slug(name),
            name=name,
            purpose=purpose,
            visibility=visibility,
            audience=audience,
            joining=joining,
            created_by=creator,
        )
        GroupMembership.objects.create(group=group, account=creator, role=GroupMembership.Role.OWNER)
        activity_record(group=group, actor=creator, verb="group.created", summary=group.name)
        detail["group"] = group.slug
    return group


def clean_tags(values: list[str] | str) -> list[str]:
    """Tags lower-cased, trimmed, without repeats, in the order given; ``ValidationError`` when too many or long."""
    raw = values.split(",") if isinstance(values, str) else list(values)
    tags: list[str] = []
    for value in raw:
        tag = " ".join(str(value).replace("\x00", "").split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ValidationError({"tags": [_("Use at most %(count)s tags.") % {"count": TAGS_MAX}]})
    long = [tag for tag in tags if len(tag) > TAG_MAX]
    if long:
        raise ValidationError(
            {
                "tags": [
                    _("Keep each tag to %(count)s characters: %(tags)s.") % {"count": TAG_MAX, "tags": ", ".join(long)}
                ]
            }
        )
    return tags


def _check_picture(picture: Any, errors: dict[str, list[str]]) -> None:
    if picture is None:
        return
    if getattr(picture, "size", 0) > PICTURE_MAX_BYTES:
        errors["picture"] = [_("The picture is larger than %(mb)s MB.") % {"mb": PICTURE_MAX_BYTES // (1024 * 1024)}]
    elif getattr(picture, "content_type", None) not in PICTURE_TYPES:
        errors["picture"] = [_("Use a JPEG, PNG or WebP picture.")]


def group_update(
    *,
    group: Group,
    actor: Account,
    name: str | None = None,
    purpose: str | None = None,
    introduction: str | None = None,
    welcome_message: str | None = None,
    tags: list[str] | str | None = None,
    visibility: str | None = None,
    audience: str | None = None,
    joining: str | None = None,
    disabled_tabs: list[str] | None = None,
    picture: Any = None,
    remove_picture: bool = False,
) -> Group:
    """Change a group's settings (``None`` leaves a field as it is): its owners and administrators."""
    viewer = access.viewer_for_account(actor)
    if not access.can_manage(viewer=viewer, group=group):
        raise refuse(_("Only the group's owners and administrators change its settings."))
    if group.is_archived:
        raise refuse(_("This group is archived: it can be read, not changed."))
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    if name is not None or purpose is not None:
        new_name, new_purpose = _clean_name_and_purpose(
            group.name if name is None else name, group.purpose if purpose is None else purpose, errors
        )
        changes.update(name=new_name, purpose=new_purpose)
    if introduction is not None:
        changes["introduction"] = sanitise(introduction)
    if welcome_message is not None:
        changes["welcome_message"] = sanitise(welcome_message)
    if tags is not None:
        try:
            changes["tags"] = clean_tags(tags)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for field, value, choices in (
        ("visibility", visibility, Group.Visibility),
        ("audience", audience, Group.Audience),
        ("joining", joining, Group.Joining),
    ):
        if value is not None:
            changes[field] = _choice(value, choices, field, errors)
    if disabled_tabs is not None:
        known = {tab.key for tab in tabs.switchable_tabs()}
        unknown = sorted(set(disabled_tabs) - known)
        if unknown:
            errors["disabled_tabs"] = [_("Unknown tab(s): %(tabs)s.") % {"tabs": ", ".join(unknown)}]
        changes["disabled_tabs"] = sorted(set(disabled_tabs) & known)
    _check_picture(picture, errors)
    if errors:
        raise ValidationError(errors)
    with audited(actor=actor_of(actor), action="group.update", group=group.slug, fields=sorted(changes)):
        with transaction.atomic():
            for field, value in changes.items():
                setattr(group, field, value)
            if remove_picture and group.picture:
                group.picture.delete(save=False)
            if picture is not None:
                group.picture.save(picture.name, picture, save=False)
            group.save()
    return group


def _operator_only(account: Account) -> None:
    if not account.is_platform_operator:
        raise refuse(_("Only platform operators archive or delete groups."))


def group_archive(*, group: Group, operator: Account, archived: bool = True) -> Group:
    """Make a group read-only (or active again): platform operators."""
    _operator_only(operator)
    action = "group.archive" if archived else "group.unarchive"
    with audited(actor=actor_of(operator), action=action, group=group.slug):
        group.status = Group.Status.ARCHIVED if archived else Group.Status.ACTIVE
        group.save(update_fields=["status", "updated_at"])
    return group


def group_delete(*, group: Group, operator: Account, confirmation: str) -> None:
    """Delete a group with everything in it: platform operators, who type its address to confirm."""
    _operator_only(operator)
    if (confirmation or "").strip() != group.slug:
        raise ValidationError(
            {"confirmation": [_("Type the group's address (%(slug)s) to confirm.") % {"slug": group.slug}]}
        )
    with audited(actor=Actor.operator(operator.email), action="group.delete", group=group.slug, name=group.name):
        picture = group.picture.name if group.picture else ""
        group.delete()
        if picture:
            transaction.on_commit(lambda: Group._meta.get_field("picture").storage.delete(picture))
