"""Gating in worker processes: each reads the file, gates its share, and the parent gets it all in order."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from pathlib import Path

import pytest

from licite.core.gate import RowGate
from licite.ingest.errors import ReadError
from licite.ingest.gating import ChunkGate, ChunkResult, GateStopped, gate_chunks
from licite.ingest.reader import Row, open_table

HEADER = "Prénom;Nom;E-mail;Commentaire\n"


def rows(count: int) -> str:
    return "".join(f"Jeanne;Dupont;jeanne{i}@acme{i % 7}.example;note {i}\n" for i in range(count))


def chunk_gate() -> ChunkGate:
    return ChunkGate(RowGate({"first_name": 0, "last_name": 1, "email": 2}, keep_phone=False), b"k" * 32, [3])


def summary(results: list[ChunkResult]) -> list[tuple[object, ...]]:
    return [(r.rows, r.staged.rows(), r.rejected, r.dropped_values) for r in results]


@pytest.fixture
def csv_file(tmp_path: Path):
    def write(text: str) -> Path:
        path = tmp_path / "salon.csv"
        path.write_text(HEADER + text, encoding="utf-8")
        return path

    return write


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_give_every_chunk_in_file_order_as_one_process_does(csv_file, workers):
    table = open_table(csv_file(rows(100) + "Léa;Petit;pas-une-adresse;\n" + rows(30)), chunk_rows=9)
    serial = list(gate_chunks(table, chunk_gate(), 1))
    parallel = list(gate_chunks(table, chunk_gate(), workers))
    assert summary(parallel) == summary(serial)
    assert [line for result in parallel for line in result.staged["line"]][:3] == [2, 3, 4]  # lines, in order
    assert sum(len(result.rejected) for result in parallel) == 1


def test_workers_read_a_spreadsheet_as_one_process_does(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Prénom", "Nom", "E-mail", "Commentaire"])
    for i in range(50):
        sheet.append(["Jeanne", "Dupont", f"jeanne{i}@acme.example", f"note {i}"])
    book.save(tmp_path / "salon.xlsx")
    table = open_table(tmp_path / "salon.xlsx", chunk_rows=7)
    parallel = list(gate_chunks(table, chunk_gate(), 2))
    assert summary(parallel) == summary(list(gate_chunks(table, chunk_gate(), 1)))
    assert sum(result.staged.height for result in parallel) == 50


def test_a_file_error_met_by_the_workers_is_raised_at_its_place_in_the_file(csv_file):
    path = csv_file(rows(40) + "Léa;Petit;lea@acme.example;note;de trop\n" + rows(40))
    table = open_table(path, chunk_rows=9)
    with pytest.raises(ReadError) as serial:
        list(gate_chunks(table, chunk_gate(), 1))
    gated: list[ChunkResult] = []
    with pytest.raises(ReadError) as parallel:
        gated.extend(gate_chunks(table, chunk_gate(), 2))  # extend keeps what came before the error
    assert str(parallel.value) == str(serial.value)
    assert parallel.value.line == 42
    assert sum(result.rows for result in gated) == 36  # the chunks before the one that failed


class DyingGate(ChunkGate):
    """A gate whose worker process dies on its second chunk, as one killed for memory would."""

    def __call__(self, chunk: list[Row]) -> ChunkResult:
        if chunk[0][0] > 20:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(chunk)


def test_a_worker_that_dies_is_an_error_not_a_wait_without_end(csv_file):
    table = open_table(csv_file(rows(60)), chunk_rows=9)
    gate = DyingGate(RowGate({"email": 2}, keep_phone=False), b"k" * 32, [])
    with pytest.raises(GateStopped) as stopped:
        list(gate_chunks(table, gate, 2))
    assert str(stopped.value) == (
        "salon.csv: a gate worker stopped unexpectedly (exit code -9); nothing was imported"
    )


class Unpicklable(Exception):
    def __init__(self, lock: object) -> None:
        super().__init__("cannot cross")
        self.lock = lock


class FailingGate(ChunkGate):
    def __call__(self, chunk: list[Row]) -> ChunkResult:
        raise Unpicklable(threading.Lock())


def test_an_error_that_cannot_cross_processes_is_named_by_its_type(csv_file):
    table = open_table(csv_file(rows(30)), chunk_rows=9)
    gate = FailingGate(RowGate({"email": 2}, keep_phone=False), b"k" * 32, [])
    with pytest.raises(RuntimeError, match=r"the import's gate failed \(Unpicklable\)"):
        list(gate_chunks(table, gate, 2))


def test_a_consumer_that_stops_early_leaves_no_worker_behind(csv_file):
    table = open_table(csv_file(rows(200)), chunk_rows=9)
    results = gate_chunks(table, chunk_gate(), 2)
    next(results)
    results.close()
    assert not multiprocessing.active_children()


def test_the_collector_runs_rarely_in_the_block_and_as_before_after_it():
    import gc

    from licite.ingest.gating import collecting_rarely

    before = gc.get_threshold()
    during = []

    def fail_inside() -> None:
        with collecting_rarely():
            during.append(gc.get_threshold())
            raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        fail_inside()
    assert during
    assert during[0] != before
    assert gc.get_threshold() == before
