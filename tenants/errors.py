"""The one formatter of errors for people: what an operator, an administrator or a person is told.

Background jobs record a reason, the audit trail a failure, forms and the API field errors: all from
here, so that the same error reads the same everywhere.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

#: Longest reason kept in a job, an audit record or a fleet report.
REASON_LENGTH = 2000


def error_messages_by_field(error: ValidationError) -> dict[str, list[str]]:
    """The messages of ``error`` per field; messages that belong to no field under ``NON_FIELD_ERRORS``."""
    if hasattr(error, "error_dict"):
        return {field: [str(message) for message in messages] for field, messages in error.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(message) for message in error.messages]}


def error_for_people(error: BaseException, *, fields: bool = True, limit: int = REASON_LENGTH) -> str:
    """One line saying why something failed.

    A ``ValidationError`` gives its messages (``field: message`` when ``fields`` and the error names fields);
    anything else its type and text. White space is folded and the line cut at ``limit`` characters.
    """
    if isinstance(error, ValidationError):
        by_field = error_messages_by_field(error)
        if fields and NON_FIELD_ERRORS not in by_field:
            text = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in by_field.items())
        else:
            text = " ".join(message for messages in by_field.values() for message in messages)
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:limit]
