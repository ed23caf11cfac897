"""Test helper: a real local HTTP server speaking the LMS's OAuth2 token and course APIs.

It serves courses in the Course Blocks API shape (the demo course converted from its OLX export, or
a recorded API answer as is) and refuses every API call without the bearer token it issued.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from learnlake.synth.model import Block
from learnlake.synth.olx import read_olx_tarball

CLIENT_ID = "learnlake-client"
CLIENT_SECRET = "s3cret-value"
TOKEN = "tok-0123456789"


def blocks_from_olx(tarball: Path, base: str = "http://lms.test") -> tuple[dict[str, Any], dict[str, Any]]:
    """(Course Blocks API answer, course detail) of an OLX course, as the LMS would give them."""
    course = read_olx_tarball(tarball)
    blocks: dict[str, Any] = {}

    def visit(block: Block, inherited_graded: bool) -> str:
        usage = block.usage_key
        graded = block.graded if block.block_type == "sequential" else inherited_graded
        entry: dict[str, Any] = {
            "id": usage,
            "block_id": usage.rsplit("@", 1)[-1],
            "type": block.xblock_type or block.block_type,
            "display_name": block.display_name,
            "graded": graded,
            "lms_web_url": f"{base}/courses/{course.course_key}/jump_to/{usage}",
            "student_view_url": f"{base}/xblock/{usage}",
        }
        if block.assignment_type:
            entry["format"] = block.assignment_type
        if block.block_type == "problem":
            entry["weight"] = block.weight
        children = [visit(child, graded) for child in block.children]
        if children:
            entry["children"] = children
        blocks[usage] = entry
        return usage

    root = visit(course.root, False)
    detail = {
        "id": course.course_key,
        "course_id": course.course_key,
        "name": course.display_name,
        "org": course.org,
        "number": course.number,
        "start": course.start.strftime("%Y-%m-%dT%H:%M:%SZ") if course.start else None,
        "end": course.end.strftime("%Y-%m-%dT%H:%M:%SZ") if course.end else None,
        "enrollment_start": course.enrollment_start.strftime("%Y-%m-%dT%H:%M:%SZ")
        if course.enrollment_start
        else None,
        "enrollment_end": None,
        "pacing": "self" if course.self_paced else "instructor",
        "effort": None,
        "invitation_only": False,
    }
    return {"root": root, "blocks": blocks}, detail


class LmsApi:
    """Courses served by the fake LMS, and the requests it saw."""

    def __init__(self, courses: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> None:
        self.courses = courses
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, authorization)
        self.url = ""


def _handler(api: LmsApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, doc: Any) -> None:
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            api.requests.append(("POST", self.path, self.headers.get("Authorization")))
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
            if urlparse(self.path).path != "/oauth2/access_token":
                return self._send(404, {"detail": "Not found."})
            ok = (
                form.get("grant_type") == ["client_credentials"]
                and form.get("client_id") == [CLIENT_ID]
                and form.get("client_secret") == [CLIENT_SECRET]
            )
            if not ok:
                return self._send(401, {"error": "invalid_client"})
            self._send(
                200,
                {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 36000, "scope": "read write"},
            )

        def do_GET(self) -> None:
            api.requests.append(("GET", self.path, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, {"detail": "Authentication credentials were not provided."})
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/api/courses/v2/blocks/":
                course_id = (query.get("course_id") or [""])[0]
                if course_id not in api.courses:
                    return self._send(404, {"detail": f"Course {course_id} not found"})
                if query.get("all_blocks") != ["true"] or query.get("depth") != ["all"]:
                    return self._send(400, {"detail": "expected all_blocks=true&depth=all"})
                return self._send(200, api.courses[course_id][0])
            if url.path == "/api/courses/v1/courses/":
                ids = sorted(api.courses)
                page = int((query.get("page") or ["1"])[0])
                size = 1  # one course per page, so pagination is exercised
                results = [api.courses[i][1] for i in ids[(page - 1) * size : page * size]]
                following = (
                    f"{api.url}/api/courses/v1/courses/?page={page + 1}" if page * size < len(ids) else None
                )
                return self._send(
                    200, {"results": results, "pagination": {"next": following, "count": len(ids)}}
                )
            if url.path.startswith("/api/courses/v1/courses/"):
                course_id = unquote(url.path.rstrip("/").rsplit("/", 1)[-1])
                if course_id in api.courses:
                    return self._send(200, api.courses[course_id][1])
            self._send(404, {"detail": "Not found."})

    return Handler


@contextmanager
def serve_lms(courses: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> Iterator[LmsApi]:
    """Run the fake LMS on a free loopback port for the duration of the block."""
    api = LmsApi(courses)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
