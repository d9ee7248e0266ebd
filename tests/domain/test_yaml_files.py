"""The data files read with libyaml come out as PyYAML's own safe loader reads them, and stay plain data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.yaml_files import SafeLoader, load_yaml

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted([*ROOT.glob("copilot/languages/*.yaml"), *ROOT.glob("tools/answers/*.yaml")])


def test_libyaml_is_what_reads_them_here() -> None:
    assert yaml.__with_libyaml__ and SafeLoader is yaml.CSafeLoader  # the point: ~15x faster


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_data_file_reads_the_same_as_with_pyyamls_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_python_objects_are_refused_as_by_safe_load() -> None:
    hostile = "!!python/object/apply:os.system ['true']"
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.safe_load(hostile)
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml(hostile)
    assert load_yaml("a: [1, two]") == {"a": [1, "two"]}  # control: plain data is read
