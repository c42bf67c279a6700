// The client library lands with the clients issue.
