import CLZ4
import CSnappy
import CZlib
import CZstd

/// The versions of the compression libraries this build links, for `archetype parquet` and
/// benchmark machine descriptions.
public enum CompressionLibraries {
    public static var versions: [String: String] {
        [
            "zstd": String(cString: ZSTD_versionString()),
            "lz4": String(cString: LZ4_versionString()),
            "zlib": String(cString: zlibVersion()),
            "snappy": "linked",
        ]
    }
}
