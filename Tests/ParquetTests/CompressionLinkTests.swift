import Parquet
import Testing

@Suite struct CompressionLinkTests {
    @Test func compressionLibrariesAreLinked() {
        let v = CompressionLibraries.versions
        #expect(v["zstd"]?.isEmpty == false)
        #expect(v["zlib"]?.isEmpty == false)
        #expect(v["lz4"]?.isEmpty == false)
    }
}
