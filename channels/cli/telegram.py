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


@telegram_app.command("simulate")
def simulate(
    org: str = typer.Option(..., "--org", help="The organization's slug."),
    user: str = typer.Option(..., "--user", help="The Cadence user's email: you talk to the bot as them."),
) -> None:
    """Try the bot without a token: a fake Bot API server on localhost, and you as the person — type a
    message, or a button's number to tap it; q quits. Changes you confirm are real (in this database)."""
    from channels.cli.copilot import copilot_runtime
    from channels.telegram.simulate import simulate as run

    def typed() -> str | None:
        try:
            return input("> ")
        except EOFError:
            return None

    async def go() -> None:
        async with copilot_runtime("auto") as (sessions, copilot):
            await run(
                sessions,
                copilot,
                email=user,
                org_slug=org,
                read=lambda: asyncio.to_thread(typed),
                write=typer.echo,
            )

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        typer.echo("Stopped.")
