"""Streaming parsers for ItemReader datasets: lines, text delimited records, JSON arrays.

Each parser takes an iterator of byte chunks (an S3 object body, decompressed) and yields
items one at a time, holding at most one item (plus one read chunk) in memory. Malformed
input raises :class:`FormatError` with a message that says where and what was expected; the
reader turns it into ``States.ItemReaderFailed``.

Text delimited files follow "How Step Functions parses input CSV files"
(docs step-functions/latest/dg/example-csv-parse-dist-map.html): newlines separate records;
double quotes enclose fields that hold delimiters or newlines and are kept by doubling them;
a backslash escapes a backslash, a double quote or the delimiter, and is dropped before any
other character. Python's ``csv`` module differs (it keeps ``""`` literally in an unquoted
field, where AWS's own example turns ``{""MyKey""}`` into ``{"MyKey"}``), hence this parser.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator

from ferry.jsontypes import JSON

MAX_ITEM_BYTES = 8 * 1024 * 1024
"""Largest item Step Functions reads from a CSV, JSON or JSON Lines file (8 MB: ItemReader docs)."""

_Decode = Callable[[bytes, bool], str]

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class FormatError(Exception):
    """The dataset is not what its InputType says; the message says where and why."""


def byte_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The lines of a byte stream, without their ``\\n`` / ``\\r\\n`` endings.

    Splitting bytes is safe for UTF-8, where the newline byte is never part of another
    character. A line over :data:`MAX_ITEM_BYTES` is an error (it cannot be one item).
    """
    pending = bytearray()
    number = 0
    for chunk in chunks:
        pending += chunk
        start = 0
        while (end := pending.find(b"\n", start)) >= 0:
            number += 1
            yield _line(pending[start:end], number)
            start = end + 1
        del pending[:start]
        if len(pending) > MAX_ITEM_BYTES:
            raise FormatError(f"line {number + 1} is longer than {MAX_ITEM_BYTES} bytes")
    if pending:
        yield _line(pending, number + 1)


def _line(raw: bytearray, number: int) -> bytes:
    if len(raw) > MAX_ITEM_BYTES:
        raise FormatError(f"line {number} is longer than {MAX_ITEM_BYTES} bytes")
    return bytes(raw[:-1] if raw.endswith(b"\r") else raw)


def text_lines(chunks: Iterator[bytes]) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` for each line of UTF-8 text (a leading BOM is dropped)."""
    for number, raw in enumerate(byte_lines(chunks), start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(f"line {number} is not UTF-8 text ({exc.reason})") from None
        yield number, text


def json_lines(chunks: Iterator[bytes]) -> Iterator[JSON]:
    """One JSON value per non-blank line (JSON Lines)."""
    for number, text in text_lines(chunks):
        if not text.strip():
            continue
        try:
            yield json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(
                f"line {number} is not JSON: {exc.msg} at column {exc.colno}"
            ) from None


def delimited_records(chunks: Iterator[bytes], delimiter: str) -> Iterator[list[str]]:
    """The records of a text delimited file, each a list of field strings; blank lines skipped."""
    record = _Record(delimiter)
    for _number, text in text_lines(chunks):
        if not record.feed(text):
            continue
        if record.fields != [""]:
            yield record.fields
        record = _Record(delimiter)
    if record.started:
        yield record.finish()


class _Record:
    """One record being parsed; a quoted field may carry it over several lines."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.fields: list[str] = []
        self.field: list[str] = []
        self.quoted = False
        self.started = False

    def feed(self, line: str) -> bool:
        """Parse one line; True when the record is complete (no quoted field left open)."""
        self.started = True
        index = 0
        while index < len(line):
            index = self._char(line, index)
        if self.quoted:
            self.field.append("\n")
            return False
        self.finish()
        return True

    def finish(self) -> list[str]:
        """Close the last field (an unterminated quote at the end of the file ends here)."""
        self.fields.append("".join(self.field))
        self.field = []
        return self.fields

    def _char(self, line: str, index: int) -> int:
        char = line[index]
        following = line[index + 1] if index + 1 < len(line) else ""
        if char == "\\":
            if following in ("\\", '"', self.delimiter) and following:
                self.field.append(following)
                return index + 2
            return index + 1
        if char == '"':
            return self._quote(following, index)
        if char == self.delimiter and not self.quoted:
            self.fields.append("".join(self.field))
            self.field = []
        else:
            self.field.append(char)
        return index + 1

    def _quote(self, following: str, index: int) -> int:
        opening = not self.quoted and not self.field
        if following == '"' and not opening:
            self.field.append('"')
            return index + 2
        self.quoted = not self.quoted
        return index + 1


def json_document(chunks: Iterator[bytes]) -> JSON:
    """A whole JSON document (for nested data that must be navigated, and small manifests)."""
    try:
        return json.loads(b"".join(chunks).decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FormatError(f"the file is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"the file is not JSON: {exc.msg} at line {exc.lineno}") from None


def json_array(chunks: Iterator[bytes]) -> Iterator[JSON]:
    """The elements of a JSON array file, decoded one at a time."""
    return _ArrayStream(chunks).elements()


class _ArrayStream:
    """A JSON array read incrementally: only the element being decoded is held in text."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._decode = _utf8_decoder()
        self._text = ""
        self._pos = 0
        self._eof = False

    def elements(self) -> Iterator[JSON]:
        if self._peek() != "[":
            raise FormatError("the file does not hold a JSON array: expected '[' first")
        self._pos += 1
        if self._peek() == "]":
            self._pos += 1
        else:
            yield from self._values()
        if self._peek():
            raise FormatError("unexpected text after the closing ']' of the JSON array")

    def _values(self) -> Iterator[JSON]:
        index = 0
        while True:
            yield self._value(index)
            separator = self._peek()
            self._pos += 1
            if separator == "]":
                return
            if separator != ",":
                raise FormatError(f"expected ',' or ']' after array element {index}")
            index += 1

    def _value(self, index: int) -> JSON:
        self._peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                if self._read_more():
                    continue
                raise FormatError(f"array element {index} is not JSON: {exc.msg}") from None
            # A number or literal ending exactly at the end of the text may go on in the next
            # chunk ("12" of "123"): read on before trusting it.
            if end == len(self._text) and self._read_more():
                continue
            if end - self._pos > MAX_ITEM_BYTES:
                raise FormatError(f"array element {index} is larger than {MAX_ITEM_BYTES} bytes")
            self._pos = end
            return value

    def _peek(self) -> str:
        """The next non-whitespace character ('' at the end), reading on as needed."""
        while True:
            self._pos = _WHITESPACE.match(self._text, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._read_more():
                return ""

    def _read_more(self) -> bool:
        """Append at least as much text as is pending (doubling keeps re-decoding linear)."""
        pending = len(self._text) - self._pos
        added: list[str] = []
        size = 0
        while not self._eof and (size == 0 or size < pending):
            chunk = next(self._chunks, None)
            if chunk is None:
                self._eof = True
                added.append(self._decode(b"", True))
            else:
                added.append(self._decode(chunk, False))
            size += len(added[-1])
        if size == 0:
            return False
        if pending > MAX_ITEM_BYTES:
            raise FormatError(f"an array element is larger than {MAX_ITEM_BYTES} bytes")
        self._text = self._text[self._pos :] + "".join(added)
        self._pos = 0
        return True


def _utf8_decoder() -> _Decode:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()

    def decode(data: bytes, final: bool) -> str:
        try:
            return decoder.decode(data, final)
        except UnicodeDecodeError as exc:
            raise FormatError(f"the file is not UTF-8 text ({exc.reason})") from None

    return decode
