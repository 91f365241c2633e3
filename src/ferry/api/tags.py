"""Tagging actions: TagResource, UntagResource, ListTagsForResource (state machines and
activities). Tags live in the store with their resource. AWS answers a resource it does not
know (recorded: a version ARN) with ``ResourceNotFound``: "Resource not found: 'ARN'".
"""

from __future__ import annotations

from ferry.api import arns
from ferry.api.context import ApiContext
from ferry.api.errors import ApiError, validation_error
from ferry.api.params import JSONObject, Params
from ferry.jsontypes import JSON

MAX_KEY = 128
MAX_VALUE = 256


def read_tags(params: Params) -> dict[str, str]:
    """The ``tags`` list (``[{"key": ..., "value": ...}]``) as a dict."""
    tags: dict[str, str] = {}
    for index, item in enumerate(params.objects("tags")):
        key, value = item.get("key"), item.get("value", "")
        if not isinstance(key, str) or not isinstance(value, str):
            raise ApiError("SerializationException", f"Unexpected value type in tags[{index}]")
        if not 1 <= len(key) <= MAX_KEY:
            raise validation_error(
                f"Value '{key}' at 'tags.{index + 1}.member.key' failed to satisfy constraint: "
                f"Member must have length between 1 and {MAX_KEY}"
            )
        if len(value) > MAX_VALUE:
            raise validation_error(
                f"Value '{value}' at 'tags.{index + 1}.member.value' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_VALUE}"
            )
        tags[key] = value
    return tags


def _current(context: ApiContext, arn: str) -> dict[str, str]:
    """The resource's tags now (call with ``context.lock`` held).

    Raises:
        ApiError: ``InvalidArn`` or ``ResourceNotFound``.
    """
    arns.parse(arn, "stateMachine", "activity")
    resource = context.store.machines.describe(arn) or context.store.activities.describe(arn)
    if resource is None:
        raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
    return dict(resource.tags)


def _save(context: ApiContext, arn: str, tags: dict[str, str]) -> None:
    if not context.store.machines.set_tags(arn, tags):
        context.store.activities.set_tags(arn, tags)


def tag_resource(context: ApiContext, params: Params) -> JSONObject:
    """TagResource: add or overwrite tags."""
    arn = params.required("resourceArn", max_len=256)
    tags = read_tags(params)
    with context.lock:
        _save(context, arn, {**_current(context, arn), **tags})
    return {}


def untag_resource(context: ApiContext, params: Params) -> JSONObject:
    """UntagResource: remove tags by key (unknown keys are ignored)."""
    arn = params.required("resourceArn", max_len=256)
    keys = params.strings("tagKeys", required=True)
    with context.lock:
        current = _current(context, arn)
        for key in keys:
            current.pop(key, None)
        _save(context, arn, current)
    return {}


def list_tags_for_resource(context: ApiContext, params: Params) -> JSONObject:
    """ListTagsForResource."""
    arn = params.required("resourceArn", max_len=256)
    with context.lock:
        current = _current(context, arn)
    tags: list[JSON] = [{"key": k, "value": v} for k, v in current.items()]
    return {"tags": tags}


ACTIONS = {
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags_for_resource,
}
