import CollabStorage
import CollabTransport

/// Why a report (or a text read) could not be served: a refusal with its own status, or a
/// storage or replay error (404 for an unknown document or version, 500 otherwise).
enum ReportFailure: Error {
    case refused(HTTPRefusal)
    case storage(StorageError)
    case history(DocumentHistoryError)

    /// The error response.
    var response: HTTPResponse {
        switch self {
        case .refused(let refusal):
            refusal.response
        case .history(.unknownDocument(let doc)):
            .error(.notFound, code: "not_found", message: "document \(doc) has no op yet")
        case .history(.versionNotFound(_, let requested, let current)):
            .error(.notFound, code: "not_found",
                   message: "version \(requested) is above the document's current version, \(current)")
        case .history(.versionGone(_, let requested, let horizon)):
            .error(.gone, code: "version_gone",
                   message: "version \(requested) is gone: the document was compacted at version \(horizon)")
        case .history(let error):
            .error(.internalServerError, code: "internal", message: "history: \(error)")
        case .storage(let error):
            .error(.internalServerError, code: "internal", message: "database: \(error)")
        }
    }

    /// `body`'s result, its storage error wrapped.
    static func storage<T>(_ body: () throws(StorageError) -> T) throws(ReportFailure) -> T {
        do {
            return try body()
        } catch {
            throw .storage(error)
        }
    }

    /// `body`'s result, its replay error wrapped.
    static func history<T>(_ body: () throws(DocumentHistoryError) -> T) throws(ReportFailure) -> T {
        do {
            return try body()
        } catch {
            throw .history(error)
        }
    }
}
