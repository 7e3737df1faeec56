"""Loads the routecheck pytest plugin, so `pytest conformance --base-url ...` works from the repository."""

pytest_plugins = ["conformance.plugin"]
