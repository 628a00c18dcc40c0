"""A person's own data (GDPR): "export all my data" and "delete my account", as background jobs.

Both start from the account (public schema) and reach every schema the person has been in through
``LocalUserLink`` (see docs/decisions/0001-identity.md), never by scanning all schemas. Each runs as a
Celery task (``shared_apps.accounts.tasks``) queued after commit, and reports its progress in
``PersonalDataJob`` (state, step, percent), which the person follows on ``/accounts/data/``.

**Export** — one ``.zip`` under ``EXPORT_ROOT/personal/`` (written 0600 under a temporary name, then
renamed), laid out as::

    README.txt
    account.json                         the account (no password hash or other secret), its e-mail
                                         addresses, requests to join, invitations, operator tokens
    memberships.json                     per organisation: role and groups
    profile/<photo>                      the profile photo, if any
    organisations/<slug>/local_user.json the local user row (no password), groups, role, Wagtail profile
    organisations/<slug>/pages.json      Wagtail pages the person owns, with their content
    organisations/<slug>/revisions.json  revisions the person made, with their content
    organisations/<slug>/documents.json  documents the person uploaded (metadata) + documents/<id>-<name>
    organisations/<slug>/images.json     images the person uploaded (metadata) + images/<id>-<name>

(``shared-space`` stands for the public schema's local user.)

**Delete** — everywhere: first the account is deactivated (no new sign-in, every session ended);
then in every linked schema the local user is anonymised (name "Former user", a unique e-mail at the
reserved ``.invalid`` domain, deactivated, no groups, permissions, superuser flag, Wagtail profile or
OAuth tokens, unlinked from the account) so that pages, revisions, documents and images stay, with an
anonymous author; then the account goes with its e-mail addresses, links, join requests, invitations
addressed to it, profile photo and earlier export archives. Each step is idempotent: a failed job can
be run again and finishes the work. The audit trail names the account by id only.
"""

# Where each part lives: ``jobs`` (requests, progress, reads), ``archive`` (the .zip writer and row
# serialiser), ``export`` and ``erasure`` (the two runs). Each schema's share comes from the apps that
# hold the data: the local user (``shared_apps.people.personal_data``) and the organisation-side apps
# registered for ``personal_data_export`` / ``personal_data_erase`` (``tenants.organisation_hooks``).
