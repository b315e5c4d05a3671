"""The web console inside the daemon: accounts and roles, the supervisor's wallboard, reports.

`app.build_app` assembles the Starlette app from the feature modules (one file per page or
concern); `server.WebServer` serves it with uvicorn in the daemon's TaskGroup; `live/` turns the
daemon's own events into the wallboard's state and pushes it to the browsers (Server-Sent Events).
"""
