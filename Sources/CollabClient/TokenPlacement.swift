/// Where the session puts its token in the handshake (contract §1 accepts both).
public enum TokenPlacement: Sendable, Hashable {
    /// `Authorization: Bearer <token>` (keeps the token out of URLs and logs).
    case authorizationHeader
    /// `?token=<token>` on the URL, as browsers must.
    case queryParameter
}
