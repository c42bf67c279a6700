// collab-typist: types a file into a collaborative document, or follows one live.
//
//   collab-typist --url ws://127.0.0.1:8080/v1/docs/demo --file notes.txt [--cps 20] [--token T]
//   collab-typist --url ws://127.0.0.1:8080/v1/docs/demo --follow [--token T]
import CollabClient
import CollabTransport
#if canImport(Glibc)
import Glibc
#endif

let usage = """
    USAGE: collab-typist --url <ws-url> (--file <path> [--cps <n>] | --follow) [--token <jwt>] [--name <name>]

      --url     the document, e.g. ws://127.0.0.1:8080/v1/docs/demo
      --file    type this file's text at the end of the document, one character at a time
      --cps     characters per second (default 20)
      --follow  print the document whenever it changes, until interrupted
      --token   a JWT for servers with a secret (else COLLAB_TOKEN)
      --name    the name others see next to your cursor
    """

/// Writes a diagnostic line to standard error.
func report(_ message: String) {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

func fail(_ message: String, status: Int32 = 64) -> Never {
    report("collab-typist: \(message)")
    exit(status)
}

// MARK: - Arguments

var options: [String: String] = [:]
var follow = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--follow": follow = true
    case "-h", "--help": print(usage); exit(0)
    case "--url", "--file", "--cps", "--token", "--name":
        guard let value = arguments.popFirst() else { fail("\(argument) needs a value\n\(usage)") }
        options[argument] = value
    default: fail("unknown argument '\(argument)'\n\(usage)")
    }
}
guard let url = options["--url"] else { fail("--url is required\n\(usage)") }
guard follow != (options["--file"] != nil) else { fail("give either --file or --follow\n\(usage)") }
guard let charactersPerSecond = Double(options["--cps"] ?? "20"), charactersPerSecond > 0 else {
    fail("--cps must be a positive number")
}
var textToType = ""
if let path = options["--file"] {
    guard let file = fopen(path, "r") else { fail("cannot open \(path)", status: 1) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer[..<count] }
    fclose(file)
    textToType = String(decoding: bytes, as: UTF8.self)
}

// MARK: - Session

var configuration = DocumentSessionConfiguration(url: url, token: options["--token"] ?? getenv("COLLAB_TOKEN").map { String(cString: $0) })
configuration.user = UserHints(name: options["--name"] ?? (follow ? "viewer" : "typist"))
let loops: EventLoopGroup
let session: DocumentSession
do {
    loops = try EventLoopGroup(loopCount: 1)
    session = try DocumentSession(configuration: configuration, eventLoop: loops.next())
} catch {
    fail("\(error)", status: 1)
}
await session.connect()

/// Waits for the first join; exits on a stop the session will not retry.
func waitUntilConnected() async {
    for await event in session.events {
        switch event {
        case .connectionState(.connected): return
        case .connectionState(.stopped(let reason, _)): fail("stopped: \(reason)", status: 1)
        case .connectionState(.reconnecting(let delay, _, _)): report("reconnecting in \(delay)")
        case .error(let error): report("\(error)")
        default: continue
        }
    }
}

await waitUntilConnected()
if follow {
    print(await session.text)
    for await event in session.events {
        switch event {
        case .remoteEdit, .textReplaced:
            print("\u{1B}[2J\u{1B}[H" + (await session.text), terminator: "")
            fflush(nil)
        case .connectionState(.stopped(let reason, _)):
            fail("stopped: \(reason)", status: 1)
        case .connectionState(let state):
            report("\(state)")
        default:
            continue
        }
    }
} else {
    // Keep reporting connection trouble while typing.
    let monitor = Task {
        for await event in session.events {
            if case .connectionState(let state) = event { report("\(state)") }
        }
    }
    let pause = Duration.seconds(1 / charactersPerSecond)
    for character in textToType.unicodeScalars {
        // Type at the end of whatever the document holds now; offline keystrokes are kept and sent later.
        let end = await session.text.unicodeScalars.count
        do {
            try await session.insert(String(character), at: end)
        } catch {
            report("skipped a keystroke: \(error)")
        }
        try? await Task.sleep(for: pause)
    }
    await session.synchronized()
    monitor.cancel()
    await session.disconnect()
    print("typed \(textToType.unicodeScalars.count) characters; document version \(await session.version ?? 0)")
}
