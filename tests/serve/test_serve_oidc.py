"""Sign-in with the LMS: a real OAuth2 / OpenID Connect provider (authlib) speaking Open edX's paths.

The provider is a small Flask app on a free port: authlib's authorization server with the
authorization-code grant, PKCE and OpenID Connect ID tokens signed with an RSA key, plus the user
info and JWK set endpoints. The LMS user who "is signed in at the LMS" is picked per test. The
learnlake app runs in-process; every redirect is followed by hand so each step is checked.
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import RSAKey

from learnlake.config import Settings, load_settings
from learnlake.lake.layout import partition_path
from learnlake.serve.app import create_app
from learnlake.serve.auth.oidc import FLOW_COOKIE, LmsIdentity, map_roles
from learnlake.serve.auth.store import UserStore
from learnlake.serve.auth.tokens import SESSION_COOKIE

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.integrations.flask_oauth2 import AuthorizationServer
    from authlib.oauth2.rfc6749 import grants
    from authlib.oauth2.rfc7636 import CodeChallenge
    from authlib.oidc.core.grants import OpenIDCode
    from flask import Flask, jsonify, request
    from werkzeug.serving import make_server

CLIENT_ID = "learnlake-dashboards"
CLIENT_SECRET = "not-so-secret"
CALLBACK = "http://testserver/login/lms/callback"
COURSE_X = "course-v1:OrgX+CS1+2026"
EXTERNAL_ID_OF_DAVE = "5b3ef0a6-6a43-4e55-9a52-0d4c7e3a9a11"
LMS_USERS = {  # username → (user id, administrator)
    "admin": (1, True),
    "bob": (2, False),  # course staff of COURSE_X
    "carol": (3, False),  # org-wide staff of OrgY
    "dave": (4, False),  # a learner
}


@dataclass
class LmsUser:
    """The provider's user object."""

    username: str
    user_id: int
    administrator: bool

    def get_user_id(self) -> int:
        return self.user_id


@dataclass
class Client:
    """learnlake's registration in the LMS (a confidential client)."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    redirect_uris: tuple[str, ...] = (CALLBACK,)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_post"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    """A stored authorization code."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: LmsUser
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class Provider:
    """The fake LMS: authlib's authorization server on a free loopback port."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "lms-1", "use": "sig", "alg": "RS256"})
        self.signed_in = "dave"  # who is signed in at the LMS
        self.forge_nonce = False  # the next ID token carries another nonce (a replayed token)
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, LmsUser] = {}
        self.token_requests: list[dict[str, str]] = []
        self.app = self._build()
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def user(self, name: str) -> LmsUser:
        user_id, admin = LMS_USERS[name]
        return LmsUser(name, user_id, admin)

    def _build(self) -> Flask:
        app = Flask("fake-lms")
        provider = self

        class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_post",)

            def save_authorization_code(self, code: str, req: Any) -> None:
                nonce = req.payload.data.get("nonce")
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope,
                    user=req.user,
                    nonce="forged-" + nonce if provider.forge_nonce and nonce else nonce,
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> LmsUser:
                return authorization_code.user

        class LmsOpenIDCode(OpenIDCode):
            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.key

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                return {"iss": provider.url + "/oauth2", "aud": [client.client_id]}

            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def generate_user_info(self, user: LmsUser, scope: str) -> dict[str, Any]:
                return provider.claims(user)

        def save_token(token: dict[str, Any], req: Any) -> None:
            provider.tokens[token["access_token"]] = req.user

        server = AuthorizationServer(
            app, query_client=lambda cid: Client() if cid == CLIENT_ID else None, save_token=save_token
        )
        server.register_grant(
            AuthorizationCodeGrant, [CodeChallenge(required=True), LmsOpenIDCode(require_nonce=True)]
        )

        @app.get("/oauth2/authorize")
        def authorize() -> Any:  # the user is signed in at the LMS and consents
            return server.create_authorization_response(grant_user=provider.user(provider.signed_in))

        @app.post("/oauth2/access_token")
        def access_token() -> Any:
            provider.token_requests.append(dict(request.form))
            return server.create_token_response()

        @app.get("/oauth2/user_info")
        def user_info() -> Any:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            user = provider.tokens.get(token) if scheme.lower() == "bearer" else None
            if user is None:
                return jsonify({"error": "invalid_token"}), 401
            return jsonify(provider.claims(user))

        @app.get("/oauth2/jwks.json")
        def jwks() -> Any:
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        return app

    def claims(self, user: LmsUser) -> dict[str, Any]:
        """Open edX's claims about a user (what its JWTs and user info carry)."""
        return {
            "sub": f"anon-{user.user_id}",
            "preferred_username": user.username,
            "user_id": user.user_id,
            "email": f"{user.username}@lms.test",
            "administrator": user.administrator,
            "superuser": False,
            "roles": [],
        }


