"""Which workflow variables a piece of definition text reads.

"Passing data between states with variables" (https://docs.aws.amazon.com/step-functions/latest/
dg/workflow-variables.html): a state reads a variable as ``$name`` — in a JSONPath state inside a
``.$`` value, a path field or an intrinsic function argument (``$name``, ``$name.field``,
``States.Format('{}', $name)``); in a JSONata state inside a ``{% %}`` expression.

The JSONata scan is lexical, not a parse: it skips string literals, comments and backquoted
names, and leaves out ``$states``, JSONata's built-in functions, the functions Step Functions
adds, and every name the expression binds itself (``$x := ...``, ``function($a, $b)``, the
``@$v`` / ``#$i`` path bindings). A name bound anywhere in the expression is treated as bound
everywhere in it, so the scan can only miss a read, never invent one.
"""

from __future__ import annotations

import re

# $states is reserved (workflow-variables.html "Reserved variable: $states").
RESERVED = frozenset({"states"})

# JSONata 2.x built-in functions (https://docs.jsonata.org/ "Function library").
_JSONATA_BUILTINS = frozenset(
    {
        "sum",
        "count",
        "max",
        "min",
        "average",
        "string",
        "substring",
        "substringBefore",
        "substringAfter",
        "lowercase",
        "uppercase",
        "length",
        "trim",
        "pad",
        "contains",
        "split",
        "join",
        "match",
        "replace",
        "now",
        "millis",
        "fromMillis",
        "toMillis",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "parseInteger",
        "number",
        "abs",
        "floor",
        "ceil",
        "round",
        "power",
        "sqrt",
        "random",
        "boolean",
        "not",
        "exists",
        "keys",
        "lookup",
        "spread",
        "merge",
        "sift",
        "each",
        "error",
        "assert",
        "type",
        "sort",
        "reverse",
        "shuffle",
        "distinct",
        "zip",
        "append",
        "filter",
        "map",
        "reduce",
        "single",
        "eval",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
        "clone",
    }
)
# Added by Step Functions (transforming-data.html "JSONata functions provided by Step Functions").
_AWS_FUNCTIONS = frozenset({"partition", "range", "hash", "random", "uuid", "parse"})
NOT_VARIABLES = RESERVED | _JSONATA_BUILTINS | _AWS_FUNCTIONS

_NAME = re.compile(r"\$([^\W\d]\w*)")
# Parameter list of a JSONata function definition: function($a, $b) or λ($a).
_PARAMS = re.compile(r"(?:\bfunction|λ)\s*\(([^)]*)\)")
_BINDING = re.compile(r"\$([^\W\d]\w*)\s*:=")
_PATH_BINDING = re.compile(r"[@#]\s*\$([^\W\d]\w*)")


def jsonpath_reads(text: str) -> set[str]:
    """Variables read by a JSONPath path or intrinsic call (``$x.a``, ``States.Array($x)``)."""
    names = set()
    for match in _NAME.finditer(_strip(text, quotes="'")):
        start = match.start()
        if start > 0 and text[start - 1] == "$":
            continue  # $$ is the context object
        names.add(match.group(1))
    return names - RESERVED


def jsonata_reads(expression: str) -> set[str]:
    """Variables read by a JSONata expression (the text between ``{%`` and ``%}``)."""
    code = _strip(expression, quotes="'\"`")
    bound = set(_BINDING.findall(code)) | set(_PATH_BINDING.findall(code))
    for params in _PARAMS.findall(code):
        bound.update(_NAME.findall(params))
    names = set()
    for match in _NAME.finditer(code):
        start = match.start()
        if start > 0 and code[start - 1] == "$":
            continue
        names.add(match.group(1))
    return names - bound - NOT_VARIABLES


def _strip(text: str, *, quotes: str) -> str:
    """Blank out quoted strings and ``/* */`` comments, keeping every other character."""
    out: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char in quotes:
            end = _closing(text, index, char)
            out.append(" " * (end - index))
            index = end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = length if end < 0 else end + 2
            out.append(" " * (end - index))
            index = end
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _closing(text: str, start: int, quote: str) -> int:
    """Index just past the string literal opened at ``start`` (backslash escapes honoured)."""
    index = start + 1
    while index < len(text):
        if text[index] == "\\" and quote != "`":
            index += 2
            continue
        if text[index] == quote:
            return index + 1
        index += 1
    return len(text)
