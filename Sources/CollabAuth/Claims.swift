import CollabJSON

/// What a verified token says: who the user is, what it may do, on which documents, and until when.
///
/// Times are NumericDates: whole seconds since the Unix epoch.
public struct Claims: Sendable, Hashable {
    /// `sub`: the user id; never empty.
    public var subject: String
    /// `name`: the display name, if the token has one.
    public var name: String?
    /// `role`: `editor` when the token has none.
    public var role: Role
    /// `docs`: the documents allowed; `["*"]` when the token has none, `[]` allows nothing.
    public var documents: [DocumentPattern]
    /// `exp`: the token is refused from this time on (plus the leeway).
    public var expiresAt: Int
    /// `nbf`: the token is refused before this time (minus the leeway).
    public var notBefore: Int?
    /// `iat`: when the token was made.
    public var issuedAt: Int?

    /// Claims for a token to sign.
    public init(subject: String, name: String? = nil, role: Role = .default,
                documents: [DocumentPattern] = [.any], expiresAt: Int, notBefore: Int? = nil,
                issuedAt: Int? = nil) {
        self.subject = subject
        self.name = name
        self.role = role
        self.documents = documents
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.issuedAt = issuedAt
    }

    /// Whether the token allows the document `docId` (false is HTTP 403).
    public func allows(docId: some StringProtocol) -> Bool {
        documents.contains { $0.matches(docId) }
    }

    /// Whether the token allows `document` (false is HTTP 403).
    public func allows(_ document: DocumentID) -> Bool {
        allows(docId: document.rawValue)
    }

    /// The Unix time in seconds at which a session on this token must be closed with 4401:
    /// `exp` plus the clock leeway, the first instant `JWT.verify` refuses the token.
    public var sessionDeadline: Int {
        expiresAt.addingReportingOverflow(JWT.leewaySeconds).overflow ? Int.max : expiresAt + JWT.leewaySeconds
    }

    // MARK: - JSON

    /// Reads the claims of a payload object; time checks are the verifier's.
    init(payload: JSONObject) throws(TokenError) {
        switch payload["sub"] {
        case nil: throw .missingClaim("sub")
        case .string(let subject)? where !subject.isEmpty: self.subject = subject
        case _?: throw .invalidClaim("sub")
        }
        switch payload["exp"] {
        case nil: throw .missingClaim("exp")
        case .integer(let seconds)?: self.expiresAt = seconds
        case _?: throw .invalidClaim("exp")
        }
        self.notBefore = try Self.optionalInteger(payload["nbf"], claim: "nbf")
        self.issuedAt = try Self.optionalInteger(payload["iat"], claim: "iat")
        switch payload["name"] {
        case nil: self.name = nil
        // An empty display name would show as nothing; the contract then falls back to user.name or sub.
        case .string(let name)?: self.name = name.isEmpty ? nil : name
        case _?: throw .invalidClaim("name")
        }
        switch payload["role"] {
        case nil: self.role = .default
        case .string(let text)?:
            guard let role = Role(rawValue: text) else { throw .invalidClaim("role") }
            self.role = role
        case _?: throw .invalidClaim("role")
        }
        switch payload["docs"] {
        case nil: self.documents = [.any]
        case .array(let elements)?:
            var documents: [DocumentPattern] = []
            documents.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let text) = element else { throw .invalidClaim("docs") }
                documents.append(DocumentPattern(text))
            }
            self.documents = documents
        case _?: throw .invalidClaim("docs")
        }
    }

    private static func optionalInteger(_ value: JSONValue?, claim: String) throws(TokenError) -> Int? {
        switch value {
        case nil: return nil
        case .integer(let seconds)?: return seconds
        case _?: throw .invalidClaim(claim)
        }
    }

    /// The payload object a signed token carries; every claim is written, defaults included.
    var payload: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("sub", .string(subject))]
        if let name { members.append(("name", .string(name))) }
        members.append(("role", .string(role.rawValue)))
        members.append(("docs", .array(documents.map { .string($0.text) })))
        if let issuedAt { members.append(("iat", .integer(issuedAt))) }
        if let notBefore { members.append(("nbf", .integer(notBefore))) }
        members.append(("exp", .integer(expiresAt)))
        return .object(JSONObject(members))
    }
}