@pytest.fixture(scope="module")
def lms() -> Iterator[Provider]:
    provider = Provider()
    provider.thread.start()
    try:
        yield provider
    finally:
        provider.server.shutdown()


def _write_lake_table(settings: Settings, table: str, rows: list[dict[str, Any]]) -> None:
    """An LMS table as `learnlake extract` leaves it in the lake."""
    rel = partition_path(settings.lake.prefix, table, settings.site.host, None)
    folder = Path(settings.lake_root) / rel
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")


@pytest.fixture
def app_client(tmp_path: Path, lms: Provider) -> Iterator[TestClient]:
    """A learnlake install whose LMS is the provider, with the LMS tables an extract would bring."""
    (tmp_path / "learnlake.yaml").write_text(
        f"""\
data_dir: data
site:
  lms_root_url: "https://lms.test"
serve:
  oidc:
    client_id: {CLIENT_ID}
    client_secret: {CLIENT_SECRET}
    base_url: "{lms.url}"
    jwks_url: "{lms.url}/oauth2/jwks.json"
""",
        encoding="utf-8",
    )
    settings = load_settings(tmp_path / "learnlake.yaml")
    _write_lake_table(
        settings,
        "student_courseaccessrole",
        [
            {"id": 1, "org": "OrgX", "course_id": COURSE_X, "role": "staff", "user_id": 2},
            {"id": 2, "org": "OrgY", "course_id": "", "role": "instructor", "user_id": 3},
            {"id": 3, "org": "OrgX", "course_id": COURSE_X, "role": "beta_testers", "user_id": 4},
        ],
    )
    _write_lake_table(settings, "external_user_ids_externalidtype", [{"id": 1, "name": "xapi"}])
    _write_lake_table(
        settings,
        "external_user_ids_externalid",
        [{"id": 1, "external_user_id": EXTERNAL_ID_OF_DAVE, "external_id_type_id": 1, "user_id": 4}],
    )
    UserStore(settings.data_dir).add("op", "operator", "pw")  # a local user: no local-operator mode
    with TestClient(create_app(settings), client=("127.0.0.1", 40100)) as client:
        yield client


def _store(client: TestClient) -> UserStore:
    store: UserStore = client.app.state.ctx.users  # type: ignore[attr-defined]
    return store


