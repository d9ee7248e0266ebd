"""`cadence` starts without the heavy libraries; each loads in the command that uses it (issue 16).

Each check runs a fresh interpreter and reads its ``sys.modules``: what a test process has already
imported says nothing about what starting the command costs. No timings here (see benchmarks/cli.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from channels.embedded import DatabaseUrls

REPOSITORY = Path(__file__).resolve().parents[3]
HEAVY = ("openai", "telegram", "pandas", "langsmith", "evals")
# Whatever the code does (a command exits through SystemExit), report which watched modules it loaded.
PRELUDE = """
import atexit, json, sys
WATCHED = set(sys.argv[1].split(","))
atexit.register(lambda: print("LOADED " + json.dumps(sorted(WATCHED & set(sys.modules)))))
sys.argv = ["cadence", *sys.argv[2:]]
"""
RUN_CADENCE = "from channels.cli.main import app\napp(prog_name='cadence')"  # the console script's body


def loaded_after(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """Which of the watched modules a fresh interpreter holds after running ``code`` (and its output)."""
    watched = {*HEAVY, "langgraph", "copilot.service", "copilot.llm"}
    done = subprocess.run(  # noqa: S603 - our interpreter, our code
        [sys.executable, "-c", PRELUDE + code, ",".join(watched), *args],
        cwd=REPOSITORY,
        env=env or _environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    marker = [line for line in done.stdout.splitlines() if line.startswith("LOADED ")]
    assert marker, done.stderr[-3000:]
    return set(json.loads(marker[-1].removeprefix("LOADED "))), done.stdout + done.stderr


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADENCE_LLM_")}
    return {**env, **extra}


def test_importing_the_cli_loads_none_of_the_heavy_libraries() -> None:
    loaded, _ = loaded_after("import channels.cli.main")
    assert loaded == set()


def test_the_help_lists_every_command_without_loading_them() -> None:
    loaded, output = loaded_after(RUN_CADENCE, "--help")
    for command in ("ask", "confirm", "chat", "eval", "telegram", "summaries", "schedule", "doctor", "up"):
        assert command in output
    assert loaded == set()


def test_ask_loads_the_copilot_but_not_openai_telegram_pandas_or_the_evals(
    database_urls: DatabaseUrls,
) -> None:
    env = _environment(CADENCE_DATABASE_URL=database_urls.app, CADENCE_DATABASE_OWNER_URL=database_urls.owner)
    question = ("ask", "who hasn't paid this month?", "--org", "no-such-school", "--user", "a@b.example")
    loaded, output = loaded_after(RUN_CADENCE, *question, env=env)
    # It ran the copilot (LangGraph, which brings langsmith) and answered: no such membership.
    assert "not a member" in output
    assert {"copilot.service", "langgraph", "langsmith"} <= loaded
    assert not loaded & {"openai", "copilot.llm", "telegram", "evals", "pandas"}


def test_openai_loads_only_when_the_llm_planner_is_chosen() -> None:
    make = (
        "from copilot.factory import make_planner\n"
        "from domain.settings import Settings\n"
        "settings = Settings(llm_base_url='http://127.0.0.1:9/v1')\n"
    )
    offline, _ = loaded_after(make + "make_planner(settings, 'offline')")
    with_llm, _ = loaded_after(make + "make_planner(settings, 'llm')")
    assert "openai" not in offline and "copilot.llm" not in offline
    assert {"openai", "copilot.llm"} <= with_llm


@pytest.mark.parametrize(
    ("module", "brings"),
    [
        ("channels.telegram.bot", "telegram"),  # `cadence telegram poll`
        ("evals.main", "evals"),  # `cadence eval`
        # pandas loads inside the two reports that build frames (attendance, revenue); the tests of those
        # reports (tests/tools/test_reports_on_demo.py) run that code.
        ("copilot.service", "langsmith"),  # through LangGraph
        ("copilot.llm", "openai"),
    ],
)
def test_the_commands_modules_do_bring_the_library_the_check_watches(module: str, brings: str) -> None:
    """The control: the names watched above are the ones these imports really load."""
    loaded, _ = loaded_after(f"import {module}")
    assert brings in loaded


def test_the_eval_categories_in_the_cli_are_the_eval_cases_categories() -> None:
    from channels.cli.evals import CATEGORIES as IN_THE_CLI
    from evals.cases import CATEGORIES

    assert IN_THE_CLI == CATEGORIES
