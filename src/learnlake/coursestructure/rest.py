"""Course structure from the LMS Course Blocks REST API, authenticated with OAuth2 client credentials.

For sites where learnlake may not read MongoDB: an OAuth2 application (client credentials grant,
`/oauth2/access_token`) of a staff service user reads `/api/courses/v2/blocks/` with `all_blocks`
and `depth=all`, and `/api/courses/v1/courses/` for the course list and the course dates. The
blocks become the same neutral tree as OLX and modulestore, so the rows are the same. The API does
not expose problem XML: a problem without an explicit weight has no `weight` in course_structures.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
from opaque_keys.edx.keys import UsageKey

from learnlake.coursestructure.builder import (
    COURSE_DATA_KEYS,
    CourseInfo,
    CourseStructure,
    Node,
    build_structure,
)
from learnlake.synth.olx import DEFAULT_NAMES, parse_olx_time

REQUESTED_FIELDS = "children,display_name,type,graded,format,weight"


class RestError(RuntimeError):
    """The LMS answered with an error (message includes the status and the start of the body)."""


class CourseBlocksClient:
    """A small client of the LMS APIs learnlake reads; the token is fetched once and renewed on expiry."""

    def __init__(
        self, base_url: str, client_id: str, client_secret: str, timeout_s: float = 30.0, page_size: int = 100
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.page_size = page_size
        self.http = httpx.Client(timeout=timeout_s, follow_redirects=True)
        self._token: tuple[str, float] | None = None

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def token(self) -> str:
        """An `Authorization` header value from the client-credentials grant."""
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        response = self.http.post(
            f"{self.base_url}/oauth2/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        doc = _json(response, "token endpoint")
        if "access_token" not in doc:
            raise RestError(f"token endpoint: no access_token in the answer ({sorted(doc)})")
        value = f"{doc.get('token_type') or 'Bearer'} {doc['access_token']}"
        lifetime = float(doc.get("expires_in") or 300)
        self._token = (value, time.monotonic() + max(lifetime - 30, 1))
        return value

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET an API path (or a full URL) with the bearer token; JSON answer."""
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        response = self.http.get(url, params=params, headers={"Authorization": self.token()})
        return _json(response, path)

    def course_ids(self) -> list[str]:
        """Every course the API lists, following its pagination."""
        out: list[str] = []
        page: Any = self.get("/api/courses/v1/courses/", {"page_size": self.page_size})
        while True:
            out.extend(str(c.get("course_id") or c["id"]) for c in page.get("results", []))
            following = (page.get("pagination") or {}).get("next")
            if not following:
                return out
            page = self.get(str(following))

    def course(self, course_id: str) -> dict[str, Any]:
        """The course detail (name, dates, pacing)."""
        return dict(self.get(f"/api/courses/v1/courses/{course_id}/"))

    def blocks(self, course_id: str) -> dict[str, Any]:
        """Every block of the course (`root` and `blocks` by usage key)."""
        return dict(
            self.get(
                "/api/courses/v2/blocks/",
                {
                    "course_id": course_id,
                    "all_blocks": "true",
                    "depth": "all",
                    "requested_fields": REQUESTED_FIELDS,
                    "return_type": "dict",
                },
            )
        )


def read_rest_courses(
    client: CourseBlocksClient, course_ids: Iterable[str]
) -> Iterator[tuple[str, CourseStructure | Exception]]:
    """Each course's structure, or the error that prevented reading it (the others still load)."""
    for course_id in course_ids:
        try:
            yield course_id, structure_from_blocks(client.blocks(course_id), client.course(course_id))
        except Exception as exc:  # one failing course must not stop the others
            yield course_id, exc


def structure_from_blocks(blocks_doc: dict[str, Any], course_doc: dict[str, Any]) -> CourseStructure:
    """Build one course's tables from a Course Blocks API answer and the course detail."""
    blocks: dict[str, dict[str, Any]] = blocks_doc.get("blocks") or {}
    root_id = blocks_doc.get("root")
    if not root_id or root_id not in blocks:
        raise ValueError("Course Blocks API answer without its root block")

    def node(usage_id: str, seen: frozenset[str]) -> Node:
        block = blocks[usage_id]
        block_type = str(block.get("type") or UsageKey.from_string(usage_id).block_type)
        weight = block.get("weight")
        return Node(
            block_type=block_type,
            block_id=str(UsageKey.from_string(usage_id).block_id),
            display_name=block.get("display_name") or DEFAULT_NAMES.get(block_type, block_type),
            children=[
                node(child, seen | {usage_id})
                for child in block.get("children") or []
                if child in blocks and child not in seen
            ],
            graded=bool(block.get("graded", False)),
            weight=float(weight) if weight is not None else None,
        )

    root = node(str(root_id), frozenset())
    course_key = str(UsageKey.from_string(str(root_id)).course_key)
    info = CourseInfo(
        course_key=course_key,
        display_name=str(course_doc.get("name") or root.display_name),
        start=parse_olx_time(course_doc.get("start")),
        end=parse_olx_time(course_doc.get("end")),
        enrollment_start=parse_olx_time(course_doc.get("enrollment_start")),
        enrollment_end=parse_olx_time(course_doc.get("enrollment_end")),
        self_paced=course_doc.get("pacing") == "self",
        course_data={k: course_doc.get(k) for k in COURSE_DATA_KEYS},
    )
    return build_structure(info, root)


def _json(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 400:
        raise RestError(f"{what}: HTTP {response.status_code}: {response.text[:200]}")
    try:
        return response.json()
    except ValueError as exc:
        raise RestError(f"{what}: not JSON: {response.text[:200]}") from exc
