"""Running the rows of a file through the gate, chunk by chunk, on every core available.

Classification and keyed hashing are pure Python and dominate an import's time; the chunks are
independent, so worker processes gate them while the parent writes to the database. Each worker
reads the file itself and gates its share of the chunks (every n-th one): parsing a chunk costs
less than sending it to another process, which would pickle it in the parent and unpickle it in
the worker. Results come back in file order, a few chunks ahead of the parent at most, so a
slow database holds the reading back instead of filling memory. Nothing here touches the
database.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import signal
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any

import polars as pl

from licite.core.gate import Expired, GateNotes, Rejected, RowGate
from licite.core.suppression import identity_hasher
from licite.ingest.errors import IngestError
from licite.ingest.reader import Table

Row = tuple[int, list[str]]
# The admitted rows: line, email, keyed hash, then the other fields of Admitted, in this order.
STAGED_COLUMNS = (
    "line", "email", "key_hash", "email_kind", "audience", "legal_basis", "status", "first_name",
    "last_name", "job_title", "company", "company_domain", "phone", "country", "language",
)  # fmt: skip
STAGED_SCHEMA = pl.Schema({name: pl.Int64 if name == "line" else pl.String for name in STAGED_COLUMNS})


def staged_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """Admitted rows as a frame of STAGED_SCHEMA."""
    return pl.DataFrame(rows, schema=STAGED_SCHEMA, orient="row")


@dataclass(eq=False)
class ChunkResult:
    rows: int
    staged: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=STAGED_SCHEMA))
    rejected: list[Rejected] = field(default_factory=list)
    dropped_values: list[int] = field(default_factory=list)  # non-empty values per dropped column
    notes: GateNotes = field(default_factory=GateNotes)
    expired: int = 0  # valid rows past their retention already (RULES F1): not staged

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ChunkResult):
            return NotImplemented
        mine = (self.rows, self.rejected, self.dropped_values, self.notes, self.expired)
        theirs = (other.rows, other.rejected, other.dropped_values, other.notes, other.expired)
        return mine == theirs and self.staged.equals(other.staged)


class ChunkGate:
    """Gates one chunk: admits or rejects each row, hashes the admitted, counts dropped values."""

    def __init__(self, gate: RowGate, key: bytes, dropped: Sequence[int]) -> None:
        self.gate = gate
        self.key = key
        self.dropped = tuple(dropped)
        self._hasher = identity_hasher(key)

    def __call__(self, chunk: list[Row]) -> ChunkResult:
        result = ChunkResult(rows=len(chunk), dropped_values=[0] * len(self.dropped))
        self.gate.notes = result.notes
        admit, hasher, dropped, counts = self.gate.admit, self._hasher, self.dropped, result.dropped_values
        staged: list[tuple[Any, ...]] = []
        rejected = result.rejected
        for line, values in chunk:
            for position, index in enumerate(dropped):
                if values[index].strip():
                    counts[position] += 1
            verdict = admit(line, values)
            if isinstance(verdict, Rejected):
                rejected.append(verdict)
            elif isinstance(verdict, Expired):
                result.expired += 1
            else:
                staged.append((verdict[0], verdict[1], hasher(verdict[1]), *verdict[2:]))
        result.staged = staged_frame(staged)
        return result


AHEAD = 2  # results a worker may have ready before the parent takes them


class GateStopped(IngestError):
    """A gate worker ended without a word (killed, out of memory): the import cannot go on."""


@dataclass(frozen=True)
class _Failed:
    """What a worker sends instead of a result when reading or gating raised."""

    error: BaseException


def gate_chunks(table: Table, chunk_gate: ChunkGate, workers: int) -> Generator[ChunkResult]:
    """Gate every chunk of `table`, in `workers` processes when more than one; in file order.

    An error met while reading the file is raised here, at its place in the file.
    """
    if workers <= 1:  # the caller stages the results under collecting_rarely()
        yield from map(chunk_gate, table.chunks())
        return
    context = multiprocessing.get_context("fork")
    queues: list[Queue[ChunkResult | _Failed | None]] = [context.Queue(AHEAD) for _ in range(workers)]
    processes = [
        context.Process(target=_work, args=(table, chunk_gate, index, workers, queues[index]), daemon=True)
        for index in range(workers)
    ]
    # Born with Ctrl-C blocked, a worker cannot be interrupted before it ignores it (_work).
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        for process in processes:
            process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    try:
        position = 0
        while True:
            message = _receive(queues[position % workers], processes[position % workers], table.name)
            if message is None:  # that worker has no chunk left, and chunks are dealt in turn
                return
            if isinstance(message, _Failed):
                raise message.error
            yield message
            position += 1
    finally:
        for process in processes:
            process.kill()  # those still running are not needed any more
            process.join()
        for channel in queues:
            channel.close()


def _work(table: Table, chunk_gate: ChunkGate, index: int, workers: int, channel: Queue[Any]) -> None:
    """A worker: read the whole file, gate chunks index, index + workers..., send the results."""
    # Ctrl-C reaches the whole process group: the parent handles it, and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # one pending is dropped, ignored
    _collect_rarely()
    try:
        for position, chunk in enumerate(table.chunks()):
            if position % workers == index:
                channel.put(chunk_gate(chunk))
        channel.put(None)
    except Exception as exc:  # the parent raises it when it reaches this chunk
        channel.put(_Failed(_sendable(exc)))
    channel.close()
    channel.join_thread()


@contextmanager
def collecting_rarely() -> Iterator[None]:
    """The cyclic garbage collector runs rarely inside the block (see _collect_rarely)."""
    thresholds = gc.get_threshold()
    _collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _collect_rarely() -> None:
    # The cyclic collector would scan each chunk's hundreds of thousands of objects again and
    # again while the gate builds its results (a fifth to a third of the gating time); gating
    # builds no reference cycle, so it runs rarely while gating, not never.
    gc.set_threshold(200_000, 50, 1000)


def _sendable(error: Exception) -> Exception:
    """The error itself if it can cross to the parent, else one that names its type.

    Only the type: the message of an unexpected error may quote a value from the file.
    """
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 (bytes made on the line before)
    except Exception:
        return RuntimeError(f"the import's gate failed ({type(error).__name__})")
    return error.with_traceback(None)


def _receive(channel: Queue[Any], process: BaseProcess, name: str) -> Any:
    """The worker's next message; GateStopped if it died without sending one."""
    while True:
        try:
            return channel.get(timeout=1.0)
        except queue.Empty:
            if not process.is_alive():
                try:
                    return channel.get(timeout=1.0)  # sent just before it ended
                except queue.Empty:
                    ended = f"exit code {process.exitcode}"
                    raise GateStopped(
                        "a gate worker stopped unexpectedly (%(ended)s); nothing was imported",
                        file=name,
                        params={"ended": ended},
                    ) from None
