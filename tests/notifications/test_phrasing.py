"""An LLM may phrase the admin digest, but a phrasing that adds a number is thrown away."""

from __future__ import annotations

from typing import Any

import httpx
import respx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels import jobs
from copilot.phrasing import adds_numbers
from domain.db import unit_of_work
from domain.notifications.models import Kind
from domain.settings import Settings
from tests.copilot.conftest import LLM_URL  # also teaches respx to patch openai's transport
from tests.domain.studio import build_studio
from tests.notifications.helpers import MONDAY, ledger, madrid

SETTINGS = Settings(llm_base_url=LLM_URL, llm_model="test-model", llm_api_key="test-key")


def completion(text: str) -> httpx.Response:
    body: dict[str, Any] = {
        "id": "chatcmpl-digest",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 400, "completion_tokens": 60, "total_tokens": 460},
    }
    return httpx.Response(200, json=body)


def test_the_number_check_sees_invented_totals_and_percentages() -> None:
    facts = "3 students owe 240.00 EUR; week of 2026-11-30"
    assert adds_numbers("Three families owe 240.00 EUR (week of 2026-11-30).", facts) == set()
    assert adds_numbers("Students owe 240.00 EUR, 12% more than last week.", facts) == {"12"}


async def digest_body(sessions: async_sessionmaker[AsyncSession], answer: httpx.Response) -> tuple[str, int]:
    async with unit_of_work(sessions) as session:
        studio = await build_studio(session)
    with respx.mock(base_url=LLM_URL, assert_all_called=False) as llm:
        route = llm.post("/chat/completions").mock(return_value=answer)
        await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 30))
        await jobs.plan_summaries(sessions, SETTINGS, now=madrid(9, 40))  # repeated: no second call
    async with unit_of_work(sessions, studio.admin) as session:
        (digest,) = [r for r in await ledger(session) if r.kind == Kind.ADMIN_DIGEST]
    assert digest.period == f"{MONDAY.isocalendar().year}-W{MONDAY.isocalendar().week:02d}"
    return digest.body, route.call_count


async def test_a_phrasing_that_keeps_the_facts_is_sent(sessions: async_sessionmaker[AsyncSession]) -> None:
    body, calls = await digest_body(
        sessions, completion("A calm week: nothing is owed and every class is marked.")
    )
    assert calls == 1
    assert body.startswith("A calm week")


async def test_a_phrasing_that_invents_a_number_is_replaced_by_the_facts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    body, calls = await digest_body(sessions, completion("Revenue is up 17% on last week!"))
    assert calls == 1
    assert "17" not in body and body.startswith("# Weekly digest, week of 2026-11-30")


async def test_when_the_model_is_down_the_facts_go_out(sessions: async_sessionmaker[AsyncSession]) -> None:
    body, _ = await digest_body(sessions, httpx.Response(500, json={"error": {"message": "down"}}))
    assert body.startswith("# Weekly digest, week of 2026-11-30")
