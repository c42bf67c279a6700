// JWT HS256 and token claims land with the auth issue.
