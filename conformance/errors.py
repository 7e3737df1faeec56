"""Errors that end a run with a one-line message and a documented exit code."""

EXIT_OK = 0
EXIT_MUST_FAILED = 1
EXIT_USAGE = 2
EXIT_HARNESS = 3


class RoutecheckError(Exception):
    """Base: the message is shown to the user as one line, without a traceback."""

    exit_code = EXIT_HARNESS


class UsageError(RoutecheckError):
    """Bad input to routecheck: unknown profile, bad spec, missing key, bad option."""

    exit_code = EXIT_USAGE


class SpecError(UsageError):
    """A spec file that does not load or does not match specs/spec.schema.json."""


class TargetError(RoutecheckError):
    """The target cannot be reached or stopped answering."""

    exit_code = EXIT_HARNESS
