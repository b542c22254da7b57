"""Negative cases of the world functions (c-abi.md §11: N1–N20, N30–N32, N34–N37, and the
world side of N21–N29), registered into `negative_cases.CASES` and run like the others: one child
process per group, one `START`/`RESULT` pair per case (see `negative_cases.py`).

Each case makes its own worlds (in memory, or on a temporary store), performs exactly one call
under test (`Ctx.call`, whose status and calling-thread message are the case's result) and may
check more afterwards (`Ctx.expect`, `Ctx.check`). The ownership rules are checked on every
call through `Ctx.call` / `Ctx.expect`:

- an input pair with both pointers non-NULL, and a lone schema, is moved: `release` is NULL
  after the call, whatever the status; a half-NULL pair moves nothing;
- every node of every input's producer is released exactly once by the end of the case (the
  library's or, for what was not moved, the case's own release; 0 times for an input that came
  in released), whether the input is a pyarrow export (tracked with `ReleaseTracker`) or a
  hand-made malformed tree (`cdata_helpers.clone_*`);
- on failure every output (Arrow shells, `*out_world`, ids, counts, info, profile) is untouched;
- at the end the case's worlds are freed and `arct_debug_counters` must be back at the values
  it had when the case started.
"""

from __future__ import annotations

import ctypes
import gc
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("SWIFT_BACKTRACE", "enable=no")

import pyarrow as pa

from archetype import _abi
from archetype._abi import ArrowArray, ArrowArrayStream, ArrowSchema, NativeLibrary

import cdata_helpers as h
import world_helpers as wh
from world_helpers import MOVEMENT, POSITION, POSITION_VELOCITY

MV = "mv"
B_MV = b"mv"
INT32_MAX = 2**31 - 1
BAD_UTF8 = {"ff": b"\xff", "truncated": b"ab\xe2\x82", "overlong": b"\xc0\xaf"}


@dataclass
class WorldCase:
    name: str
    group: str
    expected: int
    function: str
    run: Callable[[NativeLibrary], dict[str, Any]]
    exact: str | None = None
    #: a diagnostic (c-abi.md §5 item 1): it neither sets nor clears the thread's last error
    diagnostic: bool = False


WORLD_CASES: list[WorldCase] = []


# ---- inputs --------------------------------------------------------------------------------------


