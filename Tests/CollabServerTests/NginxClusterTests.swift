#if canImport(Glibc)
import Glibc
#endif
import CollabJSON
import CollabTestSupport
import Foundation
import Testing

/// Debian's nginx in front of three nodes, configured as docs/scaling.md says: WebSocket
/// upgrades through the proxy, every connection to a document on one node (`hash $uri
/// consistent`), and `X-Forwarded-For` honoured for the per-address cap with `--trusted-proxy`.
@Suite(.serialized, .postgresCluster,
       .enabled(if: NginxProcess.binary != nil, "nginx is not installed (apt-get install nginx-light): skipped"))
struct NginxClusterTests {
    @Test func nginxRoutesByDocumentAndForwardsTheClientAddress() throws {
        let cluster = try ClusterFixture(nodes: 3, redis: true,
                                         extraArguments: ["--trusted-proxy", "127.0.0.1", "--max-connections-per-address", "2"])
        let nginx = try NginxProcess(upstreams: (0..<3).map { cluster.port($0) })
        // Three editors of one document through the proxy: one node holds them all.
        var editors: [ServerTestConnection] = []
        for index in 0..<3 {
            let editor = try ServerTestConnection.webSocket(port: nginx.port, path: "/v1/docs/routed",
                                                            headers: [("X-Forwarded-For", "10.0.0.\(index + 1)")])
            #expect(editor.join(clientId: "routed-editor-\(index)").last?.type == "joined")
            editors.append(editor)
        }
        editors[0].send(#"{"type":"op","seq":1,"v":0,"op":["via nginx"]}"#)
        #expect(editors[0].receive(type: "ack")?["v"]?.int == 0)
        #expect(editors[1].receive(type: "op")?["v"]?.int == 0)
        let open = try (0..<3).map { try cluster.metric("collab_connections_open", node: $0) ?? -1 }
        #expect(open.sorted() == [0, 0, 3], "connections per node: \(open)")
        let home = try #require(open.firstIndex(of: 3))
        // The cap counts each client by the address nginx forwards: a third connection from
        // 10.0.0.1 is refused, one from 10.0.0.9 is not, though all come from nginx's address.
        let second = try ServerTestConnection.webSocket(port: nginx.port, path: "/v1/docs/routed",
                                                        headers: [("X-Forwarded-For", "10.0.0.1")])
        #expect(throws: (any Error).self) {
            try ServerTestConnection.webSocket(port: nginx.port, path: "/v1/docs/routed",
                                               headers: [("X-Forwarded-For", "10.0.0.1")])
        }
        let third = try ServerTestConnection.webSocket(port: nginx.port, path: "/v1/docs/routed",
                                                       headers: [("X-Forwarded-For", "10.0.0.9")])
        // (A connection is counted once its node's loop adopts it, a moment after the 101.)
        let counted = Date().addingTimeInterval(3)
        while try cluster.metric("collab_connections_open", node: home) != 5 && Date() < counted {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try cluster.metric("collab_connections_open", node: home) == 5)
        withExtendedLifetime((second, third)) {}
        // Another document may land elsewhere, and its connections stay together too.
        for index in 0..<2 {
            let other = try ServerTestConnection.webSocket(port: nginx.port, path: "/v1/docs/elsewhere-\(index)",
                                                           headers: [("X-Forwarded-For", "10.1.0.\(index)")])
            #expect(other.join(clientId: "elsewhere-editor-\(index)").last?.type == "joined")
        }
        // The HTTP API through the proxy serves what the nodes stored.
        let response = try ServerTestConnection(port: nginx.port).request("/v1/docs/routed")
        #expect(try JSONReader.parse(response.body)["text"]?.string == "via nginx")
    }
}

/// Debian's nginx with the configuration of docs/scaling.md (plain HTTP), on a free port.
final class NginxProcess {
    static let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    let directory: TemporaryDirectory
    let port: Int
    private let process: Process

    init(upstreams: [Int]) throws {
        let binary = try #require(Self.binary)
        directory = try TemporaryDirectory(prefix: "nginx")
        port = try LoopbackPort.free()
        let root = directory.url.path
        let servers = upstreams.map { "        server 127.0.0.1:\($0) max_fails=1 fail_timeout=5s;" }.joined(separator: "\n")
        let configuration = """
            worker_processes 1;
            error_log \(root)/error.log;
            pid \(root)/nginx.pid;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(root)/body;
                proxy_temp_path \(root)/proxy;
                upstream collab {
                    hash $uri consistent;
            \(servers)
                }
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                server {
                    listen 127.0.0.1:\(port);
                    location / {
                        proxy_pass http://collab;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_read_timeout 75s;
                        proxy_next_upstream error timeout;
                    }
                }
            }
            """
        try configuration.write(toFile: root + "/nginx.conf", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-p", root, "-c", root + "/nginx.conf", "-g", "daemon off;"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !LoopbackPort.accepts(port) {
            guard Date() < deadline, process.isRunning else {
                let log = (try? String(contentsOfFile: root + "/error.log", encoding: .utf8)) ?? ""
                throw ServerTestConnection.Failure(description: "nginx did not start: \(log)")
            }
            usleep(20_000)
        }
    }

    deinit {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
