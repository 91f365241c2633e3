"""Key/value configuration files for ``ferry config migrate``: ``.env``, JSON and YAML.

Every reader returns ``{key: value}`` with string values, in file order:

- ``.env``: ``KEY=VALUE`` lines, optionally prefixed by ``export``; ``#`` starts a comment
  (inside an unquoted value only after whitespace). Double-quoted values may span lines and
  understand ``\\n``, ``\\t``, ``\\"`` and ``\\\\``; single-quoted values are literal and may
  span lines too. ``${VAR}`` is *not* expanded: values are taken as written. A repeated key
  keeps its last value, as python-dotenv and Docker Compose do.
- JSON and YAML: an object at the top; nested objects become keys joined with ``/``
  (``{"db": {"password": ...}}`` gives ``db/password``). Strings stay as they are, booleans
  become ``true``/``false``, numbers their JSON text, lists their compact JSON text, YAML dates
  ISO 8601. ``null`` is refused: there is nothing to store.

Errors never quote the file's text — a malformed line may hold a secret — only the file, the
line (and column) and what was expected.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import yaml

from ferry.errors import InputError

_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def file_format(path: Path) -> str:
    """``env``, ``json`` or ``yaml`` from the file's name, or an :class:`InputError`."""
    name = path.name.lower()
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "env"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    raise InputError(
        f"{path}: cannot tell the format from the name: expected a .env, .json, .yaml or .yml file"
    )


def read_file(path: Path) -> dict[str, str]:
    """The keys and values of the ``.env``, JSON or YAML file ``path``."""
    kind = file_format(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if kind == "env":
        return parse_env(text, str(path))
    return flatten(_load_document(text, kind, str(path)), str(path))


def _load_document(text: str, kind: str, where: str) -> Any:
    if kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        place = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise InputError(f"{where}: not valid YAML ({place}{exc.problem})") from None
    except yaml.YAMLError:
        raise InputError(f"{where}: not valid YAML") from None


def flatten(document: Any, where: str) -> dict[str, str]:
    """A JSON/YAML document's keys joined with ``/`` and its values as text."""
    if not isinstance(document, dict):
        found = "nothing" if document is None else type(document).__name__
        raise InputError(f"{where}: expected an object of keys at the top, found {found}")
    result: dict[str, str] = {}
    _flatten_into(result, document, "", where)
    return result


def _flatten_into(result: dict[str, str], mapping: dict[Any, Any], prefix: str, where: str) -> None:
    for raw_key, value in mapping.items():
        if isinstance(raw_key, bool) or not isinstance(raw_key, str | int):
            raise InputError(f"{where}: key {raw_key!r} under /{prefix}: expected a string key")
        key = f"{prefix}{raw_key}"
        if isinstance(value, dict):
            _flatten_into(result, value, f"{key}/", where)
        else:
            result[key] = _text(value, key, where)


def _text(value: Any, key: str, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        raise InputError(f"{where}: key {key}: null has no value to store")
    raise InputError(f"{where}: key {key}: expected a string, number, boolean or list")


def parse_env(text: str, where: str) -> dict[str, str]:
    """The ``KEY=VALUE`` pairs of a ``.env`` file's text (rules in the module docstring)."""
    result: dict[str, str] = {}
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, rest = line.partition("=")
        key = key.strip()
        if not sep or not _ENV_KEY.fullmatch(key):
            raise InputError(f"{where}: line {number}: expected KEY=VALUE")
        rest = rest.lstrip()
        if rest[:1] in {'"', "'"}:
            value, index = _quoted(rest, lines, index, f"{where}: line {number}: {key}")
        else:
            value = re.split(r"\s#", rest, maxsplit=1)[0].rstrip()
        result[key] = value
    return result


def _quoted(rest: str, lines: list[str], index: int, where: str) -> tuple[str, int]:
    """The value of a quoted ``rest`` (continuing on ``lines[index:]``) and the next index."""
    quote, body = rest[0], rest[1:]
    chunks: list[str] = []
    while True:
        end = _closing(body, quote)
        if end >= 0:
            chunks.append(body[:end])
            trailing = body[end + 1 :].strip()
            if trailing and not trailing.startswith("#"):
                raise InputError(f"{where}: unexpected text after the closing quote")
            break
        chunks.append(body)
        if index >= len(lines):
            raise InputError(f"{where}: the quoted value is never closed")
        body = "\n" + lines[index]
        index += 1
    joined = "".join(chunks)
    return (_unescape(joined) if quote == '"' else joined), index


def _closing(body: str, quote: str) -> int:
    """The index of the unescaped closing ``quote`` in ``body``, or -1."""
    position = 0
    while position < len(body):
        char = body[position]
        if quote == '"' and char == "\\":
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return -1


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body, flags=re.DOTALL)
