"""Quantities in words people read at a glance."""

from __future__ import annotations


def human_size(size: int) -> str:
    """A byte count in KB, MB or GB (powers of 1,000, as disks and downloads count)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
    return f"{size} bytes"
