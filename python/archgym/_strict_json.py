"""JSON read from a store, refusing a key given twice in one object, as the core does
(core/strict_json.h): ``json.loads`` keeps the last value silently, so a hand-edited row
with a second ``PagePolicy`` read as another design than the one the core exports."""
from __future__ import annotations

import json
from typing import Any


class RepeatedKeyError(ValueError):
    """An object gives one key twice; the message names the key's path."""


class _RepeatedKey:
    """What an object with a key given twice parses to, in place of a dict: the key's path.
    json calls the hook innermost object first, so each enclosing object prefixes its key."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path


def _repeated_in(value: Any) -> _RepeatedKey | None:
    """The first _RepeatedKey in ``value`` or in lists nested in it (objects in them were
    checked by their own hook). Without recursion: nesting may be as deep as json allows."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, _RepeatedKey):
            return v
        if isinstance(v, list):
            stack.extend(reversed(v))
    return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict | _RepeatedKey:
    obj: dict = {}
    for key, value in pairs:
        inner = _repeated_in(value) if isinstance(value, (list, _RepeatedKey)) else None
        if inner is not None:
            return _RepeatedKey(f"{key}.{inner.path}")
        if key in obj:
            return _RepeatedKey(key)
        obj[key] = value
    return obj


def loads(text: str) -> Any:
    """``json.loads(text)``; RepeatedKeyError "KEY.PATH: key given twice in one object
    (...)" (the core's words) when an object repeats a key, json's own errors otherwise."""
    value = json.loads(text, object_pairs_hook=_unique_keys)
    repeated = _repeated_in(value)
    if repeated is not None:
        raise RepeatedKeyError(f"{repeated.path}: key given twice in one object "
                               "(JSON keys must be unique; keep one)")
    return value
