"""The report as a list of plain blocks, rendered twice: Markdown (:mod:`.markdown`) and HTML
(:mod:`.html`).

Text may hold ``code`` spans in backticks; everything else is plain text (renderers escape it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Paragraph:
    text: str


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Image:
    path: Path  # absolute; Markdown links it relative to the run directory, HTML embeds it
    alt: str


@dataclass
class Code:
    text: str
    language: str = ""


@dataclass
class Details:
    """A collapsed part: its summary line shows, its blocks open on a click."""

    summary: str
    blocks: list[Block] = field(default_factory=list)


Block = Heading | Paragraph | Bullets | Table | Image | Code | Details
