"""The docs: the generated configuration reference covers every option, every relative link in
the README and the docs points at a file, and the tutorial notebook is committed without
outputs (its pictures come from running it: ``make docs`` executes it)."""

import json
import re
from dataclasses import fields, is_dataclass
from importlib import import_module
from pathlib import Path

import pytest

from lstm_nlp.cli.common import COMMANDS
from lstm_nlp.cli.reference import config_reference
from lstm_nlp.registry import REGISTRIES
from lstm_nlp.schema.help import option_rows

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


@pytest.fixture(scope="module")
def reference():
    return config_reference()


def test_the_reference_has_every_command_and_its_options(reference):
    for name in COMMANDS:
        command = import_module(f"lstm_nlp.cli.{name}").COMMAND
        assert f"## `{command.prog}`" in reference
        for row in option_rows(command.options):
            assert f"| `{row.key}` | `{row.default}` |" in reference, (command.prog, row.key)


def test_the_reference_has_every_component_and_its_options(reference):
    for registry in REGISTRIES.values():
        for name in registry.names():
            assert f"### `{registry.group}={name}`" in reference
            schema = registry.schema(name)
            if schema is None:
                continue
            rows = option_rows(schema, f"{registry.package}.")
            assert len(rows) >= sum(1 for f in fields(schema) if not is_dataclass(f.type))
            for row in rows:
                assert f"| `{row.key}` |" in reference, (registry.group, name, row.key)
    assert "`data=hf`" in reference and "| `data.text_field` | `text` |" in reference


def markdown_files():
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_at_files(page):
    text = page.read_text(encoding="utf-8")
    for target, _ in LINK.findall(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.relative_to(ROOT)}: {target}"


def test_the_tutorial_notebook_is_committed_without_outputs():
    notebook = json.loads((ROOT / "docs/tutorials/lstm_step_by_step.ipynb").read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)
    source = "".join("".join(c["source"]) for c in code)
    assert "lstm_nlp.train(" in source and "lm.states(" in source  # it trains, then reads gates


def test_mkdocs_builds_the_configuration_page_from_the_code():
    page = (ROOT / "docs/reference/configuration.md").read_text()
    hook = (ROOT / "docs/hooks/config_reference.py").read_text()
    marker = re.search(r'MARKER = "([^"]+)"', hook).group(1)
    assert marker in page
    config = (ROOT / "mkdocs.yml").read_text()
    assert "docs/hooks/config_reference.py" in config and "strict: true" in config
