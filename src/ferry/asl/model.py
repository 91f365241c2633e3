"""The frozen, typed model of a state machine definition.

Built by :mod:`ferry.asl.build` from a definition that passed :mod:`ferry.asl.validate`.
Expressions are compiled once here, never per evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ferry.expr import QueryPath, ReferencePath, Template
from ferry.expr.jsonata_template import JsonataTemplate
from ferry.jsontypes import JSON

QueryLanguage = Literal["JSONPath", "JSONata"]

Assignment = Template | JsonataTemplate
"""An ``Assign`` object: a JSONPath payload template (``.$`` keys) in a JSONPath state, a
JSONata template (``{% %}`` strings) in a JSONata state."""

PathOrNull = ReferencePath | None
"""A ResultPath: ``None`` stands for JSON ``null`` (discard the result)."""

QueryOrNull = QueryPath | None
"""An InputPath/OutputPath (a Path, which may be indefinite): ``None`` stands for ``null``."""


@dataclass(frozen=True, slots=True)
class Retrier:
    """One element of ``Retry``."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: Literal["FULL", "NONE"] = "NONE"


@dataclass(frozen=True, slots=True)
class Catcher:
    """One element of ``Catch``."""

    error_equals: tuple[str, ...]
    next: str
    result_path: PathOrNull
    assign: Assignment | None = None
    output: JsonataTemplate | None = None  # JSONata: the state's output (default: errorOutput)


@dataclass(frozen=True, slots=True)
class Comparison:
    """A leaf Choice rule: ``Variable`` ``Operator`` value (or ``*Path`` value)."""

    variable: ReferencePath
    operator: str  # e.g. "StringEquals", "NumericLessThanPath", "IsPresent"
    value: JSON  # literal operand; for *Path operators a ReferencePath
    next: str | None = None
    assign: Assignment | None = None  # only on top-level rules


@dataclass(frozen=True, slots=True)
class BoolRule:
    """``And``/``Or`` over several rules, or ``Not`` over one."""

    operator: Literal["And", "Or", "Not"]
    rules: tuple[ChoiceRule, ...]
    next: str | None = None
    assign: Assignment | None = None  # only on top-level rules


@dataclass(frozen=True, slots=True)
class ConditionRule:
    """A JSONata Choice rule: ``Condition`` (a boolean or an expression), then ``Next``."""

    condition: JsonataTemplate
    next: str | None = None
    assign: Assignment | None = None
    output: JsonataTemplate | None = None


ChoiceRule = Comparison | BoolRule | ConditionRule


@dataclass(frozen=True, slots=True, kw_only=True)
class StateBase:
    """Fields every state may carry."""

    name: str
    comment: str | None = None
    next: str | None = None
    end: bool = False
    input_path: QueryOrNull = field(default=None)
    output_path: QueryOrNull = field(default=None)
    query_language: QueryLanguage = "JSONPath"
    assign: Assignment | None = None
    output: JsonataTemplate | None = None  # JSONata ``Output``


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(StateBase):
    """``Type: Pass``."""

    parameters: Template | None = None
    result: JSON = None
    has_result: bool = False
    result_path: PathOrNull = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskState(StateBase):
    """``Type: Task``."""

    resource: str
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: PathOrNull = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    timeout_seconds: int | None = None
    timeout_seconds_path: ReferencePath | None = None
    heartbeat_seconds: int | None = None
    heartbeat_seconds_path: ReferencePath | None = None
    arguments: JsonataTemplate | None = None
    timeout_seconds_expr: JsonataTemplate | None = None
    heartbeat_seconds_expr: JsonataTemplate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(StateBase):
    """``Type: Choice``."""

    choices: tuple[ChoiceRule, ...]
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(StateBase):
    """``Type: Wait``: exactly one of the four timing fields is set."""

    seconds: int | None = None
    timestamp: str | None = None
    seconds_path: ReferencePath | None = None
    timestamp_path: ReferencePath | None = None
    seconds_expr: JsonataTemplate | None = None
    timestamp_expr: JsonataTemplate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(StateBase):
    """``Type: Succeed``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(StateBase):
    """``Type: Fail``."""

    error: str | None = None
    cause: str | None = None
    error_path: ReferencePath | Template | None = None
    cause_path: ReferencePath | Template | None = None
    error_expr: JsonataTemplate | None = None
    cause_expr: JsonataTemplate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(StateBase):
    """``Type: Parallel``."""

    branches: tuple[StateMachine, ...]
    parameters: Template | None = None
    arguments: JsonataTemplate | None = None
    result_selector: Template | None = None
    result_path: PathOrNull = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(StateBase):
    """``Type: Map`` (inline mode)."""

    processor: StateMachine
    items_path: QueryPath | None = None
    items: JsonataTemplate | None = None  # JSONata ``Items``
    item_selector: Template | JsonataTemplate | None = None
    max_concurrency: int = 0
    max_concurrency_path: ReferencePath | None = None
    tolerated_failure_count: int | None = None
    tolerated_failure_count_path: ReferencePath | None = None
    tolerated_failure_percentage: float | None = None
    tolerated_failure_percentage_path: ReferencePath | None = None
    result_selector: Template | None = None
    result_path: PathOrNull = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    label: str | None = None
    mode: Literal["INLINE", "DISTRIBUTED"] = "INLINE"
    max_concurrency_expr: JsonataTemplate | None = None
    tolerated_failure_count_expr: JsonataTemplate | None = None
    tolerated_failure_percentage_expr: JsonataTemplate | None = None
    distributed: DistributedConfig | None = None


@dataclass(frozen=True, slots=True)
class DistributedConfig:
    """What only a Distributed Map has: how children run and where items come from and go.

    The reader, batcher and writer objects are kept as written; their ``Parameters`` /
    ``Arguments`` (and ItemBatcher's numbers) are evaluated when the state runs.
    """

    execution_type: Literal["STANDARD", "EXPRESS"]
    processor_definition: dict[str, JSON]  # the children's state machine, as JSON
    item_reader: dict[str, JSON] | None = None
    item_batcher: dict[str, JSON] | None = None
    result_writer: dict[str, JSON] | None = None


State = (
    PassState
    | TaskState
    | ChoiceState
    | WaitState
    | SucceedState
    | FailState
    | ParallelState
    | MapState
)


@dataclass(frozen=True, slots=True)
class StateMachine:
    """A state machine, or a Parallel branch / Map processor (same shape)."""

    start_at: str
    states: dict[str, State]
    comment: str | None = None
    timeout_seconds: int | None = None
    query_language: QueryLanguage = "JSONPath"
