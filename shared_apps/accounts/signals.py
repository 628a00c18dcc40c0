"""Signals the accounts app sends; other apps connect receivers in their ``AppConfig.ready()``.

``account_changed``: an account's name, primary address or language changed and the change has been
committed (sent from ``transaction.on_commit``). ``shared_apps.people`` carries it to the account's local
users in every schema, in the background.
"""

from __future__ import annotations

from django.dispatch import Signal

#: ``account_changed.send(sender=Account, account_id=...)``, after commit.
account_changed = Signal()
