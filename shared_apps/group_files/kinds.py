"""Which files a group accepts: by extension (``settings.GROUP_FILE_EXTENSIONS``) AND by what the file is.

A file's first bytes (and, for the office formats, which are ZIP archives, the archive's table of
contents) must be what its extension says; the browser's claimed content type is never trusted. The
content type a file is stored and sent with comes from here, one per kind.

Only the kinds described in ``KINDS`` can be accepted: an extension configured in the setting without a
description here is refused (it cannot be checked).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings

#: How much of a file's beginning is looked at for its signature (and for text: that it is text).
SNIFF_BYTES = 8192


def _starts(*signatures: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _file: head.startswith(signatures)


def _webp(head: bytes, _file: IO[bytes]) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _zip_names(file: IO[bytes]) -> list[str] | None:
    """The names in a ZIP archive, or ``None`` if it is not one."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)


def _zip(head: bytes, file: IO[bytes]) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06")) and _zip_names(file) is not None


def _office_open_xml(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    """A Word, Excel or PowerPoint file: a ZIP with ``[Content_Types].xml`` and its part's folder."""

    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(file)
        return names is not None and "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _open_document(mimetype: str) -> Callable[[bytes, IO[bytes]], bool]:
    """An OpenDocument file: a ZIP whose first entry, ``mimetype``, stored uncompressed, says which kind."""
    return lambda head, _file: (
        head.startswith(b"PK\x03\x04")
        and head[30:38] == b"mimetype"
        and head[38 : 38 + len(mimetype)] == mimetype.encode("ascii")
    )


#: Control characters that plain text does not contain (tab, line feed, form feed and carriage return
#: are text; so are the bytes 0x80-0xff of UTF-8 and of the Windows code pages).
_NOT_TEXT = bytes(set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D}) + b"\x7f"


def _text(head: bytes, _file: IO[bytes]) -> bool:
    return len(head.translate(None, _NOT_TEXT)) == len(head)


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    check: Callable[[bytes, IO[bytes]], bool]


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"

KINDS: dict[str, Kind] = {
    kind.extension: kind
    for kind in (
        Kind("pdf", "application/pdf", _starts(b"%PDF-")),
        Kind("docx", f"{_OOXML}.wordprocessingml.document", _office_open_xml("word/")),
        Kind("xlsx", f"{_OOXML}.spreadsheetml.sheet", _office_open_xml("xl/")),
        Kind("pptx", f"{_OOXML}.presentationml.presentation", _office_open_xml("ppt/")),
        Kind("odt", f"{_ODF}.text", _open_document(f"{_ODF}.text")),
        Kind("ods", f"{_ODF}.spreadsheet", _open_document(f"{_ODF}.spreadsheet")),
        Kind("odp", f"{_ODF}.presentation", _open_document(f"{_ODF}.presentation")),
        Kind("txt", "text/plain", _text),
        Kind("csv", "text/csv", _text),
        Kind("md", "text/markdown", _text),
        Kind("png", "image/png", _starts(b"\x89PNG\r\n\x1a\n")),
        Kind("jpg", "image/jpeg", _starts(b"\xff\xd8\xff")),
        Kind("jpeg", "image/jpeg", _starts(b"\xff\xd8\xff")),
        Kind("gif", "image/gif", _starts(b"GIF87a", b"GIF89a")),
        Kind("webp", "image/webp", _webp),
        Kind("zip", "application/zip", _zip),
    )
}


def accepted_extensions() -> list[str]:
    """The extensions a group accepts now: those of the setting that can be checked, in its order."""
    configured = [str(ext).lower().lstrip(".") for ext in getattr(settings, "GROUP_FILE_EXTENSIONS", [])]
    return [ext for ext in dict.fromkeys(configured) if ext in KINDS]


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def kind_for_name(name: str) -> Kind | None:
    """The accepted kind a file's name says it is (by its extension), or ``None``."""
    extension = extension_of(name)
    return KINDS[extension] if extension in accepted_extensions() else None


def content_matches(*, kind: Kind, file: IO[bytes]) -> bool:
    """Whether the file's content is of ``kind`` (reads its beginning, and a ZIP's table of contents)."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if not head:
        return False
    return kind.check(head, file)
