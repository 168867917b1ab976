"""docs/cli.md against the command itself: every command and subcommand `baqylau --help`
lists (a command added later, `baqylau list ...` say, is found the same way) has its line in
the reference, and every kind of import its row in the imports table."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from cli.importers.kinds import KINDS
from tests.cli.run import baqylau
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "cli.md"


def help_of(*command: str) -> str:
    result = baqylau(*command, "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def subcommands(help_text: str) -> list[str]:
    """The names under click's "Commands:" heading (none for a plain command)."""
    _, found, listed = help_text.partition("\nCommands:\n")
    if not found:
        return []
    names = []
    for line in listed.splitlines():
        if not line.startswith(" "):
            break
        named = re.match(r"^  (\S+)", line)  # a wrapped description is indented further
        if named:
            names.append(named.group(1))
    return names


def every_command() -> list[str]:
    """"token issue", "list courses", "status"...: every command a user can run, read from
    the helps, a group's subcommands asked for in parallel."""
    groups = subcommands(help_of())
    assert groups, "`baqylau --help` lists no commands"
    with ThreadPoolExecutor(max_workers=8) as pool:
        helps = dict(zip(groups, pool.map(help_of, groups), strict=True))
    return [f"{group} {sub}".strip() for group in groups
            for sub in (subcommands(helps[group]) or [""])]


def imports_section() -> str:
    text = DOCS.read_text()
    return text.split("\n## Imports", 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def commands() -> list[str]:
    return every_command()


def test_the_helps_list_the_commands_this_test_relies_on(commands):
    # A sanity floor: if parsing click's help broke, every docs check below would pass empty.
    assert {"token issue", "import", "status", "dead-letters replay"} <= set(commands)


def test_every_command_in_the_help_has_its_line_in_docs_cli_md(commands):
    text = DOCS.read_text()
    missing = [c for c in commands if f"`baqylau {c}" not in text]
    assert not missing, f"docs/cli.md has no `baqylau ...` line for: {', '.join(missing)}"


def test_every_kind_of_import_has_its_row_in_the_imports_table():
    listed = help_of("import")
    assert all(f"\n  {kind}:" in listed for kind in KINDS), "`import --help` lacks a kind"
    section = imports_section()
    missing = [kind for kind in KINDS if f"\n| `{kind}` |" not in section]
    assert not missing, f"docs/cli.md's imports table has no row for: {', '.join(missing)}"
