"""Who is calling: API token, session cookie, embed token, or the local operator (no users yet)."""

from __future__ import annotations

from fastapi import HTTPException, Request

from learnlake.serve.auth.scope import LOCAL_OPERATOR, Principal, Scope, principal_for
from learnlake.serve.auth.tokens import SESSION_COOKIE, EmbedClaims
from learnlake.serve.context import context_of


class LoginRequired(HTTPException):
    """No valid credentials: 401 for the API, a redirect to the login page for HTML pages."""

    def __init__(self) -> None:
        super().__init__(
            status_code=401, detail="authentication required", headers={"WWW-Authenticate": "Bearer"}
        )


def resolve_principal(request: Request) -> Principal | None:
    """The caller, or None when anonymous (an invalid token is anonymous, never the local operator)."""
    ctx = context_of(request)
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        user = ctx.users.user_for_token(token.strip())
        return principal_for(user, "token") if user else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        name = ctx.signer.session_user(cookie)
        user = ctx.users.get(name) if name else None
        if user is not None:
            return principal_for(user, "session")
    if ctx.local_mode(request.client.host if request.client else None):
        return LOCAL_OPERATOR
    return None


def principal(request: Request) -> Principal:
    """FastAPI dependency: the authenticated caller, else 401."""
    found = resolve_principal(request)
    if found is None:
        raise LoginRequired()
    return found


def embed_principal(claims: EmbedClaims) -> Principal:
    """The principal of an embed token: only the scope named in the token."""
    scope = Scope(
        orgs=(claims.org,) if claims.org else None,
        courses=(claims.course,) if claims.course else None,
        actor=claims.learner,
        block=claims.block,
    )
    label = claims.course or claims.org or claims.block or claims.learner or "?"
    return Principal(name=f"embed:{label}", role="embed", scope=scope, pii=False, via="embed")


def embed_token_principal(request: Request) -> Principal:
    """FastAPI dependency for /embed views: a valid embed token (query `token` or X-Embed-Token)."""
    token = request.query_params.get("token") or request.headers.get("x-embed-token")
    claims = context_of(request).signer.embed_claims(token) if token else None
    if claims is None or not claims.as_dict():
        raise HTTPException(status_code=401, detail="a valid embed token is required")
    return embed_principal(claims)
