/// Where and as whom to connect.
public struct PostgresConfiguration: Sendable, Hashable {
    /// Host name or address.
    public var host: String
    /// TCP port (5432 by default).
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The password, if the server asks for one.
    public var password: String?
    /// The database; nil lets the server default to the user's name.
    public var database: String?
    /// TLS or not.
    public var sslMode: PostgresSSLMode
    /// How long connecting (TCP, TLS, authentication) may take.
    public var connectTimeout: Duration

    /// Creates a configuration.
    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String? = nil,
                sslMode: PostgresSSLMode = .disable, connectTimeout: Duration = .seconds(10)) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.connectTimeout = connectTimeout
    }
}
