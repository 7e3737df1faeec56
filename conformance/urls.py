"""Target addresses as the OpenAI SDK takes them: the base URL is used as given, `/v1` added only to a URL with
no path, and every API path joined under it.

Spec paths are written as documents print them (`/v1/chat/completions`); their `/v1` stands for the base URL
itself, so `http://host:4000` reaches `http://host:4000/v1/chat/completions` and `http://host/openai` reaches
`http://host/openai/chat/completions` (and `/openai/models`), as a client configured with that base would.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import UsageError

API_ROOT = "/v1"


def normalise_base_url(url: str, option: str = "--base-url") -> str:
    """A checked base URL, without a trailing slash, with `/v1` added where it has no path."""
    shown = url.encode("ascii", "backslashreplace").decode()
    if any(c.isspace() or not c.isprintable() for c in url):
        raise UsageError(f"invalid {option} {shown!r}: it contains a space or a control character "
                         "(every reproduce command would break; percent-encode it as %20)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise UsageError(f"invalid {option} {shown!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"invalid {option} {shown!r}: expected http(s)://host[:port][/path]")
    if parts.query or parts.fragment:
        raise UsageError(f"invalid {option} {shown!r}: a base URL has no query or fragment")
    url = url.rstrip("/")
    return url if parts.path.strip("/") else url + API_ROOT


def api_url(base_url: str, path: str) -> str:
    """Where a request for the spec path `path` goes under `base_url` (the spec's leading /v1 is the base)."""
    if path == API_ROOT or path.startswith(API_ROOT + "/"):
        path = path[len(API_ROOT):]
    return base_url.rstrip("/") + path


def url_for(base_url: str, profile: str) -> str:
    return base_url.replace("{profile}", profile)
