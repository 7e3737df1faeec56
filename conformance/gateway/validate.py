"""Request validation driven by a Profile: every parameter facet, example and policy.

`parse_body` turns raw bytes into the body object; `validate_request` checks it and
returns the effective parameters (nulls dropped, defaults filled only under a fault).
Request faults are applied here and nowhere else.
"""

from __future__ import annotations

import json
from typing import Any

from .. import param_facets
from ..spec import Param, Profile
from .faults import Fault, hits
from .jsontypes import is_integral, is_number, json_type, same
from .shapes import SHAPE_CHECKS

ABSENT = object()  # a parameter to drop: null, or a wrong value a fault lets through
DEFAULT_MESSAGES = ({"role": "user", "content": "hello"},)


class RequestError(Exception):
    """A request the gateway answers with an error; `kind` selects the errors.* rule it falls under."""

    def __init__(self, status: int, message: str, *, param: str | None = None, kind: str = "validation",
                 error_type: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.kind = kind
        self.error_type = error_type
        self.code = code


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
            present = name in body
            value = self.param(name, param, body[name]) if present else ABSENT
            if value is ABSENT and param.get("required"):
                # under these faults a missing (or wrongly typed) value gets a default instead of a 400
                excused = self.hits("not-required", name) or (present and self.hits("type-unchecked", name))
                if not excused:
                    raise _invalid(name, "is required")
                value = default_value(name, self.models)
            if value is not ABSENT:
                effective[name] = value
        self.companions(effective)
        self.existence(effective)
        return effective

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

    def companions(self, effective: dict) -> None:
        for name in effective:
            param = self.profile.params[name]
            if self.hits("requires-ignored", name):
                continue
            for companion, wanted in param.companions.items():
                if not _enables(effective.get(companion, ABSENT), wanted):
                    needed = companion if isinstance(wanted, (list, dict)) else f"{companion}: {json.dumps(wanted)}"
                    raise _invalid(name, f"needs {needed}")

    def existence(self, effective: dict) -> None:
        for name, param in self.profile.params.items():
            if not param.get("must_exist") or name not in effective or self.hits("must-exist-ignored", name):
                continue
            if effective[name] not in self.models:
                raise RequestError(404, f"{name}: the requested {name} does not exist", param=name,
                                   kind="unknown_model", code="model_not_found")

    # -- one parameter
    def param(self, name: str, param: Param, value: Any) -> Any:
        """The value to use, ABSENT to ignore it, or a RequestError."""
        if self.hits("example-rejected", name) and same(value, self.fault.arg):
            raise _invalid(name, "this value is not supported")
        if self.hits("example-accepted", name) and same(value, self.fault.arg):
            return value
        if value is None:
            return self.null(name, param)
        types = param.types
        if isinstance(value, dict) and "array" in types and self.hits("object-wrapped", name):
            value = [value]  # a lenient gateway: one item where a list is due
        if isinstance(value, str) and self.hits("string-form-rejected", name):
            raise _invalid(name, "must be a list")
        if types and json_type(value) not in types:
            if self.hits("bool-as-number", name) and json_type(value) == "boolean":
                return ABSENT
            if self.hits("type-unchecked", name):
                return ABSENT
            raise _invalid(name, f"must be of type {' or '.join(types)}, not {json_type(value)}")
        self.number(name, param, value)
        for facet in param_facets.registry().values():  # each facet's own check, bent by its own faults
            if facet.name in param.facets:
                problem = facet.validate(param, value, lambda kind: self.fault if self.hits(kind, name) else None)
                if problem:
                    raise _invalid(name, problem)
        check = SHAPE_CHECKS.get(name)
        problem = check(value) if check else None
        if problem:
            raise _invalid(name, problem)
        return value

    def null(self, name: str, param: Param) -> Any:
        if param.get("required"):
            if self.hits("not-required", name):
                return ABSENT
            raise _invalid(name, "is required and may not be null")
        nullable = param.get("nullable")
        if nullable is False and not self.hits("null-accepted", name):
            raise _invalid(name, "may not be null")
        if nullable is True and self.hits("null-rejected", name):
            raise _invalid(name, "may not be null")
        return ABSENT

    def number(self, name: str, param: Param, value: Any) -> None:
        if not is_number(value):
            if json_type(value) == "number":  # 1e999 decodes to inf
                raise _invalid(name, "must be a finite number")
            return
        if param.get("integer") and not is_integral(value) and not self.hits("integer-unchecked", name):
            raise _invalid(name, "must be an integer")
        if self.hits("large-value-500", name) and value >= 2 ** 31:
            raise RequestError(500, "internal error", kind="server", error_type="server_error")  # an int32 parse
        for facet, outside in (("minimum", lambda v, b: v < b), ("maximum", lambda v, b: v > b)):
            bound = param.get(facet)
            if bound is None:
                continue
            ignored = self.hits("bound-ignored", name) and self.fault.arg == facet
            # the overflow fault: far past the bound, a wrapped-round parse sees a value inside it
            ignored = ignored or (self.hits("bound-overflow", name) and self.fault.arg == facet
                                  and (value >= 2 ** 31 or value <= -(2 ** 31) or (bound >= 0 and value <= -1)))
            exclusive = self.hits("bound-exclusive", name) and self.fault.arg == facet
            if (outside(value, bound) and not ignored) or (exclusive and value == bound):
                raise _invalid(name, f"must be {'at least' if facet == 'minimum' else 'at most'} {bound}")


def _enables(have: Any, wanted: Any) -> bool:
    """A companion enables a parameter: a scalar must match exactly; a list or object
    (e.g. tools) must be present, of the same JSON type and not empty."""
    if have is ABSENT:
        return False
    if isinstance(wanted, (list, dict)):
        return json_type(have) == json_type(wanted) and len(have) > 0
    return same(have, wanted)


def validate_request(profile: Profile, body: dict, *, models: tuple[str, ...], fault: Fault | None = None) -> dict:
    """The effective parameters of a valid request, or a RequestError."""
    return _Validator(profile, models, fault).run(body)
