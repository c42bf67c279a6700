/// What an Authentication ('R') message asks for or reports.
public enum PostgresAuthenticationRequest: Sendable, Hashable {
    /// Authentication succeeded.
    case ok
    /// Send the password in clear.
    case cleartextPassword
    /// Send "md5" + md5(md5(password + user) + salt), in hex.
    case md5Password(salt: [UInt8])
    /// Start SASL with one of `mechanisms`.
    case sasl(mechanisms: [String])
    /// The SASL server-first message.
    case saslContinue(data: [UInt8])
    /// The SASL server-final message.
    case saslFinal(data: [UInt8])
    /// A method this client does not implement (Kerberos 2, GSS 7/8, SSPI 9, ...).
    case unsupported(code: Int32)
}
