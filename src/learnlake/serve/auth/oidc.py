"""Sign-in with the Open edX LMS as OAuth2 / OpenID Connect provider, and LMS roles → learnlake roles.

The authorization-code flow with PKCE (authlib's client): `/login/lms` sends the browser to the
LMS's `/oauth2/authorize` with a fresh state and nonce kept in a signed, short-lived cookie; the
LMS sends it back to `/login/lms/callback`, where the state must match, the code is exchanged at
`/oauth2/access_token`, the ID token (when `serve.oidc.jwks_url` is set) is verified with the LMS's
public keys (signature, issuer, audience, nonce) and the user's claims are read from the user info
endpoint. The roles then come from the LMS:

- `administrator` (LMS staff) or `superuser` → operator;
- course access roles (`student_courseaccessrole`, extracted into the lake) without a course, i.e.
  org-wide → org_staff for those orgs;
- course `staff` / `instructor` (and `data_researcher`) → course_staff for those courses;
- anyone else → learner, seeing their own rows through their xAPI actor id (the LMS external id
  mapping learnlake also uses to write statements).

The user is kept in the user store as `lms+<username>` (source `lms`), refreshed at every sign-in,
so sessions, tokens and `learnlake users grant … --pii` work as for local users.
"""

from __future__ import annotations

import logging
import secrets
import warnings
from dataclasses import dataclass
from typing import Any

# authlib prefers the httpx2 package (httpx works the same here) and says so on import; its
# `deprecate` module installs an "always" filter when first imported, so it is imported before
# the warning is silenced
import authlib.deprecate  # noqa: F401
import httpx
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from learnlake.config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.httpx_client import OAuth2Client

log = logging.getLogger(__name__)

FLOW_COOKIE = "learnlake_oidc"
FLOW_MAX_AGE_S = 600
LMS_USER_PREFIX = "lms+"
AUTHORIZE_PATH = "/oauth2/authorize"
TOKEN_PATH = "/oauth2/access_token"
USERINFO_PATH = "/oauth2/user_info"
COURSE_STAFF_ROLES = frozenset({"staff", "instructor", "data_researcher"})
ACCESS_ROLES_TABLE = "student_courseaccessrole"
TIMEOUT_S = 15.0


class OidcError(Exception):
    """The LMS sign-in failed; the message is shown on the sign-in page (no secrets in it)."""


@dataclass(frozen=True)
class LmsIdentity:
    """Who the LMS says signed in."""

    username: str
    user_id: str | None
    administrator: bool
    claims: dict[str, Any]


@dataclass(frozen=True)
class LmsGrant:
    """What the LMS roles give in learnlake."""

    role: str
    orgs: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()
    actor_id: str | None = None


def map_roles(identity: LmsIdentity, access_rows: list[dict[str, Any]], actor_id: str | None) -> LmsGrant:
    """The learnlake role of an LMS user from their claims and course access roles.

    Org-wide roles win over course roles (a scope is orgs or courses, not both): an org staff
    member who also teaches a course of another org sees their orgs.
    """
    if identity.administrator:
        return LmsGrant("operator")
    orgs: set[str] = set()
    courses: set[str] = set()
    for row in access_rows:
        role = str(row.get("role") or "")
        course = str(row.get("course_id") or "").strip()
        org = str(row.get("org") or "").strip()
        if role not in COURSE_STAFF_ROLES:
            continue
        if course:
            courses.add(course)
        elif org:
            orgs.add(org)
    if orgs:
        return LmsGrant("org_staff", orgs=tuple(sorted(orgs)))
    if courses:
        return LmsGrant("course_staff", courses=tuple(sorted(courses)))
    if not actor_id:
        raise OidcError("your LMS account could not be matched to a learner of this site")
    return LmsGrant("learner", actor_id=actor_id)


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def identity_from_claims(claims: dict[str, Any]) -> LmsIdentity:
    """The identity in the LMS's claims (Open edX JWT / user info names)."""
    username = claims.get("preferred_username") or claims.get("username")
    if not isinstance(username, str) or not username:
        raise OidcError("the LMS did not say who signed in (no preferred_username claim)")
    user_id = claims.get("user_id")
    return LmsIdentity(
        username=username,
        user_id=str(user_id) if user_id not in (None, "") else None,
        administrator=_truthy(claims.get("administrator")) or _truthy(claims.get("superuser")),
        claims=claims,
    )


