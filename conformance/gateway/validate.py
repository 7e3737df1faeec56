"""Request validation driven by a Profile: every parameter facet, example and policy.

`parse_body` turns raw bytes into the body object; `validate_request` checks it and
returns the effective parameters (nulls dropped, defaults filled only under a fault).
Each parameter facet's own check, and how its faults bend it, is its module's
(conformance/param_facets/); the examples, the unknown-field policy and the body's
own faults are applied here.
"""

from __future__ import annotations

import json
from typing import Any

from .. import param_facets
from ..param_facets import ABSENT, FILL, RequestError, Use  # noqa: F401 - the app raises it too
from ..spec import Param, Profile
from ..surfaces import reference_wire
from .faults import Fault, hits
from ..jsontypes import is_number, json_type, same

DEFAULT_MESSAGES = ({"role": "user", "content": "hello"},)


def _invalid(param: str | None, why: str) -> RequestError:
    return RequestError(400, f"{param}: {why}" if param else why, param=param)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_body(raw: bytes, fault: Fault | None = None) -> dict:
    """The request body as a JSON object, or a RequestError (400; 500 under a fault)."""
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        problem = None if isinstance(body, dict) else f"the body must be a JSON object, not {json_type(body)}"
    except (UnicodeDecodeError, ValueError, RecursionError):
        problem = "the body is not valid JSON"
    if problem is None:
        if hits(fault, "non-bmp-500") and any(ord(c) > 0xFFFF for c in raw.decode("utf-8")):
            raise RequestError(500, "internal error", kind="server", error_type="server_error")  # a UCS-2 code path
        return body
    if hits(fault, "body-not-object-500"):
        raise RequestError(500, "internal error", kind="server", error_type="server_error")
    raise RequestError(400, problem, kind="malformed" if problem.startswith("the body is not valid") else "validation")


def default_value(name: str, models: tuple[str, ...]) -> Any:
    """What a fault fills in for a missing required parameter."""
    if name == "model":
        return models[0]
    if name == "messages":
        return [dict(m) for m in DEFAULT_MESSAGES]
    return ABSENT


class _Validator:
    def __init__(self, profile: Profile, models: tuple[str, ...], fault: Fault | None):
        self.profile = profile
        self.models = models
        self.fault = fault

    def hits(self, kind: str, param: str | None = None) -> bool:
        return hits(self.fault, kind, param)

    # -- whole request
    def run(self, body: dict) -> dict:
        self.unknown_fields(body)
        effective: dict[str, Any] = {}
        for name, param in self.profile.params.items():
            value = self.param(name, param, body[name]) if name in body else self.facets(name, param, "absent", ABSENT)
            if value is not ABSENT:
                effective[name] = value
        for facet in param_facets.registry().values():  # checks on the whole request: companions, existence
            for name, param in self.profile.params.items():
                if facet.name in param.facets:
                    problem = facet.request(param, effective, self.fault_of(name), self.models)
                    if problem:
                        raise _invalid(name, problem)
        return effective

    def fault_of(self, name: str):
        """The fault as a facet's check asks for it: of this kind, on this parameter, else None."""
        return lambda kind: self.fault if self.hits(kind, name) else None

    def facets(self, name: str, param: Param, hook: str, value: Any) -> Any:
        """`value` through every facet's `hook` in turn: the value to use, ABSENT to go on without it, or a RequestError."""
        fault_of = self.fault_of(name)
        for facet in param_facets.registry().values():
            if facet.name not in param.facets:
                continue
            check = getattr(facet, hook)
            outcome = check(param, value, fault_of) if hook == "validate" else check(param, fault_of)
            if isinstance(outcome, str):
                raise _invalid(name, outcome)
            if isinstance(outcome, Use):
                if outcome.value is FILL:
                    return default_value(name, self.models)
                if outcome.value is ABSENT:
                    return ABSENT
                value = outcome.value
        return value

    def unknown_fields(self, body: dict) -> None:
        policy = self.profile.unknown_policy.value
        known = {n.lower() for n in self.profile.params} if self.hits("unknown-fields-case-folded") else set()
        unknown = [k for k in body if k not in self.profile.params and k.lower() not in known]
        if not unknown:
            return
        if self.hits("unknown-field-500"):
            raise RequestError(500, "internal error", kind="server", error_type="server_error")
        rejects = policy == "reject"
        if self.hits("unknown-fields-inverted"):
            rejects = not rejects
        if rejects:
            raise _invalid(unknown[0], "unknown parameter")

    # -- one parameter
    def param(self, name: str, param: Param, value: Any) -> Any:
        """The value to use, ABSENT to ignore it, or a RequestError."""
        if self.hits("example-rejected", name) and same(value, self.fault.arg):
            raise _invalid(name, "this value is not supported")
        if self.hits("example-accepted", name) and same(value, self.fault.arg):
            return value
        if value is None:
            return self.facets(name, param, "null", ABSENT)
        if json_type(value) == "number" and not is_number(value):  # 1e999 decodes to inf
            raise _invalid(name, "must be a finite number")
        value = self.facets(name, param, "validate", value)
        check = reference_wire(self.profile.surface, "shapes").SHAPE_CHECKS.get(name)
        problem = check(value) if check and value is not ABSENT else None
        if problem:
            raise _invalid(name, problem)
        return value


def validate_request(profile: Profile, body: dict, *, models: tuple[str, ...], fault: Fault | None = None) -> dict:
    """The effective parameters of a valid request, or a RequestError."""
    return _Validator(profile, models, fault).run(body)
