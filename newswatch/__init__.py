"""The application shell: CLI, demo corpus and demo server."""
