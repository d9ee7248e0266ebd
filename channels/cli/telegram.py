"""`cadence telegram poll`: the bot for local use, fetching updates instead of receiving a webhook."""

from __future__ import annotations

import asyncio

import typer

telegram_app = typer.Typer(help="The teachers' Telegram bot.", no_args_is_help=True)


@telegram_app.command("poll")
def poll(
    once: bool = typer.Option(False, "--once", help="Handle what is waiting, then stop (for a quick check)."),
) -> None:
    """Run the bot by long polling (no public address needed); Ctrl-C stops. Needs CADENCE_TELEGRAM_TOKEN.
    Telegram sends no updates by polling while a webhook is set: delete it first (deleteWebhook)."""
    # python-telegram-bot and the copilot load here, not when `cadence` starts (issue 16).
    from channels.cli.copilot import copilot_runtime
    from channels.telegram.bot import BotDeps, build_application, register_commands
    from channels.telegram.polling import poll as fetch_updates
    from domain.settings import get_settings

    token = get_settings().telegram_token
    if not token:
        typer.secho(
            "Set CADENCE_TELEGRAM_TOKEN (the bot's token from @BotFather) first.",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=1)

    async def go() -> None:
        async with copilot_runtime("auto") as (sessions, copilot):
            deps = BotDeps(sessions=sessions, copilot=copilot)
            application = build_application(token, deps, api_url=get_settings().telegram_api_url)
            async with application:
                await register_commands(application)
                me = application.bot.username
                typer.echo(f"Polling as @{me} (Ctrl-C stops)…")
                count = await fetch_updates(
                    application,
                    sessions,
                    once=once,
                    failed=lambda update: typer.secho(f"Update {update} failed (see the log).", err=True),
                )
                typer.echo(f"{count} updates handled.")

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        typer.echo("Stopped.")
