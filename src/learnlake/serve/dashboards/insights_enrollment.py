"""Insights' enrollment report: enrollment over time, by mode and demographics, and per-course summaries.

Reads the Insights enrollment models (course_enrollment_*_daily, course_meta_summary_enrollment,
course_enrollment_summary). Daily counts are levels (learners enrolled at the end of a day), so
a coarser time grain shows the level on the last day of each period, never a sum of days. The
birth-year and education models hold the report's last day only: those charts ignore the dates.
"""

from __future__ import annotations

from learnlake.serve.dashboards.framework import Chart, Dashboard, labelled, register
from learnlake.serve.dashboards.insights_common import FILTERS, ROLES, model_columns, model_query
from learnlake.serve.i18n import N_

DAILY = model_columns(time='"date"')
LAST_DAY_ONLY = model_columns(time=None)  # models holding the report's last day only
SUMMARY = model_columns(time="first_enrollment_time")

LABELS = {
    "learners": N_("Learners"),
    "period": N_("Period"),
    "enrolled": N_("Enrolled"),
    "ever_enrolled": N_("Ever enrolled"),
    "change_7d": N_("Change over the last 7 days"),
    "enrollment_mode": N_("Enrollment track"),
    "gender": N_("Gender"),
    "birth_year": N_("Year of birth"),
    "education_level": N_("Education level"),
    "median_age": N_("Median age"),
    "age_25_or_under": N_("25 or under"),
    "age_26_to_40": N_("26 to 40"),
    "age_41_or_over": N_("41 or over"),
    "age_unknown": N_("Age unknown"),
    "course_id": N_("Course"),
    "cumulative_count": N_("In this track (enrolled or not)"),
    "count_change_7_days": N_("Change over the last 7 days"),
    "passing_users": N_("Passing learners"),
    "unenrolled": N_("Unenrolled"),
    "upgraded_to_verified": N_("Upgraded to verified"),
    "first_enrollment": N_("First enrollment"),
    "last_enrollment": N_("Last enrollment"),
}

# the level on the last day of each period of the grain, per series column (if any)
_LEVEL_PER_PERIOD = (
    'WITH d AS (SELECT "date", {series} AS series, sum("count")::BIGINT AS enrolled FROM {table} '
    "WHERE {{where}} GROUP BY 1, 2), "
    'p AS (SELECT CAST(date_trunc($grain, "date") AS DATE) AS period, max("date") AS last_day '
    "FROM d GROUP BY 1), "
    "s AS (SELECT DISTINCT series FROM d) "  # every series on every period: stacked areas stay aligned
    "SELECT p.period, s.series AS {alias}, coalesce(d.enrolled, 0)::BIGINT AS enrolled FROM p CROSS JOIN s "
    'LEFT JOIN d ON d."date" = p.last_day AND d.series = s.series ORDER BY 1, 2'
)
# Insights' names for the profile's gender codes
GENDER = "CASE gender WHEN 'f' THEN 'female' WHEN 'm' THEN 'male' WHEN 'o' THEN 'other' ELSE 'unknown' END"
_AGE = 'year("date") - birth_year'

