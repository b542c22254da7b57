// `PageEncodingStats` of parquet.thrift.

/// The number of pages of one type written with one encoding in a column chunk.
public struct PageEncodingStats: Hashable, Sendable, ThriftStruct {
    public var pageType: PageType
    public var encoding: Encoding
    public var count: Int32

    public init(pageType: PageType, encoding: Encoding, count: Int32) {
        self.pageType = pageType
        self.encoding = encoding
        self.count = count
    }

    public static func decode(from r: inout ThriftCompactReader) throws(ParquetError) -> PageEncodingStats {
        let saved = try r.beginStruct()
        var pageType: PageType?
        var encoding: Encoding?
        var count: Int32?
        while let f = try r.readFieldHeader() {
            switch (f.id, f.type) {
            case (1, .i32): pageType = try r.readPageType()
            case (2, .i32): encoding = try r.readEncoding()
            case (3, .i32): count = try r.readI32()
            default: try r.skip(f)
            }
        }
        r.endStruct(saved)
        guard let pageType else { throw r.missing("PageEncodingStats", "page_type") }
        guard let encoding else { throw r.missing("PageEncodingStats", "encoding") }
        guard let count else { throw r.missing("PageEncodingStats", "count") }
        return PageEncodingStats(pageType: pageType, encoding: encoding, count: count)
    }

    public func encode(to w: inout ThriftCompactWriter) {
        let saved = w.beginStruct()
        w.writeField(1, pageType)
        w.writeField(2, encoding)
        w.writeField(3, count)
        w.endStruct(saved)
    }
}
