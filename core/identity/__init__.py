"""Identity: server-side sessions, sign-in throttling, first-run setup and the account lifecycle."""
