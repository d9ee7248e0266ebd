"""Every error the project raises has its Spanish: the extractor finds each DomainError's message (an AST
walk), and the catalogue must translate it with the same placeholders. A new message without Spanish, or
one built as an f-string (which no catalogue can hold), fails here."""

from __future__ import annotations

import string
from pathlib import Path

from babel.messages.pofile import read_po

from domain.error_language import ROOT, raised_messages, say, translate
from domain.errors import Conflict, Invalid

SPANISH = ROOT / "locale" / "es" / "LC_MESSAGES" / "cadence.po"
TEMPLATE = ROOT / "locale" / "cadence.pot"


def _entries(path: Path) -> dict[str, str]:
    with path.open("rb") as po:
        catalogue = read_po(po, domain="cadence")
    return {m.id: str(m.string) for m in catalogue if isinstance(m.id, str) and m.id and not m.fuzzy}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_extractor_finds_literal_templated_and_conditional_messages() -> None:
    found = {m.message for m in raised_messages()}
    assert "No such student." in found  # a literal
    assert "{student} is already on the waitlist for {group}." in found  # a template
    assert {
        "{student} is already in {group} from {start}.",
        "{student} is already in {group} from {start} to {end}.",
    } <= found
    assert len(found) > 250


def test_no_error_is_raised_with_text_built_before_the_raise() -> None:
    built = [f"{m.where}: {m.message}" for m in raised_messages() if m.f_string]
    assert built == [], "use a template with values=… instead:\n" + "\n".join(built)


def test_every_raised_message_has_its_spanish_with_the_same_placeholders() -> None:
    spanish, template = _entries(SPANISH), _entries(TEMPLATE)
    missing = sorted({m.message for m in raised_messages() if not spanish.get(m.message)})
    assert missing == [], "add these to locale/es/LC_MESSAGES/cadence.po:\n" + "\n".join(missing)
    not_in_template = sorted({m.message for m in raised_messages()} - set(template))
    assert not_in_template == [], "add these to locale/cadence.pot:\n" + "\n".join(not_in_template)
    for message in {m.message for m in raised_messages()}:
        assert _fields(spanish[message]) <= _fields(message), (message, spanish[message])


def test_an_error_keeps_its_english_message_and_says_it_in_spanish() -> None:
    error = Conflict("{student} is already in {group}.", values={"student": "Ana García", "group": "Salsa"})
    assert error.message == str(error) == "Ana García is already in Salsa."
    assert say(error, "en") == "Ana García is already in Salsa."
    assert say(error, "es") == "Ana García ya está en Salsa."
    plain = Invalid("No such student.")
    assert (plain.message, plain.values) == ("No such student.", {})
    assert say(plain, "es") == "No existe ese alumno."


def test_a_message_without_translation_or_a_placeholder_it_lacks_stays_english() -> None:
    assert translate("Nobody translated this {x}.", "es", {"x": 1}) == "Nobody translated this 1."
    error = Invalid("Braces {{kept}} without values.")
    assert error.message == "Braces {{kept}} without values."  # no values: the text is not formatted
    assert say(error, "es") == error.message
