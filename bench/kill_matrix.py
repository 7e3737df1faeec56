"""Prints the kill matrix: profile x fault -> the case IDs that catch it, the kill rate and the time taken.

    python bench/kill_matrix.py [--profile NAME ...] [--markdown FILE] [--full]

--full runs every case under every fault (as tests/test_kill_matrix.py does) and also prints
what each fault breaks besides its own rule, declared (conformance/gateway/collateral.py) or not.

Starts the bundled reference gateway on 127.0.0.1; sends nothing anywhere else.
"""

from __future__ import annotations

import argparse
import sys
import time

from conformance.killmatrix import run_matrix
from conformance.spec import load_profile, profile_names
from conformance.target import BundledGateway, new_key


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="append", default=[])
    parser.add_argument("--markdown", help="also write the table as Markdown")
    parser.add_argument("--full", action="store_true", help="every case under every fault: collateral too")
    args = parser.parse_args()
    key = new_key()
    started = time.monotonic()
    with BundledGateway(key) as gateway:
        matrix = run_matrix([load_profile(n) for n in args.profile or profile_names()], root=gateway.root, key=key,
                            model="routecheck-echo-1", full=args.full)
    rows = []
    for pair in matrix.pairs:
        if pair.fault is None:
            verdict = "clean" if pair.ok else f"FALSE ALARMS: {len(pair.findings())}"
            rows.append((pair.profile, "(faithful)", "-", "-", verdict))
            continue
        caught = pair.caught_by
        shown = ", ".join(c.split("/", 1)[1] for c in caught[:3]) + (f" (+{len(caught) - 3})" if len(caught) > 3 else "")
        rows.append((pair.profile, pair.name, pair.fault.level, pair.fault.rule, shown or "SURVIVED"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    pairs = matrix.fault_pairs
    undeclared = [(p, p.undeclared()) for p in pairs if args.full and p.undeclared()]
    if args.full:
        print(f"\ncollateral: {sum(bool(p.collateral) for p in pairs)} pairs break other rules too; "
              f"undeclared on {len(undeclared)}")
        for pair, rules in undeclared:
            print(f"  UNDECLARED {pair.profile} {pair.name}: {', '.join(rules)}")
    print(f"\n{len(pairs)} (profile, fault) pairs, {sum(p.ok for p in pairs)} caught: kill rate {matrix.kill_rate:.1%}; "
          f"false alarms on the faithful gateway: {len(matrix.false_alarms())}; "
          f"matrix {matrix.seconds:.1f} s, with gateway start {time.monotonic() - started:.1f} s")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write("| profile | fault | level | rule | caught by |\n|---|---|---|---|---|\n")
            out.writelines(f"| {' | '.join(r)} |\n" for r in rows)
    return 0 if matrix.kill_rate == 1.0 and not matrix.false_alarms() and not undeclared else 1


if __name__ == "__main__":
    sys.exit(main())
