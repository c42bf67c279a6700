import CollabStorage
import CollabTransport

/// One file of the embedded sample site: its URL path, type and bytes.
struct StaticFile: Sendable {
    /// The URL path it is served at, e.g. `/app.js`.
    let path: String
    /// The `Content-Type` header value.
    let contentType: String
    /// The body, shared by every response.
    let body: SharedBytes
    /// A strong validator of the body, so a browser revalidating (`no-cache`) gets a 304.
    let entityTag: String

    /// A file from its embedded UTF-8 text.
    init(path: String, contentType: String, text: String) {
        self.path = path
        self.contentType = contentType
        self.body = SharedBytes(Array(text.utf8))
        let hash = String(FNV1a64.hash(text), radix: 16)
        self.entityTag = "\"" + String(repeating: "0", count: 16 - hash.count) + hash + "\""
    }
}
