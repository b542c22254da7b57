"""Exception classes and the status table of the native C ABI (c-abi.md §3, python.md §10).

Every package exception derives from :class:`ArchetypeError` and carries `status`,
`status_name`, `native_message`, `function` and `backend`. :func:`error_for_status` builds the
exception of python.md §10.2 for a status returned by the native library.
"""

from __future__ import annotations

from typing import Any, Literal

Backend = Literal["python", "native"]

# ---- status codes (c-abi.md §3) -----------------------------------------------------------------

ARCT_OK = 0
ARCT_ERR_ARROW = 1
ARCT_ERR_INTERNAL = 2
ARCT_ERR_NULL_POINTER = 3
ARCT_ERR_OUTPUT_NOT_EMPTY = 4
ARCT_ERR_INVALID_UTF8 = 5
ARCT_ERR_BAD_HANDLE = 6
ARCT_ERR_ABI_VERSION = 7
ARCT_ERR_INVALID_ARGUMENT = 8
ARCT_ERR_STEP_ALREADY_IN_FLIGHT = 100
ARCT_ERR_NO_STEP_IN_FLIGHT = 101
ARCT_ERR_STEP_TABLE_MISMATCH = 102
ARCT_ERR_PARTIAL_TICK = 103
ARCT_ERR_MUTATION_DURING_STEP = 104
ARCT_ERR_UNKNOWN_TABLE = 150
ARCT_ERR_TABLE_NOT_ACTIVE = 151
ARCT_ERR_UNKNOWN_ENTITY = 152
ARCT_ERR_ID_ALREADY_REGISTERED = 153
ARCT_ERR_INVALID_NAME = 154
ARCT_ERR_ID_OVERFLOW = 155
ARCT_ERR_RUN_EXISTS = 156
ARCT_ERR_STORE_READ = 200
ARCT_ERR_STORE_APPEND = 201
ARCT_ERR_BUFFER_STATE = 250
ARCT_ERR_SCHEMA_MISMATCH = 300
ARCT_ERR_METADATA_COLUMN = 301
ARCT_ERR_PROCESSOR_CONTRACT = 302
ARCT_ERR_WORLD_BUSY = 351

#: Every status code of c-abi.md §3, code → constant name.
STATUS_NAMES: dict[int, str] = {
    ARCT_OK: "ARCT_OK",
    ARCT_ERR_ARROW: "ARCT_ERR_ARROW",
    ARCT_ERR_INTERNAL: "ARCT_ERR_INTERNAL",
    ARCT_ERR_NULL_POINTER: "ARCT_ERR_NULL_POINTER",
    ARCT_ERR_OUTPUT_NOT_EMPTY: "ARCT_ERR_OUTPUT_NOT_EMPTY",
    ARCT_ERR_INVALID_UTF8: "ARCT_ERR_INVALID_UTF8",
    ARCT_ERR_BAD_HANDLE: "ARCT_ERR_BAD_HANDLE",
    ARCT_ERR_ABI_VERSION: "ARCT_ERR_ABI_VERSION",
    ARCT_ERR_INVALID_ARGUMENT: "ARCT_ERR_INVALID_ARGUMENT",
    ARCT_ERR_STEP_ALREADY_IN_FLIGHT: "ARCT_ERR_STEP_ALREADY_IN_FLIGHT",
    ARCT_ERR_NO_STEP_IN_FLIGHT: "ARCT_ERR_NO_STEP_IN_FLIGHT",
    ARCT_ERR_STEP_TABLE_MISMATCH: "ARCT_ERR_STEP_TABLE_MISMATCH",
    ARCT_ERR_PARTIAL_TICK: "ARCT_ERR_PARTIAL_TICK",
    ARCT_ERR_MUTATION_DURING_STEP: "ARCT_ERR_MUTATION_DURING_STEP",
    ARCT_ERR_UNKNOWN_TABLE: "ARCT_ERR_UNKNOWN_TABLE",
    ARCT_ERR_TABLE_NOT_ACTIVE: "ARCT_ERR_TABLE_NOT_ACTIVE",
    ARCT_ERR_UNKNOWN_ENTITY: "ARCT_ERR_UNKNOWN_ENTITY",
    ARCT_ERR_ID_ALREADY_REGISTERED: "ARCT_ERR_ID_ALREADY_REGISTERED",
    ARCT_ERR_INVALID_NAME: "ARCT_ERR_INVALID_NAME",
    ARCT_ERR_ID_OVERFLOW: "ARCT_ERR_ID_OVERFLOW",
    ARCT_ERR_RUN_EXISTS: "ARCT_ERR_RUN_EXISTS",
    ARCT_ERR_STORE_READ: "ARCT_ERR_STORE_READ",
    ARCT_ERR_STORE_APPEND: "ARCT_ERR_STORE_APPEND",
    ARCT_ERR_BUFFER_STATE: "ARCT_ERR_BUFFER_STATE",
    ARCT_ERR_SCHEMA_MISMATCH: "ARCT_ERR_SCHEMA_MISMATCH",
    ARCT_ERR_METADATA_COLUMN: "ARCT_ERR_METADATA_COLUMN",
    ARCT_ERR_PROCESSOR_CONTRACT: "ARCT_ERR_PROCESSOR_CONTRACT",
    ARCT_ERR_WORLD_BUSY: "ARCT_ERR_WORLD_BUSY",
}

