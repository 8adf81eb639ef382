"""Argument types the `coop` commands share."""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(text: str) -> date:
    """A date as YYYY-MM-DD; anything else is a usage error naming the value."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
