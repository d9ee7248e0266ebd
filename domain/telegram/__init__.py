"""Telegram accounts: linking a Telegram user to a Cadence user, the active organization, update dedupe."""
