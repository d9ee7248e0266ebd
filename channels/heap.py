"""A long-running process's heap, settled once it has started.

Everything a server builds at start-up (modules, the app, the planner's languages, the ORM's mappers —
about 250,000 objects) lives as long as the process. Python's full collections walk all of it: on the
large demo a chat turn paused for a 135 ms collection every ~18 turns (the unpaid list's 1,300 rows
make garbage fast). ``settle`` collects what start-up left over, then moves the rest to the permanent
generation (``gc.freeze``), which collections skip: the pauses of later collections depend on what
requests allocate, not on the code that is loaded.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Call once, when the process has started and before it serves (a server's lifespan)."""
    gc.collect()
    gc.freeze()
