"""Archetype: an Arrow-native entity-component-system.

This is the Python runtime. At this stage it provides the exception classes and the status table
of the native C ABI (`archetype.errors`), native library discovery (`archetype.config`) and the
ctypes declarations of the ABI (`archetype._abi`). The world API arrives in later versions.
"""

from .errors import (
    AbiUsageError,
    ArchetypeError,
    ArrowDataError,
    EntityIdOverflowError,
    IdAlreadyRegisteredError,
    InvalidArgumentError,
    InvalidNameError,
    NativeInternalError,
    NativeLibraryError,
    PartialTickError,
    ProcessorContractError,
    RunExistsError,
    SchemaMismatchError,
    StepStateError,
    StoreError,
    UnknownEntityError,
    UnknownTableError,
    WorldBusyError,
    WorldClosedError,
)

__version__ = "0.1.0"

__all__ = [
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
    "__version__",
]
