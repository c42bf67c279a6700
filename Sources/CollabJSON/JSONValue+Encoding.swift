extension JSONValue {
    /// The compact JSON text of this value, as UTF-8 bytes (see `JSONWriter`).
    public func encoded() -> [UInt8] {
        var output: [UInt8] = []
        JSONWriter.write(self, into: &output)
        return output
    }

    /// The compact JSON text of this value (see `JSONWriter`).
    public var jsonString: String {
        String(decoding: encoded(), as: UTF8.self)
    }
}
