"""Validation diagnostics: what is wrong with a definition, where, in AWS's own codes.

The codes are those of the ValidateStateMachineDefinition API
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html),
so a user can search AWS's documentation for any diagnostic Ferry prints.
"""

from __future__ import annotations

from dataclasses import dataclass

INVALID_JSON_DESCRIPTION = "INVALID_JSON_DESCRIPTION"
MISSING_DESCRIPTION = "MISSING_DESCRIPTION"
SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"
INVALID_RESOURCE = "INVALID_RESOURCE"
MISSING_END_STATE = "MISSING_END_STATE"
DUPLICATE_STATE_NAME = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
DUPLICATE_LABEL_NAME = "DUPLICATE_LABEL_NAME"
INVALID_LABEL_NAME = "INVALID_LABEL_NAME"
MISSING_TRANSITION_TARGET = "MISSING_TRANSITION_TARGET"
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"

# Severities of ValidateStateMachineDefinition diagnostics: an ERROR fails validation, a WARNING
# does not (CreateStateMachine accepts the definition).
ERROR = "ERROR"
WARNING = "WARNING"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a definition.

    Attributes:
        code: AWS's diagnostic code, e.g. ``SCHEMA_VALIDATION_FAILED``.
        location: JSON Pointer to the offending value (``""`` is the whole document).
        message: Plain English: what is wrong and what was expected.
        severity: ``ERROR`` (AWS rejects the definition) or ``WARNING`` (AWS accepts it).
    """

    code: str
    location: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        where = self.location or "/"
        marker = "warning: " if self.severity == WARNING else ""
        return f"{where}: {marker}{self.code}: {self.message}"


def pointer(base: str, *keys: str | int) -> str:
    """Extend the JSON Pointer ``base`` with ``keys``, escaping ``~`` and ``/`` (RFC 6901)."""
    parts = [str(key).replace("~", "~0").replace("/", "~1") for key in keys]
    return "/".join([base, *parts])