@dataclass
class In:
    """An Arrow input of a call: a batch pair or a lone schema."""

    kind: str  # "pair" or "schema"
    array: ArrowArray | None
    schema: ArrowSchema | None
    counts: Callable[[], dict[str, int]]
    cleanup: Callable[[], None] = lambda: None
    pass_array: bool = True
    pass_schema: bool = True
    released: tuple[str, ...] = ()  # halves that came in released (N28)
    label: str = "input"
    shared: dict[str, Any] = field(default_factory=dict)

    def without(self, half: str) -> In:
        """The same input with one pointer of the pair passed as NULL."""
        assert self.kind == "pair"
        return replace(self, pass_array=half != "array", pass_schema=half != "schema")

    def pointers(self) -> list[Any]:
        if self.kind == "schema":
            return [ctypes.byref(self.schema) if self.pass_schema else None]  # type: ignore[arg-type]
        return [
            ctypes.byref(self.array) if self.pass_array else None,  # type: ignore[arg-type]
            ctypes.byref(self.schema) if self.pass_schema else None,  # type: ignore[arg-type]
        ]

    def structs(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if self.array is not None:
            out.append(("array", self.array))
        if self.schema is not None:
            out.append(("schema", self.schema))
        return out


# ---- sentinels for non-empty outputs (N2) --------------------------------------------------------

SENTINEL_CALLS = {"array": 0, "schema": 0, "stream": 0}


def _sentinel(kind: str) -> Callable[[Any], None]:
    def fire(_p: Any) -> None:
        SENTINEL_CALLS[kind] += 1

    return fire


SENTINEL_ARRAY = _abi.ArrowArrayRelease(_sentinel("array"))
SENTINEL_SCHEMA = _abi.ArrowSchemaRelease(_sentinel("schema"))
SENTINEL_STREAM = _abi.StreamRelease(_sentinel("stream"))


def full_array() -> ArrowArray:
    a = ArrowArray()
    a.length, a.null_count, a.offset = 11, 22, 33
    a.private_data = 0xDEAD
    a.release = SENTINEL_ARRAY
    return a


def full_schema_shell() -> ArrowSchema:
    s = ArrowSchema()
    s.flags = 5
    s.private_data = 0xBEEF
    s.release = SENTINEL_SCHEMA
    return s


def full_stream() -> ArrowArrayStream:
    s = ArrowArrayStream()
    s.private_data = 0xCAFE
    s.release = SENTINEL_STREAM
    return s


# ---- the case context ----------------------------------------------------------------------------


class Ctx:
    def __init__(self, lib: NativeLibrary) -> None:
        self.lib = lib
        self.tracker = h.ReleaseTracker()
        self.checks: list[str] = []
        self.worlds: list[wh.World] = []
        self.inputs: list[In] = []
        self.tmpdirs: list[Path] = []
        self.result: tuple[int, str | None] | None = None
        self.check_counters = True
        gc.collect()
        self.start_counters = lib.debug_counters()
        self._n = 0

    # -- setup --

    def tmp(self) -> Path:
        p = Path(tempfile.mkdtemp(prefix="arct-neg-"))
        self.tmpdirs.append(p)
        return p

    def world(
        self,
        world_id: str = "w",
        run_id: str = "r",
        root: Path | None = None,
        namespace: str | None = None,
        *,
        open_: bool = False,
    ) -> wh.World:
        w = wh.World.create(self.lib, self.tracker, world_id, run_id, root, namespace, open_=open_)
        self.worlds.append(w)
        return w

    def mv_world(self, n: int = 2, *, steps: int = 1, root: Path | None = None) -> wh.World:
        """A world with table `mv` (movement columns), `n` entities (ids 1…n), `steps` ticks."""
        w = self.world(root=root)
        w.register(MV, MOVEMENT)
        if n:
            w.spawn(MV, wh.movement_batch(n))
        for _ in range(steps):
            w.step()
        return w

    def epoch_world(self) -> wh.World:
        """Tables `mv` (2 entities) and `mv2` (1), both active, `idle` registered and inactive;
        one tick done; an epoch open with `mv` begun and `mv2` pending."""
        w = self.mv_world(2)
        w.register("mv2", MOVEMENT)
        w.register("idle", MOVEMENT)
        w.spawn("mv2", wh.movement_batch(1))
        w.step()
        w.begin(MV)
        return w

    def freed_token(self) -> int:
        w = wh.World.create(self.lib, self.tracker, "freed", "r")
        w.free()
        return w.token

    # -- inputs --

    def _tag(self, label: str) -> str:
        self._n += 1
        return f"{label}{self._n}"

    def batch(self, batch: pa.RecordBatch | pa.Array, label: str = "batch") -> In:
        tag = self._tag(label)
        arr, schema = ArrowArray(), ArrowSchema()
        batch._export_to_c(ctypes.addressof(arr), ctypes.addressof(schema))
        self.tracker.wrap_array(arr, tag + ".array")
        self.tracker.wrap_schema(schema, tag + ".schema")
        inp = In("pair", arr, schema, self._tracked_counts(tag + "."), label=label)
        self.inputs.append(inp)
        return inp

    def schema(self, schema: pa.Schema, label: str = "schema") -> In:
        tag = self._tag(label)
        s = ArrowSchema()
        schema._export_to_c(ctypes.addressof(s))
        self.tracker.wrap_schema(s, tag + ".schema")
        inp = In("schema", None, s, self._tracked_counts(tag + "."), label=label)
        self.inputs.append(inp)
        return inp

    def _tracked_counts(self, prefix: str) -> Callable[[], dict[str, int]]:
        return lambda: {k: v for k, v in self.tracker.counts.items() if k.startswith(prefix)}

    def bad_batch(
        self,
        batch: pa.RecordBatch | pa.Array,
        patch: Callable[[h.Owned, h.Owned], None] | None = None,
        label: str = "bad_batch",
    ) -> In:
        arr, schema = h.hand_made_batch(batch)
        if patch is not None:
            patch(arr, schema)

        def counts() -> dict[str, int]:
            out = {f"array.{k}": v for k, v in arr.counts().items()}
            out.update({f"schema.{k}": v for k, v in schema.counts().items()})
            return out

        inp = In("pair", arr.struct, schema.struct, counts, arr.release_source, label=label)
        inp.shared["owned"] = (arr, schema)
        self.inputs.append(inp)
        return inp

    def bad_schema(
        self,
        schema: pa.Schema | None,
        patch: Callable[[h.Owned], None] | None = None,
        label: str = "bad_schema",
        *,
        raw: ArrowSchema | None = None,
    ) -> In:
        src = raw if raw is not None else ArrowSchema()
        if raw is None:
            assert schema is not None
            schema._export_to_c(ctypes.addressof(src))
        owned = h.clone_schema(src, [src])
        if patch is not None:
            patch(owned)
        inp = In(
            "schema",
            None,
            owned.struct,
            lambda: {f"schema.{k}": v for k, v in owned.counts().items()},
            owned.release_source,
            label=label,
        )
        inp.shared["owned"] = owned
        self.inputs.append(inp)
        return inp

    # -- calls --

    def _expand(self, args: tuple[Any, ...]) -> list[Any]:
        out: list[Any] = []
        for a in args:
            if isinstance(a, In):
                out.extend(a.pointers())
            else:
                out.append(a)
        return out

    def _invoke(
        self, fn: str, args: tuple[Any, ...], outputs: tuple[Any, ...]
    ) -> tuple[int, str | None]:
        before = [h.struct_bytes(o) for o in outputs]
        status = int(getattr(self.lib, fn)(*self._expand(args)))
        message = self.lib.last_error() if status != 0 else None
        for a in args:
            if not isinstance(a, In):
                continue
            halves = {"array": a.pass_array, "schema": a.pass_schema}
            structs = a.structs()
            all_passed = all(halves[k] for k, _ in structs)
            for k, s in structs:
                if k in a.released:
                    continue
                moved = not s.release
                if all_passed and not a.released and not moved:
                    self.checks.append(f"{fn}: {a.label} {k} not moved (release still set)")
                if not all_passed and moved:
                    self.checks.append(f"{fn}: {a.label} {k} moved although the pair was half NULL")
        if status != 0:
            after = [h.struct_bytes(o) for o in outputs]
            for i, (b0, b1) in enumerate(zip(before, after, strict=True)):
                if b0 != b1:
                    self.checks.append(f"{fn}: output #{i} was written on failure")
        else:
            for o in outputs:
                if isinstance(o, ArrowArray | ArrowSchema | ArrowArrayStream) and o.release:
                    o.release(ctypes.byref(o))
        return status, message

    def call(self, fn: str, *args: Any, outputs: tuple[Any, ...] = ()) -> int:
        """The call under test: its status and message are the case's result."""
        status, message = self._invoke(fn, args, outputs)
        if self.result is None:
            self.result = (status, message)
        else:
            self.checks.append(f"harness: a second call under test ({fn})")
        return status

    def expect(self, expected: int, fn: str, *args: Any, outputs: tuple[Any, ...] = ()) -> int:
        """A follow-up call whose status must be `expected` (a check, not the result)."""
        status, message = self._invoke(fn, args, outputs)
        if status != expected:
            self.checks.append(f"{fn}: status {status}, expected {expected} ({message!r})")
        return status

    def check(self, ok: bool, text: str) -> None:
        if not ok:
            self.checks.append(text)

    def state(self, w: wh.World, state: int, tick: int | None = None) -> None:
        info = w.info()
        self.check(info.state == state, f"world state {info.state}, expected {state}")
        if tick is not None:
            self.check(info.tick == tick, f"world tick {info.tick}, expected {tick}")

    # -- end of case --

    def finish(self) -> dict[str, Any]:
        for w in self.worlds:
            if not w.freed:
                status = int(self.lib.arct_world_free(w.token))
                if status != 0:
                    self.checks.append(f"free at the end of the case: status {status}")
        self.worlds.clear()
        for inp in self.inputs:
            for k, s in inp.structs():
                if k not in inp.released:
                    _abi.release_if_needed(s)
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            gc.collect()
            if (
                all(
                    c >= 1
                    for inp in self.inputs
                    for key, c in inp.counts().items()
                    if not _pre_released(inp, key)
                )
                and not self.tracker.unreleased()
            ):
                break
            time.sleep(0.01)
        for inp in self.inputs:
            for key, count in inp.counts().items():
                want = 0 if _pre_released(inp, key) else 1
                if count != want:
                    self.checks.append(
                        f"{inp.label} node {key} released {count} times, expected {want}"
                    )
            inp.cleanup()
        bad = self.tracker.wait_all_released()
        self.checks += [f"tracked node {k} released {v} times, expected 1" for k, v in bad.items()]
        self.checks += self.tracker.violations
        self.tracker.purge_released()
        for d in self.tmpdirs:
            shutil.rmtree(d, ignore_errors=True)
        if self.check_counters:
            now = wh.wait_counters(self.lib, self.start_counters)
            if now != self.start_counters:
                self.checks.append(
                    f"arct_debug_counters {now}, at the start of the case {self.start_counters}"
                )
        if self.result is None:
            return {
                "status": None,
                "message": None,
                "checks": [*self.checks, "harness error: no call under test"],
            }
        status, message = self.result
        return {"status": status, "message": message, "checks": self.checks}


def _pre_released(inp: In, key: str) -> bool:
    return any(key.startswith(f"{half}.") for half in inp.released)


def wcase(
    name: str, group: str, expected: int, function: str, exact: str | None = None
) -> Callable[[Callable[[Ctx], None]], Callable[[Ctx], None]]:
    def register(fn: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
        def run(lib: NativeLibrary) -> dict[str, Any]:
            t = Ctx(lib)
            try:
                fn(t)
            except Exception as exc:
                t.checks.append(f"harness error: {exc!r}")
            return t.finish()

        WORLD_CASES.append(
            WorldCase(name, group, expected, function, run, exact, diagnostic=function == LAST)
        )
        return fn

    return register


def add(name: str, group: str, expected: int, function: str, fn: Callable[[Ctx], None]) -> None:
    wcase(name, group, expected, function)(fn)


# ---- argument builders: a valid call of every world function on a given token ------------------

NEW, OPEN, FREE = "arct_world_new", "arct_world_open", "arct_world_free"
LAST, INFO, TICK = "arct_world_last_error", "arct_world_get_info", "arct_world_tick"
ACTIVE, TABLES, ENTITIES = "arct_world_active_tables", "arct_world_tables", "arct_world_entities"
REGISTER, SPAWN, RESERVE = "arct_world_register_table", "arct_world_spawn", "arct_world_reserve_ids"
SPAWN_IDS, DESPAWN, UPDATE = "arct_world_spawn_with_ids", "arct_world_despawn", "arct_world_update"
MIGRATE, MIGRATE_ROWS = "arct_world_migrate", "arct_world_migrate_rows"
ADD_PROC, REMOVE_PROC, APPLY = (
    "arct_world_add_processor",
    "arct_world_remove_processor",
    "arct_processor_apply",
)
STEP, BEGIN, COMMIT, ABORT = (
    "arct_world_step",
    "arct_step_begin",
    "arct_step_commit",
    "arct_step_abort",
)
QUERY, HOLD = "arct_world_query", "arct_debug_world_hold"


def pv_values(n: int = 1) -> pa.RecordBatch:
    return wh.batch_of(pa.schema([POSITION_VELOCITY.field("velocity__dx")]), velocity__dx=[2.0] * n)


def x_batch(n: int = 1) -> pa.RecordBatch:
    return wh.batch_of(POSITION, position__x=[1.0] * n)


def patch_x(ids: list[int]) -> pa.RecordBatch:
    return pa.record_batch(
        {"entity_id": pa.array(ids, pa.int32()), "position__x": pa.array([5.0] * len(ids))}
    )


@dataclass
class Built:
    args: tuple[Any, ...]
    outputs: tuple[Any, ...] = ()
    keep: list[Any] = field(default_factory=list)


def build(t: Ctx, fn: str, token: Any) -> Built:
    """Valid arguments for `fn` on world `token` (a `mv_world` when the token is live): the call
    succeeds on a READY world with entities 1 and 2 in `mv`."""
    if fn == FREE:
        return Built((token,))
    if fn == LAST:
        st, ln = ctypes.c_int32(-3), ctypes.c_size_t(777)
        buf = ctypes.create_string_buffer(16)
        return Built((token, ctypes.byref(st), buf, 16, ctypes.byref(ln)), (st, ln, buf))
    if fn == INFO:
        info = _abi.arct_world_info()
        info.struct_size = ctypes.sizeof(info)
        return Built((token, ctypes.byref(info)), (info,))
    if fn == TICK:
        tick = ctypes.c_int32(-3)
        return Built((token, ctypes.byref(tick)), (tick,))
    if fn in (ACTIVE, TABLES, ENTITIES):
        a, s = ArrowArray(), ArrowSchema()
        return Built((token, ctypes.byref(a), ctypes.byref(s)), (a, s))
    if fn == REGISTER:
        return Built((token, b"other", t.schema(POSITION), 0))
    if fn == SPAWN:
        ids = (ctypes.c_int32 * 2)(-3, -3)
        n = ctypes.c_int64(-3)
        return Built(
            (token, B_MV, t.batch(wh.movement_batch(2)), ids, 2, ctypes.byref(n)), (ids, n)
        )
    if fn == RESERVE:
        first = ctypes.c_int32(-3)
        return Built((token, 2, ctypes.byref(first)), (first,))
    if fn == SPAWN_IDS:
        return Built((token, B_MV, t.batch(wh.movement_batch(1)), wh.ids_array([100]), 1))
    if fn == DESPAWN:
        return Built((token, wh.ids_array([1]), 1))
    if fn == UPDATE:
        return Built((token, t.batch(patch_x([1]))))
    if fn in (MIGRATE, MIGRATE_ROWS):
        values = (
            t.batch(pv_values())
            if fn == MIGRATE
            else t.batch(wh.batch_of(POSITION_VELOCITY, position__x=[1.0], velocity__dx=[2.0]))
        )
        return Built((token, b"pv", t.schema(POSITION_VELOCITY), values, wh.ids_array([1]), 1))
    if fn == ADD_PROC:
        s = wh.spec()
        out = ctypes.c_uint64(0)
        return Built((token, ctypes.byref(s), ctypes.byref(out)), (out,), [s])
    if fn == REMOVE_PROC:
        return Built((token, 1))
    if fn == STEP:
        return Built((token, None))
    if fn == BEGIN:
        a, s = ArrowArray(), ArrowSchema()
        return Built((token, B_MV, ctypes.byref(a), ctypes.byref(s)), (a, s))
    if fn == COMMIT:
        done = ctypes.c_int32(-3)
        return Built((token, B_MV, t.batch(wh.movement_batch(2)), ctypes.byref(done)), (done,))
    if fn == ABORT:
        return Built((token, None))
    if fn == QUERY:
        out = ArrowArrayStream()
        return Built((token, B_MV, None, ctypes.byref(out)), (out,))
    if fn == HOLD:
        inside, release = ctypes.c_int32(0), ctypes.c_int32(1)
        return Built((token, ctypes.byref(inside), ctypes.byref(release), 10), (inside,))
    raise AssertionError(fn)


WORLD_FUNCTIONS = [
    FREE,
    LAST,
    INFO,
    TICK,
    ACTIVE,
    TABLES,
    ENTITIES,
    REGISTER,
    SPAWN,
    RESERVE,
    SPAWN_IDS,
    DESPAWN,
    UPDATE,
    MIGRATE,
    MIGRATE_ROWS,
    ADD_PROC,
    REMOVE_PROC,
    STEP,
    BEGIN,
    COMMIT,
    ABORT,
    QUERY,
    HOLD,
]


def _short(fn: str) -> str:
    return fn.removeprefix("arct_").removeprefix("world_")


# ---- N1: NULL pointers ---------------------------------------------------------------------------


def _null_in(fn: str, index: int, label: str, token: str = "live") -> None:
    """`fn` with argument `index` (after expanding inputs) replaced by NULL."""

    def run(t: Ctx) -> None:
        w = t.mv_world() if token == "live" else None
        b = build(t, fn, w.token if w is not None else None)
        args = list(b.args)
        flat: list[Any] = []
        for a in args:
            if isinstance(a, In):
                if a.kind == "pair":
                    flat += [(a, "array"), (a, "schema")]
                else:
                    flat += [(a, "schema")]
            else:
                flat.append(a)
        target = flat[index]
        if isinstance(target, tuple):
            inp, half = target
            if inp.kind == "pair":
                new = inp.without(half)
                t.inputs.append(new)
                t.inputs.remove(inp)
                args[args.index(inp)] = new
            else:
                new = replace(inp, pass_schema=False)
                t.inputs.remove(inp)
                t.inputs.append(new)
                args[args.index(inp)] = new
        else:
            # Map the flat index back to the argument list.
            pos = _arg_pos(args, index)
            args[pos] = None
        t.call(fn, *args, outputs=b.outputs)

    add(f"{_short(fn)}.null.{label}", "w_null", 3, fn, run)


def _arg_pos(args: list[Any], flat_index: int) -> int:
    k = 0
    for i, a in enumerate(args):
        width = (2 if a.kind == "pair" else 1) if isinstance(a, In) else 1
        if k <= flat_index < k + width:
            return i
        k += width
    raise IndexError(flat_index)


for _fn in WORLD_FUNCTIONS:
    if _fn != FREE:
        _null_in(_fn, 0, "world")
add("free.null.world", "w_null", 3, FREE, lambda t: t.call(FREE, None))
_null_in(LAST, 1, "out_status")
_null_in(LAST, 4, "out_len")
_null_in(INFO, 1, "out_info")
_null_in(TICK, 1, "out_tick")
for _fn in (ACTIVE, TABLES, ENTITIES, BEGIN):
    _o = 2 if _fn == BEGIN else 1
    _null_in(_fn, _o, "out_array")
    _null_in(_fn, _o + 1, "out_schema")
_null_in(REGISTER, 1, "table")
_null_in(REGISTER, 2, "schema")
_null_in(SPAWN, 1, "table")
_null_in(SPAWN, 2, "batch_array")
_null_in(SPAWN, 3, "batch_schema")
_null_in(SPAWN, 6, "out_n_ids")
_null_in(SPAWN, 4, "out_ids_with_cap_2")
_null_in(RESERVE, 2, "out_first_id")
_null_in(SPAWN_IDS, 1, "table")
_null_in(SPAWN_IDS, 2, "batch_array")
_null_in(SPAWN_IDS, 3, "batch_schema")
_null_in(SPAWN_IDS, 4, "ids_with_n_1")
_null_in(DESPAWN, 1, "ids_with_n_1")
_null_in(UPDATE, 1, "patch_array")
_null_in(UPDATE, 2, "patch_schema")
for _fn in (MIGRATE, MIGRATE_ROWS):
    _null_in(_fn, 1, "to_table")
    _null_in(_fn, 3, "values_array")
    _null_in(_fn, 4, "values_schema")
    _null_in(_fn, 5, "ids_with_n_1")
_null_in(ADD_PROC, 1, "spec")
_null_in(ADD_PROC, 2, "out_processor_id")
_null_in(BEGIN, 1, "table")
_null_in(COMMIT, 1, "table")
_null_in(COMMIT, 2, "processed_array")
_null_in(COMMIT, 3, "processed_schema")
_null_in(QUERY, 1, "table")
_null_in(QUERY, 3, "out_stream")
_null_in(HOLD, 1, "inside")
_null_in(HOLD, 2, "release")


def _new_null(fn: str, what: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        opts = wh.options("w", "r")
        out = ctypes.c_void_p()
        if what == "world_id":
            opts.world_id = None
        if what == "run_id":
            opts.run_id = None
        if fn == OPEN:
            opts.store_root = os.fsencode(t.tmp())
        t.call(
            fn,
            None if what == "options" else ctypes.byref(opts),
            None if what == "out_world" else ctypes.byref(out),
            outputs=(out,),
        )

    return run


for _fn in (NEW, OPEN):
    for _what in ("options", "out_world", "world_id", "run_id"):
        add(f"{_short(_fn)}.null.{_what}", "w_null", 3, _fn, _new_null(_fn, _what))


@wcase("last_error.null.buf_with_len_8", "w_null", 3, LAST)
def _last_error_null_buf(t: Ctx) -> None:
    w = t.mv_world()
    st, ln = ctypes.c_int32(-3), ctypes.c_size_t(777)
    t.call(LAST, w.token, ctypes.byref(st), None, 8, ctypes.byref(ln), outputs=(st, ln))


@wcase("spawn.null.both_halves", "w_null", 3, SPAWN)
def _spawn_null_both(t: Ctx) -> None:
    w = t.mv_world()
    ids, n = (ctypes.c_int32 * 2)(-3, -3), ctypes.c_int64(-3)
    t.call(SPAWN, w.token, B_MV, None, None, ids, 2, ctypes.byref(n), outputs=(ids, n))


@wcase("update.null.both_halves", "w_null", 3, UPDATE)
def _update_null_both(t: Ctx) -> None:
    w = t.mv_world()
    t.call(UPDATE, w.token, None, None)


@wcase("migrate_rows.null.rows_both", "w_null", 3, MIGRATE_ROWS)
def _migrate_rows_null(t: Ctx) -> None:
    w = t.mv_world()
    t.call(
        MIGRATE_ROWS, w.token, b"pv", t.schema(POSITION_VELOCITY), None, None, wh.ids_array([1]), 1
    )


def _apply_args(t: Ctx, batch: pa.RecordBatch | None = None) -> Built:
    s = wh.spec()
    oa, os_ = ArrowArray(), ArrowSchema()
    inp = t.batch(batch if batch is not None else wh.movement_batch(2))
    return Built((ctypes.byref(s), inp, ctypes.byref(oa), ctypes.byref(os_), 0), (oa, os_), [s])


for _i, _what in (
    (0, "spec"),
    (1, "in_array"),
    (2, "in_schema"),
    (3, "out_array"),
    (4, "out_schema"),
):

    def _apply_null(t: Ctx, i: int = _i) -> None:
        b = _apply_args(t)
        args = list(b.args)
        if i in (1, 2):
            inp = args[1]
            new = inp.without("array" if i == 1 else "schema")
            t.inputs.remove(inp)
            t.inputs.append(new)
            args[1] = new
        else:
            args[_arg_pos(args, i)] = None
        t.call(APPLY, *args, outputs=b.outputs)

    add(f"processor_apply.null.{_what}", "w_null", 3, APPLY, _apply_null)


@wcase("step.null.profile_tables_with_cap_2", "w_null", 3, STEP)
def _step_null_tables(t: Ctx) -> None:
    w = t.mv_world()
    p = _abi.arct_step_profile()
    p.struct_size = ctypes.sizeof(p)
    p.tables_cap = 2
    t.call(STEP, w.token, ctypes.byref(p), outputs=(p,))
    t.state(w, _abi.ARCT_WORLD_READY, 1)


def _query_null(flag: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        q = _abi.arct_query()
        q.struct_size = ctypes.sizeof(q)
        if flag == "ticks":
            q.flags, q.n_ticks = _abi.ARCT_QUERY_FILTER_TICKS, 1
        elif flag == "entity_ids":
            q.flags, q.n_entity_ids = _abi.ARCT_QUERY_FILTER_ENTITY_IDS, 1
        else:
            q.flags, q.n_columns = _abi.ARCT_QUERY_PROJECT, 1
        out = ArrowArrayStream()
        t.call(QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(out), outputs=(out,))

    return run


for _flag in ("ticks", "entity_ids", "columns"):
    add(f"query.null.{_flag}_with_n_1", "w_null", 3, QUERY, _query_null(_flag))


# ---- N2: outputs not empty -----------------------------------------------------------------------


def _not_empty_world(fn: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        opts = wh.options("w", "r")
        if fn == OPEN:
            opts.store_root = os.fsencode(t.tmp())
        out = ctypes.c_void_p(0x1234)
        t.call(fn, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))

    return run


for _fn in (NEW, OPEN):
    add(f"{_short(_fn)}.out_world_not_null", "w_outputs", 4, _fn, _not_empty_world(_fn))


def _not_empty(fn: str, which: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        a = full_array() if which in ("array", "both") else ArrowArray()
        s = full_schema_shell() if which in ("schema", "both") else ArrowSchema()
        before = dict(SENTINEL_CALLS)
        if fn == BEGIN:
            t.call(fn, w.token, B_MV, ctypes.byref(a), ctypes.byref(s), outputs=(a, s))
            t.state(w, _abi.ARCT_WORLD_READY, 1)  # no epoch opened
        elif fn == APPLY:
            b = _apply_args(t)
            t.call(APPLY, b.args[0], b.args[1], ctypes.byref(a), ctypes.byref(s), 0, outputs=(a, s))
        else:
            t.call(fn, w.token, ctypes.byref(a), ctypes.byref(s), outputs=(a, s))
        t.check(before == SENTINEL_CALLS, "the library called a non-empty output's release")

    return run


for _fn in (ACTIVE, TABLES, ENTITIES, BEGIN, APPLY):
    for _which in ("array", "schema", "both"):
        add(f"{_short(_fn)}.out_not_empty.{_which}", "w_outputs", 4, _fn, _not_empty(_fn, _which))


@wcase("query.out_not_empty", "w_outputs", 4, QUERY)
def _query_not_empty(t: Ctx) -> None:
    w = t.mv_world()
    out = full_stream()
    before = dict(SENTINEL_CALLS)
    t.call(QUERY, w.token, B_MV, None, ctypes.byref(out), outputs=(out,))
    t.check(before == SENTINEL_CALLS, "the library called the non-empty stream's release")


# ---- N3: invalid UTF-8 ---------------------------------------------------------------------------


def _utf8_cases(tag: str, bad: bytes) -> None:
    def opts_case(fn: str, what: str) -> Callable[[Ctx], None]:
        def run(t: Ctx) -> None:
            opts = wh.options("w", "r", t.tmp() if fn == OPEN or what == "namespace" else None)
            setattr(opts, {"namespace": "store_namespace"}.get(what, what), bad)
            out = ctypes.c_void_p()
            t.call(fn, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))

        return run

    for fn in (NEW, OPEN):
        for what in ("world_id", "run_id", "namespace", "store_root"):
            add(f"{_short(fn)}.utf8_{tag}.{what}", "w_utf8", 5, fn, opts_case(fn, what))

    def table_case(fn: str) -> Callable[[Ctx], None]:
        def run(t: Ctx) -> None:
            w = t.epoch_world() if fn in (COMMIT, ABORT) else t.mv_world()
            b = build(t, fn, w.token)
            args = list(b.args)
            args[1] = bad
            t.call(fn, *args, outputs=b.outputs)
            if fn in (COMMIT, ABORT):  # a protocol error leaves the epoch open
                t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)

        return run

    for fn in (REGISTER, SPAWN, SPAWN_IDS, MIGRATE, MIGRATE_ROWS, BEGIN, COMMIT, ABORT, QUERY):
        add(f"{_short(fn)}.utf8_{tag}.table", "w_utf8", 5, fn, table_case(fn))

    def query_case(what: str) -> Callable[[Ctx], None]:
        def run(t: Ctx) -> None:
            w = t.mv_world()
            if what == "column":
                q = wh.build_query(columns=["entity_id", bad])
            else:
                q = wh.build_query(**{what: bad})
            out = ArrowArrayStream()
            t.call(QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(out), outputs=(out,))

        return run

    for what in ("column", "world_id", "run_id"):
        add(f"query.utf8_{tag}.{what}", "w_utf8", 5, QUERY, query_case(what))

    def label_case(fn: str) -> Callable[[Ctx], None]:
        def run(t: Ctx) -> None:
            s = wh.spec(label=bad)
            if fn == ADD_PROC:
                w = t.mv_world()
                out = ctypes.c_uint64(0)
                t.call(fn, w.token, ctypes.byref(s), ctypes.byref(out), outputs=(out,))
            else:
                b = _apply_args(t)
                t.call(fn, ctypes.byref(s), *b.args[1:], outputs=b.outputs)

        return run

    for fn in (ADD_PROC, APPLY):
        add(f"{_short(fn)}.utf8_{tag}.label", "w_utf8", 5, fn, label_case(fn))


for _tag, _bad in BAD_UTF8.items():
    _utf8_cases(_tag, _bad)


# ---- N4: names -----------------------------------------------------------------------------------

BAD_TABLE_NAMES = {
    "empty": b"",
    "256_bytes": b"a" * 256,
    "slash": b"a/b",
    "backslash": b"a\\b",
    "space": b"a b",
    "dot": b".",
    "dotdot": b"..",
    "dot_hidden": b".hidden",
    "parent_path": b"../evil",
}
BAD_IDS = {
    "empty": b"",
    "256_bytes": b"w" * 256,
    "control_01": b"a\x01b",
    "control_1f": b"\x1f",
    "control_7f": b"a\x7f",
    "newline": b"a\nb",
}


def _name_case(fn: str, bad: bytes) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        root = t.tmp()
        w = t.mv_world(root=root)
        before = sorted(p.relative_to(root) for p in root.rglob("*"))
        b = build(t, fn, w.token)
        args = list(b.args)
        args[1] = bad
        t.call(fn, *args, outputs=b.outputs)
        after = sorted(p.relative_to(root) for p in root.rglob("*"))
        t.check(after == before, f"the store changed: {before} -> {after}")
        t.check(not (root.parent / "evil").exists(), "a directory was created outside the store")

    return run


for _label, _bad in BAD_TABLE_NAMES.items():
    for _fn in (REGISTER, SPAWN, SPAWN_IDS, MIGRATE, MIGRATE_ROWS, BEGIN, QUERY):
        add(f"{_short(_fn)}.name_{_label}", "w_names", 154, _fn, _name_case(_fn, _bad))

    def _ns_case(t: Ctx, bad: bytes = _bad, store: bool = True) -> None:
        root = t.tmp()
        opts = wh.options("w", "r", root / "s" if store else None, bad)
        out = ctypes.c_void_p()
        t.call(NEW, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))
        t.check(
            not (root / "s").exists() or not any((root / "s").iterdir()),
            "something was created in the store root",
        )
        t.check(not (root / "evil").exists(), "a directory was created outside the store")

    add(f"new.namespace_{_label}.store", "w_names", 154, NEW, _ns_case)
    add(
        f"new.namespace_{_label}.memory",
        "w_names",
        154,
        NEW,
        lambda t, bad=_bad: _ns_case(t, bad, store=False),
    )

for _label, _bad in BAD_IDS.items():
    for _what in ("world_id", "run_id"):

        def _id_case(t: Ctx, bad: bytes = _bad, what: str = _what, fn: str = NEW) -> None:
            opts = wh.options("w", "r", t.tmp() if fn == OPEN else None)
            setattr(opts, what, bad)
            out = ctypes.c_void_p()
            t.call(fn, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))

        add(f"new.{_what}_{_label}", "w_names", 154, NEW, _id_case)
        add(
            f"open.{_what}_{_label}",
            "w_names",
            154,
            OPEN,
            lambda t, bad=_bad, what=_what: _id_case(t, bad, what, OPEN),
        )


@wcase("names.255_bytes_are_accepted", "w_names", 0, NEW)
def _names_255(t: Ctx) -> None:
    root = t.tmp()
    opts = wh.options("w" * 255, "é" * 127 + "r", root, "n" * 255)  # 255 bytes each
    out = ctypes.c_void_p()
    t.call(NEW, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))
    if out.value:
        w = wh.World(
            t.lib,
            out.value,
            t.tracker,
            world_id="w" * 255,
            run_id="é" * 127 + "r",
            store_root=root,
            namespace="n" * 255,
        )
        t.worlds.append(w)
        w.register("t" * 255, POSITION)
        w.spawn("t" * 255, x_batch())
        w.step()
        t.check(len(w.rows("t" * 255)) == 1, "the 255-byte table was not written")
        t.check(any((root / ("n" * 255) / ("t" * 255)).glob("part-*.parquet")), "no part file")


