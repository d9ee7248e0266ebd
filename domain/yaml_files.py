"""YAML data files (the planner's languages, the answers' sentences) read with libyaml when PyYAML has it.

PyYAML's pure-Python loader took ~0.5 s of a one-shot ``cadence ask`` to read the language files
(the English planner file alone 0.4 s on a busy machine); its C loader reads the same documents into
the same data ~15x faster. Both are safe loaders: plain data only, no Python objects.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # a PyYAML built without libyaml: the same data, read slower
    from yaml import SafeLoader  # type: ignore[assignment]


def load_yaml(text: str) -> Any:
    """The document in ``text`` as plain data, like ``yaml.safe_load``."""
    return yaml.load(text, Loader=SafeLoader)  # a safe loader: libyaml's, or PyYAML's own


__all__ = ["SafeLoader", "load_yaml"]
