"""Errors in the reader's language: a DomainError's English template, translated with the gettext catalogue
the messages use (``locale/es/LC_MESSAGES/cadence.po``, read by ``domain.notifications.words.catalogue``)
and filled with its values.

English is the source language: with no translation (or for English) the message is exactly ``.message``.
``raised_messages()`` finds every message the project raises (an AST walk), so a test can insist that each
has its Spanish (``tests/domain/test_errors_in_spanish.py``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from domain.errors import DomainError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "channels", "tools", "copilot")


def translate(message: str, language: str, values: dict[str, object] | None = None) -> str:
    """``message`` (an English msgid) in ``language``, filled with ``values``; English when untranslated."""
    from domain.notifications.words import catalogue  # late: words imports the domain, which raises errors

    said = catalogue(language).gettext(message) if language != "en" else message
    if not values:
        return said
    try:
        return said.format(**values)
    except (KeyError, IndexError, ValueError):  # a translation naming a value it doesn't have: say English
        return message.format(**values)


def say(exc: DomainError, language: str) -> str:
    """The error's message as a person reading ``language`` should read it."""
    if language == "en":
        return exc.message
    return translate(exc.template, language, exc.values)


@dataclass(frozen=True)
class Raised:
    """One message the project raises: its text (a literal or template) and where."""

    message: str
    where: str
    f_string: bool = False


def _error_classes(trees: list[ast.Module]) -> set[str]:
    """DomainError and every class deriving from it, by name, across the walked modules."""
    names = {"DomainError", "Invalid", "Unauthorized", "Forbidden", "NotFound", "Conflict", "TooManyRequests"}
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in names
                    and any(isinstance(b, ast.Name) and b.id in names for b in node.bases)
                ):
                    names.add(node.name)
                    grew = True
    return names


def _makers(trees: list[ast.Module], classes: set[str]) -> set[str]:
    """Helpers that build an error from their message (``def _problem(message) -> Invalid``)."""
    return {
        node.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and isinstance(node.returns, ast.Name | ast.Constant)
        and (node.returns.id if isinstance(node.returns, ast.Name) else node.returns.value) in classes
    }


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _branches(arg: ast.expr) -> list[ast.expr]:
    return [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]


def _files(packages: tuple[str, ...]) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def raised_messages(packages: tuple[str, ...] = PACKAGES) -> list[Raised]:
    """Every DomainError built with a literal or f-string message in ``packages`` (a message held in a
    variable can't be read here: its literal is found where it was written, if it is an error's)."""
    parsed = [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in _files(packages)]
    trees = [tree for _, tree in parsed]
    classes = _error_classes(trees)
    names = classes | _makers(trees, classes)
    found: list[Raised] = []
    for path, tree in parsed:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called(node) in names):
                continue
            args = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "message")]
            while any(isinstance(arg, ast.IfExp) for arg in args):  # "… {x}." if x else "…": both
                args = [part for arg in args for part in _branches(arg)]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append(Raised(arg.value, where))
                elif isinstance(arg, ast.JoinedStr | ast.BinOp) or (
                    isinstance(arg, ast.Call)
                    and isinstance(arg.func, ast.Attribute)
                    and arg.func.attr == "format"
                ):  # text built before raising: no template the catalogue can hold
                    found.append(Raised(ast.unparse(arg), where, f_string=True))
    return found
