"""Library and diagnostics functions (c-abi.md §8.1), per-thread last error (§5), the export
list (§1) and the debug counters."""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from archetype import _abi, errors
from archetype._abi import NativeLibrary

import cdata_helpers as h
from conftest import native_required


def test_every_header_function_is_exported(lib: NativeLibrary) -> None:
    assert lib.missing == ()


def test_ffi_version(lib: NativeLibrary) -> None:
    assert lib.arct_ffi_version() == 2
    assert lib.version() == _abi.ABI_VERSION


def test_strict_loader_accepts_the_library(native_path: Path) -> None:
    loaded = _abi.open_library(native_path)
    assert loaded.version() == 2


def test_status_name_for_every_code(lib: NativeLibrary) -> None:
    for code, name in errors.STATUS_NAMES.items():
        assert lib.status_name(code) == name
    for unknown in (9, 99, 105, 199, 202, 299, 303, 350, 352, 400, 999, -1, -(2**31), 2**31 - 1):
        assert lib.status_name(unknown) == "ARCT_ERR_UNKNOWN_STATUS", unknown


def test_status_name_is_static(lib: NativeLibrary) -> None:
    a = ctypes.cast(lib.cdll.arct_status_name, ctypes.c_void_p)
    assert a.value
    fn = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_int32)(a.value)
    assert fn(1) == fn(1)  # the same static string every time


def test_world_options_init(lib: NativeLibrary) -> None:
    opts = _abi.arct_world_options()
    ctypes.memset(ctypes.addressof(opts), 0xAB, ctypes.sizeof(opts))
    lib.arct_world_options_init(ctypes.byref(opts))
    assert opts.struct_size == 56
    assert opts.abi_version == 2
    assert opts.world_id is None and opts.run_id is None
    assert opts.store_root is None and opts.store_namespace is None
    assert (opts.codec, opts.codec_level, opts.durability, opts.flags) == (0, 0, 0, 0)
    lib.arct_world_options_init(None)  # ignored


def test_debug_counters_are_non_negative(lib: NativeLibrary) -> None:
    buffers, exports, imports = lib.debug_counters()
    assert buffers >= 0 and exports >= 0 and imports >= 0


def test_last_error_is_per_thread_and_cleared(lib: NativeLibrary) -> None:
    """Set in one thread, invisible in another; cleared by a success, by
    arct_clear_last_error, untouched by the diagnostics. Run in a child process: the failing
    calls pass NULL pointers."""
    code = r"""
import ctypes, json, threading
import pyarrow as pa
import cdata_helpers as h
lib = h.load_native()
out = {}
def fail():
    return lib.arct_record_batch_roundtrip(None, None, None, None)
out["status"] = fail()
out["main_after_fail"] = lib.last_error()
seen = {}
def other():
    seen["before"] = lib.last_error()
    seen["status"] = lib.arct_movement_process(None, None, None, None, 1.0, 0)
    seen["own"] = lib.last_error()
t = threading.Thread(target=other); t.start(); t.join()
out["other_thread"] = seen
out["main_after_other"] = lib.last_error()
# diagnostics do not touch the last error
lib.arct_ffi_version(); lib.arct_status_name(1); lib.debug_counters()
opts = h._abi.arct_world_options(); lib.arct_world_options_init(ctypes.byref(opts))
out["after_diagnostics"] = lib.last_error()
lib.arct_clear_last_error()
out["after_clear"] = lib.last_error()
fail()
r = h.roundtrip(lib, pa.record_batch({"x": [1, 2, 3]}))
out["success_status"] = r.status
out["after_success"] = lib.last_error()
del r
print("RESULT " + json.dumps(out))
finish()
"""
    proc = h.run_python(code)
    assert proc.returncode == 0, h.describe_exit(proc)
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line[len("RESULT ") :])
    assert out["status"] == 3
    main_message = out["main_after_fail"]
    assert main_message and main_message.startswith("arct_record_batch_roundtrip")
    assert out["other_thread"]["before"] is None
    assert out["other_thread"]["status"] == 3
    assert out["other_thread"]["own"].startswith("arct_movement_process")
    assert out["main_after_other"] == main_message
    assert out["after_diagnostics"] == main_message
    assert out["after_clear"] is None
    assert out["success_status"] == 0
    assert out["after_success"] is None


def _nm() -> str | None:
    return shutil.which("nm")


def test_dynamic_symbol_table_exports_only_arct(native_path: Path) -> None:
    nm = _nm()
    if nm is None:
        if native_required():
            pytest.fail("nm (binutils) is not installed")
        pytest.skip("nm (binutils) is not installed")
    out = subprocess.run(
        [nm, "-D", "--defined-only", "--extern-only", str(native_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    assert names, "the library exports no symbols at all"
    foreign = sorted(n for n in names if not n.startswith("arct_"))
    assert foreign == [], f"non-arct symbols exported: {foreign[:20]}"
    assert names == set(_abi.PROTOTYPES), (
        f"exported but not declared: {sorted(names - set(_abi.PROTOTYPES))}; "
        f"declared but not exported: {sorted(set(_abi.PROTOTYPES) - names)}"
    )
