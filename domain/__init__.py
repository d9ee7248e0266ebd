"""Cadence business logic: models, services and rules. No HTTP, no LLM, no Telegram."""
