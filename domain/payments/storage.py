"""Where receipt files live: a local directory outside any web root, under generated names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol


class ReceiptStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...

    def read(self, key: str) -> bytes: ...


class LocalStorage:
    """Files are created exclusively (never overwritten) with owner-only permissions."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):  # keys are generated, but never trust a path
            raise ValueError("storage key escapes the receipts directory")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()
