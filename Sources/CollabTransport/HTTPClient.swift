/// A small blocking HTTP/1.1 client (GET, and other methods with a body): plain TCP or TLS, one request per
/// connection (`Connection: close`), `Content-Length`, chunked or close-delimited bodies, one
/// deadline for the whole exchange and a body size limit. For command-line tools and tests;
/// it blocks the calling thread, so never call it on an event loop.
public struct HTTPClient: Sendable {
    /// Limits and TLS settings.
    public struct Configuration: Sendable {
        /// The longest the whole exchange (resolve, connect, TLS, request, response) may take.
        public var timeout: Duration = .seconds(30)
        /// The largest response body accepted, in bytes (default 256 MiB).
        public var maxBodySize = 256 * 1024 * 1024
        /// The context for `https` URLs; nil: one that verifies against the system trust store.
        public var tlsContext: TLSContext?
        /// The `User-Agent` header sent.
        public var userAgent = "collab"

        /// The defaults.
        public init() {}
    }

    /// Its configuration.
    public let configuration: Configuration

    /// A client with `configuration`.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Sends `GET url` with `headers` and returns the whole response, whatever its status.
    public func get(_ url: HTTPClientURL, headers: HTTPHeaders = HTTPHeaders()) throws(HTTPClientError) -> HTTPClientResponse {
        try send("GET", url, headers: headers)
    }

    /// Sends `method url` with `headers` and `body` (with its Content-Length, if any) and
    /// returns the whole response, whatever its status.
    public func send(_ method: String, _ url: HTTPClientURL, headers: HTTPHeaders = HTTPHeaders(),
                     body: [UInt8]? = nil) throws(HTTPClientError) -> HTTPClientResponse {
        let deadline = ContinuousClock.now + configuration.timeout
        let addresses: [SocketAddress]
        do throws(IOError) {
            addresses = try ClientConnector.resolve(host: url.host, port: url.port)
        } catch {
            throw .connect(error)
        }
        var tlsContext: TLSContext?
        if url.isSecure {
            do throws(TLSError) {
                if let shared = configuration.tlsContext {
                    tlsContext = shared
                } else {
                    tlsContext = try TLSContext(configuration: .client())
                }
            } catch {
                throw .tls(error)
            }
        }
        let channel = try BlockingClientChannel(addresses: addresses, tlsContext: tlsContext, serverName: url.host,
                                                deadline: deadline)
        defer { channel.close() }
        try channel.write(request(method, url, headers: headers, body: body))
        return try readResponse(from: channel)
    }

    private func request(_ method: String, _ url: HTTPClientURL, headers: HTTPHeaders, body: [UInt8]?) -> [UInt8] {
        var text = "\(method) \(url.target) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nUser-Agent: \(configuration.userAgent)\r\n"
        for field in headers {
            text += "\(field.name): \(field.value)\r\n"
        }
        if let body { text += "Content-Length: \(body.count)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8) + (body ?? [])
    }

    private func readResponse(from channel: BlockingClientChannel) throws(HTTPClientError) -> HTTPClientResponse {
        var parser = HTTPResponseParser()
        var head: HTTPResponseParser.Head?
        while head == nil {
            let bytes = try channel.read()
            guard !bytes.isEmpty else { throw .closedEarly }
            parser.append(bytes)
            do throws(HTTPResponseParser.ParseError) {
                head = try parser.parse()
            } catch {
                throw .malformedResponse("\(error)")
            }
            // An interim 1xx answer is followed by the real one.
            if let interim = head, (100..<200).contains(interim.status) {
                let rest = parser.remainingBytes
                parser = HTTPResponseParser()
                parser.append(rest)
                head = nil
                do throws(HTTPResponseParser.ParseError) {
                    head = try parser.parse()
                } catch {
                    throw .malformedResponse("\(error)")
                }
            }
        }
        guard let head else { throw .closedEarly }
        var decoder: HTTPResponseBodyDecoder
        var body: [UInt8] = []
        do throws(HTTPResponseBodyDecoder.DecodeError) {
            let framing = try HTTPResponseBodyDecoder.framing(status: head.status, headers: head.headers)
            decoder = try HTTPResponseBodyDecoder(framing: framing, maxBodySize: configuration.maxBodySize)
        } catch {
            throw clientError(error)
        }
        try decode(parser.remainingBytes, with: &decoder, into: &body)
        while !decoder.isComplete {
            let bytes = try channel.read()
            if bytes.isEmpty {
                guard decoder.endsAtClose else { throw .closedEarly }
                break
            }
            try decode(bytes, with: &decoder, into: &body)
        }
        return HTTPClientResponse(status: head.status, reason: head.reason, headers: head.headers, body: body)
    }

    private func decode(_ bytes: [UInt8], with decoder: inout HTTPResponseBodyDecoder,
                        into body: inout [UInt8]) throws(HTTPClientError) {
        do throws(HTTPResponseBodyDecoder.DecodeError) {
            try decoder.decode(bytes, into: &body)
        } catch {
            throw clientError(error)
        }
    }

    private func clientError(_ error: HTTPResponseBodyDecoder.DecodeError) -> HTTPClientError {
        switch error {
        case .tooLarge: .bodyTooLarge(limit: configuration.maxBodySize)
        case .invalidChunk: .malformedResponse("invalid chunked body")
        case .invalidFraming: .malformedResponse("invalid Content-Length or Transfer-Encoding")
        }
    }
}
