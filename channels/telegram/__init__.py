"""The teachers' Telegram bot (python-telegram-bot): webhook inside the app, or polling for local use."""
