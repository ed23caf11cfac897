"""Discussion forum events (server, from the discussions REST API the MFE calls).

Threads ("Post"), responses ("Response") and comments ("Comment"): created, edited, deleted,
voted, reported, unreported, and thread views. Payload keys follow what the LMS emits for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnlake.synth.events.common import Event, Who, course_context, server_event

CONTENT_TYPES = {"thread": "Post", "response": "Response", "comment": "Comment"}
_ROLES = ["Student"]


@dataclass(slots=True)
class Post:
    """One piece of forum content."""

    kind: str  # "thread", "response" or "comment"
    id: str  # 24 hex, like a MongoDB ObjectId
    author: str  # username
    commentable_id: str  # discussion topic id
    body: str
    url: str  # the MFE page showing it
    title: str = ""  # threads only
    thread_type: str = "discussion"  # threads only: "discussion" or "question"
    thread_id: str = ""  # responses and comments: the thread
    response_id: str = ""  # comments: the response


def _path(post: Post, item: bool = True) -> str:
    base = "/api/discussion/v1/threads/" if post.kind == "thread" else "/api/discussion/v1/comments/"
    return f"{base}{post.id}/" if item else base


def _emit(who: Who, name: str, t: str, data: dict[str, Any], path: str, post: Post) -> Event:
    data["id"] = post.id
    data["url"] = post.url
    data["user_forums_roles"] = _ROLES
    data["user_course_roles"] = []
    return server_event(who, name, t, data, course_context(who, path), post.url)


def created(who: Who, t: str, post: Post) -> Event:
    """`who` posted a thread, a response or a comment."""
    data: dict[str, Any]
    if post.kind == "thread":
        data = {
            "commentable_id": post.commentable_id,
            "group_id": None,
            "thread_type": post.thread_type,
            "anonymous": False,
            "anonymous_to_peers": False,
            "options": {"followed": True},
            "from_mfe_sidebar": False,
            "title_truncated": False,
            "title": post.title,
            "truncated": False,
            "body": post.body,
        }
    else:
        data = {"discussion": {"id": post.thread_id}}
        if post.kind == "comment":
            data["response"] = {"id": post.response_id}
        data.update(
            {
                "commentable_id": post.commentable_id,
                "options": {"followed": False},
                "from_mfe_sidebar": False,
                "truncated": False,
                "body": post.body,
            }
        )
    return _emit(who, f"edx.forum.{post.kind}.created", t, data, _path(post, item=False), post)


def edited(who: Who, t: str, post: Post) -> Event:
    """`who` edited content (their own, or as a moderator)."""
    data = {
        "target_username": post.author,
        "content_type": CONTENT_TYPES[post.kind],
        "own_content": post.author == who.username,
        "edit_reason": None,
        "commentable_id": post.commentable_id,
    }
    return _emit(who, f"edx.forum.{post.kind}.edited", t, data, _path(post), post)


def deleted(who: Who, t: str, post: Post) -> Event:
    """`who` deleted content."""
    data: dict[str, Any] = {"body": post.body}
    if post.kind == "thread":
        data.update(
            {
                "content_type": "Post",
                "own_content": post.author == who.username,
                "commentable_id": post.commentable_id,
                "target_username": post.author,
                "title_truncated": False,
                "title": post.title,
            }
        )
    else:
        data.update(
            {
                "commentable_id": post.commentable_id,
                "content_type": CONTENT_TYPES[post.kind],
                "own_content": post.author == who.username,
                "target_username": post.author,
            }
        )
    return _emit(who, f"edx.forum.{post.kind}.deleted", t, data, _path(post), post)


def viewed(who: Who, t: str, post: Post) -> Event:
    """`who` opened a thread."""
    data = {
        "commentable_id": post.commentable_id,
        "from_mfe_sidebar": False,
        "target_username": post.author,
        "title_truncated": False,
        "title": post.title,
    }
    return _emit(who, "edx.forum.thread.viewed", t, data, "/api/discussion/v1/comments/", post)


def voted(who: Who, t: str, post: Post, undo: bool = False) -> Event:
    """`who` up-voted a thread or a response (or took the vote back)."""
    data = {
        "commentable_id": post.commentable_id,
        "target_username": post.author,
        "undo_vote": undo,
        "vote_value": "up",
    }
    return _emit(who, f"edx.forum.{post.kind}.voted", t, data, _path(post), post)


def _report_data(post: Post, cleared: bool | None) -> dict[str, Any]:
    data: dict[str, Any] = {"body": post.body, "truncated": False}
    if post.kind == "thread":
        data["content_type"] = "Post"
        data["commentable_id"] = post.commentable_id
        if cleared is not None:
            data["reported_status_cleared"] = cleared
        data.update(
            {
                "thread_type": post.thread_type,
                "group_id": None,
                "target_username": post.author,
                "title_truncated": False,
                "title": post.title,
            }
        )
    else:
        data["commentable_id"] = post.commentable_id
        data["content_type"] = CONTENT_TYPES[post.kind]
        if cleared is not None:
            data["reported_status_cleared"] = cleared
        data["target_username"] = post.author
    return data


def reported(who: Who, t: str, post: Post) -> Event:
    """`who` flagged content as abusive."""
    data = _report_data(post, None)
    return _emit(who, f"edx.forum.{post.kind}.reported", t, data, _path(post), post)


def unreported(who: Who, t: str, post: Post) -> Event:
    """`who` removed their flag (the report status is cleared)."""
    data = _report_data(post, True)
    return _emit(who, f"edx.forum.{post.kind}.unreported", t, data, _path(post), post)
