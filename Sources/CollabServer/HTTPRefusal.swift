import CollabTransport

/// A request refused with this response (a 400, 401, 403...).
struct HTTPRefusal: Error, Sendable {
    let response: HTTPResponse

    init(_ response: HTTPResponse) {
        self.response = response
    }

    init(_ status: HTTPStatus, _ message: String) {
        response = .error(status, code: HTTPResponse.errorCode(for: status), message: message)
    }
}
