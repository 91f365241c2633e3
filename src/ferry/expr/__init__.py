"""Expressions of the JSONPath query language: reference paths, JSONPath queries, payload
templates (``.$`` keys) and intrinsic functions. JSONata joins later behind the same idea:
compile once per definition, evaluate many times."""

from ferry.expr.errors import ExprError, PathNotFound
from ferry.expr.paths import QueryPath, ReferencePath, compile_path, compile_reference_path
from ferry.expr.template import Template, compile_template

__all__ = [
    "ExprError",
    "PathNotFound",
    "QueryPath",
    "ReferencePath",
    "Template",
    "compile_path",
    "compile_reference_path",
    "compile_template",
]
