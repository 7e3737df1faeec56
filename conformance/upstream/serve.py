"""Starting the recording upstream for a run: `--upstream 127.0.0.1:PORT` and `--upstream-key-env VAR`."""

from __future__ import annotations

import os
from dataclasses import replace

from ..errors import TargetError, UsageError
from ..gateway.app import create_app
from ..gateway.server import RunningServer, start_in_thread
from ..target import Target, check_key, env_name
from .recorder import Recorder, Recording

UPSTREAM_PROFILE = "openai"  # the upstream speaks OpenAI's chat completions, as most gateways' providers do


class ProfileApps:
    """The reference gateway answering as each profile under test (its validation, its answers, its surface's path),
    so a gateway that forwards faithfully passes that profile's cases; OpenAI's chat completions for a request of no
    one profile (a request several profiles send, the models list of a run of several profiles)."""

    def __init__(self, key: str, profiles: dict | None = None):
        self.key = key
        self.profiles = profiles or {}  # name -> Profile, the run's
        self._apps: dict[str, object] = {}

    def __call__(self, name: str | None):
        if name is None and len(self.profiles) == 1:  # the model listing of a one-profile run: that profile's
            name = next(iter(self.profiles))
        profile = self.profiles.get(name) if name else None
        if profile is None:
            name, profile = UPSTREAM_PROFILE, UPSTREAM_PROFILE
        if name not in self._apps:
            self._apps[name] = create_app(profile, api_key=self.key)
        return self._apps[name]


class RecordingUpstream:
    """The reference gateway on the given loopback address, recording what it receives; a context manager."""

    def __init__(self, where: str, key: str, client_key: str):
        self.address = where
        self.key = key
        secrets = {"upstream key": key} if key == client_key else {"upstream key": key, "client key": client_key}
        self.recorder = Recorder(secrets)
        self.apps = ProfileApps(key)  # the run's profiles are told once known (serve_as)
        self.server: RunningServer | None = None

    def serve_as(self, profiles: list) -> None:
        """Answer each marked request as the profile whose case sent it."""
        self.apps.profiles.update({p.name: p for p in profiles})

    def __enter__(self) -> RecordingUpstream:
        app = Recording(self.apps, self.recorder)
        try:
            self.server = start_in_thread(app, port=int(self.address.rpartition(":")[2]))
        except (OSError, RuntimeError) as exc:
            raise TargetError(f"--upstream {self.address}: cannot serve the recording upstream there ({exc})") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    @property
    def url(self) -> str:
        return f"http://{self.address}"


def recording_upstream(where: str, target: Target, key_env: str | None,
                       profiles: list = ()) -> tuple[RecordingUpstream, Target]:
    """The recording upstream `--upstream` asks for (not started yet), and the target with its key counted among the
    secrets no output shows."""
    key = target.key
    if key_env:
        var = env_name(key_env, option="--upstream-key-env")
        if not os.environ.get(var):
            raise UsageError(f"--upstream-key-env {var}: the environment variable {var} is not set")
        key = check_key(os.environ[var], var)
        target = replace(target, env=(*target.env, (var, key)))
    upstream = RecordingUpstream(where, key, target.key)
    upstream.serve_as(list(profiles))  # known before the first request (the model listing of a one-profile run)
    return upstream, target