UNKNOWN_STATUS_NAME = "ARCT_ERR_UNKNOWN_STATUS"


def status_name(status: int) -> str:
    """The constant name of a status code, `ARCT_ERR_UNKNOWN_STATUS` for codes not in §3."""
    return STATUS_NAMES.get(status, UNKNOWN_STATUS_NAME)


# ---- exception classes (python.md §10.1, §10.2) --------------------------------------------------


class ArchetypeError(Exception):
    """Base of every package exception."""

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        status_name: str | None = None,
        native_message: str | None = None,
        function: str | None = None,
        backend: Backend = "python",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.status_name = status_name
        self.native_message = native_message
        self.function = function
        self.backend: Backend = backend

    def _state(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuild with the message only, then restore every attribute (subclass ones included).
        message = self.args[0] if self.args else ""
        return (_rebuild, (type(self), message, self._state()))


def _rebuild(cls: type[ArchetypeError], message: str, state: dict[str, Any]) -> ArchetypeError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class ArrowDataError(ArchetypeError, ValueError):
    """Malformed or unsupported Arrow input (status 1)."""


class NativeInternalError(ArchetypeError, RuntimeError):
    """An internal invariant of the native library failed (statuses 2, 250, unknown codes)."""


class AbiUsageError(ArchetypeError, RuntimeError):
    """The adapter broke an ABI rule: NULL pointer or non-empty output (statuses 3, 4)."""


class InvalidArgumentError(ArchetypeError, ValueError):
    """Invalid UTF-8 or an out-of-range scalar argument (statuses 5, 8)."""


class WorldClosedError(ArchetypeError, RuntimeError):
    """The world handle is not live (status 6)."""


class NativeLibraryError(ArchetypeError, ImportError):
    """The native library could not be loaded, or has another ABI version (status 7)."""

    def __init__(
        self,
        message: str = "",
        *,
        path: tuple[str, ...] = (),
        expected_version: int = 2,
        actual_version: int | None = None,
        reason: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.path = path
        self.expected_version = expected_version
        self.actual_version = actual_version
        self.reason = reason if reason is not None else message


class StepStateError(ArchetypeError, RuntimeError):
    """Split-step protocol violation or mutation during a step (statuses 100-102, 104)."""


class PartialTickError(ArchetypeError, RuntimeError):
    """A tick was committed for some tables only; the world is poisoned (status 103)."""

    def __init__(
        self,
        message: str = "",
        *,
        tick: int | None = None,
        committed_tables: int | None = None,
        cause: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.tick = tick
        self.committed_tables = committed_tables
        self.cause = cause


class UnknownTableError(ArchetypeError, LookupError):
    """Unknown table, or a table not active for the tick (statuses 150, 151)."""


class UnknownEntityError(ArchetypeError, LookupError):
    """Unknown entity, or no visible row (status 152)."""

    def __init__(self, message: str = "", *, entity_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.entity_id = entity_id


class IdAlreadyRegisteredError(ArchetypeError, ValueError):
    """An explicit entity id is registered, staged or was used before (status 153)."""


class InvalidNameError(ArchetypeError, ValueError):
    """A table name, namespace, world id or run id breaks the naming rules (status 154)."""


class EntityIdOverflowError(ArchetypeError, OverflowError):
    """Allocating or accepting ids would pass INT32_MAX (status 155)."""


class RunExistsError(ArchetypeError, ValueError):
    """The store already holds rows of this world id and run id (status 156)."""


class StoreError(ArchetypeError, OSError):
    """Reading or appending store files failed (statuses 200, 201)."""


class SchemaMismatchError(ArchetypeError, ValueError):
    """A schema or batch does not match the table, or base columns are misused (300, 301)."""


class ProcessorContractError(ArchetypeError, RuntimeError):
    """A processed batch broke the processor output contract (status 302)."""

    def __init__(
        self,
        message: str = "",
        *,
        processor: str | None = None,
        table: str | None = None,
        detail: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.processor = processor
        self.table = table
        self.detail = detail


class WorldBusyError(ArchetypeError, RuntimeError):
    """The world is in use by another call, or already open in this process (status 351)."""


#: Status code → exception class (python.md §10.2). Codes not listed map to NativeInternalError.
STATUS_EXCEPTIONS: dict[int, type[ArchetypeError]] = {
    ARCT_ERR_ARROW: ArrowDataError,
    ARCT_ERR_INTERNAL: NativeInternalError,
    ARCT_ERR_NULL_POINTER: AbiUsageError,
    ARCT_ERR_OUTPUT_NOT_EMPTY: AbiUsageError,
    ARCT_ERR_INVALID_UTF8: InvalidArgumentError,
    ARCT_ERR_BAD_HANDLE: WorldClosedError,
    ARCT_ERR_ABI_VERSION: NativeLibraryError,
    ARCT_ERR_INVALID_ARGUMENT: InvalidArgumentError,
    ARCT_ERR_STEP_ALREADY_IN_FLIGHT: StepStateError,
    ARCT_ERR_NO_STEP_IN_FLIGHT: StepStateError,
    ARCT_ERR_STEP_TABLE_MISMATCH: StepStateError,
    ARCT_ERR_PARTIAL_TICK: PartialTickError,
    ARCT_ERR_MUTATION_DURING_STEP: StepStateError,
    ARCT_ERR_UNKNOWN_TABLE: UnknownTableError,
    ARCT_ERR_TABLE_NOT_ACTIVE: UnknownTableError,
    ARCT_ERR_UNKNOWN_ENTITY: UnknownEntityError,
    ARCT_ERR_ID_ALREADY_REGISTERED: IdAlreadyRegisteredError,
    ARCT_ERR_INVALID_NAME: InvalidNameError,
    ARCT_ERR_ID_OVERFLOW: EntityIdOverflowError,
    ARCT_ERR_RUN_EXISTS: RunExistsError,
    ARCT_ERR_STORE_READ: StoreError,
    ARCT_ERR_STORE_APPEND: StoreError,
    ARCT_ERR_BUFFER_STATE: NativeInternalError,
    ARCT_ERR_SCHEMA_MISMATCH: SchemaMismatchError,
    ARCT_ERR_METADATA_COLUMN: SchemaMismatchError,
    ARCT_ERR_PROCESSOR_CONTRACT: ProcessorContractError,
    ARCT_ERR_WORLD_BUSY: WorldBusyError,
}


def exception_class(status: int) -> type[ArchetypeError]:
    """The exception class for a non-zero status (python.md §10.2)."""
    return STATUS_EXCEPTIONS.get(status, NativeInternalError)


def error_for_status(
    status: int,
    *,
    function: str,
    native_message: str | None,
    status_name_text: str | None = None,
) -> ArchetypeError:
    """The exception the native adapter raises for `status` returned by `function`."""
    if status == ARCT_OK:
        raise ValueError("error_for_status called with ARCT_OK")
    name = status_name_text or status_name(status)
    text = native_message if native_message else f"{function} failed with {name}"
    cls = exception_class(status)
    return cls(
        text,
        status=status,
        status_name=name,
        native_message=native_message,
        function=function,
        backend="native",
    )


__all__ = [
    "STATUS_EXCEPTIONS",
    "STATUS_NAMES",
    "UNKNOWN_STATUS_NAME",
    "AbiUsageError",
    "ArchetypeError",
    "ArrowDataError",
    "EntityIdOverflowError",
    "IdAlreadyRegisteredError",
    "InvalidArgumentError",
    "InvalidNameError",
    "NativeInternalError",
    "NativeLibraryError",
    "PartialTickError",
    "ProcessorContractError",
    "RunExistsError",
    "SchemaMismatchError",
    "StepStateError",
    "StoreError",
    "UnknownEntityError",
    "UnknownTableError",
    "WorldBusyError",
    "WorldClosedError",
    "error_for_status",
    "exception_class",
    "status_name",
]
