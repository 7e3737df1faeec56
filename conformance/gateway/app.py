"""The reference gateway as an ASGI app: one Profile served faithfully, or with one fault.

`create_app` serves one profile; `create_multi_app` serves every profile and fault
under `/p/{profile}/f/{fault}/...` (`none` = faithful) from one process.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..errors import UsageError
from ..spec import Profile, load_profile
from .auth import authorized
from .faults import Fault, faults_for, find_fault, hits
from .model import choice_count, generate, prompt_tokens
from .mutate import apply_field_fault, break_chunks, break_usage_sum
from .validate import RequestError, parse_body, validate_request
from ..surfaces import reference_wire
from ..surfaces.chat_completions.wire import error_body, sse_event

DEFAULT_MODELS = ("routecheck-echo-1",)
DEFAULT_MAX_BODY = 1_048_576
DRAIN_BYTES = 16 * 1_048_576  # read this much past the limit so the client sees the 413, not a reset
MAX_STORED = 4096  # stored responses a continuing surface keeps (the oldest go first)
NEVER_ENDS_SECONDS = 600.0  # the stream.never-ends fault holds a stream open this long at most
FAULTLESS = "none"
PREFIX = re.compile(r"^/p/(?P<profile>[^/]+)/f/(?P<fault>[^/]+)(?P<rest>/.*)?$")

log = logging.getLogger(__name__)


async def read_body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > limit + DRAIN_BYTES:
            break
    if size > limit:
        raise RequestError(413, f"the body is larger than {limit} bytes", kind="too_large", code="request_too_large")
    return b"".join(chunks)


@dataclass
class Gateway:
    """Request handling for one profile, one API key and at most one fault."""

    profile: Profile
    api_key: str
    fault: Fault | None
    latency: float
    models: tuple[str, ...]
    max_body: int
    created: int = field(default_factory=lambda: int(time.time()))  # of the listed models
    # stored conversations of a surface that continues them (Responses' previous_response_id), newest last
    turns: OrderedDict = field(default_factory=OrderedDict)
    # the wires of the other surfaces served beside this one: the models list answers in every one's form
    beside: tuple = ()

    @property
    def terminator(self) -> str | None:
        """The stream's last event as the profile documents it; OpenAI's where the document is silent."""
        rule = self.profile.stream.get("terminator")
        return rule.value if rule is not None and isinstance(rule.value, str) else self.wire.DONE

    @property
    def wire(self):
        """The wire format of the profile's surface (its answer bodies and stream chunks)."""
        return reference_wire(self.profile.surface)

    # -- entry points
    async def chat(self, request: Request) -> Response:
        return await self._answer(request, self._chat)

    async def list_models(self, request: Request) -> Response:
        return await self._answer(request, self._models)

    async def _answer(self, request: Request, handler: Callable[[Request], Awaitable[Response]]) -> Response:
        try:
            if not authorized(self.profile, request.headers, self.api_key, self.fault):
                raise RequestError(401, "invalid or missing API key", kind="auth",
                                   error_type="authentication_error", code="invalid_api_key")
            missing = [name for name in self.profile.headers if name not in request.headers
                       and not hits(self.fault, "header-ignored", name)]
            if missing:
                raise RequestError(400, f"the {missing[0]} header is required", kind="validation",
                                   error_type="invalid_request_error")
            response = await handler(request)
        except RequestError as exc:
            response = self.error(exc, request)
        except ClientDisconnect:  # the client left mid-body: nobody reads this answer
            return PlainTextResponse("client disconnected", status_code=400)
        except Exception:  # a bug must still answer JSON, never a dropped connection
            log.exception("unexpected error in the reference gateway")
            response = self.error(RequestError(500, "internal error", kind="server", error_type="server_error"))
        if self.latency > 0:
            await asyncio.sleep(self.latency)  # simulated upstream latency, for benchmarks
        return response

    # -- handlers
    async def _chat(self, request: Request) -> Response:
        fault = self.fault
        body = parse_body(await read_body(request, self.max_body), fault)
        params = validate_request(self.profile, body, models=self.models, fault=fault)
        earlier = self._earlier(params)
        params = self.wire.model_params(params)  # the surface's request, as the reference model reads every one
        if earlier:  # after the stored turns it continues
            params = dict(params, messages=[*earlier, *params.get("messages", [])])
        if hits(fault, "behaviour") and fault.arg.params:
            params = fault.arg.params(params)
        generation = generate(params, self.profile.token_caps, fault)
        if hits(fault, "behaviour") and fault.arg.generation:
            generation = fault.arg.generation(params, generation)
        model = params.get("model")
        model = model if isinstance(model, str) else self.models[0]
        reply = self.wire.Reply.new(model, generation, choice_count(params), prompt_tokens(params), int(time.time()))
        self._remember(reply.id, params, generation)
        streaming = params.get("stream") is True and not hits(fault, "stream-plain-json")
        if hits(fault, "stream-false-gives-sse") and params.get("stream") is False:
            streaming = True
        if streaming:
            return self._stream(reply, params)
        doc = self.wire.completion_body(reply)
        if hits(fault, "behaviour") and fault.arg.completion:
            fault.arg.completion(params, doc)
        apply_field_fault(doc, fault, "response-field", self.profile.response_fields)
        break_usage_sum(doc, fault)
        return JSONResponse(doc)

    def _earlier(self, params: dict) -> list[dict]:
        """The stored turns a request continues (Responses' previous_response_id); a 400 for an unknown id."""
        name = getattr(self.wire, "CONTINUES", None)
        previous = params.get(name) if name else None
        if previous is None:
            return []
        if previous not in self.turns:
            raise RequestError(400, f"Previous response with id '{previous}' not found.", kind="validation",
                               error_type="invalid_request_error", param=name, code="previous_response_not_found")
        return self.turns[previous]

    def _remember(self, reply_id: str, params: dict, generation) -> None:
        if getattr(self.wire, "CONTINUES", None) is None or params.get("store") is False:
            return
        said = generation.content if generation.content is not None else ""
        self.turns[reply_id] = [*params.get("messages", []), {"role": "assistant", "content": said}]
        while len(self.turns) > MAX_STORED:  # bounded: a long run never grows the gateway without end
            self.turns.popitem(last=False)

    def _stream(self, reply, params: dict) -> Response:
        fault = self.fault
        options = params.get("stream_options")
        include_usage = isinstance(options, dict) and options.get("include_usage") is True
        chunks = self.wire.chunk_bodies(reply, include_usage)
        if hits(fault, "behaviour") and fault.arg.chunks:
            fault.arg.chunks(params, chunks)
        break_chunks(chunks, fault, self.profile.stream_fields)
        kind = fault.kind if fault is not None else None
        chunks = self.wire.break_stream(chunks, kind)  # the surface's own stream faults
        events = [sse_event(c, self.wire.event_name(c, kind)) for c in chunks]
        if hits(fault, "stream-json-lines"):  # bare JSON lines, no `data:` framing, under text/event-stream
            events = [e.removeprefix(b"data: ").replace(b"\n\n", b"\n") for e in events]
        if hits(fault, "stream-bad-json-line"):
            events.insert(1, b"data: {not json\n\n")
        if self.terminator is not None and not (hits(fault, "stream-no-terminator") or hits(fault, "stream-never-ends")):
            events.append(sse_event(self.terminator).removeprefix(b"data: ") if hits(fault, "stream-json-lines")
                          else sse_event(self.terminator))
        if hits(fault, "stream-after-terminator"):
            events.append(sse_event(chunks[-1]))
        hold_open = hits(fault, "stream-never-ends")

        async def send_events() -> AsyncIterator[bytes]:
            for event in events:
                yield event
            if hold_open:
                await asyncio.sleep(NEVER_ENDS_SECONDS)  # the fault itself: a stream that does not end

        media_type = "application/json" if hits(fault, "stream-json-content-type") else "text/event-stream"
        return StreamingResponse(send_events(), media_type=media_type, headers={"Cache-Control": "no-cache"})

    async def _models(self, request: Request) -> Response:
        if hits(self.fault, "models-missing"):
            raise RequestError(404, "not found", kind="not_found", code="not_found")
        doc = self.wire.models_body(self.models, self.created)
        for wire in self.beside:  # each surface's fields on each model (OpenAI's object/owned_by, Anthropic's type...)
            other = wire.models_body(self.models, self.created)
            doc = {**other, **doc, "data": [{**theirs, **ours} for ours, theirs in zip(doc["data"], other["data"])]}
        apply_field_fault(doc, self.fault, "models-field", self.profile.models_fields)
        return JSONResponse(doc["data"] if hits(self.fault, "models-wrong-shape") else doc)

    # -- errors
    def error(self, exc: RequestError, request: Request | None = None) -> Response:
        fault = self.fault
        status = exc.status
        for kind, fault_kind in (("validation", "validation-status"), ("malformed", "validation-status"), ("auth", "auth-status"),
                                 ("unknown_model", "unknown-model-status")):
            if exc.kind == kind and hits(fault, fault_kind):
                status = fault.arg
        presented = request is not None and any(s.header in request.headers for s in self.profile.auth)
        if exc.kind == "auth" and presented and hits(fault, "auth-wrong-key-status"):
            status = 400  # a wrong key answered like a bad request (LiteLLM without a database: "No connected db.")
        message, param = self._scrub(exc.message), self._scrub(exc.param)
        if exc.kind == "malformed" and hits(fault, "malformed-own-shape"):
            return JSONResponse({"status": "failure", "message": message}, status_code=status)
        if hits(fault, "error-not-json"):
            return PlainTextResponse(message, status_code=status)
        if hits(fault, "error-echo-key") and request is not None:
            presented = [request.headers.get(s.header, "") for s in self.profile.auth]
            return JSONResponse({"error": f"{message}; credentials presented: {' | '.join(presented)}"}, status_code=status)
        if param is None and hits(fault, "error-param-stringified"):
            param = str(param)
        return JSONResponse(self.wire.error_body(message, exc.error_type, param, exc.code, status=status), status_code=status)

    def _scrub(self, text: str | None) -> str | None:
        """Never echo the API key, even if a client sends it as a field name."""
        return text.replace(self.api_key, "***") if text and self.api_key else text