CHARTS = (
    Chart(
        "enrolled_now",
        N_("Enrolled learners"),
        "number",
        model_query(
            'WITH d AS (SELECT "date", sum("count")::BIGINT AS n FROM course_enrollment_daily '
            "WHERE {where} GROUP BY 1) "
            'SELECT coalesce(sum(n) FILTER (WHERE "date" = (SELECT max("date") FROM d)), 0)::BIGINT '
            "AS learners FROM d",
            {"where": DAILY},
        ),
        y=("learners",),
    ),
    Chart(
        "ever_enrolled",
        N_("Learners ever enrolled"),
        "number",
        model_query(
            'WITH d AS (SELECT "date", sum(cumulative_count)::BIGINT AS n FROM course_enrollment_daily '
            "WHERE {where} GROUP BY 1) "
            'SELECT coalesce(sum(n) FILTER (WHERE "date" = (SELECT max("date") FROM d)), 0)::BIGINT '
            "AS learners FROM d",
            {"where": DAILY},
        ),
        y=("learners",),
    ),
    Chart(
        "enrollment_change_7d",
        N_("Enrollment change over the last 7 days"),
        "number",
        model_query(
            'WITH d AS (SELECT "date", sum("count")::BIGINT AS n FROM course_enrollment_daily '
            "WHERE {where} GROUP BY 1), "
            'last AS (SELECT max("date") AS day FROM d) '
            'SELECT CAST(coalesce(sum(n) FILTER (WHERE "date" = last.day), 0) '
            '- coalesce(sum(n) FILTER (WHERE "date" = last.day - 7), 0) AS BIGINT) AS change_7d '
            "FROM d, last",
            {"where": DAILY},
        ),
        y=("change_7d",),
    ),
    Chart(
        "enrollment_over_time",
        N_("Enrollment over time"),
        "line",
        model_query(
            'WITH d AS (SELECT "date", sum("count")::BIGINT AS enrolled, '
            "sum(cumulative_count)::BIGINT AS ever_enrolled "
            "FROM course_enrollment_daily WHERE {where} GROUP BY 1) "
            'SELECT CAST(date_trunc($grain, "date") AS DATE) AS period, '
            'arg_max(enrolled, "date") AS enrolled, arg_max(ever_enrolled, "date") AS ever_enrolled '
            "FROM d GROUP BY 1 ORDER BY 1",
            {"where": DAILY},
        ),
        x="period",
        y=("enrolled", "ever_enrolled"),
        width=2,
    ),
    Chart(
        "enrollment_by_mode",
        N_("Enrollment by track over time"),
        "area",
        model_query(
            _LEVEL_PER_PERIOD.format(
                series="coalesce(mode, 'unknown')",
                table="course_enrollment_mode_daily",
                alias="enrollment_mode",
            ),
            {"where": DAILY},
        ),
        x="period",
        y=("enrolled",),
        series="enrollment_mode",
    ),
    Chart(
        "enrollment_by_gender_over_time",
        N_("Enrollment by gender over time"),
        "line",
        model_query(
            _LEVEL_PER_PERIOD.format(series=GENDER, table="course_enrollment_gender_daily", alias="gender"),
            {"where": DAILY},
        ),
        x="period",
        y=("enrolled",),
        series="gender",
    ),
    Chart(
        "enrollment_by_gender",
        N_("Enrolled learners by gender"),
        "pie",
        model_query(
            'WITH d AS (SELECT "date", gender, "count" FROM course_enrollment_gender_daily WHERE {where}) '
            f'SELECT {GENDER} AS gender, sum("count")::BIGINT AS learners FROM d '
            'WHERE "date" = (SELECT max("date") FROM d) GROUP BY 1 HAVING sum("count") > 0 '
            "ORDER BY 2 DESC, 1",
            {"where": DAILY},
        ),
        x="gender",
        y=("learners",),
    ),
    Chart(
        "enrollment_by_education",
        N_("Enrolled learners by education level"),
        "bar",
        model_query(
            "SELECT coalesce(education_level, 'unknown') AS education_level, "
            'sum("count")::BIGINT AS learners '
            "FROM course_enrollment_education_level_daily WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1",
            {"where": LAST_DAY_ONLY},
        ),
        x="education_level",
        y=("learners",),
    ),
    Chart(
        "enrollment_by_birth_year",
        N_("Enrolled learners by year of birth"),
        "bar",
        model_query(
            'SELECT CAST(birth_year AS VARCHAR) AS birth_year, sum("count")::BIGINT AS learners '
            "FROM course_enrollment_birth_year_daily WHERE {where} AND birth_year IS NOT NULL "
            "GROUP BY birth_year ORDER BY birth_year",
            {"where": LAST_DAY_ONLY},
        ),
        x="birth_year",
        y=("learners",),
    ),
    Chart(
        "enrollment_by_age",
        N_("Enrolled learners by age"),
        "table",
        model_query(
            f"SELECT CAST(quantile_cont({_AGE}, 0.5) AS INTEGER) AS median_age, "
            f'coalesce(sum("count") FILTER (WHERE {_AGE} <= 25), 0)::BIGINT AS age_25_or_under, '
            f'coalesce(sum("count") FILTER (WHERE {_AGE} BETWEEN 26 AND 40), 0)::BIGINT AS age_26_to_40, '
            f'coalesce(sum("count") FILTER (WHERE {_AGE} >= 41), 0)::BIGINT AS age_41_or_over, '
            'coalesce(sum("count") FILTER (WHERE birth_year IS NULL), 0)::BIGINT AS age_unknown '
            "FROM course_enrollment_birth_year_daily WHERE {where} HAVING count(*) > 0",
            {"where": LAST_DAY_ONLY},
        ),
    ),
    Chart(
        "enrollment_summary_by_mode",
        N_("Enrollment summary by course and track"),
        "table",
        model_query(
            'SELECT course_id, enrollment_mode, "count" AS enrolled, cumulative_count, count_change_7_days, '
            "passing_users FROM course_meta_summary_enrollment WHERE {where} ORDER BY course_id, "
            "enrollment_mode",
            {"where": LAST_DAY_ONLY},
        ),
        y=("enrolled",),
        width=2,
    ),
    Chart(
        "enrollment_summary_by_course",
        N_("Enrollment summary by course"),
        "table",
        model_query(
            "SELECT course_id, count(*) AS ever_enrolled, "
            "count(*) FILTER (WHERE current_enrollment_is_active) AS enrolled, "
            "count(*) FILTER (WHERE NOT current_enrollment_is_active) AS unenrolled, "
            "count(*) FILTER (WHERE first_verified_enrollment_time IS NOT NULL "
            "AND first_enrollment_mode <> 'verified') AS upgraded_to_verified, "
            "min(first_enrollment_time) AS first_enrollment, max(first_enrollment_time) AS last_enrollment "
            "FROM course_enrollment_summary WHERE {where} GROUP BY 1 ORDER BY 1",
            {"where": SUMMARY},
        ),
        y=("enrolled",),
        width=2,
    ),
)

INSIGHTS_ENROLLMENT = register(
    Dashboard(
        "insights_enrollment",
        N_("Insights: enrollment"),
        labelled(CHARTS, LABELS),
        roles=ROLES,
        filters=FILTERS,
        description=N_(
            "Enrollment trends by track and demographics (gender, age, education), as Insights reported them."
        ),
    )
)
