"""Insights' video report: per-video summary and how viewers move along each video's timeline.

Reads the `video` and `video_timeline` models (5-second segments). The timeline charts show the
most watched video in scope, or the one named by the `block` URL parameter (its usage key). Video
names come from course_blocks. These models cover the whole reporting interval: no date filter.
"""

from __future__ import annotations

from learnlake.serve.auth.scope import Columns
from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.dashboards.insights_common import (
    FILTERS,
    ROLES,
    model_columns,
    model_query,
    usage_key,
)
from learnlake.serve.i18n import N_

VIDEOS = model_columns(time=None, block=usage_key("course_id", "video", "encoded_module_id"))
TIMELINE = model_columns(time=None, block=usage_key("course_id", "video", "video_id"))
BLOCKS = Columns(actor=None, time=None, block="location")

LABELS = {
    "course_id": N_("Course"),
    "video": N_("Video"),
    "duration": N_("Duration (s)"),
    "users_at_start": N_("Learners who started"),
    "users_at_end": N_("Learners who reached the end"),
    "completion_pct": N_("% reaching the end"),
    "total_viewed_seconds": N_("Seconds watched"),
    "position_s": N_("Position in the video (s)"),
    "viewers": N_("Viewers"),
    "replays": N_("Replays"),
}

# video names: course_blocks' display name, keyed by the block hash the video events log
_NAMES = (
    "names AS (SELECT course_key, split_part(location, '@', 3) AS block_hash, "
    "any_value(display_name_with_location) AS name FROM course_blocks "
    "WHERE {blocks} AND block_type = 'video' GROUP BY 1, 2)"
)
_TIMELINE = (
    "t AS (SELECT split_part(pipeline_video_id, '|', 1) AS course_id, "
    "split_part(pipeline_video_id, '|', 2) AS video_id, segment, num_users, num_views FROM video_timeline), "
    "s AS (SELECT * FROM t WHERE {where})"
)

CHARTS = (
    Chart(
        "videos",
        N_("Videos: viewers and completion"),
        "table",
        model_query(
            f"WITH v AS (SELECT * FROM video WHERE {{where}}), {_NAMES} "
            "SELECT v.course_id, coalesce(n.name, v.encoded_module_id) AS video, v.duration, "
            "v.users_at_start, v.users_at_end, "
            "round(100.0 * v.users_at_end / nullif(v.users_at_start, 0), 1) AS completion_pct, "
            "v.total_viewed_seconds FROM v "
            "LEFT JOIN names n ON n.course_key = v.course_id AND n.block_hash = v.encoded_module_id "
            "ORDER BY v.users_at_start DESC, video, v.encoded_module_id",
            {"where": VIDEOS, "blocks": BLOCKS},
        ),
        y=("users_at_start",),
        width=2,
    ),
    Chart(
        "video_completion",
        N_("Learners who started and finished each video"),
        "bar",
        model_query(
            f"WITH v AS (SELECT * FROM video WHERE {{where}}), {_NAMES} "
            "SELECT coalesce(n.name, v.encoded_module_id) AS video, v.users_at_start, v.users_at_end FROM v "
            "LEFT JOIN names n ON n.course_key = v.course_id AND n.block_hash = v.encoded_module_id "
            "ORDER BY v.users_at_start DESC, video, v.encoded_module_id LIMIT 15",
            {"where": VIDEOS, "blocks": BLOCKS},
        ),
        x="video",
        y=("users_at_start", "users_at_end"),
        width=2,
    ),
    Chart(
        "video_timeline",
        N_("Viewers and replays along the most watched video"),
        "area",
        model_query(
            f"WITH {_TIMELINE}, "
            "top AS (SELECT course_id, video_id FROM s GROUP BY 1, 2 "
            "ORDER BY sum(num_views) DESC, 1, 2 LIMIT 1), "
            f"{_NAMES} "
            "SELECT s.segment * 5 AS position_s, s.num_users AS viewers, "
            "s.num_views - s.num_users AS replays, coalesce(n.name, s.video_id) AS video "
            "FROM s JOIN top USING (course_id, video_id) "
            "LEFT JOIN names n ON n.course_key = s.course_id AND n.block_hash = s.video_id ORDER BY 1",
            {"where": TIMELINE, "blocks": BLOCKS},
        ),
        x="position_s",
        y=("viewers", "replays"),
    ),
    Chart(
        "video_timelines_top",
        N_("Viewers along the five most watched videos"),
        "line",
        model_query(
            f"WITH {_TIMELINE}, "
            "top AS (SELECT course_id, video_id FROM s GROUP BY 1, 2 "
            "ORDER BY sum(num_views) DESC, 1, 2 LIMIT 5), "
            f"{_NAMES} "
            "SELECT s.segment * 5 AS position_s, coalesce(n.name, s.video_id) AS video, "
            "s.num_users AS viewers FROM s JOIN top USING (course_id, video_id) "
            "LEFT JOIN names n ON n.course_key = s.course_id AND n.block_hash = s.video_id ORDER BY 1, 2",
            {"where": TIMELINE, "blocks": BLOCKS},
        ),
        x="position_s",
        y=("viewers",),
        series="video",
    ),
)

INSIGHTS_VIDEO = register(
    Dashboard(
        "insights_video",
        N_("Insights: videos"),
        labelled(CHARTS, LABELS),
        roles=ROLES,
        filters=tuple(f for f in FILTERS if f not in ("start", "end", "grain")),
        description=N_("How far learners watch each video, and where they replay or drop off."),
    )
)
