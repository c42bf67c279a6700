import CollabTransport

/// The sample web editor (Samples/web), embedded at build time (`StaticSite.embedded`) and
/// served at `/` (index.html) and `/{file}`. Nothing here knows about documents: the page's
/// script talks to the server like any other client.
struct StaticSite: Sendable {
    /// The files by URL path.
    let files: [String: StaticFile]

    init(files: [StaticFile]) {
        var byPath: [String: StaticFile] = [:]
        for file in files { byPath[file.path] = file }
        self.files = byPath
    }

    /// Adds a route for every file, and `/` for `/index.html`.
    func register(on router: inout HTTPRouter) {
        for (path, file) in files {
            router.get(path) { request in .respond(Self.response(file, to: request)) }
        }
        if let index = files["/index.html"] {
            router.get("/") { request in .respond(Self.response(index, to: request)) }
        }
    }

    /// The file, or 304 when the browser's copy (`If-None-Match`) is current. `no-cache`:
    /// browsers revalidate every time, so a new server version is picked up at once.
    static func response(_ file: StaticFile, to request: HTTPRequest) -> HTTPResponse {
        var headers = HTTPHeaders([
            ("Cache-Control", "no-cache"),
            ("ETag", file.entityTag),
            ("X-Content-Type-Options", "nosniff"),
        ])
        let known = request.head.headers.values("If-None-Match")
            .flatMap { $0.split(separator: ",") }
            .contains { tag in
                let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
                return tag.drop(while: isSpace).reversed().drop(while: isSpace).reversed() == Array(file.entityTag)
            }
        if known {
            return HTTPResponse(status: HTTPStatus(code: 304, reasonPhrase: "Not Modified"), headers: headers)
        }
        headers.add(name: "Content-Type", value: file.contentType)
        return HTTPResponse(status: .ok, headers: headers, body: file.body)
    }
}
