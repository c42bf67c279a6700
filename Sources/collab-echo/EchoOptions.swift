#if canImport(Glibc)
import Glibc
#endif

/// The command line of `collab-echo`.
struct EchoOptions {
    var host = "127.0.0.1"
    var port = 9001
    var threads = 2
    var certificateFile: String?
    var keyFile: String?
    var maxMessageBytes = 1 << 20
    var broadcast = false

    static let usage = """
        usage: collab-echo --port N [--host H] [--threads N] [--tls-cert F --tls-key F]
                           [--max-message-bytes N] [--broadcast]
        Echoes every WebSocket message back (a test fixture, not the collab server).
        --port 0 picks a free port; the first line on stdout is 'listening on HOST:PORT'.
        --broadcast sends every message to all connected clients instead.
        """

    /// Parses `arguments` (without the program name); a message on error.
    static func parse(_ arguments: [String]) -> Result<EchoOptions, EchoUsageError> {
        var options = EchoOptions()
        var rest = arguments[...]
        func value(_ name: String) -> Result<String, EchoUsageError> {
            guard let next = rest.popFirst() else { return .failure(EchoUsageError("\(name) needs a value")) }
            return .success(next)
        }
        func integer(_ name: String, _ range: ClosedRange<Int>) -> Result<Int, EchoUsageError> {
            value(name).flatMap { text in
                guard let number = Int(text), range.contains(number) else {
                    return .failure(EchoUsageError("\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)"))
                }
                return .success(number)
            }
        }
        do {
            while let argument = rest.popFirst() {
                switch argument {
                case "--host": options.host = try value(argument).get()
                case "--port": options.port = try integer(argument, 0...65_535).get()
                case "--threads": options.threads = try integer(argument, 1...256).get()
                case "--tls-cert": options.certificateFile = try value(argument).get()
                case "--tls-key": options.keyFile = try value(argument).get()
                case "--max-message-bytes": options.maxMessageBytes = try integer(argument, 1...(1 << 30)).get()
                case "--broadcast": options.broadcast = true
                case "-h", "--help": return .failure(EchoUsageError(nil))
                default: return .failure(EchoUsageError("unknown argument '\(argument)'"))
                }
            }
        } catch {
            return .failure(error)
        }
        if (options.certificateFile == nil) != (options.keyFile == nil) {
            return .failure(EchoUsageError("--tls-cert and --tls-key go together"))
        }
        return .success(options)
    }
}

/// A command-line mistake (nil message: help was asked for).
struct EchoUsageError: Error {
    let message: String?
    init(_ message: String?) { self.message = message }
}
