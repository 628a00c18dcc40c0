"""Reading an organisation archive: every member checked, the manifest parsed, the data files staged.

Nothing here writes outside the caller's work folder: an archive is checked whole (member names, the
manifest, every data file's checksum, the migrations, the tables) before an import writes anything.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import posixpath
import re
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tenants.archive.format import (
    ARCHIVE_FORMAT,
    CHUNK,
    MANIFEST_NAME,
    Reporter,
    check_manifest,
    check_migrations,
    schema_tables,
)

_MANIFEST_MAX_BYTES = 64 * 1024 * 1024
_DATA_MEMBER_RE = re.compile(r"^data/([A-Za-z0-9_]{1,63})\.copy$")


@dataclass(frozen=True)
class Staged:
    manifest: dict
    work: Path  # the verified data files, ``<table>.copy``
    media: dict[str, int]  # relative path under media/ -> size


def peek_slug(path: Path) -> str:
    """The archive's slug for the audit trail, or ``""`` when the manifest cannot be read."""
    try:
        slug = manifest_only(path)["organisation"]["slug"]
    except Exception:  # noqa: BLE001 - the import itself reports why the archive is unusable
        return ""
    return slug if isinstance(slug, str) else ""


def _open_archive(path: Path) -> tuple[BinaryIO, tarfile.TarFile]:
    if not path.is_file():
        raise ValidationError(_("The archive %(path)s does not exist or is not a file.") % {"path": path})
    raw = path.open("rb")
    try:
        return raw, tarfile.open(fileobj=raw, mode="r:gz")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raw.close()
        raise ValidationError(
            _("%(archive)s is not a readable .tar.gz archive (%(reason)s).") % {"archive": path.name, "reason": exc}
        ) from exc


@contextmanager
def reading_archive(path: Path) -> Iterator[tuple[BinaryIO, tarfile.TarFile]]:
    raw, tar = _open_archive(path)
    try:
        with raw, tar:
            yield raw, tar
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValidationError(
            _("%(archive)s is not a readable .tar.gz archive (damaged or cut short: %(reason)s).")
            % {"archive": path.name, "reason": exc}
        ) from exc


def checked_member_name(member: tarfile.TarInfo) -> str:
    """The member's name if it is a plain relative path of a file or folder; ``ValidationError`` otherwise."""
    name = member.name
    quoted = {"member": repr(name)}
    if not name or "\x00" in name or "\\" in name:
        raise ValidationError(_("The archive member %(member)s has an unusable name; the archive is refused.") % quoted)
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise ValidationError(_("The archive member %(member)s has an absolute path; the archive is refused.") % quoted)
    if ".." in name.split("/"):
        raise ValidationError(
            _("The archive member %(member)s climbs out of its folder ('..'); the archive is refused.") % quoted
        )
    if posixpath.normpath(name) != name:
        raise ValidationError(
            _("The archive member %(member)s is not a plain relative path; the archive is refused.") % quoted
        )
    if member.issym() or member.islnk():
        raise ValidationError(_("The archive member %(member)s is a link; links are refused.") % quoted)
    if not (member.isreg() or member.isdir()):
        raise ValidationError(
            _("The archive member %(member)s is not a regular file or folder; the archive is refused.") % quoted
        )
    return name


def manifest_only(path: Path) -> dict:
    """Read just the manifest (the first member of archives made here)."""
    with reading_archive(path) as (_raw, tar):
        for member in tar:
            if checked_member_name(member) == MANIFEST_NAME and member.isreg():
                return _parse_manifest(tar, member, path)
    raise ValidationError(
        _("%(archive)s has no %(manifest)s: it is not a GovSquare organisation archive.")
        % {"archive": path.name, "manifest": MANIFEST_NAME}
    )


def _parse_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo, path: Path) -> dict:
    if member.size > _MANIFEST_MAX_BYTES:
        raise ValidationError(
            _("The %(manifest)s of %(archive)s is implausibly large; the archive is refused.")
            % {"manifest": MANIFEST_NAME, "archive": path.name}
        )
    handle = tar.extractfile(member)
    try:
        manifest = json.loads(handle.read() if handle else b"")
    except ValueError as exc:
        raise ValidationError(
            _("The %(manifest)s of %(archive)s is not valid JSON.") % {"manifest": MANIFEST_NAME, "archive": path.name}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise ValidationError(
            _("%(archive)s is not a GovSquare organisation archive (its manifest says otherwise).")
            % {"archive": path.name}
        )
    return manifest


def stage_archive(*, path: Path, work: Path, report: Reporter) -> Staged:
    """Read the archive once: check every member, copy the data files into ``work`` and verify them."""
    total = path.stat().st_size if path.is_file() else 0
    manifest: dict | None = None
    digests: dict[str, str] = {}
    media: dict[str, int] = {}
    seen: set[str] = set()
    with reading_archive(path) as (raw, tar):
        for member in tar:
            name = checked_member_name(member)
            if name in seen:
                raise ValidationError(
                    _("The archive holds %(member)s twice; the archive is refused.") % {"member": repr(name)}
                )
            seen.add(name)
            if member.isdir():
                if name in ("data", "media") or name.startswith("media/"):
                    continue
                raise ValidationError(
                    _("The archive holds an unexpected folder %(member)s; the archive is refused.")
                    % {"member": repr(name)}
                )
            if name == MANIFEST_NAME:
                manifest = _parse_manifest(tar, member, path)
            elif match := _DATA_MEMBER_RE.match(name):
                digests[name] = _copy_member(tar, member, work / f"{match.group(1)}.copy")
            elif name.startswith("media/"):
                media[name.removeprefix("media/")] = member.size
            else:
                raise ValidationError(
                    _("The archive holds an unexpected member %(member)s; the archive is refused.")
                    % {"member": repr(name)}
                )
            report.between("validating", 5, 35, raw.tell(), total)
    if manifest is None:
        raise ValidationError(
            _("%(archive)s has no %(manifest)s: it is not a GovSquare organisation archive.")
            % {"archive": path.name, "manifest": MANIFEST_NAME}
        )
    check_manifest(manifest)
    listed = {entry["file"]: table for table, entry in manifest["tables"].items()}
    for member_name, table in sorted(listed.items()):
        if member_name not in digests:
            raise ValidationError(
                _("The archive lacks %(member)s, which its manifest lists.") % {"member": member_name}
            )
        if digests[member_name] != manifest["tables"][table]["sha256"]:
            raise ValidationError(
                _("The checksum of %(member)s does not match the manifest: the archive is damaged or was altered.")
                % {"member": member_name}
            )
    unlisted = sorted(set(digests) - set(listed))
    if unlisted:
        raise ValidationError(
            _("The archive holds data files its manifest does not list: %(files)s.") % {"files": ", ".join(unlisted)}
        )
    check_migrations(manifest)
    return Staged(manifest=manifest, work=work, media=media)


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, destination: Path) -> str:
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    with destination.open("wb") as out:
        while source is not None and (chunk := source.read(CHUNK)):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def check_structure(*, manifest: dict, template: str) -> None:
    """Every table and column of the archive exists here, with the same types (the template is the truth)."""
    here = {name: [list(column) for column in table.columns] for name, table in schema_tables(template).items()}
    archived = {name: entry["columns"] for name, entry in manifest["tables"].items()}
    if here != archived:
        different = sorted(set(here) ^ set(archived)) or sorted(n for n in here if here[n] != archived.get(n))
        raise ValidationError(
            _(
                "The archive was made with a different database version: its tables differ from this GovSquare's "
                "(%(tables)s)."
            )
            % {"tables": ", ".join(different[:5])}
        )
