"""Blocks → Markdown (GitHub flavour: tables, ``<details>``); images linked relative to the run
directory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from lstm_nlp.report.document import Block, Bullets, Code, Details, Heading, Image, Paragraph, Table


def cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(block: Table) -> list[str]:
    lines = [
        "| " + " | ".join(cell(h) for h in block.header) + " |",
        "|" + "---|" * len(block.header),
    ]
    return lines + ["| " + " | ".join(cell(c) for c in row) + " |" for row in block.rows]


def code(block: Code) -> list[str]:
    fence = "````" if "```" in block.text else "```"
    return [fence + block.language, block.text.rstrip("\n"), fence]


def render_block(block: Block, base: Path) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + block.text]
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Image):
        return [f"![{block.alt}]({Path(os.path.relpath(block.path, base)).as_posix()})"]
    if isinstance(block, Code):
        return code(block)
    if isinstance(block, Details):
        inner = [line for b in block.blocks for line in [*render_block(b, base), ""]]
        return [f"<details><summary>{block.summary}</summary>", "", *inner, "</details>"]
    raise TypeError(f"not a report block: {block!r}")


def render(blocks: Sequence[Block], base: Path) -> str:
    """The Markdown text of ``blocks``, for a file in the folder ``base``."""
    return "\n".join(line for block in blocks for line in [*render_block(block, base), ""])
