"""An LLM may phrase a summary, but it never adds numbers.

The facts come from the tools (``copilot.summaries``); a model only rewrites them. Its text is used
only if every number in it already appears in the facts; otherwise, or if the endpoint fails, the
facts go out as they are.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import openai

from copilot.summaries import Summary

log = logging.getLogger(__name__)
PROMPT = (Path(__file__).resolve().parent.parent / "prompts" / "digest.md").read_text(encoding="utf-8")
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")


def numbers(text: str) -> set[str]:
    """Every number as written (``80.00``, ``2026-11-30``, ``18:00``, ``3``)."""
    return set(_NUMBER.findall(text))


def adds_numbers(phrased: str, facts: str) -> set[str]:
    return numbers(phrased) - numbers(facts)


class Phraser:
    def __init__(self, *, base_url: str, model: str, api_key: str | None, timeout: float) -> None:
        self.model = model
        self.client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=1
        )

    async def __call__(self, summary: Summary) -> str:
        facts = summary.text()
        try:
            response = await self.client.chat.completions.create(
                model=self.model,
                temperature=0,
                messages=[
                    {"role": "system", "content": PROMPT},
                    {"role": "user", "content": f"<data>\n{facts}\n</data>"},
                ],
            )
        except openai.OpenAIError as exc:
            log.warning("digest phrasing failed (%s); sending the facts as they are", exc)
            return facts
        phrased = (response.choices[0].message.content or "").strip()
        invented = adds_numbers(phrased, facts)
        if not phrased or invented:
            log.warning("digest phrasing added numbers %s; sending the facts as they are", sorted(invented))
            return facts
        return phrased + "\n"
