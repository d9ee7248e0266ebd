"""Which planner a deployment uses: the LLM one when an endpoint is configured, else offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from copilot.offline import OfflinePlanner

if TYPE_CHECKING:
    from copilot.planner import Planner
    from domain.settings import Settings


def make_planner(settings: Settings, choice: Literal["auto", "offline", "llm"] = "auto") -> Planner:
    if choice == "offline" or (choice == "auto" and not settings.llm_base_url):
        return OfflinePlanner()
    if not settings.llm_base_url:
        raise ValueError("The LLM planner needs CADENCE_LLM_BASE_URL (and usually CADENCE_LLM_API_KEY).")
    # The openai SDK (~0.5 s to import) loads only when an LLM is configured (issue 16).
    from copilot.llm import LLMPlanner

    return LLMPlanner(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key or "not-needed",
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
        max_tools=settings.llm_max_tools,
    )