@wcase("names.world_id_may_hold_slashes_and_unicode", "w_names", 0, NEW)
def _names_free_form_ids(t: Ctx) -> None:
    opts = wh.options("a/b c\\d ☃", "..", None)
    out = ctypes.c_void_p()
    t.call(NEW, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))
    if out.value:
        t.worlds.append(wh.World(t.lib, out.value, t.tracker))


# ---- N5: handles ---------------------------------------------------------------------------------

TOKENS: dict[str, Callable[[Ctx], int]] = {
    "never_issued": lambda t: 0x10,
    "freed": lambda t: t.freed_token(),
    "random": lambda t: 0x7F3A_DEAD_BEE0,
    "address_of_a_struct": lambda t: ctypes.addressof(_GARBAGE),
}
_GARBAGE = (ctypes.c_uint8 * 256)(*([0xAB] * 256))

for _tok, _make in TOKENS.items():
    for _fn in WORLD_FUNCTIONS:

        def _handle_case(t: Ctx, fn: str = _fn, make: Callable[[Ctx], int] = _make) -> None:
            token = make(t)
            b = build(t, fn, token)
            t.call(fn, *b.args, outputs=b.outputs)

        add(f"{_short(_fn)}.handle_{_tok}", "w_handles", 6, _fn, _handle_case)


@wcase("free.double_free", "w_handles", 6, FREE)
def _double_free(t: Ctx) -> None:
    w = t.world()
    w.free()
    t.call(FREE, w.token)
    t.expect(6, FREE, w.token)


@wcase("free.token_of_a_freed_world_stays_dead", "w_handles", 6, INFO)
def _token_stays_dead(t: Ctx) -> None:
    w = t.world()
    w.free()
    for _ in range(5):
        t.worlds.append(wh.World.create(t.lib, t.tracker, "w", f"r{len(t.worlds)}"))
    info = _abi.arct_world_info()
    info.struct_size = ctypes.sizeof(info)
    t.call(INFO, w.token, ctypes.byref(info), outputs=(info,))


# ---- N6: ABI version -----------------------------------------------------------------------------

for _fn in (NEW, OPEN):
    for _v in (0, 1, 3, 0xFFFFFFFF):

        def _abi_case(t: Ctx, fn: str = _fn, v: int = _v) -> None:
            opts = wh.options("w", "r", t.tmp() if fn == OPEN else None, abi_version=v)
            out = ctypes.c_void_p()
            t.call(fn, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))

        add(f"{_short(_fn)}.abi_version_{_v}", "w_abi", 7, _fn, _abi_case)


# ---- N7: invalid arguments -----------------------------------------------------------------------


def _opts_case(fn: str, **changes: Any) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        root = changes.get("_root", "tmp")
        opts = wh.options("w", "r", t.tmp() if root == "tmp" else None)
        for k, v in changes.items():
            if not k.startswith("_"):
                setattr(opts, k, v)
        out = ctypes.c_void_p()
        t.call(fn, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))

    return run


for _fn in (NEW, OPEN):
    for _label, _ch in {
        "struct_size_55": {"struct_size": 55},
        "struct_size_0": {"struct_size": 0},
        "flags_1": {"flags": 1},
        "flags_high_bit": {"flags": 0x80000000},
        "codec_4": {"codec": 4},
        "codec_negative": {"codec": -1},
        "zstd_level_23": {"codec": _abi.ARCT_CODEC_ZSTD, "codec_level": 23},
        "zstd_level_negative": {"codec": _abi.ARCT_CODEC_ZSTD, "codec_level": -1},
        "gzip_level_10": {"codec": _abi.ARCT_CODEC_GZIP, "codec_level": 10},
        "durability_2": {"durability": 2},
        "durability_negative": {"durability": -1},
    }.items():
        add(f"{_short(_fn)}.{_label}", "w_args", 8, _fn, _opts_case(_fn, **dict(_ch)))
