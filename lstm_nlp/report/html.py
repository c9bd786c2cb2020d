"""Blocks → one self-contained HTML page: images embedded as ``data:image/png;base64`` URIs, style
inline.

Nothing is fetched when the page opens (no scripts, stylesheets, fonts or links to other
files), so it can be mailed, archived or opened from a cluster's scratch disk as it is.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from pathlib import Path

from lstm_nlp.report.document import Block, Bullets, Code, Details, Heading, Image, Paragraph, Table

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; \
padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
code { background: #f3f3f3; padding: 0 0.2em; }
summary { cursor: pointer; font-weight: 600; margin: 0.5em 0; }
"""


def inline(text: str) -> str:
    """Escaped text with ``code`` spans."""
    parts = re.split(r"`([^`]*)`", str(text))
    return "".join(
        f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts)
    )


def data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def table(block: Table) -> str:
    head = "".join(f"<th>{inline(h)}</th>" for h in block.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>\n" for row in block.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}</tbody></table>"


def render_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{inline(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p>{inline(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{inline(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return table(block)
    if isinstance(block, Image):
        return f'<img src="{data_uri(block.path)}" alt="{html.escape(block.alt)}">'
    if isinstance(block, Code):
        return f"<pre><code>{html.escape(block.text)}</code></pre>"
    if isinstance(block, Details):
        inner = "\n".join(render_block(b) for b in block.blocks)
        return f"<details><summary>{inline(block.summary)}</summary>\n{inner}\n</details>"
    raise TypeError(f"not a report block: {block!r}")


def render(blocks: Sequence[Block], title: str) -> str:
    body = "\n".join(render_block(block) for block in blocks)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
