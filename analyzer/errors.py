"""Errors a user can act on.

Every refusal of input is an :class:`InputError`: the CLI prints its message on one line and exits 2,
without a traceback, so analysts see *what* is wrong and *where* (file, row, column).
"""

from __future__ import annotations


class InputError(Exception):
    """Input the tool refuses: a message naming the file and, where known, row and column."""

    def __init__(self, message: str, *, path: str | None = None, row: int | None = None,
                 column: str | None = None):
        self.path = path
        self.row = row
        self.column = column
        self.reason = message
        super().__init__(message)

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(str(self.path))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return (": ".join([", ".join(where), self.reason]) if where else self.reason)


class ModelError(InputError):
    """A model file that cannot be trusted or used (foreign, tampered, truncated, incompatible)."""


class OutputError(InputError):
    """An output location that cannot be written safely (exists without --force, not writable)."""