add("open.store_root_null", "w_args", 8, OPEN, _opts_case(OPEN, _root=None))


def _spec_case(fn: str, **kw: Any) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        s = wh.spec(**kw)
        if fn == ADD_PROC:
            w = t.mv_world()
            out = ctypes.c_uint64(0)
            t.call(fn, w.token, ctypes.byref(s), ctypes.byref(out), outputs=(out,))
        else:
            b = _apply_args(t)
            t.call(fn, ctypes.byref(s), *b.args[1:], outputs=b.outputs)

    return run


for _fn in (ADD_PROC, APPLY):
    for _label, _kw in {
        "struct_size_31": {"struct_size": 31},
        "struct_size_0": {"struct_size": 0},
        "kind_0": {"kind": 0},
        "kind_2": {"kind": 2},
        "kind_negative": {"kind": -1},
        "flags_1": {"flags": 1},
        "dt_nan": {"dt": math.nan},
        "dt_inf": {"dt": math.inf},
        "dt_minus_inf": {"dt": -math.inf},
    }.items():
        add(f"{_short(_fn)}.spec_{_label}", "w_args", 8, _fn, _spec_case(_fn, **_kw))


def _profile_case(**kw: Any) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        tables = (_abi.arct_table_profile * 2)()
        p = _abi.arct_step_profile()
        p.struct_size = kw.get("struct_size", ctypes.sizeof(p))
        p.tables_cap = kw.get("tables_cap", 2)
        p.tables = ctypes.cast(tables, ctypes.POINTER(_abi.arct_table_profile))
        t.call(STEP, w.token, ctypes.byref(p), outputs=(p, tables))
        t.state(w, _abi.ARCT_WORLD_READY, 1)

    return run


add("step.profile_struct_size_39", "w_args", 8, STEP, _profile_case(struct_size=39))
add("step.profile_tables_cap_negative", "w_args", 8, STEP, _profile_case(tables_cap=-1))


def _query_arg_case(**kw: Any) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        raw = kw.get("_raw", {})
        q = wh.build_query(**{k: v for k, v in kw.items() if not k.startswith("_")})
        for k, v in raw.items():
            setattr(q, k, v)
        out = ArrowArrayStream()
        t.call(QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(out), outputs=(out,))

    return run


for _label, _kw in {
    "struct_size_71": {"struct_size": 71},
    "unknown_flag_bit_4": {"flags": 1 << 4},
    "unknown_flag_bit_31": {"flags": 1 << 31},
    "n_ticks_minus_1": {"ticks": [], "_raw": {"n_ticks": -1}},
    "n_entity_ids_minus_1": {"entity_ids": [], "_raw": {"n_entity_ids": -1}},
    "n_columns_0": {"columns": []},
    "n_columns_minus_1": {"columns": ["entity_id"], "_raw": {"n_columns": -1}},
    "duplicate_column": {"columns": ["entity_id", "tick", "entity_id"]},
}.items():
    add(f"query.{_label}", "w_args", 8, QUERY, _query_arg_case(**dict(_kw)))


@wcase("get_info.struct_size_303", "w_args", 8, INFO)
def _info_small(t: Ctx) -> None:
    w = t.mv_world()
    info = _abi.arct_world_info()
    info.struct_size = 303
    t.call(INFO, w.token, ctypes.byref(info), outputs=(info,))


for _n in (0, -5, -(2**40)):

    def _reserve_case(t: Ctx, n: int = _n) -> None:
        w = t.mv_world()
        first = ctypes.c_int32(-3)
        t.call(RESERVE, w.token, n, ctypes.byref(first), outputs=(first,))
        t.check(w.info().next_entity_id == 3, "the counter moved")

    add(f"reserve_ids.n_{_n}".replace("-", "minus_"), "w_args", 8, RESERVE, _reserve_case)


def _spawn_ids_case(rows: int, ids: list[int], n_ids: int | None = None) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        inp = t.batch(wh.movement_batch(rows))
        t.call(
            SPAWN_IDS, w.token, B_MV, inp, wh.ids_array(ids), len(ids) if n_ids is None else n_ids
        )
        t.check(w.info().n_entities == 2, "something was staged")

    return run


add("spawn_with_ids.n_ids_negative", "w_args", 8, SPAWN_IDS, _spawn_ids_case(1, [10], -1))
add("spawn_with_ids.rows_2_ids_1", "w_args", 8, SPAWN_IDS, _spawn_ids_case(2, [10]))
add("spawn_with_ids.rows_1_ids_2", "w_args", 8, SPAWN_IDS, _spawn_ids_case(1, [10, 11]))
add("spawn_with_ids.rows_0_ids_1", "w_args", 8, SPAWN_IDS, _spawn_ids_case(0, [10]))
add("spawn_with_ids.id_0", "w_args", 8, SPAWN_IDS, _spawn_ids_case(1, [0]))
add("spawn_with_ids.id_negative", "w_args", 8, SPAWN_IDS, _spawn_ids_case(2, [10, -3]))


def _spawn_cap_case(cap: int) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        ids = (ctypes.c_int32 * 4)(*([-3] * 4))
        n = ctypes.c_int64(-3)
        t.call(
            SPAWN,
            w.token,
            B_MV,
            t.batch(wh.movement_batch(3)),
            ids,
            cap,
            ctypes.byref(n),
            outputs=(ids, n),
        )
        info = w.info()
        t.check((info.n_entities, info.next_entity_id) == (2, 3), "something was staged")

    return run


add("spawn.out_ids_cap_2_for_3_rows", "w_args", 8, SPAWN, _spawn_cap_case(2))
add("spawn.out_ids_cap_0_for_3_rows", "w_args", 8, SPAWN, _spawn_cap_case(0))
add("spawn.out_ids_cap_negative", "w_args", 8, SPAWN, _spawn_cap_case(-1))


@wcase("despawn.n_ids_negative", "w_args", 8, DESPAWN)
def _despawn_negative(t: Ctx) -> None:
    w = t.mv_world()
    t.call(DESPAWN, w.token, wh.ids_array([1]), -1)


for _flags in (2, 3, 0x80000000):

    def _register_flags(t: Ctx, flags: int = _flags) -> None:
        w = t.mv_world()
        t.call(REGISTER, w.token, b"other", t.schema(POSITION), flags)
        t.check(w.info().n_tables == 1, "the table was registered")

    add(f"register_table.flags_{_flags}", "w_args", 8, REGISTER, _register_flags)


def _migrate_arg_case(fn: str, what: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world(3)
        ids, n = [1], 1
        values: In | None = None
        target = b"pv"
        to_schema: In | None = t.schema(POSITION_VELOCITY)
        rows = 1
        if what == "n_ids_0":
            ids, n, rows = [], 0, 0
        elif what == "n_ids_negative":
            n = -1
        elif what == "duplicate_ids":
            ids, n, rows = [1, 1], 2, 2
        elif what == "values_rows_differ":
            rows = 2
        elif what == "own_table":
            target, to_schema = B_MV, None
        if fn == MIGRATE:
            if what == "own_table":
                values = t.batch(
                    wh.batch_of(pa.schema([MOVEMENT.field("position__x")]), position__x=[7.0])
                )
            else:
                values = t.batch(pv_values(rows))
        elif what == "own_table":
            values = t.batch(wh.movement_batch(1))
        else:
            values = t.batch(
                wh.batch_of(POSITION_VELOCITY, position__x=[1.0] * rows, velocity__dx=[2.0] * rows)
            )
        t.call(
            fn,
            w.token,
            target,
            to_schema if to_schema is not None else None,
            values,
            wh.ids_array(ids),
            n,
        )
        t.check(w.entities() == [(1, MV), (2, MV), (3, MV)], "the registry changed")
        t.check(w.active_tables() == [MV], "something was staged")
        t.check(w.info().n_tables == 1, "the target table was registered by a failed call")

    return run


for _fn in (MIGRATE, MIGRATE_ROWS):
    for _what in ("n_ids_0", "n_ids_negative", "duplicate_ids", "values_rows_differ", "own_table"):
        add(f"{_short(_fn)}.{_what}", "w_args", 8, _fn, _migrate_arg_case(_fn, _what))


@wcase("remove_processor.unknown_id", "w_args", 8, REMOVE_PROC)
def _remove_unknown(t: Ctx) -> None:
    w = t.mv_world()
    pid = w.add_processor()
    t.call(REMOVE_PROC, w.token, pid + 1000)


@wcase("remove_processor.id_0", "w_args", 8, REMOVE_PROC)
def _remove_zero(t: Ctx) -> None:
    w = t.mv_world()
    t.call(REMOVE_PROC, w.token, 0)


@wcase("debug_world_hold.timeout_negative", "w_args", 8, HOLD)
def _hold_negative(t: Ctx) -> None:
    w = t.mv_world()
    inside, release = ctypes.c_int32(0), ctypes.c_int32(1)
    t.call(HOLD, w.token, ctypes.byref(inside), ctypes.byref(release), -1, outputs=(inside,))


# ---- N8–N13: the epoch ---------------------------------------------------------------------------


@wcase("epoch.double_begin", "w_epoch", 100, BEGIN)
def _double_begin(t: Ctx) -> None:
    w = t.epoch_world()
    a, s = ArrowArray(), ArrowSchema()
    t.call(BEGIN, w.token, B_MV, ctypes.byref(a), ctypes.byref(s), outputs=(a, s))
    t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)


@wcase("epoch.begin_after_commit_same_epoch", "w_epoch", 100, BEGIN)
def _begin_after_commit(t: Ctx) -> None:
    w = t.mv_world(2)
    w.register("mv2", MOVEMENT)
    w.spawn("mv2", wh.movement_batch(1))
    w.step()
    prior = w.begin(MV)
    assert prior is not None
    w.commit(MV, prior)
    a, s = ArrowArray(), ArrowSchema()
    t.call(BEGIN, w.token, B_MV, ctypes.byref(a), ctypes.byref(s), outputs=(a, s))


@wcase("epoch.step_while_open", "w_epoch", 100, STEP)
def _step_open(t: Ctx) -> None:
    w = t.epoch_world()
    t.call(STEP, w.token, None)
    t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)
    t.check(len(w.rows(MV, 2)) == 0, "something was published")


@wcase("epoch.commit_without_epoch", "w_epoch", 101, COMMIT)
def _commit_no_epoch(t: Ctx) -> None:
    w = t.mv_world()
    done = ctypes.c_int32(-3)
    t.call(
        COMMIT, w.token, B_MV, t.batch(wh.movement_batch(2)), ctypes.byref(done), outputs=(done,)
    )
    t.state(w, _abi.ARCT_WORLD_READY, 1)


@wcase("epoch.commit_pending_table", "w_epoch", 101, COMMIT)
def _commit_pending(t: Ctx) -> None:
    w = t.epoch_world()
    done = ctypes.c_int32(-3)
    t.call(
        COMMIT, w.token, b"mv2", t.batch(wh.movement_batch(1)), ctypes.byref(done), outputs=(done,)
    )
    t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)


@wcase("epoch.abort_without_epoch", "w_epoch", 101, ABORT)
def _abort_no_epoch(t: Ctx) -> None:
    w = t.mv_world()
    t.call(ABORT, w.token, None)


@wcase("epoch.abort_named_without_epoch", "w_epoch", 101, ABORT)
def _abort_named_no_epoch(t: Ctx) -> None:
    w = t.mv_world()
    t.call(ABORT, w.token, B_MV)


@wcase("epoch.commit_after_abort", "w_epoch", 101, COMMIT)
def _commit_after_abort(t: Ctx) -> None:
    w = t.epoch_world()
    w.abort()
    t.call(COMMIT, w.token, B_MV, t.batch(wh.movement_batch(2)), None)


def _outside(fn: str, table: bytes) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.epoch_world()
        b = build(t, fn, w.token)
        args = list(b.args)
        args[1] = table
        t.call(fn, *args, outputs=b.outputs)
        t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)

    return run


for _fn in (BEGIN, COMMIT, ABORT):
    add(
        f"epoch.{_short(_fn)}_registered_outside_frozen_set",
        "w_epoch",
        102,
        _fn,
        _outside(_fn, b"idle"),
    )
    add(
        f"epoch.{_short(_fn)}_unregistered_outside_frozen_set",
        "w_epoch",
        102,
        _fn,
        _outside(_fn, b"never_registered"),
    )


for _fn in (
    REGISTER,
    SPAWN,
    SPAWN_IDS,
    DESPAWN,
    UPDATE,
    MIGRATE,
    MIGRATE_ROWS,
    ADD_PROC,
    REMOVE_PROC,
):

    def _during(t: Ctx, fn: str = _fn) -> None:
        w = t.epoch_world()
        if fn == REMOVE_PROC:
            # A processor added before the epoch.
            w.abort()
            pid = w.add_processor()
            w.begin(MV)
            b = Built((w.token, pid))
        else:
            b = build(t, fn, w.token)
        t.call(fn, *b.args, outputs=b.outputs)
        t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)
        t.check(w.entities() == [(1, MV), (2, MV), (3, "mv2")], "the registry changed")

    add(f"epoch.{_short(_fn)}_during_epoch", "w_epoch", 104, _fn, _during)


@wcase("epoch.reserve_during_epoch_is_allowed", "w_epoch", 0, RESERVE)
def _reserve_during(t: Ctx) -> None:
    w = t.epoch_world()
    first = ctypes.c_int32(-3)
    t.call(RESERVE, w.token, 2, ctypes.byref(first), outputs=(first,))
    t.check(first.value == 4, f"first reserved id {first.value}, expected 4")
    t.state(w, _abi.ARCT_WORLD_EPOCH_OPEN, 2)


