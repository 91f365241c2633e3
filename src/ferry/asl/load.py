"""Load a definition from text, a file or a decoded object: validate it, then build the model."""

from __future__ import annotations

from pathlib import Path

from ferry.asl.build import build
from ferry.asl.model import StateMachine
from ferry.asl.validate import parse_definition_text, validate
from ferry.errors import DefinitionError, InputError
from ferry.jsontypes import JSON


def load_definition(source: JSON) -> StateMachine:
    """Validate a decoded definition and build its model; raise DefinitionError if invalid."""
    diagnostics = validate(source)
    if diagnostics:
        raise DefinitionError(list(diagnostics))
    return build(source)


def load_text(text: str) -> StateMachine:
    """Parse JSON or YAML text, then :func:`load_definition`."""
    document, diagnostics = parse_definition_text(text)
    if diagnostics:
        raise DefinitionError(list(diagnostics))
    return load_definition(document)


def load_file(path: Path) -> StateMachine:
    """Read a definition file (JSON or YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the definition: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the definition is not UTF-8 text") from None
    return load_text(text)
