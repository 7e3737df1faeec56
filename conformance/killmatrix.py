"""The kill matrix: the whole suite against the reference gateway once faithful and once per fault.

A fault of a MUST rule is caught when some MUST case that names that rule fails;
a fault of a SHOULD rule when some case naming it fails or warns. The faithful
gateway must give no failure and no warning, over the whole suite. Under a fault,
only the cases that name the broken rule can catch it, so by default only they are
sent: every one of them, none sampled. With `full`, every case runs under every fault
too, which shows what else each fault breaks (its collateral): each fault declares
that (`Fault.also`), and a full run checks the declarations. Runs on the engine
directly, every pair of a profile in one concurrent batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from .cases import generate_cases
from .engine import Deadlines, Engine
from .features import FEATURES
from .gateway import Fault, faults_for
from .verdicts import FAILED, WARNED, Result, execute
from .spec import MUST, Profile

# Short deadlines: faults such as a never-ending stream must not dominate the matrix's time.
MATRIX_DEADLINES = Deadlines(connect=5.0, response=10.0, stream_total=4.0, stream_idle=1.5, after_terminator=0.5)


@dataclass
class Pair:
    profile: str
    fault: Fault | None
    results: list[Result] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.fault.name if self.fault else "faithful"

    def findings(self) -> list[Result]:
        return [r for r in self.results if r.outcome in (FAILED, WARNED)]

    @property
    def caught_by(self) -> list[str]:
        """IDs of the cases that name the broken rule and report it at the rule's level (or stronger)."""
        if self.fault is None:
            return []
        wanted = (FAILED,) if self.fault.level == MUST else (FAILED, WARNED)
        return sorted(r.case.id for r in self.results
                      if r.case.rule.id == self.fault.rule and r.outcome in wanted
                      and (self.fault.level != MUST or r.case.is_must))

    @property
    def ok(self) -> bool:
        return not self.findings() if self.fault is None else bool(self.caught_by)

    @property
    def collateral(self) -> set[str]:
        """The other rules this pair's fault was found to break (needs a full run to be complete)."""
        own = self.fault.rule if self.fault else None
        return {r.case.rule.id for r in self.findings() if r.case.rule.id != own}

    def undeclared(self) -> list[str]:
        """Collateral the fault does not declare in `also`: a fault breaking more than it says."""
        also = self.fault.also if self.fault else ()
        return sorted(rule for rule in self.collateral if not any(fnmatchcase(rule, p) for p in also))


@dataclass
class Matrix:
    pairs: list[Pair]
    seconds: float

    @property
    def fault_pairs(self) -> list[Pair]:
        return [p for p in self.pairs if p.fault is not None]

    @property
    def kill_rate(self) -> float:
        pairs = self.fault_pairs
        return sum(p.ok for p in pairs) / len(pairs) if pairs else 1.0

    def survivors(self) -> list[Pair]:
        return [p for p in self.fault_pairs if not p.ok]

    def false_alarms(self) -> list[Pair]:
        return [p for p in self.pairs if p.fault is None and not p.ok]



def run_matrix(profiles: list[Profile], *, root: str, key: str, model: str,
               deadlines: Deadlines = MATRIX_DEADLINES, concurrency: int = 16,
               only: set[str] | None = None, full: bool = False) -> Matrix:
    """`root` is the bundled multi-profile gateway's URL; `only` limits the fault names run; `full` runs
    every case under every fault, not only those naming the broken rule."""
    started = time.monotonic()
    engine = Engine(key, deadlines=deadlines, concurrency=concurrency)
    pairs: list[Pair] = []
    for profile in profiles:
        cases = generate_cases(profile, model)
        faults: list[Fault | None] = [None] + [f for f in faults_for(profile) if only is None or f.name in only]
        batch = [Pair(profile.name, f) for f in faults]
        jobs, owners = [], []
        for pair in batch:
            url = f"{root}/p/{profile.name}/f/{pair.name if pair.fault else 'none'}/v1"  # as --base-url reads it
            for case in cases:
                if full or pair.fault is None or case.rule.id == pair.fault.rule:
                    jobs.append((url, case))
                    owners.append(pair)
        # the reference model has every capability (--require all): a refused documented value is then the
        # gateway's fault, never a model that lacks it (an inconclusive verdict would hide the fault)
        for pair, result in zip(owners, execute(engine, jobs, required=frozenset(FEATURES))):
            pair.results.append(result)
        pairs += batch
    return Matrix(pairs, time.monotonic() - started)
