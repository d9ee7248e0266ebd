"""`cadence insights backtest` refuses an unknown size or world before it builds anything, and names the
choices; a known world is accepted (the control: it gets past the options to the database check)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from channels.cli.main import app


@pytest.mark.parametrize(
    ("option", "value", "choices"), [("--world", "foo", "fade, drivers"), ("--size", "huge", "small, large")]
)
def test_an_unknown_choice_is_refused_with_the_choices(option: str, value: str, choices: str) -> None:
    result = CliRunner().invoke(app, ["insights", "backtest", option, value])
    assert result.exit_code == 2
    assert f"Invalid value for {option}: choose one of {choices}" in " ".join(result.output.split())


def test_a_known_world_gets_past_the_options(monkeypatch: pytest.MonkeyPatch) -> None:
    # A configured database stops the command right after the options: nothing is built.
    monkeypatch.setenv("CADENCE_DATABASE_URL", "postgresql+psycopg://nobody@/nowhere")
    from domain.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["insights", "backtest", "--world", "drivers"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "unset CADENCE_DATABASE_URL" in result.output
