"""python -m conformance.gateway --profile NAME [--profile NAME...] | --spec FILE | --multi [--spec FILE...] [--port N] [--api-key-env VAR] [--fault NAME] [--latency S]"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import EXIT_USAGE, UsageError
from ..spec import load_spec_file
from .app import create_app, create_multi_app
from .server import port_number, serve


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m conformance.gateway",
                                     description="routecheck reference gateway (127.0.0.1 only)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--profile", action="append", default=[],
                        help="serve this profile at the root (repeatable: profiles of different surfaces side by side)")
    target.add_argument("--multi", action="store_true", help="serve every profile under /p/{profile}/f/{fault}/")
    parser.add_argument("--spec", action="append", default=[], metavar="FILE",
                        help="a user's spec file: served at the root, or with --multi under /p/{its profile}/ too")
    parser.add_argument("--port", type=port_number, default=0, help="port on 127.0.0.1 (0: a free port)")
    parser.add_argument("--api-key-env", default="ROUTECHECK_API_KEY", help="environment variable holding the API key")
    parser.add_argument("--fault", default=None, help="fault to inject (with --profile; 'none' = faithful)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds to wait before every API answer")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    api_key = os.environ.get(args.api_key_env)
    if not api_key:
        print(f"routecheck-gateway: environment variable {args.api_key_env} is not set", file=sys.stderr)
        return EXIT_USAGE
    if args.multi and args.fault:
        print("routecheck-gateway: --fault goes with --profile (--multi takes the fault from the path)", file=sys.stderr)
        return EXIT_USAGE
    if args.latency < 0:
        print("routecheck-gateway: --latency must not be negative", file=sys.stderr)
        return EXIT_USAGE
    if not args.multi and (bool(args.spec) == bool(args.profile) or len(args.spec) > 1):
        print("routecheck-gateway: one of --profile NAME (repeatable), --spec FILE or --multi is needed", file=sys.stderr)
        return EXIT_USAGE
    try:
        specs = [load_spec_file(path) for path in args.spec]
        app = (create_multi_app(api_key, latency=args.latency, profiles=specs) if args.multi
               else create_app(specs[0] if specs else args.profile, api_key=api_key, fault=args.fault,
                               latency=args.latency))
    except (UsageError, KeyError) as exc:
        print(f"routecheck-gateway: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        serve(app, port=args.port)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"routecheck-gateway: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
