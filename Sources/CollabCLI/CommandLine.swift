// Command-line parsing for the `collab` executable.
