"""Groups in the shared space (public schema): one row per group, whichever organisations its members are of.

Who may see, read, join and manage a group is decided in one place: ``shared_apps.groups.access``.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from shared_apps.groups.storage import picture_name, shared_space_storage


class Group(models.Model):
    """A group: a meeting room for people of any organisation, and citizens where the group allows it."""

    class Visibility(models.TextChoices):
        OPEN = "open", pgettext_lazy("group visibility", "Open: listed, its content readable by its audience")
        CLOSED = "closed", pgettext_lazy("group visibility", "Closed: listed, its content for members")
        HIDDEN = "hidden", pgettext_lazy("group visibility", "Hidden: only members and invitees know it exists")

    class Audience(models.TextChoices):
        CIVIL_SERVANTS = "civil_servants", pgettext_lazy("group audience", "Civil servants only")
        EVERYONE = "everyone", pgettext_lazy("group audience", "Civil servants and citizens")

    class Joining(models.TextChoices):
        OPEN = "open", pgettext_lazy("group joining", "Anyone in the audience may join")
        REQUEST = "request", pgettext_lazy("group joining", "On request, approved by an administrator")
        INVITATION = "invitation", pgettext_lazy("group joining", "By invitation only")

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("group status", "Active")
        ARCHIVED = "archived", pgettext_lazy("group status", "Archived (read-only)")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(gettext_lazy("name"), max_length=120)
    purpose = models.CharField(gettext_lazy("purpose"), max_length=300)
    introduction = models.TextField(gettext_lazy("introduction"), blank=True)  # sanitised HTML
    welcome_message = models.TextField(gettext_lazy("welcome message"), blank=True)  # sanitised HTML
    picture = models.ImageField(
        gettext_lazy("picture"), storage=shared_space_storage, upload_to=picture_name, blank=True, max_length=200
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.OPEN)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.CIVIL_SERVANTS)
    joining = models.CharField(max_length=12, choices=Joining.choices, default=Joining.OPEN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    #: Keys of the tabs (``shared_apps.groups.tabs``) the group's administrators switched off.
    disabled_tabs = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    created_by = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="groups_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [GinIndex(fields=["tags"], name="groups_group_tags_gin")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED

    @property
    def visibility_short(self) -> str:
        """The visibility in one word, for lists (the choice's label explains it in full)."""
        return str(_VISIBILITY_SHORT.get(self.visibility, self.visibility))

    @property
    def audience_short(self) -> str:
        return str(_AUDIENCE_SHORT.get(self.audience, self.audience))


_VISIBILITY_SHORT = {
    Group.Visibility.OPEN: pgettext_lazy("group visibility, one word", "Open"),
    Group.Visibility.CLOSED: pgettext_lazy("group visibility, one word", "Closed"),
    Group.Visibility.HIDDEN: pgettext_lazy("group visibility, one word", "Hidden"),
}
_AUDIENCE_SHORT = {
    Group.Audience.CIVIL_SERVANTS: pgettext_lazy("group audience, short", "for civil servants"),
    Group.Audience.EVERYONE: pgettext_lazy("group audience, short", "for civil servants and citizens"),
}


class GroupMembership(models.Model):
    """A person in a group, with a role. A group always keeps an owner (``services.memberships``)."""

    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("group role", "Owner")
        ADMINISTRATOR = "administrator", pgettext_lazy("group role", "Administrator")
        MEMBER = "member", pgettext_lazy("group role", "Member")

    #: Roles that manage the group (members, settings, moderation).
    MANAGING_ROLES = (Role.OWNER, Role.ADMINISTRATOR)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=15, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    #: When the member last opened the group (what is new for them is what happened since).
    last_visit_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "joined_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "account"], name="groups_one_membership_per_person")]

    def __str__(self) -> str:
        return f"{self.account_id} in {self.group_id} ({self.role})"


class GroupInvitation(models.Model):
    """An invitation to a group, to an e-mail address: of an account or of someone who will sign up."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey("accounts.Account", null=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)  # sha256 of the link's token; the token is never kept
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                "group",
                condition=Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="groups_one_open_invitation_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.group_id}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None and self.expires_at > timezone.now()


class GroupJoinRequest(models.Model):
    """A person asks to join a group that takes members on request."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("join request", "Pending")
        APPROVED = "approved", pgettext_lazy("join request", "Approved")
        REFUSED = "refused", pgettext_lazy("join request", "Refused")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="group_join_requests")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey("accounts.Account", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "account"],
                condition=Q(status="pending"),
                name="groups_one_pending_request_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} asks {self.group_id}: {self.status}"


class GroupContent(models.Model):
    """What every item written in a group carries (discussions, replies, events, files, wiki pages).

    The author is kept as a nullable reference: when an account is deleted, its contributions stay with
    "Former user" as their author. Moderators hide an item (it stays, out of sight, and can come back) or
    remove it.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)  # set when the author (or a moderator) edits it
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def containers(self) -> list[GroupContent]:
        """The items this one sits in, nearest first (a reply's discussion, a file's folders, a wiki
        page's parents): hidden with any of them. Models that nest items override this."""
        return []

    @staticmethod
    def chain_of_parents(first: GroupContent | None) -> list[GroupContent]:
        """``first`` and the items above it through their ``parent``, nearest first (``containers`` of a tree)."""
        found = []
        while first is not None:
            found.append(first)
            first = first.parent  # type: ignore[attr-defined]
        return found

    def item_url(self) -> str:
        """Where the item is read, on the shared space (a path); models override this."""
        return ""


def group_content_models() -> list[type[GroupContent]]:
    """Every concrete model of group content, whichever app brings it (once the app registry is ready)."""
    return [model for model in apps.get_models() if issubclass(model, GroupContent) and not model._meta.abstract]


class GroupActivity(models.Model):
    """One line of a group's activity stream: who did what, newest first."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verb = models.CharField(max_length=40)  # e.g. "discussion.created"; the tab's templates word it
    summary = models.CharField(max_length=300)  # the item's title, as it was
    url = models.CharField(max_length=300, blank=True)  # the item's address on the shared space
    # Content types live in every schema: no cascade across (govsquare.architecture, rule 4).
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    #: The item it tells of is hidden by a moderator: the line is out of the stream while it is.
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "-created_at"], name="groups_activity_newest")]

    def __str__(self) -> str:
        return f"{self.verb}: {self.summary}"


class GroupReport(models.Model):
    """A member's report of an item in a group, for the group's administrators and the platform operators."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("report", "Open")
        HIDDEN = "hidden", pgettext_lazy("report", "Item hidden")
        REMOVED = "removed", pgettext_lazy("report", "Item removed")
        DISMISSED = "dismissed", pgettext_lazy("report", "Dismissed")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey("accounts.Account", null=True, on_delete=models.SET_NULL, related_name="+")
    target_type = models.ForeignKey(ContentType, on_delete=models.DO_NOTHING, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    summary = models.CharField(max_length=300)
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey("accounts.Account", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"report on {self.summary}: {self.status}"
