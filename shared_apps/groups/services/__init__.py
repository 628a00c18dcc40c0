"""Writes to groups, one module per subject (import from the module):

* ``groups`` — creating a group in seconds, changing its settings, archiving and deleting (operators);
* ``memberships`` — joining, leaving, removing, roles, handing over ownership (a group keeps an owner);
* ``invitations`` — inviting an address (an account or not yet), resending, withdrawing, accepting;
* ``join_requests`` — asking to join, approving, refusing (the person is told);
* ``moderation`` — reporting an item, hiding, showing again, removing; deciding reports;
* ``activity`` — the group's activity stream.

Every write checks ``shared_apps.groups.access`` first and refuses with ``PermissionDenied`` (not allowed)
or ``ValidationError`` (bad input, said in words the person can act on); nothing is half done. Every
administrative action is recorded in the audit trail (``tenants.audit``). E-mails go out after commit.
"""
