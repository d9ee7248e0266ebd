from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from channels.embedded import DatabaseUrls, libpq_url
from copilot.checkpoints import TenantSaver
from copilot.llm import LLMPlanner


@pytest.fixture
async def checkpointer(database_urls: DatabaseUrls) -> AsyncIterator[TenantSaver]:
    """LangGraph's checkpointer on the app role, under RLS (its tables were set up by the migrations)."""
    async with TenantSaver.from_conn_string(libpq_url(database_urls.app)) as saver:
        yield saver


# openai 3.x sends through httpx2/httpcore2, which respx does not patch unless told to.
respx.mocks.HTTPCoreMocker.add_targets(
    "httpcore2._sync.connection_pool.ConnectionPool", "httpcore2._async.connection_pool.AsyncConnectionPool"
)
LLM_URL = "http://llm.test/v1"


def tool_call(name: str, arguments: dict[str, Any], *, prompt_tokens: int = 120) -> httpx.Response:
    """An OpenAI-compatible chat completion that calls one tool."""
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": "test-model",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": name, "arguments": json.dumps(arguments)},
                            }
                        ],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": 12,
                "total_tokens": prompt_tokens + 12,
            },
        },
    )


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLM_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def llm_planner() -> LLMPlanner:
    return LLMPlanner(base_url=LLM_URL, model="test-model", api_key="test-key", timeout=5, max_retries=0)
