"""The groups pages on the shared space (``/groups/``), a module per subject: ``directory`` (the list and
"new group"), ``group`` (a group's page, members, activity, joining and leaving), ``manage`` (settings,
members, invitations, requests, reports), ``invitations`` (following an invitation link). Content apps
add their tabs' views with ``common.group_page``."""
