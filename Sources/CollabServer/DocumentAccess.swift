import CollabAuth
import CollabTransport
import Foundation

/// Who may do what on a document, decided from a request's path, token and `Origin`
/// (contract §1 and §3), checks in the order 400 → 401 → 403.
struct DocumentAccess: Sendable {
    /// An authorized request.
    struct Grant: Sendable {
        var documentId: String
        var identity: SessionIdentity
        /// Unix seconds at which the token stops being valid; nil in open mode.
        var deadline: Int?
    }

    static let pathPrefix = "/v1/docs/"

    let secret: JWTSecret?
    let allowedOrigins: Set<String>

    init(secret: JWTSecret?, allowedOrigins: [String]) {
        self.secret = secret
        self.allowedOrigins = Set(allowedOrigins.map(Self.normalizedOrigin))
    }

    /// The document id in a `/v1/docs/{docId}` path with an optional `suffix` (`/ops`), or nil.
    static func documentId(inPath path: Substring, suffix: String = "") -> Substring? {
        guard path.hasPrefix(pathPrefix), path.hasSuffix(suffix) else { return nil }
        let segment = path.dropFirst(pathPrefix.utf8.count).dropLast(suffix.utf8.count)
        return DocumentID.isValid(segment) ? segment : nil
    }

    /// Checks `head`'s token and origin for `documentId`: the grant, or the error response.
    func authorize(_ head: HTTPRequestHead, documentId: String) throws(HTTPRefusal) -> Grant {
        var grant = Grant(documentId: documentId, identity: .anonymous, deadline: nil)
        if let secret {
            let claims = try Self.verifiedClaims(of: head, secret: secret)
            guard claims.allows(docId: documentId) else {
                throw HTTPRefusal(.forbidden, "the token does not allow document \(documentId)")
            }
            grant.identity = SessionIdentity(sub: claims.subject, name: claims.name, role: claims.role)
            grant.deadline = claims.sessionDeadline
        }
        if !allowedOrigins.isEmpty, let origin = head.headers.first("Origin"),
           !allowedOrigins.contains(Self.normalizedOrigin(origin)) {
            throw HTTPRefusal(.forbidden, "origin \(origin) is not allowed")
        }
        return grant
    }

    /// Checks a request that names no document (`/metrics`): admin, or anyone in open mode.
    /// `authorize` for an admin-only `action` on one document (everyone is admin in open mode).
    func authorizeAdmin(_ head: HTTPRequestHead, documentId: String, action: String) throws(HTTPRefusal) {
        let grant = try authorize(head, documentId: documentId)
        if secret != nil && grant.identity.role != .admin {
            throw HTTPRefusal(.forbidden, "\(action) needs the admin role")
        }
    }

    func authorizeAdmin(_ head: HTTPRequestHead) throws(HTTPRefusal) {
        guard let secret else { return }
        let claims = try Self.verifiedClaims(of: head, secret: secret)
        guard claims.role == .admin else { throw HTTPRefusal(.forbidden, "admin role required") }
    }

    /// The claims of `head`'s token, which must be present, well signed and current (else 401).
    private static func verifiedClaims(of head: HTTPRequestHead, secret: JWTSecret) throws(HTTPRefusal) -> Claims {
        do {
            let token = try RequestToken.extract(query: head.query, headers: head.headers)
            return try JWT.verify(token, secret: secret, now: Date().timeIntervalSince1970)
        } catch {
            throw HTTPRefusal(.unauthorized, error.description)
        }
    }

    /// Origins compare case-insensitively, without a trailing slash.
    private static func normalizedOrigin(_ origin: String) -> String {
        var origin = origin.lowercased()
        while origin.hasSuffix("/") { origin.removeLast() }
        return origin
    }
}
