/// The full text of a document at one version, with a checksum of that text.
public struct Snapshot: Equatable, Sendable {
    /// The document id.
    public var doc: String
    /// The version the text is at.
    public var version: Int
    /// The text.
    public var text: String
    /// `"fnv1a64:"` and 16 lowercase hex digits of the FNV-1a 64 hash of the text's UTF-8 bytes.
    public var checksum: String
    /// When it was taken, in milliseconds since the Unix epoch.
    public var createdAt: Int64

    /// A snapshot of `text`, with its checksum computed.
    public init(doc: String, version: Int, text: String, createdAt: Int64) {
        self.init(doc: doc, version: version, text: text, checksum: Snapshot.checksum(of: text),
                  createdAt: createdAt)
    }

    /// A snapshot as stored (the checksum is taken as given, so it can be verified).
    public init(doc: String, version: Int, text: String, checksum: String, createdAt: Int64) {
        self.doc = doc
        self.version = version
        self.text = text
        self.checksum = checksum
        self.createdAt = createdAt
    }

    /// The checksum format stored with snapshots, for `text`.
    public static func checksum(of text: String) -> String {
        checksum(fromHash: FNV1a64.hash(text))
    }

    /// The checksum format for an FNV-1a 64 hash computed elsewhere (for example over a rope's chunks).
    public static func checksum(fromHash hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// True if `checksum` matches `text`.
    public var isIntact: Bool {
        checksum == Snapshot.checksum(of: text)
    }
}
