"""The package itself, without the native library: layout, status table, exceptions, struct
sizes, the function table against the header, library discovery and `native_core`."""

from __future__ import annotations

import ctypes
import pickle
import re
from pathlib import Path

import pytest

import archetype
from archetype import _abi, config, errors

PACKAGE_DIR = Path(archetype.__file__).resolve().parent
REPO_ROOT = next((p for p in PACKAGE_DIR.parents if (p / "Package.swift").is_file()), None)
HEADER = REPO_ROOT / "Sources" / "CArrowABI" / "include" / "archetype.h" if REPO_ROOT else None


def _header() -> str:
    if HEADER is None or not HEADER.is_file():
        pytest.skip("not a development checkout: archetype.h is not available")
    return HEADER.read_text()


def test_package_imports_without_native_library() -> None:
    assert archetype.__version__
    assert (PACKAGE_DIR / "py.typed").is_file()
    for name in archetype.__all__:
        assert hasattr(archetype, name), name


def test_struct_sizes_match_the_abi() -> None:
    expected = {
        "ArrowSchema": 72,
        "ArrowArray": 80,
        "ArrowArrayStream": 40,
        "arct_world_options": 56,
        "arct_processor_spec": 32,
        "arct_table_profile": 320,
        "arct_step_profile": 40,
        "arct_query": 72,
        "arct_world_info": 304,
    }
    actual = {cls.__name__: ctypes.sizeof(cls) for cls in _abi.STRUCT_SIZES}
    assert actual == expected
    assert _abi.struct_size_mismatches() == []


def test_struct_sizes_match_the_header_static_asserts() -> None:
    checks = REPO_ROOT / "Sources" / "CArrowABI" / "abi_checks.c" if REPO_ROOT else None
    if checks is None or not checks.is_file():
        pytest.skip("abi_checks.c not available")
    text = checks.read_text()
    found = dict(re.findall(r"sizeof\((?:struct\s+)?(\w+)\)\s*==\s*(\d+)", text))
    assert found, "no _Static_assert(sizeof(...) == N) found in abi_checks.c"
    by_name = {cls.__name__: ctypes.sizeof(cls) for cls in _abi.STRUCT_SIZES}
    for name, size in found.items():
        if name in by_name:
            assert by_name[name] == int(size), name


def test_status_table_matches_the_header() -> None:
    text = _header()
    defined = {
        name: int(value)
        for name, value in re.findall(r"#define\s+(ARCT_(?:OK|ERR_\w+))\s+(\d+)", text)
    }
    assert defined, "no status codes found in archetype.h"
    assert {code: name for name, code in defined.items()} == errors.STATUS_NAMES
    for name, code in defined.items():
        assert getattr(errors, name) == code


def test_function_table_matches_the_header() -> None:
    text = _header()
    declared = set(re.findall(r"\b(arct_\w+)\s*\(", text))
    assert declared == set(_abi.PROTOTYPES), (
        f"header only: {declared - set(_abi.PROTOTYPES)}, "
        f"_abi only: {set(_abi.PROTOTYPES) - declared}"
    )


def test_status_names() -> None:
    assert errors.status_name(0) == "ARCT_OK"
    assert errors.status_name(152) == "ARCT_ERR_UNKNOWN_ENTITY"
    for unknown in (9, 99, 350, 999, -1, 2**31 - 1):
        assert errors.status_name(unknown) == "ARCT_ERR_UNKNOWN_STATUS"


