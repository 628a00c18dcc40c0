"""What the groups tell the rest of the platform: signals other apps connect to in their ``AppConfig.ready()``.

The groups' services send them inside their transaction; a receiver that does work elsewhere (a Celery
task, an e-mail) defers it with ``transaction.on_commit``, so nothing leaves for a write that is rolled
back. The groups never import their receivers (notifications, search): those depend on the groups.

* ``activity_recorded`` — a line was added to a group's activity stream (``shared_apps.groups.services.
  activity.activity_record``). Arguments: ``activity`` (the ``GroupActivity``), ``item`` (the item that is
  new or changed — a reply, not the discussion it is in — or ``None``), ``mentioned`` (ids of the accounts
  mentioned in it who may see it, already checked by ``shared_apps.groups.mentions``).
* ``invitation_sent`` — ``invitation`` (a ``GroupInvitation``, new or sent again).
* ``join_requested`` — ``join_request`` (a new ``GroupJoinRequest``) for the group's managers.

Changes of the groups and items themselves (saved, hidden, deleted) are Django's ``post_save`` and
``post_delete`` of ``Group`` and of every ``group_content_models()`` model: every service writes with ``save()``.
"""

from __future__ import annotations

from django.dispatch import Signal

activity_recorded = Signal()
invitation_sent = Signal()
join_requested = Signal()
