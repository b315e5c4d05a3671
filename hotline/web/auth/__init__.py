"""Accounts, sessions and roles of the console.

`wiring` (what the app adds: the middleware and the login routes), `middleware` (session cookie
to `request.state.user`, CSRF check of every change), `login_routes`, `sessions`, `csrf`,
`passwords` (Argon2id, policy), `rate_limit` (pure), `accounts` (the users table), `audit`
(`record`, `audit_action`), `secret_key`, `roles` (`require`), `kit` (what they share).
"""
