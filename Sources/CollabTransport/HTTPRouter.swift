/// Maps requests to routes by method and exact path, then by method and longest path prefix.
/// Unknown path → 404; known path with another method → 405 with `Allow` naming its methods.
public struct HTTPRouter: Sendable {
    /// A route: runs on the connection's loop and decides the answer.
    public typealias Route = @Sendable (HTTPRequest) -> HTTPRouteResult

    private var exact: [String: [String: Route]] = [:]
    private var prefixes: [(prefix: String, routes: [String: Route])] = []

    /// An empty router (everything 404).
    public init() {}

    /// Routes `GET path` (exact match of the path, query ignored).
    public mutating func get(_ path: String, _ route: @escaping Route) {
        add("GET", path, route)
    }

    /// Routes every `GET` whose path starts with `prefix` (longest prefix wins).
    public mutating func get(prefix: String, _ route: @escaping Route) {
        add("GET", prefix: prefix, route)
    }

    /// Routes `method path` (exact match of the path, query ignored).
    public mutating func add(_ method: String, _ path: String, _ route: @escaping Route) {
        exact[path, default: [:]][method] = route
    }

    /// Routes every `method` request whose path starts with `prefix` (longest prefix wins).
    public mutating func add(_ method: String, prefix: String, _ route: @escaping Route) {
        if let index = prefixes.firstIndex(where: { $0.prefix == prefix }) {
            prefixes[index].routes[method] = route
        } else {
            prefixes.append((prefix, [method: route]))
            prefixes.sort { $0.prefix.utf8.count > $1.prefix.utf8.count }
        }
    }

    /// The routes for `path` by method, if any.
    func routes(forPath path: Substring) -> [String: Route]? {
        if let routes = exact[String(path)] { return routes }
        return prefixes.first { path.hasPrefix($0.prefix) }?.routes
    }

    /// Whether some route takes `method` requests (so their bodies are worth reading).
    func accepts(method: String, path: Substring) -> Bool {
        routes(forPath: path)?[method] != nil
    }

    /// Answers `request`: the route's result, or 404/405.
    public func handle(_ request: HTTPRequest) -> HTTPRouteResult {
        guard let routes = routes(forPath: request.head.path) else {
            return .respond(.error(.notFound, code: "not_found", message: "no such resource"))
        }
        guard let route = routes[request.head.method] else {
            let allowed = routes.keys.sorted()
            var response = HTTPResponse.error(.methodNotAllowed, code: "method_not_allowed",
                                              message: "only \(allowed.joined(separator: ", ")) \(allowed.count == 1 ? "is" : "are") served here")
            response.headers.add(name: "Allow", value: allowed.joined(separator: ", "))
            return .respond(response)
        }
        return route(request)
    }
}
