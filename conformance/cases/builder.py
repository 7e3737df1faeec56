"""Shared vocabulary of the generators: base requests (the profile's surface builds the bodies), valid sample
values, case IDs (`profile/surface segment/category/subject/variant`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..case import Case, Prereq
from ..features import CAPABILITY_EVIDENCE, KEYWORDS
from ..request import KEY_PLACEHOLDER, Request
from ..spec import Param, Profile, Rule, Source, load_profile
from ..surfaces import surface_named
from ..vocabulary import cap_floor, long_prompt
from ..vocabulary import BASE_PROMPT, LONG_PROMPT, STOP_PROMPT, TOOL_PROMPT, STOP_CAP, JSON_PROMPT, WRONG_KEY, UNKNOWN_FIELD, UNKNOWN_MODEL, TOOL, STREAM_CAP  # noqa: F401 - the generators' vocabulary, named here too


CONVENTION = "a convention: no document states it (see the note)"  # what a convention case cites instead of a quote
# checks that judge only the status of a streamed request, not its stream: they need no stream root
STATUS_CHECKS = ("accepted", "rejected", "not_server_error", "status_is", "error_body")


class Builder:
    """Builds the requests and cases of one profile for one model id."""

    def __init__(self, profile: Profile, model: str, cap_param: str = "max_tokens", extra_headers: tuple = ()):
        self.profile = profile
        self.model = model
        self.extra_headers = tuple(extra_headers)  # -H NAME:VALUE, on every request (a secret as {env:VAR})
        # the cap every base request carries (conformance/preflight.py picks it), the profile's own where its
        # document has no max_tokens (Responses' max_output_tokens)
        if cap_param not in profile.params and profile.token_caps:
            cap_param = next(iter(profile.token_caps))
        self.cap_param = cap_param
        self.cap_floor = cap_floor(self, cap_param)  # its documented minimum (Responses' max_output_tokens: 16)
        self._baseline = load_profile(profile.baseline) if profile.baseline else None
        self.surface = surface_named(profile.surface)  # builds the bodies; its segment is in every case ID
        self.prefix = f"{profile.name}/{self.surface.segment}"
        self._ids: set[str] = set()
        # root cases: the base request accepted, and a plain stream answered as a stream; every case whose
        # rule cannot be observed without them is blocked (not failed) when they fail
        self.base_root = f"{self.prefix}/auth/{profile.auth[0].name}/valid-key"
        terminator = profile.stream.get("terminator")  # the document's, else the baseline's
        documented = terminator.value if terminator is not None and isinstance(terminator.value, str) else None
        self.terminator = documented or self.surface.tolerated_end
        # two stream roots: the stream answered at all (content-type), then answered as events (framing); each
        # one's own check fails whenever its need is unmet, so a dependant is never blocked by a root that passed
        streams = "content_type" in profile.stream
        self.stream_root = f"{self.prefix}/streaming/stream/content-type" if streams else None
        self.events_root = f"{self.prefix}/streaming/stream/framing" if streams else None
        self.models_root = f"{self.prefix}/response/models/listed"  # the listing answered at all, as JSON

    # -- requests
    def auth(self, scheme_index: int = 0, key: str = KEY_PLACEHOLDER) -> tuple[tuple[str, str], ...]:
        scheme = self.profile.auth[scheme_index]
        return ((scheme.header, scheme.value(key)),)

    def body(self, prompt: str = BASE_PROMPT, cap: int | None = 2, **fields: Any) -> dict:
        """The surface's body for one user prompt and the token cap."""
        if cap is not None and self.cap_floor and cap <= self.cap_floor:
            # above the document's minimum, not on it: a gateway wrong about the bound fails the range cases, and
            # does not block every case
            cap = self.cap_floor + 1
        return self.surface.body(self.model, prompt, self.cap_param, cap, fields)

    def tool_body(self, tool_choice: Any = None, cap: int = 32) -> dict:
        """The tool prompt with the get_order tool, forced by name unless another tool_choice is given."""
        return self.surface.tool_body(self.body(prompt=TOOL_PROMPT, cap=cap), TOOL, tool_choice)

    def param_body(self, param: Param, value: Any, **extra: Any) -> dict:
        """Base body with `param` set (and the companions it requires)."""
        body = self.body(**extra)
        if param.name == self.cap_param:
            body.pop(self.cap_param)
        for name, companion in param.companions.items():
            body.setdefault(name, companion)
        body[param.name] = value
        return body

    def required_headers(self, omit: str | None = None) -> tuple[tuple[str, str], ...]:
        """The headers the document requires on every request besides the credentials (anthropic-version)."""
        return tuple((name, str(rule.value)) for name, rule in self.profile.headers.items() if name != omit)

    def post(self, body: Any = None, *, raw: str | None = None, headers: tuple | None = None,
             omit: str | None = None) -> Request:
        """A request to the profile's surface (its documented path): `body`, the base body, or `raw` bytes;
        `headers` the credentials (the first scheme's by default); `omit` a required header left out."""
        headers = (*(self.auth() if headers is None else headers), *self.required_headers(omit), *self.extra_headers)
        surface = self.profile.surface
        if raw is not None:
            return Request("POST", self.profile.request_path, raw=raw, headers=headers, surface=surface)
        body = self.body() if body is None else body
        streamed = isinstance(body, dict) and body.get("stream") is True
        return Request("POST", self.profile.request_path, body, headers=headers,
                       terminator=self.terminator if streamed else None, surface=surface)

    def stop_control(self, **fields: Any) -> Request:
        """The stop prompt without stop: the stop cases' control, and for others the answer to another prompt."""
        return self.post(self.body(prompt=STOP_PROMPT, cap=STOP_CAP, **fields))

    def malformed(self) -> Request:
        """A body cut off mid-JSON: only the gateway itself can answer it, never an upstream."""
        return self.post(raw='{"model": "' + self.model + '", "' + self.surface.prompt_param + '": [')

    def stream_request(self) -> Request:
        """The plain stream every stream-shape case reads."""
        return self.post(self.body(prompt=long_prompt(self), cap=STREAM_CAP, stream=True))

    def models(self) -> Request:
        return Request("GET", self.profile.models_path, headers=(*self.auth(), *self.required_headers(), *self.extra_headers),
                       surface=self.profile.surface)

    # -- sample values
    def baseline_param(self, name: str) -> Param | None:
        return self._baseline.params.get(name) if self._baseline else None

    def baseline_caps(self) -> tuple[str, ...]:
        """The baseline's token-cap parameters (OpenAI's max_tokens and max_completion_tokens)."""
        return tuple(self._baseline.token_caps) if self._baseline else ()

    @staticmethod
    def sample(param: Param) -> Any:
        """A value the documents accept for `param`."""
        if param.accepts and not param.accepts[0].with_:
            return param.accepts[0].value
        if param.get("enum"):
            return param.get("enum")[0]
        types = param.types
        if "number" in types:
            lo, hi = param.get("minimum"), param.get("maximum")
            if param.get("integer"):
                return max(1, lo) if lo is not None and (hi is None or max(1, lo) <= hi) else (lo if lo is not None else 1)
            if lo is not None and hi is not None:
                return (lo + hi) / 2
            return lo if lo is not None else 0.5
        if "boolean" in types:
            return False
        if "array" in types:
            item = (param.get("items") or {}).get("type")
            return ["<rc-stop>"] if item in ("string", ["string"]) else []
        if "object" in types:
            return {}
        return "routecheck"

    # -- cases
    def case(self, category: str, subject: str, variant: str, rule: Rule, *, title: str, expected: str,
             request: Request, check: str, args: dict | None = None, parameter: str | None = None,
             features: tuple[str, ...] = (), weaker: bool = False, evidence: tuple[tuple[str, Request], ...] = (),
             derive: str | None = None, convention: str | None = None) -> Case:
        """`convention`: what the case expects that no document states; it then cites that, not the rule's
        quote (which does not say it), and is reported at SHOULD."""
        case_id = f"{self.prefix}/{category}/{subject}/{variant}"
        if case_id in self._ids:
            raise ValueError(f"duplicate case id {case_id}")
        self._ids.add(case_id)
        if convention is not None:
            rule = replace(rule, source=Source(rule.source.document, None, CONVENTION, convention))
            weaker = True
        feature = rule.feature
        features = tuple(dict.fromkeys(features + ((feature,) if feature else ())))
        evidence += self.capability_evidence(parameter, features)
        return Case(case_id, self.profile.name, category, rule, title, expected, request, check,
                    dict(args or {}), parameter, features, weaker, self._prereqs(case_id, request, check),
                    evidence, derive)

    def _prereqs(self, case_id: str, request: Request, check: str) -> tuple[Prereq, ...]:
        """The roots this case's rule cannot be observed without, most basic first."""
        if request.method == "GET" and request.path == self.profile.models_path:
            # a listing that is not there, or not JSON, has no fields to judge: one failure, the root's
            return () if case_id == self.models_root else (Prereq(self.models_root, request, "json"),)
        if request.method != "POST" or request.path != self.profile.request_path:
            return ()
        prereqs = [] if case_id == self.base_root else [Prereq(self.base_root, self.post(), "completion")]
        reads_stream = request.stream and check not in STATUS_CHECKS
        if reads_stream and self.stream_root and case_id != self.stream_root:
            prereqs.append(Prereq(self.stream_root, self.stream_request(), "accepted"))
            if case_id != self.events_root:
                prereqs.append(Prereq(self.events_root, self.stream_request(), "stream"))
        return tuple(prereqs)

    def capability_evidence(self, parameter: str | None, features: tuple[str, ...]) -> tuple[tuple[str, Request], ...]:
        """For a case of a discoverable capability: one request per documented value of every parameter and
        example of that capability (the profile over, not only this case's parameter), and nothing else: a
        role example says nothing of vision. Named `capability:PARAM=VALUE`. A capability this document
        gives fewer than two probes borrows the baseline's, for the parameters this profile has: one refused
        probe cannot tell a missing capability from a broken parameter."""
        probes: dict[str, Request] = {}
        for feature in (f for f in features if KEYWORDS.get(f)):
            found = self._probes(self.profile, feature)
            if len(found) < 2 and self._baseline is not None:
                found += [p for p in self._probes(self._baseline, feature)
                          if p[0] in self.profile.params and set(p[3]) <= set(self.profile.params)]
            for param_name, name, value, extra in found:
                param = self.profile.params[param_name]
                probes.setdefault(f"{CAPABILITY_EVIDENCE}{param_name}={name}",
                                  self.post(self.param_body(param, value, **extra)))
        return tuple(probes.items())

    @staticmethod
    def _probes(profile: Profile, feature: str) -> list[tuple[str, str, Any, dict]]:
        """(parameter, value name, value, the fields sent with it) of every documented value of `feature`."""
        found = []
        for param in profile.params.values():
            enum = param.facets.get("enum")
            if enum is not None and enum.feature == feature:
                found += [(param.name, str(v), v, {}) for v in enum.value if v is not None]
            found += [(param.name, e.name, e.value, dict(e.with_)) for e in param.accepts if e.rule.feature == feature]
        return found
