/// Maps GET requests to routes by exact path, then by longest path prefix.
/// Unknown path → 404; known path with another method → 405 with `Allow: GET`.
public struct HTTPRouter: Sendable {
    /// A route: runs on the connection's loop and decides the answer.
    public typealias Route = @Sendable (HTTPRequest) -> HTTPRouteResult

    private var exact: [String: Route] = [:]
    private var prefixes: [(prefix: String, route: Route)] = []

    /// An empty router (everything 404).
    public init() {}

    /// Routes `GET path` (exact match of the path, query ignored).
    public mutating func get(_ path: String, _ route: @escaping Route) {
        exact[path] = route
    }

    /// Routes every `GET` whose path starts with `prefix` (longest prefix wins).
    public mutating func get(prefix: String, _ route: @escaping Route) {
        prefixes.append((prefix, route))
        prefixes.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
    }

    /// The route for `path`, if any.
    func route(forPath path: Substring) -> Route? {
        if let route = exact[String(path)] { return route }
        return prefixes.first { path.hasPrefix($0.prefix) }?.route
    }

    /// Answers `request`: the route's result, or 404/405.
    public func handle(_ request: HTTPRequest) -> HTTPRouteResult {
        guard let route = route(forPath: request.head.path) else {
            return .respond(.error(.notFound, code: "not_found", message: "no such resource"))
        }
        guard request.head.method == "GET" else {
            var response = HTTPResponse.error(.methodNotAllowed, code: "method_not_allowed",
                                              message: "only GET is served here")
            response.headers.add(name: "Allow", value: "GET")
            return .respond(response)
        }
        return route(request)
    }
}