@wcase("epoch.begin_unregistered", "w_epoch", 150, BEGIN)
def _begin_unregistered(t: Ctx) -> None:
    w = t.mv_world()
    a, s = ArrowArray(), ArrowSchema()
    t.call(BEGIN, w.token, b"never_registered", ctypes.byref(a), ctypes.byref(s), outputs=(a, s))
    t.state(w, _abi.ARCT_WORLD_READY, 1)


@wcase("epoch.begin_inactive", "w_epoch", 151, BEGIN)
def _begin_inactive(t: Ctx) -> None:
    w = t.mv_world()
    w.register("idle", MOVEMENT)
    a, s = ArrowArray(), ArrowSchema()
    t.call(BEGIN, w.token, b"idle", ctypes.byref(a), ctypes.byref(s), outputs=(a, s))
    t.state(w, _abi.ARCT_WORLD_READY, 1)
    w.begin(MV)  # and the world can still begin


@wcase("epoch.begin_on_empty_world", "w_epoch", 151, BEGIN)
def _begin_empty(t: Ctx) -> None:
    w = t.world()
    w.register(MV, MOVEMENT)
    a, s = ArrowArray(), ArrowSchema()
    t.call(BEGIN, w.token, B_MV, ctypes.byref(a), ctypes.byref(s), outputs=(a, s))


# ---- N14–N17: entities ---------------------------------------------------------------------------


@wcase("entities.despawn_unknown", "w_entities", 152, DESPAWN)
def _despawn_unknown(t: Ctx) -> None:
    w = t.mv_world()
    t.call(DESPAWN, w.token, wh.ids_array([42]), 1)


@wcase("entities.despawn_list_with_duplicate", "w_entities", 152, DESPAWN)
def _despawn_dup(t: Ctx) -> None:
    w = t.mv_world()
    t.call(DESPAWN, w.token, wh.ids_array([1, 2, 1]), 3)
    t.check(w.entities() == [(1, MV), (2, MV)], "a despawn was staged")
    message = t.result[1] if t.result else None
    t.check(bool(message) and "1" in (message or ""), "the message names the offending id")


@wcase("entities.despawn_twice", "w_entities", 152, DESPAWN)
def _despawn_twice(t: Ctx) -> None:
    w = t.mv_world()
    w.despawn([1])
    t.call(DESPAWN, w.token, wh.ids_array([1]), 1)
    w.step()
    t.check(ledger_active(w, 1) == [(1, False), (2, True)], "exactly one tombstone at tick 1")


def ledger_active(w: wh.World, tick: int) -> list[tuple[int, bool]]:
    return [(r["entity_id"], r["is_active"]) for r in w.rows(MV, tick)]


@wcase("entities.despawn_reserved_never_spawned", "w_entities", 152, DESPAWN)
def _despawn_reserved(t: Ctx) -> None:
    w = t.mv_world()
    r = w.reserve(1)
    t.call(DESPAWN, w.token, wh.ids_array([r]), 1)
    w.step()
    t.check(w.info().next_entity_id == r + 1, "the counter rolled back")


