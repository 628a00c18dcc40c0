"""The export's ``.zip`` writer and the row serialiser every app's share of an export uses."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

_SECRET_FIELD = re.compile(r"password|secret|token|key_hash", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def row_data(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model row as JSON-ready values: every concrete field but secrets (passwords, secrets, tokens)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude or _SECRET_FIELD.search(field.name):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, FieldFile):
            value = value.name or ""
        data[field.name] = value
    return data


def safe_name(name: str) -> str:
    """A stored file's base name, safe as a name inside the archive."""
    base = os.path.basename(name or "") or "file"
    return _UNSAFE_NAME.sub("_", base)[:120]


class PersonalArchive:
    """Writes the members of a person's export; what each app adds goes through ``json``, ``text`` and ``file``."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files = 0

    def json(self, name: str, data: Any) -> None:
        self.zf.writestr(name, json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))

    def text(self, name: str, text: str) -> None:
        self.zf.writestr(name, text)

    def file(self, name: str, field_file: FieldFile) -> str:
        """Copy a stored file (in the current schema's storage) into the archive; ``""`` if it is missing."""
        if not field_file or not field_file.name:
            return ""
        try:
            with (
                field_file.storage.open(field_file.name, "rb") as source,
                self.zf.open(name, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
        except OSError:
            return ""
        self.files += 1
        return name
