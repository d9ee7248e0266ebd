"""Every way into Cadence: HTTP, Telegram, MCP, workers and the ``cadence`` command."""
