// swift-tools-version:6.1
import PackageDescription

// The dynamic library exports only the `arct_*` functions of the C ABI (c-abi.md §1): the
// public Swift symbols of the statically linked modules would otherwise leak into its
// dynamic symbol table.
let exportList = Context.packageDirectory + "/Sources/ArchetypeFFI/exports.map"

let package = Package(
    name: "Archetype",
    products: [
        .library(name: "ArchetypeFFI", type: .dynamic, targets: ["ArchetypeFFI"]),
        .executable(name: "archetype", targets: ["archetype"]),
        // The libFuzzer target of the Parquet reader: built only by scripts/fuzz.sh, with
        // `-sanitize=fuzzer,address` (docs/fuzzing.md).
        .library(name: "ParquetFuzz", type: .static, targets: ["ParquetFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Canonical Arrow C Data / C Stream structs and the public header of the C ABI.
        .target(name: "CArrowABI"),
        // Arrow columnar memory, kernels, and the C Data / C Stream Interface.
        .target(name: "Arrow", dependencies: ["CArrowABI"]),
        // Compression libraries from Debian (CI installs the -dev packages).
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Parquet reader and writer over Arrow.
        .target(name: "Parquet", dependencies: ["Arrow", "CZstd", "CSnappy", "CLZ4", "CZlib"]),
        // The fuzz harness and `LLVMFuzzerTestOneInput` of the Parquet reader (docs/fuzzing.md).
        .target(name: "ParquetFuzz", dependencies: ["Parquet", "Arrow"]),
        // The engine. Never imports Parquet or the FFI.
        .target(name: "ArchetypeCore", dependencies: ["Arrow"]),
        // The append-only Parquet store behind the engine's `Store` protocol.
        .target(name: "ArchetypeParquet", dependencies: ["ArchetypeCore", "Parquet", "Arrow"]),
        // The C ABI (`arct_*`), built into libArchetypeFFI.so.
        .target(
            name: "ArchetypeFFI",
            dependencies: ["CArrowABI", "Arrow", "Parquet", "ArchetypeCore", "ArchetypeParquet"],
            exclude: ["exports.map"],
            linkerSettings: [.unsafeFlags(["-Xlinker", "--version-script=\(exportList)"], .when(platforms: [.linux]))]
        ),
        .executableTarget(
            name: "archetype",
            dependencies: [
                "Arrow", "Parquet", "ArchetypeCore", "ArchetypeParquet",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ArrowTests", dependencies: ["Arrow", "CArrowABI"], exclude: ["Fixtures"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "Arrow", "ParquetFuzz"], exclude: ["FuzzCorpus"]),
        .testTarget(name: "ArchetypeCoreTests", dependencies: ["ArchetypeCore", "Arrow"]),
        .testTarget(name: "ArchetypeFFITests", dependencies: ["ArchetypeFFI", "Arrow", "CArrowABI"]),
        .testTarget(name: "ArchetypeParquetTests", dependencies: ["ArchetypeParquet", "ArchetypeCore", "Parquet", "Arrow"]),
    ],
    swiftLanguageModes: [.v6]
)