@wcase("entities.update_unknown", "w_entities", 152, UPDATE)
def _update_unknown(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    t.call(UPDATE, w.token, t.batch(patch_x([42])))


@wcase("entities.update_one_unknown_of_two", "w_entities", 152, UPDATE)
def _update_one_unknown(t: Ctx) -> None:
    w = t.mv_world()
    t.call(UPDATE, w.token, t.batch(patch_x([1, 99])))
    t.check(w.active_tables() == [MV] and w.rows(MV, 1) == [], "something was staged")
    w.step()
    t.check(ledger_active(w, 1) == [(1, True), (2, True)], "the update of 1 was staged")


@wcase("entities.migrate_unknown", "w_entities", 152, MIGRATE)
def _migrate_unknown(t: Ctx) -> None:
    w = t.mv_world()
    t.call(
        MIGRATE,
        w.token,
        b"pv",
        t.schema(POSITION_VELOCITY),
        t.batch(pv_values()),
        wh.ids_array([42]),
        1,
    )


@wcase("entities.migrate_rows_unknown", "w_entities", 152, MIGRATE_ROWS)
def _migrate_rows_unknown(t: Ctx) -> None:
    w = t.mv_world()
    rows = wh.batch_of(POSITION_VELOCITY, position__x=[1.0], velocity__dx=[2.0])
    t.call(
        MIGRATE_ROWS,
        w.token,
        b"pv",
        t.schema(POSITION_VELOCITY),
        t.batch(rows),
        wh.ids_array([42]),
        1,
    )


def _reuse_case(kind: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()  # ids 1, 2 registered
        ids = [1]
        if kind == "despawned_earlier":
            w.despawn([1])
            w.step()
        elif kind == "auto_assigned_then_cancelled":
            (e,) = w.spawn(MV, wh.movement_batch(1))  # 3
            w.despawn([e])
            ids = [e]
        elif kind == "staged":
            (e,) = w.spawn(MV, wh.movement_batch(1))
            ids = [e]
        elif kind == "duplicate_in_call":
            ids = [7, 8, 7]
        elif kind == "explicit_then_again":
            w.spawn_with_ids(MV, wh.movement_batch(1), [50])
            w.step()
            ids = [50]
        elif kind == "below_counter_not_reserved":
            w.spawn_with_ids(MV, wh.movement_batch(1), [50])
            ids = [40]
        inp = t.batch(wh.movement_batch(len(ids)))
        t.call(SPAWN_IDS, w.token, B_MV, inp, wh.ids_array(ids), len(ids))

    return run


for _kind in (
    "registered",
    "despawned_earlier",
    "auto_assigned_then_cancelled",
    "staged",
    "duplicate_in_call",
    "explicit_then_again",
    "below_counter_not_reserved",
):
    add(f"entities.spawn_with_ids_{_kind}", "w_entities", 153, SPAWN_IDS, _reuse_case(_kind))


@wcase("entities.reserve_past_int32_max", "w_entities", 155, RESERVE)
def _reserve_overflow(t: Ctx) -> None:
    w = t.mv_world()
    w.spawn_with_ids(MV, wh.movement_batch(1), [INT32_MAX - 5])
    first = ctypes.c_int32(-3)
    t.call(RESERVE, w.token, 10, ctypes.byref(first), outputs=(first,))
    t.check(w.info().next_entity_id == INT32_MAX - 4, "the counter moved")
    t.check(w.reserve(5) == INT32_MAX - 4, "the last 5 ids can still be reserved")
    t.expect(155, RESERVE, w.token, 1, ctypes.byref(first), outputs=(first,))
    t.check(w.info().next_entity_id == 2**31, "next_entity_id is INT32_MAX + 1 when exhausted")


@wcase("entities.auto_spawn_after_int32_max", "w_entities", 155, SPAWN)
def _auto_after_max(t: Ctx) -> None:
    w = t.mv_world()
    w.spawn_with_ids(MV, wh.movement_batch(1), [INT32_MAX])
    ids, n = (ctypes.c_int32 * 1)(-3), ctypes.c_int64(-3)
    t.call(
        SPAWN,
        w.token,
        B_MV,
        t.batch(wh.movement_batch(1)),
        ids,
        1,
        ctypes.byref(n),
        outputs=(ids, n),
    )
    t.check((INT32_MAX, MV) in w.entities(), "the staged entity INT32_MAX is gone")
    w.step()
    t.check(len(w.rows(MV, 1)) == 3, "tick 1 has entities 1, 2, INT32_MAX")


@wcase("entities.auto_spawn_crossing_int32_max", "w_entities", 155, SPAWN)
def _auto_crossing(t: Ctx) -> None:
    w = t.mv_world()
    w.spawn_with_ids(MV, wh.movement_batch(1), [INT32_MAX - 2])
    ids, n = (ctypes.c_int32 * 3)(-3, -3, -3), ctypes.c_int64(-3)
    t.call(
        SPAWN,
        w.token,
        B_MV,
        t.batch(wh.movement_batch(3)),
        ids,
        3,
        ctypes.byref(n),
        outputs=(ids, n),
    )
    t.check(w.info().next_entity_id == INT32_MAX - 1, "the counter moved")


@wcase("entities.run_exists", "w_entities", 156, NEW)
def _run_exists(t: Ctx) -> None:
    root = t.tmp()
    w = t.mv_world(root=root)
    w.free()
    opts = wh.options("w", "r", root)
    out = ctypes.c_void_p()
    t.call(NEW, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))
    t.world(root=root, open_=True)  # open resumes the run


# ---- N18, N19: schemas ---------------------------------------------------------------------------


def _spawn_schema_case(batch: Callable[[], pa.RecordBatch]) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        ids, n = (ctypes.c_int32 * 4)(*([-3] * 4)), ctypes.c_int64(-3)
        t.call(SPAWN, w.token, B_MV, t.batch(batch()), ids, 4, ctypes.byref(n), outputs=(ids, n))
        info = w.info()
        t.check((info.next_entity_id, info.n_entities) == (3, 2), "the spawn changed the world")

    return run


def _mb(**changes: pa.Array | None) -> Callable[[], pa.RecordBatch]:
    def make() -> pa.RecordBatch:
        b = wh.movement_batch(2)
        cols = dict(zip(b.schema.names, b.columns, strict=True))
        for k, v in changes.items():
            if v is None:
                cols.pop(k)
            else:
                cols[k] = v
        return pa.record_batch(cols)

    return make


for _label, _make_b in {
    "missing_column": _mb(velocity__dy=None),
    "extra_column": _mb(health__hp=pa.array([1.0, 2.0])),
    "float32_for_float64": _mb(position__x=pa.array([1.0, 2.0], pa.float32())),
    "int64_for_float64": _mb(velocity__dx=pa.array([1, 2], pa.int64())),
    "nulls_in_non_nullable": _mb(position__y=pa.array([1.0, None])),
    "duplicate_column": lambda: pa.RecordBatch.from_arrays(
        [pa.array([1.0])] * 5,
        names=["position__x", "position__y", "velocity__dx", "velocity__dy", "position__x"],
    ),
}.items():
    add(f"schemas.spawn_{_label}", "w_schemas", 300, SPAWN, _spawn_schema_case(_make_b))

add(
    "schemas.spawn_with_is_active",
    "w_schemas",
    301,
    SPAWN,
    _spawn_schema_case(_mb(is_active=pa.array([True, True]))),
)
add(
    "schemas.spawn_with_entity_id",
    "w_schemas",
    301,
    SPAWN,
    _spawn_schema_case(_mb(entity_id=pa.array([5, 6], pa.int32()))),
)


@wcase("schemas.spawn_with_ids_wrong_type", "w_schemas", 300, SPAWN_IDS)
def _spawn_ids_type(t: Ctx) -> None:
    w = t.mv_world()
    b = _mb(position__x=pa.array([1.0, 2.0], pa.float32()))().slice(0, 1)
    t.call(SPAWN_IDS, w.token, B_MV, t.batch(b), wh.ids_array([10]), 1)


def _register_case(
    schema: pa.Schema, flags: int = 0, pre: pa.Schema | None = None
) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.world()
        if pre is not None:
            w.register("t", pre)
        n_before = w.info().n_tables
        t.call(REGISTER, w.token, b"t", t.schema(schema), flags)
        t.check(w.info().n_tables == n_before, "the registration changed the world")
        if pre is not None:
            got = w.query("t")
            t.check(
                got is not None and got.schema.equals(wh.full_schema(pre)),
                "the original schema was replaced",
            )

    return run


F64 = pa.float64()
_comp = pa.schema([pa.field("a__x", F64)])
for _label, (_schema, _flags, _pre, _code) in {
    "reregister_other_type": (pa.schema([pa.field("a__x", pa.float32())]), 0, _comp, 300),
    "reregister_other_nullability": (pa.schema([pa.field("a__x", F64, False)]), 0, _comp, 300),
    "reregister_extra_column": (
        pa.schema([pa.field("a__x", F64), pa.field("a__y", F64)]),
        0,
        _comp,
        300,
    ),
    "reregister_child_name": (
        pa.schema([pa.field("a__s", pa.struct([("p", F64)]))]),
        0,
        pa.schema([pa.field("a__s", pa.struct([("q", F64)]))]),
        300,
    ),
    "duplicate_column": (pa.schema([pa.field("a__x", F64), pa.field("a__x", F64)]), 0, None, 300),
    "name_without_component": (pa.schema([pa.field("x", F64)]), 0, None, 300),
    "name_empty_field_part": (pa.schema([pa.field("a__", F64)]), 0, None, 300),
    "name_empty_component_part": (pa.schema([pa.field("__x", F64)]), 0, None, 300),
    "component_with_tick": (pa.schema([pa.field("tick", F64)]), 0, None, 301),
    "component_with_entity_id": (
        pa.schema([pa.field("a__x", F64), pa.field("entity_id", pa.int32(), False)]),
        0,
        None,
        301,
    ),
    "full_entity_id_int64": (
        pa.schema(
            [
                *wh.BASE_FIELDS[:2],
                pa.field("entity_id", pa.int64(), False),
                *wh.BASE_FIELDS[3:],
                pa.field("a__x", F64),
            ]
        ),
        1,
        None,
        301,
    ),
    "full_entity_id_nullable": (
        pa.schema(
            [
                *wh.BASE_FIELDS[:2],
                pa.field("entity_id", pa.int32(), True),
                *wh.BASE_FIELDS[3:],
                pa.field("a__x", F64),
            ]
        ),
        1,
        None,
        301,
    ),
    "full_swapped_world_run": (
        pa.schema(
            [wh.BASE_FIELDS[1], wh.BASE_FIELDS[0], *wh.BASE_FIELDS[2:], pa.field("a__x", F64)]
        ),
        1,
        None,
        301,
    ),
    "full_missing_base": (pa.schema([pa.field("a__x", F64)]), 1, None, 301),
    "full_base_name_again": (
        pa.schema([*wh.BASE_FIELDS, pa.field("tick", pa.int32(), False)]),
        1,
        None,
        301,
    ),
    "unsupported_map": (
        pa.schema([pa.field("m__kv", pa.map_(pa.string(), pa.int64()))]),
        0,
        None,
        1,
    ),
    "unsupported_dictionary": (
        pa.schema([pa.field("d__s", pa.dictionary(pa.int32(), pa.string()))]),
        0,
        None,
        1,
    ),
}.items():
    add(
        f"schemas.register_{_label}",
        "w_schemas",
        _code,
        REGISTER,
        _register_case(_schema, _flags, _pre),
    )


@wcase("schemas.register_against_store_parts", "w_schemas", 300, REGISTER)
def _register_store(t: Ctx) -> None:
    root = t.tmp()
    w = t.world(run_id="r1", root=root)
    w.register("t", _comp)
    w.spawn("t", wh.batch_of(_comp, a__x=[1.0]))
    w.step()
    other = t.world(run_id="r2", root=root)
    t.call(REGISTER, other.token, b"t", t.schema(pa.schema([pa.field("a__x", pa.float32())])), 0)


@wcase("schemas.update_without_entity_id", "w_schemas", 301, UPDATE)
def _update_no_id(t: Ctx) -> None:
    w = t.mv_world()
    t.call(UPDATE, w.token, t.batch(pa.record_batch({"position__x": pa.array([1.0])})))


@wcase("schemas.update_entity_id_int64", "w_schemas", 301, UPDATE)
def _update_id_int64(t: Ctx) -> None:
    w = t.mv_world()
    t.call(
        UPDATE,
        w.token,
        t.batch(
            pa.record_batch(
                {"entity_id": pa.array([1], pa.int64()), "position__x": pa.array([1.0])}
            )
        ),
    )


@wcase("schemas.update_with_tick", "w_schemas", 301, UPDATE)
def _update_tick(t: Ctx) -> None:
    w = t.mv_world()
    t.call(
        UPDATE,
        w.token,
        t.batch(
            pa.record_batch(
                {"entity_id": pa.array([1], pa.int32()), "tick": pa.array([3], pa.int32())}
            )
        ),
    )


@wcase("schemas.update_unknown_column", "w_schemas", 300, UPDATE)
def _update_unknown_col(t: Ctx) -> None:
    w = t.mv_world()
    t.call(
        UPDATE,
        w.token,
        t.batch(
            pa.record_batch({"entity_id": pa.array([1], pa.int32()), "health__hp": pa.array([3.0])})
        ),
    )


@wcase("schemas.update_null_in_non_nullable", "w_schemas", 300, UPDATE)
def _update_null(t: Ctx) -> None:
    w = t.mv_world()
    t.call(
        UPDATE,
        w.token,
        t.batch(
            pa.record_batch(
                {"entity_id": pa.array([1], pa.int32()), "position__x": pa.array([None], F64)}
            )
        ),
    )


@wcase("schemas.migrate_missing_column", "w_schemas", 300, MIGRATE)
def _migrate_missing(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    w.spawn("p", x_batch())
    w.step()
    t.call(MIGRATE, w.token, b"pv", t.schema(POSITION_VELOCITY), None, None, wh.ids_array([1]), 1)
    t.check(w.entities() == [(1, "p")], "the entity moved")


@wcase("schemas.migrate_unknown_value_column", "w_schemas", 300, MIGRATE)
def _migrate_unknown_value(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    w.spawn("p", x_batch())
    vals = pa.record_batch({"velocity__dx": pa.array([1.0]), "health__hp": pa.array([1.0])})
    t.call(
        MIGRATE, w.token, b"pv", t.schema(POSITION_VELOCITY), t.batch(vals), wh.ids_array([1]), 1
    )


@wcase("schemas.migrate_values_with_base_column", "w_schemas", 301, MIGRATE)
def _migrate_base_value(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    w.spawn("p", x_batch())
    vals = pa.record_batch({"velocity__dx": pa.array([1.0]), "tick": pa.array([1], pa.int32())})
    t.call(
        MIGRATE, w.token, b"pv", t.schema(POSITION_VELOCITY), t.batch(vals), wh.ids_array([1]), 1
    )


@wcase("schemas.migrate_to_schema_conflict", "w_schemas", 300, MIGRATE)
def _migrate_conflict(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    w.register("pv", POSITION_VELOCITY)
    w.spawn("p", x_batch())
    other = pa.schema([pa.field("position__x", F64, False), pa.field("velocity__dx", pa.int64())])
    t.call(MIGRATE, w.token, b"pv", t.schema(other), t.batch(pv_values()), wh.ids_array([1]), 1)


@wcase("schemas.migrate_unregistered_without_schema", "w_schemas", 150, MIGRATE)
def _migrate_unregistered(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    w.spawn("p", x_batch())
    t.call(MIGRATE, w.token, b"pv", None, t.batch(pv_values()), wh.ids_array([1]), 1)


@wcase("schemas.migrate_rows_missing_column", "w_schemas", 300, MIGRATE_ROWS)
def _migrate_rows_missing(t: Ctx) -> None:
    w = t.world()
    w.register("p", POSITION)
    w.spawn("p", x_batch())
    t.call(
        MIGRATE_ROWS,
        w.token,
        b"pv",
        t.schema(POSITION_VELOCITY),
        t.batch(pv_values()),
        wh.ids_array([1]),
        1,
    )


@wcase("schemas.spawn_unknown_table", "w_schemas", 150, SPAWN)
def _spawn_unknown_table(t: Ctx) -> None:
    w = t.mv_world()
    ids, n = (ctypes.c_int32 * 2)(-3, -3), ctypes.c_int64(-3)
    t.call(
        SPAWN,
        w.token,
        b"nope",
        t.batch(wh.movement_batch(2)),
        ids,
        2,
        ctypes.byref(n),
        outputs=(ids, n),
    )


# ---- N20: processor contract at commit -----------------------------------------------------------


def _contract_case(change: Callable[[pa.RecordBatch], pa.RecordBatch]) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        w = t.mv_world(3)
        prior = w.begin(MV)
        assert prior is not None
        done = ctypes.c_int32(-3)
        t.call(COMMIT, w.token, B_MV, t.batch(change(prior)), ctypes.byref(done), outputs=(done,))
        t.state(w, _abi.ARCT_WORLD_READY, 1)  # the epoch closed, the tick unchanged
        t.check(w.rows(MV, 1) == [], "something was published")
        t.check(w.info().last_failed_table == B_MV, "last_failed_table is not the table")
        status, message = w.last_error()
        t.check(status == 302 and message.startswith(COMMIT), f"world last error {status}")
        t.expect(101, COMMIT, w.token, B_MV, t.batch(prior), None)
        again = w.begin(MV)  # a new epoch can begin, and a correct commit completes it
        assert again is not None
        t.check(w.commit(MV, again) == 1, "the retried tick did not complete")
        t.check(w.tick() == 2, "tick after the retry")

    return run


def _flip_active(b: pa.RecordBatch) -> pa.RecordBatch:
    return wh.with_column(b, "is_active", pa.array([False] + [True] * (b.num_rows - 1)))


def _change_id(b: pa.RecordBatch) -> pa.RecordBatch:
    return wh.with_column(b, "entity_id", pa.array([1, 2, 99], pa.int32()))


def _cast_x(b: pa.RecordBatch) -> pa.RecordBatch:
    return wh.with_column(b, "position__x", b.column("position__x").cast(pa.float32()))


def _rename_x(b: pa.RecordBatch) -> pa.RecordBatch:
    names = ["position__z" if n == "position__x" else n for n in b.schema.names]
    return pa.RecordBatch.from_arrays(b.columns, names=names)


def _null_x(b: pa.RecordBatch) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [
            pa.array([None, 1.0, 2.0], F64) if n == "position__x" else c
            for n, c in zip(b.schema.names, b.columns, strict=True)
        ],
        names=b.schema.names,
    )


def _nullable_flag(b: pa.RecordBatch) -> pa.RecordBatch:
    i = b.schema.get_field_index("position__x")
    return b.set_column(i, b.schema.field(i).with_nullable(True), b.column(i))


def _reorder_columns(b: pa.RecordBatch) -> pa.RecordBatch:
    return b.select(list(reversed(b.schema.names)))


def _reverse_rows(b: pa.RecordBatch) -> pa.RecordBatch:
    return b.take(pa.array([2, 1, 0]))


def _drop_column(b: pa.RecordBatch) -> pa.RecordBatch:
    return b.drop_columns(["entity_id"])


def _extra_column(b: pa.RecordBatch) -> pa.RecordBatch:
    return b.append_column("health__hp", pa.array([1.0] * b.num_rows))


for _label, _change in {
    "row_dropped": lambda b: b.slice(0, b.num_rows - 1),
    "row_added": lambda b: (
        pa.Table.from_batches([b, b.slice(0, 1)]).combine_chunks().to_batches()[0]
    ),
    "all_rows_dropped": lambda b: b.slice(0, 0),
    "entity_id_changed": _change_id,
    "entity_id_order_reversed": _reverse_rows,
    "is_active_flipped": _flip_active,
    "column_cast_float32": _cast_x,
    "column_renamed": _rename_x,
    "column_dropped": _drop_column,
    "column_added": _extra_column,
    "columns_reordered": _reorder_columns,
    "null_in_non_nullable": _null_x,
    "nullability_flag_loosened": _nullable_flag,
}.items():
    add(f"contract.commit_{_label}", "w_contract", 302, COMMIT, _contract_case(_change))


@wcase("contract.commit_with_stamped_columns_changed_is_fine", "w_contract", 0, COMMIT)
def _stamped_ok(t: Ctx) -> None:
    """C30 in the split step: world_id / run_id / tick are stamped at commit, not checked."""
    w = t.mv_world(3)
    prior = w.begin(MV)
    assert prior is not None
    changed = wh.with_column(prior, "tick", pa.array([99] * 3, pa.int32()))
    changed = wh.with_column(changed, "world_id", pa.array(["x"] * 3))
    done = ctypes.c_int32(-3)
    t.call(COMMIT, w.token, B_MV, t.batch(changed), ctypes.byref(done), outputs=(done,))
    rows = w.rows(MV, 1)
    t.check({(r["tick"], r["world_id"]) for r in rows} == {(1, "w")}, f"stamping: {rows[:1]}")


# ---- N21–N29: malformed Arrow into the world functions -------------------------------------------


def _set(path: str, **fields: int) -> Callable[[h.Owned, h.Owned], None]:
    def patch(a: h.Owned, _s: h.Owned) -> None:
        for k, v in fields.items():
            setattr(a.at(path), k, v)

    return patch


def _fmt(path: str, fmt: bytes) -> Callable[[h.Owned, h.Owned], None]:
    return lambda _a, s: h.set_format(s, path, fmt)


def _i32(*values: int) -> bytes:
    return b"".join(v.to_bytes(4, "little", signed=True) for v in values)


def _released_array(a: h.Owned, _s: h.Owned) -> None:
    a.struct.release = _abi.ArrowArrayRelease()


def _struct_nulls() -> pa.StructArray:
    b = wh.movement_batch(3)
    return pa.StructArray.from_arrays(
        b.columns, names=b.schema.names, mask=pa.array([False, True, False])
    )


def _bad_utf8_table_batch() -> pa.RecordBatch:
    col = pa.Array.from_buffers(
        pa.string(), 2, [None, pa.py_buffer(_i32(0, 2, 3)), pa.py_buffer(b"ok\xff")]
    )
    return pa.record_batch({"s__v": col})


BATCH_PATCHES: dict[str, tuple[Callable[[], Any], Callable[[h.Owned, h.Owned], None] | None]] = {
    "n_buffers_float64_with_1": (
        lambda: wh.movement_batch(2),
        lambda a, s: a.set_n_buffers("0", 1),
    ),
    "n_buffers_struct_with_0": (lambda: wh.movement_batch(2), lambda a, s: a.set_n_buffers("", 0)),
    "length_negative": (lambda: wh.movement_batch(2), _set("", length=-1)),
    "offset_negative": (lambda: wh.movement_batch(2), _set("1", offset=-1)),
    "offset_overflow": (lambda: wh.movement_batch(2), _set("0", offset=2**63 - 2)),
    "null_count_above_length": (lambda: wh.movement_batch(2), _set("0", null_count=5)),
    "null_count_below_minus_1": (lambda: wh.movement_batch(2), _set("0", null_count=-2)),
    "format_empty": (lambda: wh.movement_batch(2), _fmt("0", b"")),
    "format_zz": (lambda: wh.movement_batch(2), _fmt("0", b"zz")),
    "format_w_abc": (lambda: wh.movement_batch(2), _fmt("0", b"w:abc")),
    "data_buffer_null": (lambda: wh.movement_batch(2), lambda a, s: a.set_buffer("0", 1, None)),
    "child_shorter_than_parent": (lambda: wh.movement_batch(2), _set("0", length=1)),
    "null_child_pointer": (
        lambda: wh.movement_batch(2),
        lambda a, s: a.at("").children.__setitem__(1, None),
    ),
    "toplevel_float64_array": (lambda: pa.array([1.0, 2.0]), None),
    "toplevel_struct_with_nulls": (_struct_nulls, None),
    "array_released": (lambda: wh.movement_batch(2), _released_array),
    "dictionary_child": (
        lambda: pa.record_batch({"position__x": pa.array(["a"]).dictionary_encode()}),
        None,
    ),
    "depth_65": (lambda: _nested(65), None),
}


def _nested(levels: int) -> pa.RecordBatch:
    arr: pa.Array = pa.array([1.0, 2.0], F64)
    for _ in range(levels - 2):
        arr = pa.StructArray.from_arrays([arr], names=["n"])
    return pa.record_batch({"c__deep": arr})


def _arrow_case(fn: str, label: str) -> Callable[[Ctx], None]:
    make, patch = BATCH_PATCHES[label]

    def run(t: Ctx) -> None:
        w = t.mv_world()
        if fn in (COMMIT,):
            w.begin(MV)
        inp = t.bad_batch(make(), patch)
        if label == "array_released":
            inp.released = ("array",)
        if fn == SPAWN:
            ids, n = (ctypes.c_int32 * 4)(*([-3] * 4)), ctypes.c_int64(-3)
            t.call(fn, w.token, B_MV, inp, ids, 4, ctypes.byref(n), outputs=(ids, n))
        elif fn == SPAWN_IDS:
            t.call(fn, w.token, B_MV, inp, wh.ids_array([10, 11]), 2)
        elif fn == UPDATE:
            t.call(fn, w.token, inp)
        elif fn == MIGRATE_ROWS:
            t.call(fn, w.token, B_MV + b"2", t.schema(MOVEMENT), inp, wh.ids_array([1, 2]), 2)
        elif fn == COMMIT:
            done = ctypes.c_int32(-3)
            t.call(fn, w.token, B_MV, inp, ctypes.byref(done), outputs=(done,))
            # A data-path failure (status 1) closes the epoch (c-abi.md §9.5).
            t.state(w, _abi.ARCT_WORLD_READY, 1)
        elif fn == APPLY:
            s = wh.spec()
            oa, os_ = ArrowArray(), ArrowSchema()
            t.call(
                fn, ctypes.byref(s), inp, ctypes.byref(oa), ctypes.byref(os_), 0, outputs=(oa, os_)
            )
        t.check(w.info().n_entities == 2, "the world changed")

    return run


for _label in BATCH_PATCHES:
    for _fn in (SPAWN, SPAWN_IDS, UPDATE, MIGRATE_ROWS, COMMIT, APPLY):
        if _label in ("depth_65", "dictionary_child") and _fn in (COMMIT,):
            continue
        add(f"arrow.{_short(_fn)}_{_label}", "w_arrow", 1, _fn, _arrow_case(_fn, _label))


@wcase("arrow.spawn_invalid_utf8_in_column", "w_arrow", 1, SPAWN)
def _spawn_bad_utf8(t: Ctx) -> None:
    w = t.world()
    w.register("s", pa.schema([pa.field("s__v", pa.string())]))
    ids, n = (ctypes.c_int32 * 2)(-3, -3), ctypes.c_int64(-3)
    t.call(
        SPAWN,
        w.token,
        b"s",
        t.bad_batch(_bad_utf8_table_batch()),
        ids,
        2,
        ctypes.byref(n),
        outputs=(ids, n),
    )


def _schema_case(
    label: str,
    patch: Callable[[h.Owned], None] | None,
    schema: pa.Schema,
    fn: str = REGISTER,
    released: bool = False,
) -> None:
    def run(t: Ctx) -> None:
        w = t.mv_world()
        inp = t.bad_schema(schema, patch)
        if released:
            inp.released = ("schema",)
        if fn == REGISTER:
            t.call(fn, w.token, b"t", inp, 0)
        else:
            t.call(fn, w.token, b"pv", inp, t.batch(pv_values()), wh.ids_array([1]), 1)
        t.check(w.info().n_tables == 1, "a table was registered")

    add(f"arrow.{_short(fn)}_schema_{label}", "w_arrow", 1, fn, run)


_two = pa.schema([pa.field("a__x", F64), pa.field("a__y", pa.int32())])
for _fn in (REGISTER, MIGRATE):
    _schema_case("format_zz", lambda o: h.set_format(o, "0", b"zz"), _two, _fn)
    _schema_case("format_null", lambda o: h.set_format(o, "0", None), _two, _fn)
    _schema_case("top_level_not_struct", lambda o: h.set_format(o, "", b"g"), _two, _fn)
    _schema_case("name_null", lambda o: h.set_name(o, "1", None), _two, _fn)
    _schema_case("name_invalid_utf8", lambda o: h.set_name(o, "1", b"a__\xff"), _two, _fn)
    _schema_case(
        "list_without_child",
        lambda o: setattr(o.at("0"), "n_children", 0),
        pa.schema([pa.field("a__l", pa.list_(pa.int64()))]),
        _fn,
    )
    _schema_case(
        "released",
        lambda o: setattr(o.struct, "release", _abi.ArrowSchemaRelease()),
        _two,
        _fn,
        released=True,
    )
    _schema_case("depth_65", None, _nested(65).schema, _fn)


# ---- N30: poisoned world -------------------------------------------------------------------------


def poisoned(t: Ctx, *, split: bool = False) -> wh.World:
    """Tables `a_t` and `b_t` (both active); a regular file at `b_t`'s directory path makes
    its first append fail after `a_t` was published: the step returns 103."""
    root = t.tmp()
    w = t.world(root=root)
    w.register("a_t", POSITION)
    w.register("b_t", POSITION)
    w.spawn("a_t", x_batch(2))
    w.spawn("b_t", x_batch(1))
    (root / "default").mkdir(exist_ok=True)
    (root / "default" / "b_t").write_bytes(b"not a directory")
    if split:
        a = w.begin("a_t")
        b = w.begin("b_t")
        assert a is not None and b is not None
        w.commit("b_t", b)
        w.commit("a_t", a, expect=103)
    else:
        w.step(expect=103)
    return w


@wcase("poison.step", "w_poison", 103, STEP)
def _poison_step(t: Ctx) -> None:
    root = t.tmp()
    w = t.world(root=root)
    w.register("a_t", POSITION)
    w.register("b_t", POSITION)
    w.spawn("a_t", x_batch(2))
    w.spawn("b_t", x_batch(1))
    (root / "default").mkdir(exist_ok=True)
    (root / "default" / "b_t").write_bytes(b"not a directory")
    t.call(STEP, w.token, None)
    message = (t.result or (0, None))[1] or ""
    t.check(
        "tick 0 partially committed after 1 table(s): " in message
        and message.endswith("; this world is not safe to retry"),
        f"not the normative PARTIAL_TICK detail: {message!r}",
    )
    info = w.info()
    t.check(info.state == _abi.ARCT_WORLD_POISONED, f"state {info.state}")
    t.check(
        (info.poisoned_tick, info.poisoned_committed_tables) == (0, 1),
        f"poison details {(info.poisoned_tick, info.poisoned_committed_tables)}",
    )
    t.check(info.last_failed_table == b"b_t", f"last_failed_table {info.last_failed_table!r}")
    t.check(info.tick == 0, "the tick advanced")
    status, wmessage = w.last_error()
    t.check(status == 103 and wmessage == message, "the world's last error is the poison")
    t.check(len(w.rows("a_t")) == 2, "a_t's part is readable")


@wcase("poison.split_commit", "w_poison", 103, COMMIT)
def _poison_commit(t: Ctx) -> None:
    root = t.tmp()
    w = t.world(root=root)
    w.register("a_t", POSITION)
    w.register("b_t", POSITION)
    w.spawn("a_t", x_batch(2))
    w.spawn("b_t", x_batch(1))
    (root / "default").mkdir(exist_ok=True)
    (root / "default" / "b_t").write_bytes(b"not a directory")
    a = w.begin("a_t")
    b = w.begin("b_t")
    assert a is not None and b is not None
    w.commit("b_t", b)
    done = ctypes.c_int32(-3)
    t.call(COMMIT, w.token, b"a_t", t.batch(a), ctypes.byref(done), outputs=(done,))
    t.check(w.info().state == _abi.ARCT_WORLD_POISONED, "not poisoned")
    t.check(len(w.rows("a_t")) == 2, "a_t's part is readable")


def _after_poison(fn: str, expected: int, split: bool = False) -> None:
    def run(t: Ctx) -> None:
        w = poisoned(t, split=split)
        first = w.last_error()
        b = Built((w.token, 1)) if fn == REMOVE_PROC else build(t, fn, w.token)
        args = list(b.args)
        if fn == QUERY:
            args[1] = b"a_t"
        t.call(fn, *args, outputs=b.outputs)
        if expected == 103:
            message = (t.result or (0, None))[1] or ""
            t.check(
                "tick 0 partially committed after 1 table(s): " in message,
                f"not the same PARTIAL_TICK error: {message!r}",
            )
        t.check(first[0] == 103, f"the poisoning step's world last error {first}")
        t.check(w.info().state == _abi.ARCT_WORLD_POISONED, "no longer poisoned")
        t.check(w.tick() == 0, "the tick moved")
        t.check(len(w.rows("a_t")) == 2, "query after the poisoning")

    add(f"poison.{'split.' if split else ''}then_{_short(fn)}", "w_poison", expected, fn, run)


for _split in (False, True):
    for _fn in (
        SPAWN,
        SPAWN_IDS,
        DESPAWN,
        UPDATE,
        MIGRATE,
        MIGRATE_ROWS,
        REGISTER,
        RESERVE,
        ADD_PROC,
        REMOVE_PROC,
        STEP,
        BEGIN,
        COMMIT,
    ):
        _after_poison(_fn, 103, _split)
    _after_poison(ABORT, 101, _split)
    for _fn in (QUERY, INFO, TICK, ACTIVE, TABLES, ENTITIES, LAST):
        _after_poison(_fn, 0, _split)


@wcase("poison.then_free", "w_poison", 0, FREE)
def _poison_free(t: Ctx) -> None:
    w = poisoned(t)
    t.call(FREE, w.token)
    w.freed = True


@wcase("poison.open_detects_the_torn_tick", "w_poison", 103, OPEN)
def _poison_reopen(t: Ctx) -> None:
    """engine.md C81: tick 0 complete in both tables, tick 1 torn (a_t only)."""
    root = t.tmp()
    w = t.world(root=root)
    w.register("a_t", POSITION)
    w.register("b_t", POSITION)
    w.spawn("a_t", x_batch(2))
    w.spawn("b_t", x_batch(1))
    w.step()
    b_dir = root / "default" / "b_t"
    moved = root / "b_t.saved"
    b_dir.rename(moved)
    b_dir.write_bytes(b"not a directory")
    w.step(expect=103)
    w.free()
    b_dir.unlink()
    moved.rename(b_dir)
    opts = wh.options("w", "r", root)
    out = ctypes.c_void_p()
    t.call(OPEN, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))
    message = (t.result or (0, None))[1] or ""
    t.check("a_t" in message or "b_t" in message, f"the message names no table: {message!r}")


# ---- N31, N32: busy ------------------------------------------------------------------------------


@wcase("busy.free_while_another_thread_is_inside", "w_busy", 351, FREE)
def _free_busy(t: Ctx) -> None:
    w = t.mv_world()
    inside, release = ctypes.c_int32(0), ctypes.c_int32(0)
    result: dict[str, int] = {}

    def hold() -> None:
        result["hold"] = int(
            t.lib.arct_debug_world_hold(
                w.token, ctypes.byref(inside), ctypes.byref(release), 20_000
            )
        )

    th = threading.Thread(target=hold)
    th.start()
    deadline = time.monotonic() + 10
    while not inside.value and time.monotonic() < deadline:
        time.sleep(0.001)
    t.check(inside.value == 1, "the hold never entered the world")
    t.call(FREE, w.token)
    release.value = 1
    th.join(30)
    t.check(not th.is_alive(), "the hold did not return")
    t.check(result.get("hold") == 0, f"arct_debug_world_hold returned {result.get('hold')}")
    # The world is intact and frees now.
    t.check(w.tick() == 1, "the world was damaged")
    t.expect(0, FREE, w.token)
    w.freed = True
    t.expect(6, FREE, w.token)


@wcase("busy.hold_times_out_and_returns", "w_busy", 0, HOLD)
def _hold_timeout(t: Ctx) -> None:
    w = t.mv_world()
    inside, release = ctypes.c_int32(0), ctypes.c_int32(0)
    start = time.monotonic()
    t.call(HOLD, w.token, ctypes.byref(inside), ctypes.byref(release), 50)
    t.check(inside.value == 1, "inside was not set")
    t.check(time.monotonic() - start < 5, "the hold ignored its timeout")


@wcase("busy.other_calls_wait_for_the_hold", "w_busy", 0, TICK)
def _calls_wait(t: Ctx) -> None:
    w = t.mv_world()
    inside, release = ctypes.c_int32(0), ctypes.c_int32(0)
    th = threading.Thread(
        target=lambda: t.lib.arct_debug_world_hold(
            w.token, ctypes.byref(inside), ctypes.byref(release), 20_000
        )
    )
    th.start()
    while not inside.value:
        time.sleep(0.001)
    threading.Timer(0.2, lambda: setattr(release, "value", 1)).start()
    start = time.monotonic()
    tick = ctypes.c_int32(-1)
    t.call(TICK, w.token, ctypes.byref(tick), outputs=(tick,))
    t.check(time.monotonic() - start >= 0.1, "the call did not wait for the world lock")
    th.join(30)


def _second_open(first: str, second: str) -> Callable[[Ctx], None]:
    def run(t: Ctx) -> None:
        root = t.tmp()
        w = t.world(root=root, open_=first == OPEN)
        opts = wh.options("w", "r", root)
        out = ctypes.c_void_p()
        t.call(second, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))
        # A different run, or the same run after free, is fine.
        t.world(run_id="r2", root=root, open_=True)
        w.free()
        t.world(root=root, open_=True)

    return run


add("busy.open_then_open", "w_busy", 351, OPEN, _second_open(OPEN, OPEN))
add("busy.new_then_open", "w_busy", 351, OPEN, _second_open(NEW, OPEN))
add("busy.open_then_new", "w_busy", 351, NEW, _second_open(OPEN, NEW))


@wcase("busy.open_through_another_path_spelling", "w_busy", 351, OPEN)
def _open_other_spelling(t: Ctx) -> None:
    root = t.tmp()
    (root / "sub").mkdir()
    t.world(root=root, open_=True)
    opts = wh.options("w", "r", root / "sub" / "..")  # the same canonical root
    out = ctypes.c_void_p()
    t.call(OPEN, ctypes.byref(opts), ctypes.byref(out), outputs=(out,))


# ---- N34: processor_apply ------------------------------------------------------------------------

for _col in wh.MOVEMENT_COLUMNS:

    def _apply_missing(t: Ctx, col: str = _col) -> None:
        b = wh.movement_batch(2).drop_columns([col])
        built = _apply_args(t, b)
        t.call(APPLY, *built.args, outputs=built.outputs)
        message = (t.result or (0, None))[1] or ""
        t.check(f"missing required column {col}" in message, f"message {message!r}")

    add(f"processors.apply_without_{_col}", "w_processors", 300, APPLY, _apply_missing)

    def _apply_f32(t: Ctx, col: str = _col) -> None:
        b = wh.with_column(wh.movement_batch(2), col, pa.array([1.0, 2.0], pa.float32()))
        built = _apply_args(t, b)
        t.call(APPLY, *built.args, outputs=built.outputs)

    add(f"processors.apply_{_col}_float32", "w_processors", 300, APPLY, _apply_f32)


@wcase("processors.step_with_float32_position", "w_processors", 300, STEP)
def _step_f32(t: Ctx) -> None:
    """C92: the kernel's type mismatch in a world step → 300; nothing published."""
    w = t.world()
    schema = pa.schema([pa.field("position__x", pa.float32(), False), *list(MOVEMENT)[1:]])
    w.register(MV, schema)
    w.spawn(MV, wh.with_column(wh.movement_batch(1), "position__x", pa.array([1.0], pa.float32())))
    w.step()  # tick 0: raw, no processor yet
    w.add_processor()
    t.call(STEP, w.token, None)
    t.check(w.tick() == 1 and w.rows(MV, 1) == [], "something was published")
    t.check(w.info().last_failed_table == B_MV, "last_failed_table")


# ---- N35: queries --------------------------------------------------------------------------------


@wcase("query.unknown_projected_column", "w_query", 300, QUERY)
def _query_unknown_col(t: Ctx) -> None:
    w = t.mv_world()
    q = wh.build_query(columns=["entity_id", "nope__x"])
    out = ArrowArrayStream()
    t.call(QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(out), outputs=(out,))


@wcase("query.n35_n_ticks_minus_1", "w_query", 8, QUERY)
def _query_n_ticks(t: Ctx) -> None:
    w = t.mv_world()
    q = wh.build_query(ticks=[0])
    q.n_ticks = -1
    out = ArrowArrayStream()
    t.call(QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(out), outputs=(out,))


@wcase("query.unknown_table", "w_query", 150, QUERY)
def _query_unknown_table(t: Ctx) -> None:
    w = t.mv_world(root=t.tmp())
    out = ArrowArrayStream()
    t.call(QUERY, w.token, b"never_written", None, ctypes.byref(out), outputs=(out,))


@wcase("query.unknown_table_in_memory", "w_query", 150, QUERY)
def _query_unknown_table_mem(t: Ctx) -> None:
    w = t.mv_world()
    out = ArrowArrayStream()
    t.call(QUERY, w.token, b"never_written", None, ctypes.byref(out), outputs=(out,))


@wcase("query.flags_ignored_fields_are_not_read", "w_query", 0, QUERY)
def _query_unflagged(t: Ctx) -> None:
    """Filter arrays are read iff their flag is set: garbage counts without the flag are fine."""
    w = t.mv_world()
    q = _abi.arct_query()
    q.struct_size = ctypes.sizeof(q)
    q.n_ticks, q.n_entity_ids, q.n_columns = 5, -7, 3  # NULL arrays, flags 0
    out = ArrowArrayStream()
    t.call(QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(out), outputs=(out,))


# ---- N36: release order --------------------------------------------------------------------------


def _release_case(where: str) -> Callable[[Ctx], None]:
    """Outputs of begin, a listing, roundtrip and query released after arct_world_free, on
    this thread or another one; the stream is still readable after the free."""

    def run(t: Ctx) -> None:
        w = t.mv_world(5, root=t.tmp())
        w.step()
        ba, bs = ArrowArray(), ArrowSchema()
        t.call(BEGIN, w.token, B_MV, ctypes.byref(ba), ctypes.byref(bs), outputs=())
        t.tracker.wrap_array(ba, "begin.out.array")
        t.tracker.wrap_schema(bs, "begin.out.schema")
        la, ls = ArrowArray(), ArrowSchema()
        t.expect(0, ENTITIES, w.token, ctypes.byref(la), ctypes.byref(ls))
        t.tracker.wrap_array(la, "entities.out.array")
        t.tracker.wrap_schema(ls, "entities.out.schema")
        stream = ArrowArrayStream()
        q = wh.build_query(ticks=[0, 1])
        t.expect(0, QUERY, w.token, B_MV, ctypes.byref(q), ctypes.byref(stream))
        ri = t.batch(wh.movement_batch(4))
        ra, rs = ArrowArray(), ArrowSchema()
        t.expect(0, "arct_record_batch_roundtrip", ri, ctypes.byref(ra), ctypes.byref(rs))
        t.tracker.wrap_array(ra, "roundtrip.out.array")
        t.tracker.wrap_schema(rs, "roundtrip.out.schema")
        w.free()  # the epoch is discarded; every output stays valid

        def consume() -> None:
            table = wh.read_stream(stream, t.tracker, "query.out")
            t.check(table.num_rows == 10, f"the stream read {table.num_rows} rows after free")
            if where == "import":
                batch = wh.import_output(ba, bs, None, "begin")
                t.check(batch.num_rows == 5, "begin export after free")
                del batch
            else:
                for s in (ba, bs, la, ls, ra, rs):
                    _abi.release_if_needed(s)

        if where == "thread":
            th = threading.Thread(target=consume)
            th.start()
            th.join(30)
        else:
            consume()
        for s in (ba, bs, la, ls, ra, rs):
            _abi.release_if_needed(s)
        main = threading.get_ident()
        if where == "thread":
            other = {k for k, v in t.tracker.threads.items() if v != main}
            t.check(
                "query.out" in other and "begin.out.array" in other,
                "the releases did not run on the other thread",
            )

    return run


add("release.outputs_after_free", "w_release", 0, BEGIN, _release_case("here"))
add("release.outputs_after_free_on_another_thread", "w_release", 0, BEGIN, _release_case("thread"))
add("release.begin_imported_by_pyarrow_after_free", "w_release", 0, BEGIN, _release_case("import"))


@wcase("release.staged_inputs_released_at_free", "w_release", 0, SPAWN)
def _staged_released(t: Ctx) -> None:
    """Staged spawn data held by the library is released when the world is freed (no step)."""
    w = t.mv_world(0, steps=0)
    ids, n = (ctypes.c_int32 * 3)(), ctypes.c_int64()
    inp = t.batch(wh.movement_batch(3))
    t.call(SPAWN, w.token, B_MV, inp, ids, 3, ctypes.byref(n))
    w.free()


# ---- N37: balance --------------------------------------------------------------------------------


@wcase("balance.1000_round_trips_and_1000_failed_calls", "w_balance", 0, STEP)
def _balance(t: Ctx) -> None:
    """N37 as stated: record batch round trips and failed world calls with inputs."""
    w = t.mv_world(50)
    batch = wh.movement_batch(50)

    def iteration(k: int) -> None:
        rt = h.roundtrip(t.lib, batch, t.tracker, f"rt{k}.")
        t.check(rt.status == 0, "roundtrip failed")
        del rt
        w.spawn(MV, wh.movement_batch(1).drop_columns(["velocity__dy"]), expect=300)
        w.register(MV, POSITION, expect=300)
        w.update(
            pa.record_batch(
                {"entity_id": pa.array([999_999], pa.int32()), "position__x": pa.array([1.0])}
            ),
            expect=152,
        )
        w.commit(MV, batch, expect=101)

    iteration(0)
    t.tracker.wait_all_released()
    t.tracker.purge_released()
    held = set(t.tracker.unreleased())  # the setup spawn, held by the world's live snapshot
    baseline = wh.wait_counters(t.lib, t.lib.debug_counters())
    for k in range(1, 1001):
        iteration(k)
        if k % 100 == 0:
            t.tracker.wait_all_released()
            t.tracker.purge_released()
    t.tracker.wait_all_released()
    leaked = set(t.tracker.unreleased()) - held
    t.check(not leaked, f"unreleased: {sorted(leaked)[:5]}")
    now = wh.wait_counters(t.lib, baseline)
    t.check(now == baseline, f"counters {now} after 1000 iterations, {baseline} before")
    t.call(STEP, w.token, None)
    t.check(w.tick() == 2, f"tick {w.tick()}")


def _split_balance(t: Ctx, processor: str) -> None:
    """1,000 split-step round trips on a Parquet store (the ledger leaves the process): the
    library's counters must be the same after them as before."""
    # Untracked: with tracking, a chain of links (see the report) would be released through
    # nested Python release wrappers, past the interpreter's recursion limit.
    w = wh.World.create(t.lib, None, "w", "r", t.tmp())
    t.worlds.append(w)
    w.register(MV, MOVEMENT)
    w.spawn(MV, wh.movement_batch(50))
    w.step()

    def process(b: pa.RecordBatch) -> pa.RecordBatch:
        moved = wh.move(b, 1.0)
        if processor == "copy_all":
            idx = pa.array(range(moved.num_rows), pa.int32())
            moved = pa.RecordBatch.from_arrays(
                [c.take(idx) for c in moved.columns], schema=moved.schema
            )
        return moved

    def iteration() -> None:
        prior = w.begin(MV)
        assert prior is not None
        w.commit(MV, process(prior))
        del prior

    for _ in range(10):
        iteration()
    t.tracker.wait_all_released()
    t.tracker.purge_released()
    baseline = wh.wait_counters(t.lib, t.lib.debug_counters())
    for k in range(1000):
        iteration()
        if k % 100 == 99:
            t.tracker.purge_released()
    now = wh.wait_counters(t.lib, baseline)
    t.check(now == baseline, f"counters {now} after 1000 split ticks, {baseline} before")
    t.call(STEP, w.token, None)
    t.check(w.tick() == 1012, f"tick {w.tick()}")


add(
    "balance.1000_split_round_trips_pyarrow_compute",
    "w_balance",
    0,
    STEP,
    lambda t: _split_balance(t, "compute"),
)
add(
    "balance.1000_split_round_trips_copy_all",
    "w_balance",
    0,
    STEP,
    lambda t: _split_balance(t, "copy_all"),
)


@wcase("balance.1000_failed_calls_with_malformed_inputs", "w_balance", 1, SPAWN)
def _balance_malformed(t: Ctx) -> None:
    w = t.mv_world(2)
    start_after_setup = t.lib.debug_counters()
    last = 0
    for k in range(1000):
        inp = t.bad_batch(wh.movement_batch(2), lambda a, s: a.set_n_buffers("1", 1), f"bad{k}")
        ids, n = (ctypes.c_int32 * 2)(), ctypes.c_int64(-3)
        status, _ = t._invoke(SPAWN, (w.token, B_MV, inp, ids, 2, ctypes.byref(n)), (ids, n))
        last = status
        t.check(status == 1, f"status {status}")
        deadline = time.monotonic() + 1.0
        while any(c < 1 for c in inp.counts().values()) and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.001)
        t.inputs.remove(inp)
        for key, c in inp.counts().items():
            if c != 1:
                t.checks.append(f"call {k}: node {key} released {c} times")
                break
        inp.cleanup()
        if len(t.checks) > 5:
            break
    now = wh.wait_counters(t.lib, start_after_setup)
    t.check(now == start_after_setup, f"counters {now}, {start_after_setup} before")
    ids, n = (ctypes.c_int32 * 2)(), ctypes.c_int64(-3)
    t.call(
        SPAWN,
        w.token,
        B_MV,
        t.bad_batch(wh.movement_batch(2), _fmt("0", b"zz")),
        ids,
        2,
        ctypes.byref(n),
        outputs=(ids, n),
    )
    del last
