/// The request line and headers of an HTTP/1.1 request, as parsed off the wire.
public struct HTTPRequestHead: Sendable, Hashable {
    /// The method token, e.g. `GET`.
    public var method: String
    /// The request target exactly as sent (path and query, not percent-decoded).
    public var target: String
    /// The major and minor HTTP version, e.g. (1, 1).
    public var versionMajor: Int
    public var versionMinor: Int
    /// Header fields in the order received; names keep their original case.
    public var headers: HTTPHeaders

    public init(method: String, target: String, versionMajor: Int = 1, versionMinor: Int = 1,
                headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.headers = headers
    }

    /// The path part of the target (before any `?`).
    public var path: Substring {
        if let q = target.firstIndex(of: "?") { return target[..<q] }
        return target[...]
    }

    /// The raw query part of the target (after the first `?`), if any.
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }
}
