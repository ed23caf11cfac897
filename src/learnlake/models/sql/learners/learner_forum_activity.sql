/* ---
description: >
  Beyond Aspects and Insights: each learner's discussion-forum activity in each course, from edx.forum.*
  tracking events (learner = context.user_id; course from the context, else the URL). Posts are counted
  by kind (threads, responses, comments created), plus edits, deletions, thread views, searches, net votes
  given (+1 per vote, -1 per undone vote), distinct topics posted in, active days and the first and last
  forum event.
grain: one row per (course_id, user_id) with any forum event
materialization: table
columns:
  - {name: course_id, type: VARCHAR, description: "Course key"}
  - {name: user_id, type: BIGINT, description: "LMS user id"}
  - {name: threads_created, type: BIGINT, description: "edx.forum.thread.created"}
  - {name: responses_created, type: BIGINT, description: "edx.forum.response.created"}
  - {name: comments_created, type: BIGINT, description: "edx.forum.comment.created"}
  - {name: posts_edited, type: BIGINT, description: "edx.forum.*.edited"}
  - {name: posts_deleted, type: BIGINT, description: "edx.forum.*.deleted"}
  - {name: threads_viewed, type: BIGINT, description: "edx.forum.thread.viewed"}
  - {name: searches, type: BIGINT, description: "edx.forum.searched"}
  - {name: votes_given, type: BIGINT, description: "Votes given, undone votes subtracted"}
  - {name: topics_posted_in, type: BIGINT, description: "Distinct discussion topics (commentable_id) posted in"}
  - {name: active_days, type: BIGINT, description: "Distinct days with a forum event"}
  - {name: first_activity_time, type: TIMESTAMP, description: "First forum event"}
  - {name: last_activity_time, type: TIMESTAMP, description: "Latest forum event"}
--- */
WITH forum AS (
    SELECT
        coalesce(e.context_course_id, CASE WHEN NOT e.context_course_invalid THEN e.url_course_id END) AS course_id,
        e.user_id AS user_id,
        e.event_type AS event_type,
        e."time" AS "time",
        e.event_date AS event_date,
        e.p_commentable_id AS p_commentable_id,
        e.p_undo_vote AS p_undo_vote
    FROM insights_events AS e
    WHERE starts_with(e.event_type, 'edx.forum.') AND e.user_id IS NOT NULL AND e.user_id <> 0
)
SELECT
    course_id,
    user_id,
    sum(CASE WHEN event_type = 'edx.forum.thread.created' THEN 1 ELSE 0 END) AS threads_created,
    sum(CASE WHEN event_type = 'edx.forum.response.created' THEN 1 ELSE 0 END) AS responses_created,
    sum(CASE WHEN event_type = 'edx.forum.comment.created' THEN 1 ELSE 0 END) AS comments_created,
    sum(CASE WHEN ends_with(event_type, '.edited') THEN 1 ELSE 0 END) AS posts_edited,
    sum(CASE WHEN ends_with(event_type, '.deleted') THEN 1 ELSE 0 END) AS posts_deleted,
    sum(CASE WHEN event_type = 'edx.forum.thread.viewed' THEN 1 ELSE 0 END) AS threads_viewed,
    sum(CASE WHEN event_type = 'edx.forum.searched' THEN 1 ELSE 0 END) AS searches,
    sum(CASE WHEN ends_with(event_type, '.voted') THEN CASE WHEN p_undo_vote THEN -1 ELSE 1 END ELSE 0 END)
        AS votes_given,
    count(DISTINCT CASE WHEN ends_with(event_type, '.created') THEN p_commentable_id END) AS topics_posted_in,
    count(DISTINCT event_date) AS active_days,
    min("time") AS first_activity_time,
    max("time") AS last_activity_time
FROM forum
WHERE course_id IS NOT NULL
GROUP BY course_id, user_id
