"""What the home page tells anyone about matching: how many pairs of companies were ever
introduced to each other (those closed since included) and how many suggestions the agency ever
approved. Each match counts once, by the funnel's stages (`funnel.py`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figures:
    introductions: int
    approved: int
