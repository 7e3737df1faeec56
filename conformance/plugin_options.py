"""The pytest plugin's options, the plan plain `pytest conformance` builds from them, and how a bad one ends the
session: with `routecheck run`'s one line and exit code (conformance/plugin.py registers the hooks)."""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import replace

import pytest

from .errors import RoutecheckError, UsageError
from .options import pytest_options
from .plan import RunPlan, Settings
from .request import redact
from .spec import chosen_profiles, profile_names
from .target import (BundledGateway, Target, check_model, check_reachable, discover_model,
                     env_name, new_key, normalise_base_url, parse_headers, read_key, secrets_in_env)


def _base_url_is_owned_elsewhere(parser: pytest.Parser) -> bool:
    """pytest-base-url defines --base-url (same dest, base_url): cooperate rather than clash. Whichever
    plugin registers first, only one defines it; routecheck reads the value either way."""
    taken = any("--base-url" in opt.names() for group in [parser._anonymous, *parser._groups] for opt in group.options)
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return taken or (autoload and importlib.util.find_spec("pytest_base_url") is not None)


def add_options(parser: pytest.Parser) -> None:
    """The plugin's options: the names `routecheck run` takes (one table: conformance/options.py)."""
    group = parser.getgroup("routecheck", "routecheck conformance")
    shared = _base_url_is_owned_elsewhere(parser)
    for option in pytest_options():
        if not (shared and option.flags == ("--base-url",)):
            option.add_to_pytest(group)


def stop(exc: RoutecheckError, config: pytest.Config) -> None:
    """End the session as `routecheck run` would: one line on stderr, its exit code (the key redacted)."""
    message = f"routecheck: error: {redact(str(exc), secrets_in_env(config.option.api_key_env, config.option.rc_header))}"
    print(message, file=sys.stderr, flush=True)
    pytest.exit(message, returncode=exc.exit_code)


def plan_from_options(config: pytest.Config) -> RunPlan:
    opt = config.option
    profiles = selected_profiles(config)
    gateway = upstream = None
    if target_url(config):
        base_url, key = normalise_base_url(target_url(config)), read_key(opt.api_key_env)
    elif opt.upstream:
        raise UsageError("--upstream records what a gateway forwards: give --base-url, the gateway that forwards there")
    else:
        key = new_key()
        gateway = BundledGateway(key, specs=[p.spec_file for p in profiles if p.spec_file]).__enter__()
        base_url = gateway.base_url()
    try:
        headers, env = parse_headers(opt.rc_header, profiles, opt.api_key_env)
        target = Target(base_url, key, opt.model or "", headers, env)
        if opt.upstream:
            from .upstream.serve import recording_upstream  # the server's imports only when a run asks for it
            upstream, target = recording_upstream(opt.upstream, target, opt.upstream_key_env, profiles)
            upstream.__enter__()  # serving before the plan's first request: the gateway forwards it
        listing_timeout = min(opt.response_timeout, 10.0)  # as routecheck run: conformance/cli.py's _plan
        if target.model:
            check_reachable(target.url(profiles[0].name), timeout=opt.connect_timeout)
            warning = check_model(target, profiles[0], timeout=listing_timeout)
            if warning:
                print(f"routecheck: warning: {warning}", file=sys.stderr)
        else:
            target = replace(target, model=discover_model(target, profiles[0], timeout=listing_timeout))
        given = dict(item.split("=", 1) for item in opt.cap_param if "=" in item)
        return RunPlan.build(target, env_name(opt.api_key_env), profiles,
                             Settings.from_options(opt), caps=given, without=opt.without, require=opt.require,
                             gateway=gateway, upstream=upstream)
    except BaseException:
        if gateway is not None:
            gateway.__exit__(None, None, None)
        if upstream is not None:
            upstream.stop()
        raise


def target_url(config: pytest.Config) -> str | None:
    """--base-url, ours or pytest-base-url's (which also reads its `base_url` ini and PYTEST_BASE_URL)."""
    return getattr(config.option, "base_url", None) or None


def selected_profiles(config: pytest.Config) -> list:
    """--spec files' profiles, then --profile's, each once (as routecheck run)."""
    default = ["openai"] if target_url(config) else profile_names()
    return chosen_profiles(config.option.rc_spec, config.option.profile, default)
