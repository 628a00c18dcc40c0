"""Export and import of an organisation as ONE ``.tar.gz`` archive: its schema, its media, its registry entry.

Layout of an archive (format version 1)::

    manifest.json        what it holds: format and GovSquare versions, when, the migration leaves of the
                         code that wrote it, the organisation's registry fields, domains (which is primary)
                         and e-mail domains, the platform accounts of its local users (id, e-mail, name;
                         never a password hash), and per table its columns, row count and the sha256 of
                         its data file
    data/<table>.copy    ``COPY <table> TO STDOUT (FORMAT binary)`` of every table of the organisation schema
    media/<path>         the files under ``MEDIA_ROOT/<schema>/`` (django-tenants' TenantFileSystemStorage)

Export reads every table from one snapshot (REPEATABLE READ, read only, unless the caller already holds a
transaction) and writes the archive under a temporary name in ``EXPORT_ROOT`` before renaming it, so a
half-written archive never carries the final name. Archives hold personal data: they are written 0600.

Import checks everything before it writes anything: the archive is readable, has a manifest of a
supported format version, every data file matches its checksum, the migration leaves equal this code's,
the slug (``provisioning_spec_build``'s rules) and domains are free. Then ONE transaction: registry
rows, a schema cloned from the template, every table truncated and loaded with ``COPY FROM``, identity
columns restarted after their highest id, deferred constraints checked, every account of the manifest
made sure of and ``LocalUserLink`` rows recreated; media is extracted last, and removed again if
anything fails. Nothing is left behind by a failed import.

The job variants (``*_request`` / ``*_run``) do the same in a Celery task (``tenants.export``,
``tenants.import``); an import job's archive must be readable by the worker at the same path.

Where each part lives (import from the module itself; this package re-exports nothing):

    tenants.archive.format     the format version and constants, the visible steps (``EXPORT_STEPS``,
                               ``IMPORT_STEPS``), ``ArchiveFailed``, the progress reporter, the tables of
                               an organisation schema, and the checks of a manifest (shape, format
                               version, migrations)
    tenants.archive.reading    reading an archive: member names, the manifest, staging and verifying the
                               data files, comparing the tables with this code's
    tenants.archive.export     ``organisation_export_request`` / ``_run`` / ``organisation_export``: the
                               snapshot, the manifest and data files, the ``.tar.gz`` written atomically
    tenants.archive.importer   ``organisation_import_request`` / ``_run`` / ``organisation_import``: the
                               plan (slug and domains), the one transaction and its steps, the media
"""
