extension Array {
    /// Whether both arrays are views of one element storage.
    ///
    /// Arrays are immutable values: while both are alive, one storage means the same elements,
    /// so this is an O(1) sufficient (not necessary) test of equality.
    ///
    /// - Complexity: O(1).
    @inlinable
    func sharesStorage(with other: [Element]) -> Bool {
        count == other.count
            && withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }
}

extension ArrayData {
    /// Whether both values are the same array (one storage): then they are equal, and what was
    /// checked of one holds for the other.
    ///
    /// - Complexity: O(1).
    @inlinable
    func isSameArray(as other: ArrayData) -> Bool { storage === other.storage }
}
