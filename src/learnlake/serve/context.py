"""What every request handler shares: settings, users, the signer and the query runner."""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

from starlette.requests import Request

from learnlake.config import Settings
from learnlake.serve.auth.store import UserStore
from learnlake.serve.auth.tokens import Signer, secret_key
from learnlake.serve.dashboards.runner import LruCache, QueryRunner


def _loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class ServeContext:
    """Per-app singletons (built once by create_app)."""

    settings: Settings
    users: UserStore
    signer: Signer
    runner: QueryRunner
    responses: LruCache = field(default_factory=LruCache)
    _has_users: tuple[float, bool] = field(default=(0.0, False))

    @classmethod
    def build(cls, settings: Settings) -> ServeContext:
        """Everything the app needs for one installation."""
        return cls(
            settings=settings,
            users=UserStore(settings.data_dir),
            signer=Signer(secret_key(settings), settings.serve.embed_ttl_s),
            runner=QueryRunner(settings),
        )

    def local_mode(self, client_host: str | None) -> bool:
        """No user exists yet, the server is set to listen on loopback and the caller is local.

        Then the caller is the local operator.

        This keeps `learnlake demo` and a fresh single-machine install usable without a login;
        the first `learnlake users add` turns it off.
        """
        checked, has = self._has_users
        if time.monotonic() - checked > 2.0:
            has = self.users.has_users()
            self._has_users = (time.monotonic(), has)
        return (
            not has
            and _loopback(self.settings.serve.host)
            and client_host is not None
            and _loopback(client_host)
        )


def context_of(request: Request) -> ServeContext:
    """The app's ServeContext."""
    ctx: ServeContext = request.app.state.ctx
    return ctx
