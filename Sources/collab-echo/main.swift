// collab-echo: a WebSocket echo server on CollabTransport, the fixture for the Autobahn
// suite, the EMFILE test and the broadcast load test. Not part of the collab server.
import CollabTransport
#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String, status: Int32) -> Never {
    let line = Array("collab-echo: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

let options: EchoOptions
switch EchoOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed):
    options = parsed
case .failure(let error):
    guard let message = error.message else {
        print(EchoOptions.usage)
        exit(0)
    }
    fail("\(message)\n\(EchoOptions.usage)", status: 2)
}

// Block the stop signals before any loop thread starts (threads inherit the mask), so
// only `sigwait` below sees them.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

var configuration = WebSocketServerConfiguration()
configuration.subprotocols = []
configuration.webSocket.maxMessageSize = options.maxMessageBytes
// Autobahn's 9.* cases send 16 MiB messages; the echo may queue a few of them.
configuration.sendQueueLimit = max(configuration.sendQueueLimit, 4 * options.maxMessageBytes)
configuration.http.listener.logger = .standardError
if let certificateFile = options.certificateFile, let keyFile = options.keyFile {
    do {
        configuration.http.tls = try TLSContext(configuration: .server(
            certificateChainFile: certificateFile, privateKeyFile: keyFile))
    } catch {
        fail("TLS: \(error)", status: 1)
    }
}

let group: EventLoopGroup
let server: WebSocketServer
do {
    group = try EventLoopGroup(loopCount: options.threads)
    let broadcast = options.broadcast ? EchoBroadcast(group: group) : nil
    server = try WebSocketServer(group: group, address: SocketAddress(host: options.host, port: options.port),
                                 configuration: configuration) { _ in
        .accept(targetLoop: nil) { _ in EchoDelegate(broadcast: broadcast) }
    }
} catch {
    fail("cannot listen on \(options.host):\(options.port): \(error)", status: 1)
}

print("listening on \(options.host):\(server.localAddress.port)")
fflush(nil)  // all streams: scripts wait for this line

var received: Int32 = 0
while sigwait(&stopSignals, &received) != 0 {}
server.close()
group.shutdown()
exit(0)