def _health_response() -> Response:
    return JSONResponse({"status": "ok"})


async def _health(request: Request) -> Response:
    return _health_response()


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = exc.headers if isinstance(exc, HTTPException) else None
    detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
    return JSONResponse(error_body(detail, "invalid_request_error"), status_code=status, headers=headers)


def create_app(profile: Profile | str | list, *, api_key: str, fault: Fault | str | None = None, latency: float = 0.0,
               models: tuple[str, ...] = DEFAULT_MODELS, max_body: int = DEFAULT_MAX_BODY) -> Starlette:
    """A Starlette app serving `profile` (faithfully, or with `fault` by object or name); a list of profiles of
    different surfaces serves each at its own path (chat completions, Messages and Responses side by side), the
    models list as the first one's."""
    profiles = [load_profile(p) if isinstance(p, str) else p for p in (profile if isinstance(profile, list) else [profile])]
    if not profiles:
        raise UsageError("no profile to serve")
    if isinstance(fault, str):
        if len(profiles) > 1 and fault != FAULTLESS:
            raise UsageError("a fault goes with one profile")
        fault = None if fault == FAULTLESS else find_fault(profiles[0], fault)
    if not api_key:
        raise ValueError("api_key must not be empty")
    gateways = [Gateway(p, api_key, fault, latency, tuple(models), max_body) for p in profiles]
    paths = [g.profile.request_path for g in gateways]
    clash = next((path for path in paths if paths.count(path) > 1), None)
    if clash:
        raise UsageError(f"two of these profiles are served at {clash}: serve one profile per surface at a time")
    for g in gateways:
        g.beside = tuple(other.wire for other in gateways if other is not g)

    async def list_models(request: Request) -> Response:
        """One list for every surface: answered by the gateway whose credentials the request carries."""
        chosen = next((g for g in gateways if authorized(g.profile, request.headers, api_key, fault)), gateways[0])
        return await chosen.list_models(request)

    routes = [Route(g.profile.request_path, g.chat, methods=["POST"]) for g in gateways]
    routes += [Route(profiles[0].models_path, list_models, methods=["GET"]), Route("/healthz", _health, methods=["GET"])]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.gateway = gateways[0]
    return app


