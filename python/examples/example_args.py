"""argparse types shared by the examples (run them from this directory, or with it on
sys.path): counts and seeds are checked when parsed, so a bad value is an argparse error
naming the flag rather than a traceback from deep inside a run."""
from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed_int(text: str) -> int:
    """A seed numpy accepts, 0..2**32 - 1."""
    value = int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in 0..{2**32 - 1}, got {value}")
    return value
