"""The offline planner in Spanish: its table of phrasings over the simulated demo school, the answers
to its questions, and the language each message is read in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copilot import spreadsheets
from copilot.language import load
from copilot.offline import OfflinePlanner
from copilot.planner import DecisionKind, Memory
from domain.db import unit_of_work
from domain.demo.seed import seed_demo
from tests.conftest import REPORT
from tests.copilot.helpers import tenant_of
from tests.copilot.test_offline_planner import NOW, TODAY, memory_after, run_table
from tools.base import ToolContext

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "phrasings_es.yaml").read_text())
ADMIN = "admin@demo-school.example"


def test_the_spanish_file_has_every_english_intent_and_question() -> None:
    english, spanish = load("en"), load("es")
    assert [i.tool for i in spanish.intents] == [i.tool for i in english.intents]
    assert set(spanish.messages.ask) == set(english.messages.ask)
    assert all(i.patterns and i.exemplars for i in spanish.intents)


def test_the_spanish_table_covers_every_intent() -> None:
    assert len(CASES) >= 80
    # Every intent, and the spreadsheet of a list (asked for around any read intent, not an intent itself).
    said = {c["tool"] for c in CASES if "tool" in c}
    assert said == {i.tool for i in load("es").intents} | {spreadsheets.TOOL}
    assert any("after" in c for c in CASES) and any(c.get("clarify") for c in CASES)
    assert sum(1 for c in CASES if c.get("refuse")) >= 5


async def test_the_offline_planner_maps_every_spanish_phrasing_in_its_table(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    failures, retrieved = await run_table(sessions, CASES)
    accuracy = 1 - len(failures) / len(CASES)
    REPORT["Offline planner Spanish table"] = f"{len(CASES) - len(failures)}/{len(CASES)} ({accuracy:.1%})"
    with_tool = sum(1 for c in CASES if "tool" in c)
    REPORT["LLM tool narrowing, Spanish (8 of the catalogue, pgvector)"] = f"recall {retrieved}/{with_tool}"
    assert not failures, "\n".join(failures)
    assert retrieved / with_tool >= 0.9


async def test_questions_and_refusals_come_back_in_the_language_asked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(sessions, today=TODAY, size="small", seed=7)
    planner = OfflinePlanner()
    async with unit_of_work(sessions) as session:
        tenant = await tenant_of(session, "demo-school", ADMIN)
    async with unit_of_work(sessions, tenant) as session:
        ctx = ToolContext(session=session, tenant=tenant, today=TODAY, now=NOW)

        async def plan(text: str, memory: Memory | None = None) -> Any:
            return await planner.plan(ctx, text, memory or Memory(), pending=False)

        asked = await plan("añade una nota: quiere cambiar de grupo")
        assert (asked.kind, asked.text) == (DecisionKind.CLARIFY, "¿Qué alumno?")
        answered = await plan("ana lopez", memory_after(asked))  # a bare name: no word of either language
        assert (answered.kind, answered.tool) == (DecisionKind.TOOL, "add_note")
        assert answered.args == {"student": "Ana López", "text": "quiere cambiar de grupo"}

        asked = await plan("add a note: wants to change group")
        assert (asked.kind, asked.text) == (DecisionKind.CLARIFY, "Which student?")
        answered = await plan("ana lopez", memory_after(asked))
        assert (answered.tool, answered.args["student"]) == ("add_note", "Ana López")

        asked = await plan("registra un pago de Ana López")
        assert asked.text == "¿Cuánto ha pagado?"
        refused = await plan("¿qué tiempo hace mañana?")
        assert refused.kind is DecisionKind.REFUSE and refused.text.startswith("No puedo ayudarte")
        refused = await plan("what's the weather tomorrow?")
        assert refused.kind is DecisionKind.REFUSE and refused.text.startswith("I can't help")
        refused = await plan("devuélvele el dinero a Marco Núñez")
        assert refused.text == load("es").messages.refund


def test_spanish_yes_and_no_answer_a_pending_action() -> None:
    planner = OfflinePlanner()
    for said in ("sí", "si", "vale", "dale", "confirmo", "adelante", "ok", "yes", "go ahead"):
        assert planner.reply_to_pending(said, pending=True) == "confirm", said
    for said in ("no", "cancela", "déjalo", "mejor no", "cancel", "never mind"):
        assert planner.reply_to_pending(said, pending=True) == "cancel", said
    assert planner.reply_to_pending("vale", pending=False) is None
