"""Worlds driven from several Python threads (c-abi.md §4.8). ctypes releases the GIL around
every call, so these calls really run inside the library at the same time: distinct worlds step
in parallel, and one shared world serves queries, inspection, reservations and mutations from
several threads while another thread steps it, split step included (begins and commits of one
epoch from different threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from archetype import _abi

import world_helpers as wh
from world_helpers import MOVEMENT, POSITION, WorldFactory, ledger

P = "position"


def _run_threads(targets: list[Callable[[], None]], timeout: float = 120.0) -> None:
    errors: list[BaseException] = []

    def wrap(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # reported in the main thread
                errors.append(exc)

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread did not finish (deadlock?)"
    if errors:
        raise errors[0]


def test_distinct_worlds_step_in_parallel(worlds: WorldFactory) -> None:
    n_threads, ticks, n = 4, 60, 200
    ws = []
    for i in range(n_threads):
        root = worlds.store() if i % 2 else None
        w = worlds.new(f"world-{i}", "run", store_root=root)
        w.register("mv", MOVEMENT)
        w.spawn("mv", wh.movement_batch(n, x0=float(i), dx=1.0, dy=0.5))
        if i % 2 == 0:
            w.add_processor(dt=1.0)
        ws.append(w)

    def drive(w: wh.World, native: bool) -> Callable[[], None]:
        def run() -> None:
            for _ in range(ticks):
                if native:
                    w.step()
                else:
                    w.split_tick(lambda _t, b: wh.move(b, 1.0))

        return run

    _run_threads([drive(w, i % 2 == 0) for i, w in enumerate(ws)])
    for i, w in enumerate(ws):
        assert w.tick() == ticks
        last = w.rows("mv", ticks - 1)
        assert [r["position__x"] for r in last] == [i + k + ticks - 1.0 for k in range(n)]
        assert {r["world_id"] for r in last} == {f"world-{i}"}


def test_shared_world_queries_and_mutations_while_stepping(worlds: WorldFactory) -> None:
    w = worlds.new(store_root=worlds.store())
    w.register("mv", MOVEMENT)
    w.register(P, POSITION)
    w.add_processor(dt=1.0)
    ticks = 80
    stop = threading.Event()
    reserved: list[int] = []
    spawned: list[int] = []
    seen: dict[str, int] = {"queries": 0, "inspections": 0}

    def stepper() -> None:
        try:
            for k in range(ticks):
                spawned.extend(w.spawn("mv", wh.movement_batch(2, x0=float(k))))
                if k % 10 == 5:
                    w.despawn([spawned[0]])
                    spawned.pop(0)
                w.step()
        finally:
            stop.set()

    def spawner() -> None:
        # Mutations from another thread, serialised with the stepper by the world lock.
        while not stop.is_set():
            spawned.extend(w.spawn(P, wh.batch_of(POSITION, position__x=[1.0])))
            time.sleep(0.001)

    def reserver() -> None:
        while not stop.is_set():
            reserved.append(w.reserve(3))

    def querier() -> None:
        while not stop.is_set():
            t = w.query("mv")
            assert t is not None
            ticks_seen = t.column("tick").to_pylist()
            assert ticks_seen == sorted(ticks_seen), "parts are read in write order"
            if ticks_seen:
                # Every tick present is complete: 2 new rows per tick plus the live ones.
                last = ticks_seen[-1]
                assert ticks_seen.count(last) >= 2
            seen["queries"] += 1

    def inspector() -> None:
        while not stop.is_set():
            info = w.info()
            assert info.state == _abi.ARCT_WORLD_READY
            tick = w.tick()
            assert 0 <= tick <= ticks
            tables = w.active_tables()
            assert set(tables) <= {"mv", P}
            assert all(t in ("mv", P) for _, t in w.entities())
            seen["inspections"] += 1

    _run_threads([stepper, spawner, reserver, querier, inspector])
    assert seen["queries"] > 0 and seen["inspections"] > 0
    assert w.tick() == ticks
    # Ids are unique across the racing spawns and reservations.
    all_reserved = [r + k for r in reserved for k in range(3)]
    assert len(set(all_reserved)) == len(all_reserved)
    assert not set(all_reserved) & set(spawned)
    # The ledger matches: every mv entity spawned at tick k has x = k at tick k.
    for k in (0, ticks // 2, ticks - 1):
        rows = [r for r in w.rows("mv", k) if r["is_active"]]
        assert rows and all(r["position__x"] >= 0 for r in rows)
    live_mv = {e for e, t in w.entities() if t == "mv"}
    last_mv = {r["entity_id"] for r in w.rows("mv", ticks - 1, active_only=True)}
    assert live_mv == last_mv


def test_split_step_from_one_thread_per_table(worlds: WorldFactory) -> None:
    """Begins and commits of one epoch from different threads, in any order (§9.2)."""
    w = worlds.new()
    tables = ["t0", "t1", "t2", "t3"]
    for t in tables:
        w.register(t, MOVEMENT)
        w.spawn(t, wh.movement_batch(50, x0=0.0, dx=1.0, dy=0.0))
    w.step()
    ticks = 40
    barrier = threading.Barrier(len(tables))
    done_count: list[int] = []
    lock = threading.Lock()

    def worker(table: str) -> Callable[[], None]:
        def run() -> None:
            for _ in range(ticks):
                barrier.wait()
                prior = w.begin(table)
                assert prior is not None
                done = w.commit(table, wh.move(prior, 1.0))
                with lock:
                    done_count.append(done)
                barrier.wait()

        return run

    _run_threads([worker(t) for t in tables])
    assert w.tick() == ticks + 1
    assert sum(done_count) == ticks, "exactly one commit per tick completes it"
    for t in tables:
        xs = [r[2] for r in ledger(w, t, ticks, "position__x")]
        assert xs == [ticks + float(k) for k in range(50)]


def test_mutations_racing_split_epochs(worlds: WorldFactory) -> None:
    """A spawn from another thread lands between epochs (0) or is refused during one (104)."""
    w = worlds.new()
    w.register("mv", MOVEMENT)
    w.spawn("mv", wh.movement_batch(10))
    ticks = 60
    stop = threading.Event()
    outcomes: dict[int, int] = {0: 0, 104: 0}
    accepted: list[int] = []

    def stepper() -> None:
        try:
            for _ in range(ticks):
                prior = w.begin("mv")
                assert prior is not None
                time.sleep(0.0005)
                w.commit("mv", wh.move(prior, 1.0))
        finally:
            stop.set()

    def spawner() -> None:
        while not stop.is_set():
            ids = w.spawn("mv", wh.movement_batch(1, x0=1000.0), expect=None)
            fn, status, message = wh.last_call()
            assert fn == "arct_world_spawn"
            assert status in (0, 104), (status, message)
            if status == 104:
                assert message and message.startswith("arct_world_spawn: ")
            outcomes[status] += 1
            accepted.extend(ids)

    _run_threads([stepper, spawner])
    assert outcomes[0] + outcomes[104] > 0
    w.step()  # lands whatever was staged after the last epoch
    every = {r["entity_id"] for r in w.rows("mv")}
    assert set(accepted) <= every
    assert len(accepted) == len(set(accepted))


def test_last_error_per_thread_on_one_world(lib: Any, worlds: WorldFactory) -> None:
    """Two threads fail differently on the same world; each reads its own message, and the
    world's last error holds one of them."""
    w = worlds.new()
    w.register("position", POSITION)
    messages: dict[str, str | None] = {}

    def fail_unknown_table() -> None:
        for _ in range(200):
            w.spawn("nope", wh.batch_of(POSITION, position__x=[1.0]), expect=150)
            messages["a"] = wh.last_call()[2]
            assert messages["a"] and "nope" in messages["a"]

    def fail_bad_id() -> None:
        for _ in range(200):
            w.despawn([424242], expect=152)
            messages["b"] = wh.last_call()[2]
            assert messages["b"] and messages["b"].startswith("arct_world_despawn: ")

    _run_threads([fail_unknown_table, fail_bad_id])
    status, message = w.last_error()
    assert (status, message) in ((150, messages["a"]), (152, messages["b"]))
