"""Argument checks shared by the Python API: a wrong type or range raises TypeError or
ValueError naming the argument, instead of being truncated (``budget=10.7``) or reaching
pybind11 as an "incompatible function arguments" signature dump."""
from __future__ import annotations

import math
import numbers
import os
from typing import Any, Iterable, Mapping

import numpy as np

UINT64_MAX = 2**64 - 1
RUN_ID_MAX = 2**63 - 1  # run ids are SQLite integers
BUDGET_MAX = 2**64 - 1  # as the command line: the store keeps all 64 bits


def integer(name: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int: Python and numpy integers only (not bools, floats or text)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {v}")
    return v


def real(name: str, value: Any) -> float:
    """``value`` as a float: Python and numpy real numbers only (not bools or text)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    return float(value)


def boolean(name: str, value: Any) -> bool:
    """``value`` as a bool: True/False only (bool("no") would be True)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__})")
    return bool(value)


def name(argument: str, value: Any) -> str:
    """A registry name (env, agent): text only."""
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a name (str), got {value!r} ({type(value).__name__})")
    return value


def mapping(name: str, value: Any) -> Mapping:
    """A dict-like argument (None counts as empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {value!r} ({type(value).__name__})")
    return value


def targets(value: Any) -> dict[str, float | None]:
    """Metric targets: {metric name: number, or None to drop the env's default target on
    that metric} (the bindings pass None on as the core's "off"); a NaN is refused."""
    out: dict[str, float | None] = {}
    for k, v in mapping("targets", value).items():
        if v is None:
            out[str(k)] = None
            continue
        try:
            out[str(k)] = real(f"targets[{k!r}]", v)
        except TypeError as e:  # "off" is the command line's spelling
            raise TypeError(f"{e}; None turns the target off") from None
        if math.isnan(out[str(k)]):
            raise ValueError(f"targets[{k!r}] must be a number, or None to turn the target off; got nan")
    return out


def seed(value: Any, name: str = "seed") -> int:
    """A seed: an integer in [0, 2**64 - 1]."""
    return integer(name, value, 0, UINT64_MAX)


def option_text(name: str, value: Any) -> str:
    """An option value as the text the C++ schemas parse (numpy scalars as their Python
    values: repr(np.float64(0.5)) is "np.float64(0.5)", not "0.5"). None is refused: its
    text "None" would read as a file or preset name."""
    if value is None:
        raise TypeError(f"option {name}: None is not a value (leave the option out for its default)")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back to the same double
    return utf8_text(f"option {name}", str(value))  # a NUL is refused by the core's schema


def options_text(options: Any, name: str = "options") -> dict[str, str]:
    return {utf8_text("option name", str(k)): option_text(str(k), v)
            for k, v in mapping(name, options).items()}


def run_ids(runs: int | Iterable[int] | None, name: str = "runs") -> list[int]:
    """Run ids: None (every run), one id, or an iterable of distinct ids."""
    if runs is None:
        return []
    if isinstance(runs, (str, bytes)):
        raise TypeError(f"{name} must be a run id or a list of run ids, got {runs!r}")
    if isinstance(runs, numbers.Integral) and not isinstance(runs, (bool, np.bool_)):
        return [run_id(runs, name)]
    ids = [run_id(r, f"{name} entry") for r in runs]
    repeated = sorted({r for r in ids if ids.count(r) > 1})
    if repeated:
        raise ValueError(f"{name} lists run {', '.join(map(str, repeated))} more than once")
    return ids


def run_id(value: Any, name: str = "run_id") -> int:
    """A store's run id: an integer in [1, 2**63 - 1]."""
    return integer(name, value, 1, RUN_ID_MAX)


def formulation(value: Any) -> str:
    """A reward formulation name; None or "" mean the env's default."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"formulation must be a formulation name or None, got {value!r}")
    return value


def path(name: str, value: Any) -> str:
    """A file path given as str or os.PathLike (not None, a number or empty text)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {value!r}")
    text = os.fspath(value)
    if not isinstance(text, str):  # a PathLike whose __fspath__ gives bytes
        raise TypeError(f"{name} must be a path (str or pathlib.Path), got {value!r} (a bytes path)")
    if not text:
        raise ValueError(f"{name} must not be empty")
    return without_nul(name, utf8_text(name, text))


def without_nul(name: str, text: str) -> str:
    """``text`` unchanged unless it holds a NUL: the C library would end the text there, so
    that "runs.db\\0.bak" opened runs.db. Python's open() refuses such a path too."""
    if "\0" in text:
        raise ValueError(f"{name}: {text!r} contains a NUL character ('\\x00'); a path cannot "
                         "contain one")
    return text


def utf8_text(name: str, text: str) -> str:
    """``text`` unchanged if UTF-8 can encode it, as the core needs (convert.cpp's to_text)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name}: {text!r} is not valid text (a lone surrogate, as Python gives an "
                         f"undecodable file-name byte); allowed: text UTF-8 can encode") from None
    return text


def utf8_safe(text: str) -> str:
    """``text`` with what UTF-8 cannot encode (a lone surrogate, as an undecodable file name
    gives) written as a backslash escape: for messages to store, which must not be lost."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