class MultiApp:
    """Dispatches `/p/{profile}/f/{fault}/...` to one cached app per (profile, fault)."""

    def __init__(self, api_key: str, latency: float = 0.0, profiles: list[Profile] = ()):
        self.api_key = api_key
        self.latency = latency
        self.extra = {p.name: p for p in profiles}  # users' specs (--spec FILE), next to the shipped profiles
        self._apps: dict[tuple[str, str], Starlette] = {}
        self._faults: dict[str, dict[str, Fault]] = {}

    def app_for(self, profile_name: str, fault_name: str) -> Starlette | None:
        """The app for a (profile, fault) pair, or None when either is unknown."""
        key = (profile_name, fault_name)
        if key not in self._apps:
            try:
                profile = self.extra.get(profile_name) or load_profile(profile_name)
            except UsageError:
                return None
            faults = self._faults.setdefault(profile_name, {f.name: f for f in faults_for(profile)})
            if fault_name != FAULTLESS and fault_name not in faults:
                return None
            fault = faults.get(fault_name)
            self._apps[key] = create_app(profile, api_key=self.api_key, fault=fault, latency=self.latency)
        return self._apps[key]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/healthz":
            await _health_response()(scope, receive, send)
            return
        match = PREFIX.match(path)
        app = match and self.app_for(match["profile"], match["fault"])
        if not app:
            message = "use /p/{profile}/f/{fault}/...: unknown profile or fault" if match else "unknown route"
            await JSONResponse(error_body(message, "invalid_request_error", code="not_found"),
                               status_code=404)(scope, receive, send)
            return
        rest = match["rest"] or "/"
        await app({**scope, "path": rest, "raw_path": rest.encode("utf-8")}, receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_multi_app(api_key: str, latency: float = 0.0, profiles: list[Profile] = ()) -> MultiApp:
    if not api_key:
        raise ValueError("api_key must not be empty")
    return MultiApp(api_key, latency, profiles)
