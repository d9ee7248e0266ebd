"""Sending notifications: SMTP (or a local Maildir when no server is configured) and Telegram."""
