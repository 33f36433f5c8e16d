"""Running the rows of a file through the gate, chunk by chunk, on every core available.

Classification and keyed hashing are pure Python and dominate an import's time; the chunks are
independent, so worker processes gate them while the parent reads the file and writes to the
database. Results come back in file order. Nothing here touches the database.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from licite.core.gate import GateNotes, Rejected, RowGate
from licite.core.suppression import identity_hasher

Row = tuple[int, list[str]]


@dataclass
class ChunkResult:
    rows: int
    # line, email, keyed hash, then the other fields of Admitted: the staging table's column order
    staged: list[tuple[Any, ...]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    dropped_values: list[int] = field(default_factory=list)  # non-empty values per dropped column
    notes: GateNotes = field(default_factory=GateNotes)


class ChunkGate:
    """Gates one chunk: admits or rejects each row, hashes the admitted, counts dropped values."""

    def __init__(self, gate: RowGate, key: bytes, dropped: Sequence[int]) -> None:
        self.gate = gate
        self.key = key
        self.dropped = tuple(dropped)
        self._hasher = identity_hasher(key)

    def __getstate__(self) -> dict[str, Any]:
        return {"gate": self.gate, "key": self.key, "dropped": self.dropped}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["gate"], state["key"], state["dropped"])  # type: ignore[misc]

    def __call__(self, chunk: list[Row]) -> ChunkResult:
        result = ChunkResult(rows=len(chunk), dropped_values=[0] * len(self.dropped))
        self.gate.notes = result.notes
        admit, hasher, dropped, counts = self.gate.admit, self._hasher, self.dropped, result.dropped_values
        staged, rejected = result.staged, result.rejected
        for line, values in chunk:
            for position, index in enumerate(dropped):
                if values[index].strip():
                    counts[position] += 1
            verdict = admit(line, values)
            if isinstance(verdict, Rejected):
                rejected.append(verdict)
            else:
                staged.append((verdict[0], verdict[1], hasher(verdict[1]), *verdict[2:]))
        return result


_installed: ChunkGate | None = None


def _install(chunk_gate: ChunkGate) -> None:
    global _installed
    _installed = chunk_gate
    # The cyclic collector would scan each chunk's hundreds of thousands of objects again and
    # again while the gate builds its results (a fifth of the gating time); gating builds no
    # reference cycle, so it runs rarely here, not never.
    gc.set_threshold(200_000, 50, 1000)


def _run_installed(chunk: list[Row]) -> ChunkResult:
    assert _installed is not None
    return _installed(chunk)


def gate_chunks(chunks: Iterable[list[Row]], chunk_gate: ChunkGate, workers: int) -> Iterator[ChunkResult]:
    """Gate every chunk, in `workers` processes when more than one; results in file order."""
    if workers <= 1:
        yield from map(chunk_gate, chunks)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_install, initargs=(chunk_gate,)) as pool:
        yield from pool.imap(_run_installed, chunks, chunksize=1)
