#if canImport(Glibc)
import Glibc
#endif

/// A sequential editing trace (see shared/data/traces/README.md): the patches, applied in
/// order to `startContent`, produce `endContent`.
public struct Trace: Sendable {
    /// The text before the first edit.
    public var startContent: String
    /// The text after the last edit.
    public var endContent: String
    /// The patches, in order.
    public var edits: [TraceEdit]
    /// The inserted text of every edit, back to back.
    public var insertedUTF8: [UInt8]

    /// The text `edit` inserts.
    public func insertedText(of edit: TraceEdit) -> String {
        let start = Int(edit.insertStart)
        return String(decoding: insertedUTF8[start..<(start + Int(edit.insertLength))], as: UTF8.self)
    }

    /// Reads the uncompressed JSON trace at `path` in 1 MB pieces.
    public static func load(path: String) throws(TraceError) -> Trace {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw .unreadable(path: path, errno: errno)
        }
        defer { close(descriptor) }
        var reader = TraceReader()
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = piece.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, errno: errno)
            }
            if got == 0 {
                break
            }
            try piece.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(TraceError) in
                try reader.feed(UnsafeBufferPointer(rebasing: buffer[0..<got]))
            }
        }
        return try reader.finish()
    }
}