class LmsSignIn:
    """The OAuth2 / OIDC client of one installation (None of it runs unless client_id is set)."""

    def __init__(self, settings: Settings, signing_key: str) -> None:
        oidc = settings.serve.oidc
        self.settings = settings
        self.client_id = oidc.client_id or ""
        self.client_secret = oidc.client_secret.get_secret_value() if oidc.client_secret else None
        self.base = (oidc.base_url or settings.site.lms_root_url).rstrip("/")
        self.issuer = oidc.issuer or f"{self.base}/oauth2"
        self.scope = " ".join(oidc.scopes)
        self.userinfo_url = oidc.userinfo_url or f"{self.base}{USERINFO_PATH}"
        self.jwks_url = oidc.jwks_url
        self.redirect_url = oidc.redirect_url
        self._flow = URLSafeTimedSerializer(signing_key, salt="learnlake.oidc")

    @property
    def enabled(self) -> bool:
        """Whether LMS sign-in is configured."""
        return bool(self.client_id)

    def _client(self, redirect_uri: str, state: str | None = None) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            scope=self.scope,
            redirect_uri=redirect_uri,
            state=state,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_post" if self.client_secret else "none",
            timeout=TIMEOUT_S,
        )

    def start(self, redirect_uri: str, next_path: str) -> tuple[str, str]:
        """The LMS authorize URL to send the browser to, and the flow cookie to set."""
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(
                self.base + AUTHORIZE_PATH, state=state, nonce=nonce, code_verifier=verifier
            )
        cookie = self._flow.dumps({"s": state, "n": nonce, "v": verifier, "next": next_path})
        return url, cookie

    def finish(
        self, callback_url: str, params: dict[str, str], flow_cookie: str | None
    ) -> tuple[LmsIdentity, str]:
        """Check the callback against the flow cookie, exchange the code, read and check the claims."""
        if "error" in params:
            raise OidcError(
                f"the LMS refused the sign-in: {params.get('error_description') or params['error']}"
            )
        try:
            flow = self._flow.loads(flow_cookie or "", max_age=FLOW_MAX_AGE_S)
        except BadSignature:
            raise OidcError("the sign-in expired or did not start here; try again") from None
        state = params.get("state", "")
        if not isinstance(flow, dict) or not secrets.compare_digest(str(flow.get("s", "")), state):
            raise OidcError("the sign-in answer does not match the request (state); try again")
        if not params.get("code"):
            raise OidcError("the LMS sent no authorization code")
        redirect_uri = callback_url.split("?", 1)[0]
        try:
            with self._client(redirect_uri, state=str(flow["s"])) as client:
                token = client.fetch_token(
                    self.base + TOKEN_PATH,
                    authorization_response=callback_url,
                    code_verifier=str(flow["v"]),
                    token_type="jwt",  # Open edX: a JWT access token carrying the user's claims
                )
                claims: dict[str, Any] = {}
                if token.get("id_token") and self.jwks_url:
                    claims.update(self._id_token_claims(str(token["id_token"]), str(flow["n"])))
                info = client.get(self.userinfo_url)
                if info.status_code == 200:
                    userinfo = info.json()
                    if claims.get("sub") and userinfo.get("sub") not in (None, claims["sub"]):
                        raise OidcError("the LMS user info is about another user than the ID token")
                    claims = {**userinfo, **claims}
                elif not claims:
                    raise OidcError(f"the LMS user info endpoint answered HTTP {info.status_code}")
        except (AuthlibBaseError, httpx.HTTPError, ValueError) as exc:
            log.warning("LMS sign-in failed: %s", exc)
            raise OidcError(f"the LMS sign-in failed: {type(exc).__name__}") from None
        return identity_from_claims(claims), str(flow.get("next") or "/")

    def _id_token_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The verified claims of an ID token: the LMS's signature, issuer, audience and our nonce."""
        assert self.jwks_url is not None
        keys = KeySet.import_key_set(httpx.get(self.jwks_url, timeout=TIMEOUT_S).raise_for_status().json())
        try:
            token = jwt.decode(id_token, keys, algorithms=["RS256", "RS512", "ES256", "PS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                nonce={"essential": True, "value": nonce},
                exp={"essential": True},
                leeway=60,
            ).validate(token.claims)
        except JoseError as exc:
            raise OidcError(f"the LMS ID token is not valid: {exc.error}") from None
        return dict(token.claims)

    def access_roles(self, identity: LmsIdentity) -> list[dict[str, Any]]:
        """The user's course access roles from the extracted LMS table (none when not extracted)."""
        if identity.user_id is None:
            return []
        from learnlake.lake.layout import partition_path
        from learnlake.lake.storage import LakeStorage
        from learnlake.xapi.lake_lookups import read_lake_table

        storage = LakeStorage(self.settings.lake_root, self.settings.lake.s3)
        folder = partition_path(self.settings.lake.prefix, ACCESS_ROLES_TABLE, self.settings.site.host, None)
        table = read_lake_table(storage, folder, ["user_id", "org", "course_id", "role"])
        if table is None or "user_id" not in table.column_names or "role" not in table.column_names:
            return []
        return [r for r in table.to_pylist() if str(r.get("user_id")) == identity.user_id]

    def actor_id(self, identity: LmsIdentity) -> str | None:
        """The learner's xAPI actor id: the LMS external id, else learnlake's assignment."""
        from learnlake.xapi.lake_lookups import lookups_from_settings

        try:
            lookups = lookups_from_settings(self.settings)
        except Exception as exc:  # mbox actors without pii and the like: no learner mapping
            log.warning("no actor id for %s: %s", identity.username, exc)
            return None
        return lookups.external_id(identity.user_id or identity.username)

    def grant(self, identity: LmsIdentity) -> LmsGrant:
        """The learnlake role of a signed-in LMS user."""
        if identity.administrator:
            return LmsGrant("operator")
        rows = self.access_roles(identity)
        actor = (
            None if any(str(r.get("role")) in COURSE_STAFF_ROLES for r in rows) else self.actor_id(identity)
        )
        return map_roles(identity, rows, actor)


def lms_user_name(identity: LmsIdentity) -> str:
    """The user-store name of an LMS user (never the name of a local user)."""
    return LMS_USER_PREFIX + identity.username