@pytest.mark.parametrize(
    ("status", "cls", "also"),
    [
        (1, errors.ArrowDataError, ValueError),
        (2, errors.NativeInternalError, RuntimeError),
        (250, errors.NativeInternalError, RuntimeError),
        (777, errors.NativeInternalError, RuntimeError),
        (3, errors.AbiUsageError, RuntimeError),
        (4, errors.AbiUsageError, RuntimeError),
        (5, errors.InvalidArgumentError, ValueError),
        (8, errors.InvalidArgumentError, ValueError),
        (6, errors.WorldClosedError, RuntimeError),
        (7, errors.NativeLibraryError, ImportError),
        (100, errors.StepStateError, RuntimeError),
        (101, errors.StepStateError, RuntimeError),
        (102, errors.StepStateError, RuntimeError),
        (104, errors.StepStateError, RuntimeError),
        (103, errors.PartialTickError, RuntimeError),
        (150, errors.UnknownTableError, LookupError),
        (151, errors.UnknownTableError, LookupError),
        (152, errors.UnknownEntityError, LookupError),
        (153, errors.IdAlreadyRegisteredError, ValueError),
        (154, errors.InvalidNameError, ValueError),
        (155, errors.EntityIdOverflowError, OverflowError),
        (156, errors.RunExistsError, ValueError),
        (200, errors.StoreError, OSError),
        (201, errors.StoreError, OSError),
        (300, errors.SchemaMismatchError, ValueError),
        (301, errors.SchemaMismatchError, ValueError),
        (302, errors.ProcessorContractError, RuntimeError),
        (351, errors.WorldBusyError, RuntimeError),
    ],
)
def test_status_to_exception(status: int, cls: type, also: type) -> None:
    err = errors.error_for_status(status, function="arct_x", native_message="arct_x: boom")
    assert type(err) is cls
    assert isinstance(err, also)
    assert isinstance(err, errors.ArchetypeError)
    assert err.status == status
    assert err.status_name == errors.status_name(status)
    assert err.native_message == "arct_x: boom"
    assert err.function == "arct_x"
    assert err.backend == "native"
    assert str(err) == "arct_x: boom"


def test_error_for_ok_is_a_bug() -> None:
    with pytest.raises(ValueError, match="ARCT_OK"):
        errors.error_for_status(0, function="arct_x", native_message=None)


def test_exceptions_pickle_with_all_attributes() -> None:
    samples: list[errors.ArchetypeError] = [
        errors.error_for_status(152, function="arct_world_update", native_message="m"),
        errors.PartialTickError(
            "p", tick=3, committed_tables=1, cause="disk", status=103, backend="native"
        ),
        errors.ProcessorContractError("c", processor="mv", table="t", detail="d", status=302),
        errors.NativeLibraryError("n", path=("/x.so",), actual_version=1, reason="version"),
        errors.UnknownEntityError("u", entity_id=7, status=152),
    ]
    for err in samples:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert str(back) == str(err)
        assert back.__dict__ == err.__dict__


def test_candidates_with_env_is_the_only_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    lib = tmp_path / "custom.so"
    monkeypatch.setenv(config.ENV_NATIVE_LIB, str(lib))
    assert config.candidate_paths() == [lib]
    assert config.find_native_library() is None  # does not exist: no fallback
    lib.write_bytes(b"")
    assert config.find_native_library() == lib


def test_candidates_without_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_NATIVE_LIB, raising=False)
    candidates = config.candidate_paths()
    assert candidates[0] == PACKAGE_DIR / "_native" / config.library_filename()
    if REPO_ROOT is not None:
        assert candidates[1] == REPO_ROOT / ".build" / "release" / config.library_filename()
        assert len(candidates) == 2
    else:
        assert len(candidates) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("off", "off"), ("AUTO", "auto"), ("  Required\n", "required")],
)
def test_native_core_argument(value: str, expected: str) -> None:
    assert config.resolve_native_core(value) == expected


def test_native_core_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(config.ENV_NATIVE_CORE, raising=False)
    assert config.resolve_native_core() == "auto"
    monkeypatch.setenv(config.ENV_NATIVE_CORE, "   ")
    assert config.resolve_native_core() == "auto"
    monkeypatch.setenv(config.ENV_NATIVE_CORE, " Off ")
    assert config.resolve_native_core() == "off"
    assert config.resolve_native_core("required") == "required"  # the argument wins
    monkeypatch.setenv(config.ENV_NATIVE_CORE, "sometimes")
    with pytest.raises(errors.InvalidArgumentError, match="ARCHETYPE_NATIVE_CORE"):
        config.resolve_native_core()


def test_native_core_invalid_argument() -> None:
    with pytest.raises(errors.InvalidArgumentError, match="argument"):
        config.resolve_native_core("yes")


def test_open_library_failure_is_a_native_library_error(tmp_path: Path) -> None:
    missing = tmp_path / "libnothing.so"
    with pytest.raises(errors.NativeLibraryError) as info:
        _abi.open_library(missing)
    assert info.value.path == (str(missing),)
    assert info.value.expected_version == 2
    assert info.value.actual_version is None
    assert isinstance(info.value, ImportError)
