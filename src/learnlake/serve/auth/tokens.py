"""Signed session cookies and short-lived embed tokens (itsdangerous, keyed by serve.secret_key).

Without `serve.secret_key` a random key is made once and kept in the state folder (mode 0600), so
sessions survive restarts and nothing secret needs configuring for a single machine.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from learnlake.config import Settings

SESSION_COOKIE = "learnlake_session"
SESSION_MAX_AGE_S = 12 * 3600


def secret_key(settings: Settings) -> str:
    """The configured signing key, or the installation's generated one."""
    if settings.serve.secret_key is not None:
        return settings.serve.secret_key.get_secret_value()
    path = Path(settings.state_dir) / "serve_secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode())
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return key


@dataclass(frozen=True)
class EmbedClaims:
    """What an embed token allows: one org, course, block and/or learner."""

    org: str | None = None
    course: str | None = None
    block: str | None = None
    learner: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Only the set fields."""
        return {k: v for k, v in self.__dict__.items() if v}


class Signer:
    """Signs and checks session cookies and embed tokens with separate salts."""

    def __init__(self, key: str, embed_ttl_s: int = 900) -> None:
        self._session = URLSafeTimedSerializer(key, salt="learnlake.session")
        self._embed = URLSafeTimedSerializer(key, salt="learnlake.embed")
        self.embed_ttl_s = embed_ttl_s

    def session_cookie(self, user_name: str) -> str:
        """A cookie value naming the signed-in user."""
        return self._session.dumps({"u": user_name})

    def session_user(self, cookie: str) -> str | None:
        """The user of a valid, unexpired session cookie."""
        try:
            data = self._session.loads(cookie, max_age=SESSION_MAX_AGE_S)
        except BadSignature:
            return None
        return str(data["u"]) if isinstance(data, dict) and isinstance(data.get("u"), str) else None

    def embed_token(self, claims: EmbedClaims, ttl_s: int | None = None) -> str:
        """A token for the embed views, valid for ttl_s seconds (at most the configured lifetime)."""
        ttl = min(ttl_s or self.embed_ttl_s, self.embed_ttl_s)
        return self._embed.dumps({**claims.as_dict(), "ttl": ttl})

    def embed_claims(self, token: str) -> EmbedClaims | None:
        """The claims of a valid, unexpired embed token, else None."""
        try:
            data, signed_at = self._embed.loads(token, max_age=self.embed_ttl_s, return_timestamp=True)
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        import datetime as dt

        age = (dt.datetime.now(dt.UTC) - signed_at).total_seconds()
        if age > int(data.get("ttl", self.embed_ttl_s)):
            return None
        return EmbedClaims(
            org=data.get("org"),
            course=data.get("course"),
            block=data.get("block"),
            learner=data.get("learner"),
        )
