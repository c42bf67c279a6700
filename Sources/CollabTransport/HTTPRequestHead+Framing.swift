extension HTTPRequestHead {
    /// Whether the request announces a body (Content-Length > 0 or any Transfer-Encoding).
    public var announcesBody: Bool {
        if headers.first("Transfer-Encoding") != nil { return true }
        guard let length = headers.first("Content-Length") else { return false }
        return length.utf8.contains { $0 >= 0x31 && $0 <= 0x39 }
    }

    /// The body's length from `Content-Length` (the parser already refused malformed or
    /// conflicting values), nil without one.
    public var contentLength: Int? {
        guard let field = headers.first("Content-Length") else { return nil }
        return field.split(separator: ",").first.flatMap { Int($0.trimmingSpaces) }
    }

    /// Whether the client wants the connection kept open after the response
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    public var wantsKeepAlive: Bool {
        var close = false, keepAlive = false
        for value in headers.values("Connection") {
            for token in value.split(separator: ",") {
                let t = token.trimmingSpaces.lowercased()
                if t == "close" { close = true }
                if t == "keep-alive" { keepAlive = true }
            }
        }
        if close { return false }
        return versionMinor >= 1 || keepAlive
    }
}
