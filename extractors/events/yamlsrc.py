"""YAML with line numbers: watchlist files are read into `Node` trees, so every problem can name
its file and line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a watchlist file, printed as `FILE:LINE: reason`."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def in_line_order(problems: Iterable[Problem]) -> list[Problem]:
    """By file, then line; problems on one line keep the order they were found in."""
    return sorted(problems, key=lambda p: (p.file, p.line))


@dataclass(frozen=True)
class Node:
    """A YAML value with its 1-based line: a scalar, a list of nodes or a dict of nodes."""

    value: object
    line: int


def _convert(node: yaml.Node, constructor: yaml.SafeLoader) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        items = {
            str(constructor.construct_object(k)): _convert(v, constructor) for k, v in node.value
        }
        return Node(items, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, constructor) for item in node.value], line)
    try:
        return Node(constructor.construct_object(node), line)
    except (
        ValueError
    ):  # an impossible date such as 2020-13-01: keep the text, the reader reports it
        return Node(node.value, line)


@dataclass
class Source:
    """One file being validated: collects problems and reads typed fields out of `Node` mappings."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.file, line, reason))

    def parse(self, text: str) -> Node | None:
        try:
            tree = yaml.compose(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            self.problem(line, f"invalid YAML: {getattr(exc, 'problem', None) or exc}")
            return None
        if tree is None:
            self.problem(1, "empty file")
            return None
        return _convert(tree, yaml.SafeLoader(""))

    def mapping(self, node: Node, what: str, allowed: frozenset[str]) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.problem(node.line, f"{what} must be a mapping")
            return None
        for key, value in node.value.items():
            if key not in allowed:
                self.problem(value.line, f"unknown field '{key}' in {what}")
        return node.value

    def items(self, node: Node | None, what: str) -> list[Node]:
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            self.problem(node.line, f"{what} must be a list")
            return []
        return node.value

    def text(self, data: dict[str, Node], key: str, line: int, *, required: bool) -> str | None:
        node = data.get(key)
        if node is None or node.value is None:
            if required:
                self.problem(line, f"missing required field '{key}'")
            return None
        if isinstance(node.value, bool) or not isinstance(node.value, str | int | float):
            self.problem(node.line, f"'{key}' must be a string")
            return None
        return str(node.value)

    def texts(self, data: dict[str, Node], key: str) -> list[tuple[str, int]]:
        """A list of strings with the line of each; a single string is accepted as a list of one."""
        node = data.get(key)
        if node is None or node.value is None:
            return []
        nodes = [node] if isinstance(node.value, str) else self.items(node, f"'{key}'")
        found: list[tuple[str, int]] = []
        for item in nodes:
            if isinstance(item.value, str) and item.value.strip():
                found.append((item.value, item.line))
            else:
                self.problem(item.line, f"every entry of '{key}' must be a non-empty string")
        return found

    def date(self, data: dict[str, Node], key: str) -> dt.date | None:
        node = data.get(key)
        if node is None or node.value is None:
            return None
        if isinstance(node.value, dt.date) and not isinstance(node.value, dt.datetime):
            return node.value
        if isinstance(node.value, str):
            try:
                return dt.date.fromisoformat(node.value)
            except ValueError:
                pass
        self.problem(node.line, f"bad date for '{key}': {node.value!r} (expected YYYY-MM-DD)")
        return None

    def number(self, data: dict[str, Node], key: str, default: float) -> float:
        node = data.get(key)
        if node is None or node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            self.problem(node.line, f"'{key}' must be a number")
            return default
        return float(node.value)