def _sign_in(client: TestClient, lms: Provider, user: str, next_path: str = "/dashboards/course") -> Any:
    """The whole browser dance: learnlake → LMS authorize → learnlake callback."""
    lms.signed_in = user
    start = client.get("/login/lms", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303
    authorize = urlparse(start.headers["location"])
    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == lms.url + "/oauth2/authorize"
    query = parse_qs(authorize.query)
    assert query["client_id"] == [CLIENT_ID] and query["redirect_uri"] == [CALLBACK]
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["state"][0] and query["nonce"][0] and "openid" in query["scope"][0].split()
    import httpx

    back = httpx.get(start.headers["location"], follow_redirects=False)  # the browser at the LMS
    assert back.status_code == 302, back.text
    callback = urlparse(back.headers["location"])
    assert callback.path == "/login/lms/callback"
    return client.get(f"{callback.path}?{callback.query}", follow_redirects=False)


@pytest.mark.parametrize(
    ("user", "role", "orgs", "courses", "actor"),
    [
        ("admin", "operator", [], [], None),
        ("bob", "course_staff", [], [COURSE_X], None),
        ("carol", "org_staff", ["OrgY"], [], None),
        ("dave", "learner", [], [], EXTERNAL_ID_OF_DAVE),
    ],
)
def test_sign_in_with_the_lms_maps_roles(
    app_client: TestClient,
    lms: Provider,
    user: str,
    role: str,
    orgs: list[str],
    courses: list[str],
    actor: str | None,
) -> None:
    done = _sign_in(app_client, lms, user)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/dashboards/course"
    assert SESSION_COOKIE in done.cookies
    stored = _store(app_client).get(f"lms+{user}")
    assert stored is not None
    assert (stored.role, stored.orgs, stored.courses, stored.actor_id, stored.source) == (
        role,
        orgs,
        courses,
        actor,
        "lms",
    )
    # the session works like a password sign-in: the API answers as that role
    listed = {d["id"] for d in app_client.get("/api/v1/dashboards").json()}
    assert ("operator" in listed) == (role == "operator")
    assert ("me" in listed) == (role == "learner")
    # the code was exchanged with PKCE and Open edX's JWT token type
    exchange = lms.token_requests[-1]
    assert exchange["grant_type"] == "authorization_code" and exchange["code_verifier"]
    assert exchange["token_type"] == "jwt"


def test_roles_follow_the_lms_at_each_sign_in(app_client: TestClient, lms: Provider) -> None:
    store = _store(app_client)
    assert _sign_in(app_client, lms, "dave").status_code == 303
    store.grant("lms+dave", pii=True)  # an operator's grant survives the next sign-in
    LMS_USERS["dave"] = (4, True)  # dave became LMS staff
    try:
        assert _sign_in(app_client, lms, "dave").status_code == 303
    finally:
        LMS_USERS["dave"] = (4, False)
    dave = store.get("lms+dave")
    assert dave is not None and dave.role == "operator" and dave.pii


def test_forged_state_is_rejected(app_client: TestClient, lms: Provider) -> None:
    lms.signed_in = "admin"
    start = app_client.get("/login/lms", follow_redirects=False)
    import httpx

    back = httpx.get(start.headers["location"], follow_redirects=False)
    query = parse_qs(urlparse(back.headers["location"]).query)
    forged = app_client.get(
        "/login/lms/callback",
        params={"code": query["code"][0], "state": "forged-" + query["state"][0]},
        follow_redirects=False,
    )
    assert forged.status_code == 401 and "state" in forged.text
    assert SESSION_COOKIE not in forged.cookies
    # a callback without the flow cookie (started elsewhere: login CSRF) is refused too
    app_client.cookies.delete(FLOW_COOKIE, path="/login/lms")
    stray = app_client.get(
        "/login/lms/callback", params={"code": query["code"][0], "state": query["state"][0]}
    )
    assert stray.status_code == 401 and "did not start here" in stray.text
    assert app_client.get("/api/v1/dashboards").status_code == 401
    assert _store(app_client).get("lms+admin") is None


def test_id_token_with_another_nonce_is_rejected(app_client: TestClient, lms: Provider) -> None:
    lms.forge_nonce = True
    try:
        done = _sign_in(app_client, lms, "admin")
    finally:
        lms.forge_nonce = False
    assert done.status_code == 401 and "ID token is not valid" in done.text
    assert app_client.get("/api/v1/dashboards").status_code == 401


def test_lms_error_and_unconfigured(app_client: TestClient, tmp_path: Path) -> None:
    denied = app_client.get("/login/lms/callback", params={"error": "access_denied"})
    assert denied.status_code == 401 and "access_denied" in denied.text
    page = app_client.get("/login")
    assert 'id="lms-sign-in"' in page.text
    (tmp_path / "plain.yaml").write_text("data_dir: plain\n", encoding="utf-8")
    plain = TestClient(create_app(load_settings(tmp_path / "plain.yaml")))
    assert plain.get("/login/lms").status_code == 404
    assert 'id="lms-sign-in"' not in plain.get("/login").text


def test_role_mapping_rules() -> None:
    who = LmsIdentity("x", "9", False, {})
    rows = [
        {"org": "A", "course_id": "course-v1:A+1+1", "role": "instructor"},
        {"org": "B", "course_id": None, "role": "staff"},
        {"org": "C", "course_id": "course-v1:C+1+1", "role": "beta_testers"},
    ]
    assert map_roles(who, rows, None).role == "org_staff"  # org-wide roles win
    assert map_roles(who, rows[:1], None).courses == ("course-v1:A+1+1",)
    assert map_roles(who, rows[2:], "actor-9").role == "learner"
    assert map_roles(LmsIdentity("x", "9", True, {}), rows, None).role == "operator"
