"""One run plan: the target, key, model, profiles, token caps, settings and cases, built once.

`routecheck run` builds it and hands it to pytest as a plugin object; plain `pytest conformance`
builds it from its options on first use. An xdist worker receives it through its `workerinput`
(execnet's channel), so the key never goes through an environment variable or a command line
of ours, and model discovery and the cap probe run once, not once per worker.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .case import Case
from .cases import generate_cases
from .engine import DEFAULT_MAX_DURATION, Deadlines, Engine
from .errors import UsageError
from .features import parse_disabled, parse_required
from .preflight import choose_cap_param
from .profile import Profile
from .spec import load_ref, profile_ref
from .target import BundledGateway, Target
from .upstream.cases import forwarding_cases
from .upstream import markers
from .upstream.matching import expect

if TYPE_CHECKING:
    from .upstream.serve import RecordingUpstream

WORKER_INPUT = "routecheck_plan"


@dataclass(frozen=True)
class Settings:
    """How requests are sent: in flight at once, per second at most, the deadlines, the run's budget."""

    concurrency: int = 4
    rate_limit: float | None = None
    deadlines: Deadlines = field(default_factory=Deadlines)
    max_duration: float | None = DEFAULT_MAX_DURATION
    mark: bool = False  # --upstream: every request carries a correlation marker (conformance/upstream/markers.py)

    @classmethod
    def from_options(cls, options: Any) -> Settings:
        """From routecheck run's arguments or the pytest plugin's options (the same names)."""
        concurrency = options.rc_concurrency if hasattr(options, "rc_concurrency") else options.concurrency
        return cls(concurrency=concurrency, rate_limit=options.rate_limit or None,
                   deadlines=Deadlines(connect=options.connect_timeout, response=options.response_timeout,
                                       stream_total=options.stream_timeout, stream_idle=options.idle_timeout),
                   max_duration=options.max_duration, mark=bool(getattr(options, "upstream", None)))

    def engine(self, key: str, env: tuple = ()) -> Engine:
        """`env`: the (VAR, value) pairs of -H headers taken from the environment (Target.env)."""
        return Engine(key, concurrency=self.concurrency, rate_limit=self.rate_limit, deadlines=self.deadlines,
                      max_duration=self.max_duration, env=dict(env), mark=markers.outgoing if self.mark else None)

    def record(self, without: frozenset[str]) -> dict:
        """The results file's `settings`: how the run was made is part of its record."""
        d = self.deadlines
        return {"concurrency": self.concurrency, "rate_limit": self.rate_limit,
                "deadlines": {"connect": d.connect, "response": d.response, "stream_total": d.stream_total,
                              "stream_idle": d.stream_idle},
                "max_duration": self.max_duration, "without": sorted(without)}


@dataclass(eq=False)  # identity, not value: pytest keeps its plugins in a set
class RunPlan:
    """Everything one run judges with. Its cases are generated once, here."""

    target: Target
    key_env: str  # reproduce commands read the key from it
    profiles: list[Profile] = field(repr=False)  # names are in caps; a repr of every rule helps nobody
    caps: dict[str, str] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    disabled: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    gateway: BundledGateway | None = None  # owned by the plan when it started it (plain pytest, no --base-url)
    upstream: RecordingUpstream | None = None  # --upstream: what the gateway forwards is recorded and judged
    cases: list[Case] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.cases = []
        for p in self.profiles:
            cases = generate_cases(p, self.target.model, self.caps[p.name], self.target.headers)
            if self.upstream is not None:  # without --upstream the case list is exactly the client side's
                cases += forwarding_cases(p, cases, self.target.model, self.caps[p.name], self.target.headers)
                expect(self.upstream.recorder, ((self.target.url(p.name), r) for c in cases for r in c.requests()), p.name)
                self.upstream.serve_as([p])
            self.cases += cases

    @classmethod
    def build(cls, target: Target, key_env: str, profiles: list[Profile], settings: Settings, *,
              caps: dict[str, str] | None = None, without: list[str] = (), require: list[str] = (),
              gateway: BundledGateway | None = None, upstream: RecordingUpstream | None = None) -> RunPlan:
        """Token cap parameters not given are chosen here, one probe per profile at most."""
        disabled = parse_disabled(list(without))
        engine = settings.engine(target.key, target.env)
        def cap(p: Profile) -> str:
            return (caps or {}).get(p.name) or choose_cap_param(engine, target.url(p.name), p, target.model,
                                                                target.headers)

        with ThreadPoolExecutor(max_workers=max(1, len(profiles))) as pool:  # the probes at once: a slow target waits once
            chosen = dict(zip([p.name for p in profiles], pool.map(cap, profiles)))
        return cls(target, key_env, profiles, chosen, settings, disabled, parse_required(list(require), disabled),
                   gateway, upstream)

    def portable(self) -> dict:
        """What an xdist worker needs to rebuild the plan: plain data, sent over execnet's channel."""
        if self.upstream is not None:  # its records live in this process: a worker could not read them
            raise UsageError("--upstream judges in one process: run it without -n")
        return {"target": asdict(self.target), "key_env": self.key_env, "profiles": [profile_ref(p) for p in self.profiles],
                "caps": self.caps, "settings": {**asdict(self.settings), "deadlines": asdict(self.settings.deadlines)},
                "disabled": sorted(self.disabled), "required": sorted(self.required)}

    @classmethod
    def from_portable(cls, data: dict) -> RunPlan:
        settings = dict(data["settings"], deadlines=Deadlines(**data["settings"]["deadlines"]))
        target = dict(data["target"], headers=tuple(map(tuple, data["target"]["headers"])),
                      env=tuple(map(tuple, data["target"]["env"])))  # execnet may hand pairs back as lists
        return cls(Target(**target), data["key_env"], [load_ref(n) for n in data["profiles"]],
                   data["caps"], Settings(**settings), frozenset(data["disabled"]), frozenset(data["required"]))

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.stop()
        if self.gateway is not None:
            self.gateway.__exit__(None, None, None)
            self.gateway = None
