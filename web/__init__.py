"""The analysts' web UI: incidents with their evidence, feedback, search, the watchlist playground
and the feeds, server-rendered (FastAPI, Jinja2), behind a sign-in."""
