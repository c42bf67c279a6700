// swift-tools-version:6.0
// collab: a real-time collaborative text-editing server.
//
// The dependency graph points one way:
//   CollabJSON <- CollabOT <- CollabStorage <- (CollabServer, CollabBenchmarks) <- collab
//   (CollabPostgresStorage, CollabRedis) <- CollabServer (a node of a cluster)
//   COpenSSL <- CollabTransport <- (CollabServer, CollabClient, CollabBenchmarks) <- collab
//   (COpenSSL, CollabTransport) <- (CollabPostgres, CollabRedis): protocol clients for
//   running several nodes (PostgreSQL op log, Redis commit notices)
//   (CollabStorage, CollabPostgres) <- CollabPostgresStorage: the op log on PostgreSQL, kept out of
//   CollabStorage so that SQLite-only users of the store do not link the network client
//   CollabCLI <- (CollabBenchmarks, collab)
// `collab` holds only commands; benchmarks live in CollabBenchmarks, shared test helpers in
// Tests/CollabTestSupport, and EmbedResources embeds Migrations/ and Samples/web at build time.
// No third-party packages: only the toolchain, SQLite and OpenSSL.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "collab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "collab", targets: ["collab"]),
        .executable(name: "collab-echo", targets: ["collab-echo"]),
        .library(name: "CollabOT", targets: ["CollabOT"]),
        .library(name: "CollabTransport", targets: ["CollabTransport"]),
        .library(name: "CollabClient", targets: ["CollabClient"]),
    ],
    targets: [
        // C libraries through pkg-config (libsqlite3-dev, libssl-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        // epoll, eventfd, accept4, pthread_setname_np: Linux APIs Glibc's module map leaves out.
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        // Pure layers: no I/O.
        .target(name: "CollabJSON", swiftSettings: strict),
        .target(name: "CollabOT", dependencies: ["CollabJSON"], swiftSettings: strict),

        // Transport: event loop, HTTP/1.1, RFC 6455, TLS. Knows nothing of documents.
        .target(name: "CollabTransport", dependencies: ["COpenSSL", "CLinux"], swiftSettings: strict),

        // Storage: SQLite wrapper, migrator, op log.
        .target(name: "CollabStorage", dependencies: ["CSQLite", "CLinux", "CollabOT", "CollabJSON"],
                swiftSettings: strict, plugins: ["EmbedMigrationsPlugin"]),
        // Build-time embedding of Migrations/*.sql into CollabStorage and of Samples/web into
        // CollabServer: one tool with two modes, a plugin for each.
        .executableTarget(name: "EmbedResources", swiftSettings: strict),
        .plugin(name: "EmbedMigrationsPlugin", capability: .buildTool(),
                dependencies: ["EmbedResources"], path: "Sources/EmbedMigrationsPlugin"),

        // A Redis client (RESP2): commands and pub/sub, for fan-out between nodes.
        .target(name: "CollabRedis", dependencies: ["CollabTransport"], swiftSettings: strict),

        // Authentication: JWT HS256 on OpenSSL's HMAC, claims, document patterns.
        .target(name: "CollabAuth", dependencies: ["COpenSSL", "CollabJSON"], swiftSettings: strict),

        // The collaboration server: protocol messages, rooms, sessions, presence.
        .target(name: "CollabServer",
                dependencies: ["CollabOT", "CollabJSON", "CollabTransport", "CollabStorage", "CollabAuth",
                               "CollabPostgres", "CollabPostgresStorage", "CollabRedis"],
                swiftSettings: strict, plugins: ["EmbedWebSamplePlugin"]),
        .plugin(name: "EmbedWebSamplePlugin", capability: .buildTool(),
                dependencies: ["EmbedResources"], path: "Sources/EmbedWebSamplePlugin"),

        // The Swift client library: the client half of the contract, reconnects, presence.
        .target(name: "CollabClient", dependencies: ["CollabOT", "CollabJSON", "CollabTransport"],
                swiftSettings: strict),

        // PostgreSQL client (frontend/backend protocol v3, SCRAM-SHA-256/MD5, TLS via SSLRequest).
        .target(name: "CollabPostgres", dependencies: ["COpenSSL", "CollabTransport"], swiftSettings: strict),

        // The op log on PostgreSQL: PostgresOpStore and its migrator (Migrations/postgres/*.sql).
        .target(name: "CollabPostgresStorage", dependencies: ["CollabStorage", "CollabPostgres", "CollabOT", "CLinux"],
                swiftSettings: strict, plugins: ["EmbedMigrationsPlugin"]),

        // Command-line parsing and the commands' shared plumbing.
        .target(name: "CollabCLI", swiftSettings: strict),

        // Benchmarks behind `collab bench`: OT replay, WebSocket load, server load, kernel floor,
        // and the editing-trace reader they share.
        .target(name: "CollabBenchmarks",
                dependencies: ["CollabCLI", "CollabOT", "CollabJSON", "CollabTransport", "CollabStorage", "CollabServer",
                               "CLinux"],
                swiftSettings: strict),

        // The operator's commands: serve, export, history, ..., and thin `bench` front ends.
        .executableTarget(name: "collab",
                          dependencies: ["CollabCLI", "CollabOT", "CollabJSON", "CollabTransport", "CollabStorage",
                                         "CollabAuth", "CollabServer", "CollabBenchmarks", "CollabPostgres", "CollabPostgresStorage"],
                          swiftSettings: strict),
        // Sample: a command-line program built on the client library.
        .executableTarget(name: "collab-typist", dependencies: ["CollabClient"], path: "Samples/swift",
                          swiftSettings: strict),
        // Test fixture for the Autobahn suite: echoes every message. Not part of the server.
        .executableTarget(name: "collab-echo", dependencies: ["CollabTransport"], swiftSettings: strict),

        // What the test targets share: the seeded generator, temporary directories, the built
        // executables and `collab serve --port 0` as a child process. Foundation only.
        .target(name: "CollabTestSupport", path: "Tests/CollabTestSupport", swiftSettings: strict),
        .testTarget(name: "CollabJSONTests", dependencies: ["CollabJSON", "CollabTestSupport"]),
        .testTarget(name: "CollabOTTests", dependencies: ["CollabOT", "CollabJSON", "CollabTestSupport"]),
        .testTarget(name: "CollabTransportTests", dependencies: ["CollabTransport", "COpenSSL", "CollabTestSupport"]),
        .testTarget(name: "CollabStorageTests",
                    dependencies: ["CollabStorage", "CollabOT", "CollabPostgres", "CollabPostgresStorage",
                                   "CollabTestSupport"]),
        .testTarget(name: "CollabBenchmarksTests", dependencies: ["CollabBenchmarks", "CollabTestSupport"]),
        .testTarget(name: "CollabCLITests", dependencies: ["CollabCLI", "CollabStorage", "CollabOT", "CollabTestSupport"]),
        .testTarget(name: "CollabClientTests",
                    dependencies: ["CollabClient", "CollabServer", "CollabOT", "CollabTransport", "CollabStorage",
                                   "CollabAuth", "CollabTestSupport"]),
        .testTarget(name: "CollabRedisTests", dependencies: ["CollabRedis", "CollabTestSupport"]),
        .testTarget(name: "CollabPostgresTests", dependencies: ["CollabPostgres", "CollabTestSupport"]),
        .testTarget(name: "CollabAuthTests", dependencies: ["CollabAuth", "CollabJSON", "CollabTestSupport"]),
        .testTarget(name: "CollabServerTests",
                    dependencies: ["CollabServer", "CollabOT", "CollabJSON", "CollabTransport", "CollabStorage",
                                   "CollabAuth", "CollabTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
