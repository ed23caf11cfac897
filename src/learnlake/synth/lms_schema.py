"""The Open edX LMS MySQL tables the synthetic site fills, as SQLAlchemy Core metadata.

Column names and types are those of the real LMS (Django models as migrated into MySQL: DATETIME(6),
TINYINT(1) booleans, LONGTEXT, CHAR(32) UUIDs, BIGINT ids where the LMS uses them). One definition
emits DDL for MariaDB/MySQL and for SQLite. Secondary indexes (the real unique and lookup keys) are
kept apart from CREATE TABLE so a loader can build them after the rows are in, which is much faster.

`PANORAMA_FIELDS` lists the 29 tables Panorama extracts with exactly its field lists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    CHAR,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import CreateIndex, CreateTable

metadata = MetaData()
_MY = ("mysql", "mariadb")
_TABLE_OPTIONS = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


# column types, as Django creates them on MySQL ----------------------------------------------------------


def _datetime() -> Any:
    return DateTime().with_variant(mysql.DATETIME(fsp=6), *_MY)


def _longtext() -> Any:
    return Text().with_variant(mysql.LONGTEXT(), *_MY)


def _bool() -> Any:
    return Boolean().with_variant(mysql.TINYINT(display_width=1), *_MY)


def _double() -> Any:
    return Float().with_variant(mysql.DOUBLE(), *_MY)


def _uint() -> Any:
    return Integer().with_variant(mysql.INTEGER(unsigned=True), *_MY)


def _bigid() -> Any:
    # BIGINT AUTO_INCREMENT on MySQL; INTEGER on SQLite so the key is the rowid
    return BigInteger().with_variant(Integer(), "sqlite")


def _id(big: bool = False) -> Column[Any]:
    return Column("id", _bigid() if big else Integer(), primary_key=True, autoincrement=True)


def _c(name: str, type_: Any, null: bool = False) -> Column[Any]:
    return Column(name, type_, nullable=null)


def _s(n: int) -> String:
    return String(n)


def _uuid() -> CHAR:
    return CHAR(32)  # Django's UUIDField on MySQL: 32 hex digits, no dashes


def _table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        *columns,
        mysql_engine=_TABLE_OPTIONS["mysql_engine"],
        mysql_charset=_TABLE_OPTIONS["mysql_charset"],
        mysql_collate=_TABLE_OPTIONS["mysql_collate"],
    )


def _index(table: Table, *cols: str, unique: bool = False) -> Index:
    base = f"{table.name}_{'_'.join(cols)}_{'uniq' if unique else 'idx'}"
    if len(base) > 64:  # MySQL identifier limit: keep it unique with a short digest
        base = f"{base[:55]}_{hashlib.sha1(base.encode()).hexdigest()[:8]}"
    return Index(base, *(table.c[c] for c in cols), unique=unique)


# the tables ---------------------------------------------------------------------------------------------

student_anonymoususerid = _table(
    "student_anonymoususerid",
    _id(),
    _c("anonymous_user_id", _s(32)),
    _c("course_id", _s(255)),
    _c("user_id", Integer),
)
django_site = _table("django_site", _id(), _c("domain", _s(100)), _c("name", _s(50)))
site_configuration_siteconfiguration = _table(
    "site_configuration_siteconfiguration",
    _id(),
    _c("site_id", Integer),
    _c("enabled", _bool()),
    _c("site_values", _longtext()),
)
auth_user = _table(
    "auth_user",
    _id(),
    _c("password", _s(128)),
    _c("last_login", _datetime(), null=True),
    _c("is_superuser", _bool()),
    _c("username", _s(150)),
    _c("first_name", _s(150)),
    _c("last_name", _s(150)),
    _c("email", _s(254)),
    _c("is_staff", _bool()),
    _c("is_active", _bool()),
    _c("date_joined", _datetime()),
)
student_courseenrollment = _table(
    "student_courseenrollment",
    _id(),
    _c("course_id", _s(255)),
    _c("created", _datetime(), null=True),
    _c("is_active", _bool()),
    _c("mode", _s(100)),
    _c("user_id", Integer),
)
student_courseenrollment_history = _table(
    "student_courseenrollment_history",
    _c("id", Integer),
    _c("created", _datetime(), null=True),
    _c("is_active", _bool()),
    _c("mode", _s(100)),
    Column("history_id", Integer, primary_key=True, autoincrement=True),
    _c("history_date", _datetime()),
    _c("history_change_reason", _s(100), null=True),
    _c("history_type", _s(1)),
    _c("course_id", _s(255), null=True),
    _c("history_user_id", Integer, null=True),
    _c("user_id", Integer, null=True),
)
# `allow_certificate` (in Panorama's list) no longer exists in the LMS: Tutor's settings read it as NULL
auth_userprofile = _table(
    "auth_userprofile",
    _id(),
    _c("name", _s(255)),
    _c("meta", _longtext()),
    _c("courseware", _s(255)),
    _c("language", _s(255)),
    _c("location", _s(255)),
    _c("year_of_birth", Integer, null=True),
    _c("gender", _s(6), null=True),
    _c("level_of_education", _s(6), null=True),
    _c("mailing_address", _longtext(), null=True),
    _c("city", _longtext(), null=True),
    _c("country", _s(2), null=True),
    _c("state", _s(2), null=True),
    _c("goals", _longtext(), null=True),
    _c("bio", _s(3000), null=True),
    _c("profile_image_uploaded_at", _datetime(), null=True),
    _c("phone_number", _s(50), null=True),
    _c("user_id", Integer),
)
student_courseaccessrole = _table(
    "student_courseaccessrole",
    _id(),
    _c("org", _s(64)),
    _c("course_id", _s(255)),
    _c("role", _s(64)),
    _c("user_id", Integer),
)
course_overviews_courseoverview = _table(
    "course_overviews_courseoverview",
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("version", Integer),
    Column("id", _s(255), primary_key=True),
    _c("_location", _s(255)),
    _c("display_name", _longtext(), null=True),
    _c("display_number_with_default", _longtext()),
    _c("display_org_with_default", _longtext()),
    _c("start", _datetime(), null=True),
    _c("end", _datetime(), null=True),
    _c("advertised_start", _longtext(), null=True),
    _c("course_image_url", _longtext()),
    _c("social_sharing_url", _longtext(), null=True),
    _c("end_of_course_survey_url", _longtext(), null=True),
    _c("certificates_display_behavior", _longtext(), null=True),
    _c("certificates_show_before_end", _bool()),
    _c("cert_html_view_enabled", _bool()),
    _c("has_any_active_web_certificate", _bool()),
    _c("cert_name_short", _longtext()),
    _c("cert_name_long", _longtext()),
    _c("lowest_passing_grade", Numeric(5, 2), null=True),
    _c("days_early_for_beta", _double(), null=True),
    _c("mobile_available", _bool()),
    _c("visible_to_staff_only", _bool()),
    _c("_pre_requisite_courses_json", _longtext()),
    _c("enrollment_start", _datetime(), null=True),
    _c("enrollment_end", _datetime(), null=True),
    _c("enrollment_domain", _longtext(), null=True),
    _c("invitation_only", _bool()),
    _c("max_student_enrollments_allowed", Integer, null=True),
    _c("announcement", _datetime(), null=True),
    _c("catalog_visibility", _longtext(), null=True),
    _c("course_video_url", _longtext(), null=True),
    _c("effort", _longtext(), null=True),
    _c("short_description", _longtext(), null=True),
    _c("org", _longtext()),
    _c("self_paced", _bool()),
    _c("marketing_url", _longtext(), null=True),
    _c("eligible_for_financial_aid", _bool()),
    _c("language", _longtext(), null=True),
    _c("certificate_available_date", _datetime(), null=True),
    _c("banner_image_url", _longtext()),
    _c("has_highlights", _bool(), null=True),
    _c("allow_proctoring_opt_out", _bool()),
    _c("enable_proctored_exams", _bool()),
    _c("proctoring_escalation_email", _longtext(), null=True),
    _c("proctoring_provider", _longtext(), null=True),
    _c("entrance_exam_enabled", _bool()),
    _c("entrance_exam_id", _s(255)),
    _c("entrance_exam_minimum_score_pct", _double()),
    _c("external_id", _s(128), null=True),
    _c("force_on_flexible_peer_openassessments", _bool()),
)
course_modes_coursemode = _table(
    "course_modes_coursemode",
    _id(),
    _c("course_id", _s(255)),
    _c("mode_slug", _s(100)),
    _c("mode_display_name", _s(255)),
    _c("min_price", Integer),
    _c("currency", _s(8)),
    _c("expiration_datetime", _datetime(), null=True),
    _c("expiration_datetime_is_explicit", _bool()),
    _c("suggested_prices", _s(255)),
    _c("description", _longtext(), null=True),
    _c("sku", _s(255), null=True),
    _c("bulk_sku", _s(255), null=True),
    _c("android_sku", _s(255), null=True),
    _c("ios_sku", _s(255), null=True),
)
courseware_studentmodule = _table(
    "courseware_studentmodule",
    # the LMS's UnsignedBigIntAutoField
    Column(
        "id",
        BigInteger().with_variant(mysql.BIGINT(unsigned=True), *_MY).with_variant(Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    _c("module_type", _s(32)),
    _c("module_id", _s(255)),
    _c("course_id", _s(255)),
    _c("state", _longtext(), null=True),
    _c("grade", _double(), null=True),
    _c("max_grade", _double(), null=True),
    _c("done", _s(8)),
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("student_id", Integer),
)
grades_persistentcoursegrade = _table(
    "grades_persistentcoursegrade",
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _id(big=True),
    _c("user_id", Integer),
    _c("course_id", _s(255)),
    _c("course_edited_timestamp", _datetime(), null=True),
    _c("course_version", _s(255)),
    _c("grading_policy_hash", _s(255)),
    _c("percent_grade", _double()),
    _c("letter_grade", _s(255)),
    _c("passed_timestamp", _datetime(), null=True),
)
grades_persistentsubsectiongrade = _table(
    "grades_persistentsubsectiongrade",
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _id(big=True),
    _c("user_id", Integer),
    _c("course_id", _s(255)),
    _c("usage_key", _s(255)),
    _c("subtree_edited_timestamp", _datetime(), null=True),
    _c("course_version", _s(255)),
    _c("earned_all", _double()),
    _c("possible_all", _double()),
    _c("earned_graded", _double()),
    _c("possible_graded", _double()),
    _c("visible_blocks_hash", _s(100)),
    _c("first_attempted", _datetime(), null=True),
)
student_manualenrollmentaudit = _table(
    "student_manualenrollmentaudit",
    _id(),
    _c("enrolled_email", _s(255)),
    _c("time_stamp", _datetime(), null=True),
    _c("state_transition", _s(255)),
    _c("reason", _longtext(), null=True),
    _c("enrolled_by_id", Integer, null=True),
    _c("enrollment_id", Integer, null=True),
    _c("role", _s(64), null=True),
)
student_courseenrollmentallowed = _table(
    "student_courseenrollmentallowed",
    _id(),
    _c("email", _s(255)),
    _c("course_id", _s(255)),
    _c("auto_enroll", _bool()),
    _c("created", _datetime(), null=True),
    _c("user_id", Integer, null=True),
)
certificates_generatedcertificate = _table(
    "certificates_generatedcertificate",
    _id(),
    _c("course_id", _s(255)),
    _c("verify_uuid", _s(32)),
    _c("download_uuid", _s(32)),
    _c("download_url", _s(128)),
    _c("grade", _s(5)),
    _c("key", _s(32)),
    _c("distinction", _bool()),
    _c("status", _s(32)),
    _c("mode", _s(32)),
    _c("name", _s(255)),
    _c("created_date", _datetime()),
    _c("modified_date", _datetime()),
    _c("error_reason", _s(512)),
    _c("user_id", Integer),
)
course_groups_courseusergroup = _table(
    "course_groups_courseusergroup",
    _id(),
    _c("name", _s(255)),
    _c("course_id", _s(255)),
    _c("group_type", _s(20)),
)
course_groups_cohortmembership = _table(
    "course_groups_cohortmembership",
    _id(),
    _c("course_id", _s(255)),
    _c("course_user_group_id", Integer),
    _c("user_id", Integer),
)
course_groups_coursecohort = _table(
    "course_groups_coursecohort",
    _id(),
    _c("assignment_type", _s(20)),
    _c("course_user_group_id", Integer),
)
course_groups_coursecohortssettings = _table(
    "course_groups_coursecohortssettings",
    _id(),
    _c("is_cohorted", _bool()),
    _c("course_id", _s(255)),
    _c("cohorted_discussions", _longtext(), null=True),
    _c("always_cohort_inline_discussions", _bool()),
)
course_groups_courseusergroup_users = _table(
    "course_groups_courseusergroup_users",
    _id(),
    _c("courseusergroup_id", Integer),
    _c("user_id", Integer),
)
course_groups_courseusergrouppartitiongroup = _table(
    "course_groups_courseusergrouppartitiongroup",
    _id(),
    _c("partition_id", Integer),
    _c("group_id", Integer),
    _c("created_at", _datetime()),
    _c("updated_at", _datetime()),
    _c("course_user_group_id", Integer),
)
course_groups_unregisteredlearnercohortassignments = _table(
    "course_groups_unregisteredlearnercohortassignments",
    _id(),
    _c("email", _s(255)),
    _c("course_id", _s(255)),
    _c("course_user_group_id", Integer),
)
completion_blockcompletion = _table(
    "completion_blockcompletion",
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _id(big=True),
    _c("course_key", _s(255)),
    _c("block_key", _s(255)),
    _c("block_type", _s(64)),
    _c("completion", _double()),
    _c("user_id", Integer),
)
enterprise_enterprisecustomer = _table(
    "enterprise_enterprisecustomer",
    _c("created", _datetime()),
    _c("modified", _datetime()),
    Column("uuid", _uuid(), primary_key=True),
    _c("name", _s(255)),
    _c("active", _bool()),
    _c("site_id", Integer),
    _c("enable_data_sharing_consent", _bool()),
    _c("enforce_data_sharing_consent", _s(25)),
    _c("enable_audit_enrollment", _bool()),
    _c("enable_audit_data_reporting", _bool()),
    _c("replace_sensitive_sso_username", _bool()),
    _c("hide_course_original_price", _bool()),
    _c("slug", _s(30)),
    _c("country", _s(2), null=True),
    _c("enable_autocohorting", _bool()),
    _c("customer_type_id", Integer),
    _c("enable_portal_code_management_screen", _bool()),
    _c("enable_learner_portal", _bool()),
    _c("enable_portal_reporting_config_screen", _bool()),
    _c("contact_email", _s(254), null=True),
    _c("enable_portal_subscription_management_screen", _bool()),
    _c("enable_slug_login", _bool()),
    _c("enable_portal_saml_configuration_screen", _bool()),
    _c("default_contract_discount", Numeric(8, 5), null=True),
    _c("enable_analytics_screen", _bool()),
    _c("enable_integrated_customer_learner_portal_search", _bool()),
    _c("default_language", _s(25), null=True),
    _c("enable_portal_lms_configurations_screen", _bool()),
    _c("sender_alias", _s(255), null=True),
    _c("reply_to", _s(254), null=True),
    _c("hide_labor_market_data", _bool()),
    _c("enable_universal_link", _bool()),
    _c("enable_browse_and_request", _bool()),
)
enterprise_enterprisecustomeruser = _table(
    "enterprise_enterprisecustomeruser",
    _id(),
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("user_id", _uint()),
    _c("enterprise_customer_id", _uuid()),
    _c("active", _bool()),
    _c("linked", _bool()),
    _c("invite_key_id", _uuid(), null=True),
    _c("should_inactivate_other_customers", _bool()),
)
enterprise_pendingenterprisecustomeruser = _table(
    "enterprise_pendingenterprisecustomeruser",
    _id(),
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("user_email", _s(254)),
    _c("enterprise_customer_id", _uuid()),
)
submissions_studentitem = _table(
    "submissions_studentitem",
    _id(),
    _c("student_id", _s(255)),
    _c("course_id", _s(255)),
    _c("item_id", _s(255)),
    _c("item_type", _s(100)),
)
submissions_teamsubmission = _table(
    "submissions_teamsubmission",
    _id(),
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("uuid", _uuid()),
    _c("attempt_number", _uint()),
    _c("submitted_at", _datetime()),
    _c("course_id", _s(255)),
    _c("item_id", _s(255)),
    _c("team_id", _s(255)),
    _c("status", _s(1)),
    _c("submitted_by_id", Integer),
)
submissions_submission = _table(
    "submissions_submission",
    _id(),
    _c("uuid", _uuid()),
    _c("attempt_number", _uint()),
    _c("submitted_at", _datetime()),
    _c("created_at", _datetime()),
    _c("raw_answer", _longtext()),
    _c("student_item_id", Integer),
    _c("status", _s(1)),
    _c("team_submission_id", Integer, null=True),
)
submissions_score = _table(
    "submissions_score",
    _id(),
    _c("points_earned", _uint()),
    _c("points_possible", _uint()),
    _c("created_at", _datetime()),
    _c("reset", _bool()),
    _c("student_item_id", Integer),
    _c("submission_id", Integer, null=True),
)
submissions_scoreannotation = _table(
    "submissions_scoreannotation",
    _id(),
    _c("annotation_type", _s(255)),
    _c("creator", _s(255)),
    _c("reason", _longtext()),
    _c("score_id", Integer),
)
submissions_scoresummary = _table(
    "submissions_scoresummary",
    _id(),
    _c("highest_id", Integer),
    _c("latest_id", Integer),
    _c("student_item_id", Integer),
)
external_user_ids_externalidtype = _table(
    "external_user_ids_externalidtype",
    _id(),
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("name", _s(32)),
    _c("description", _longtext()),
)
external_user_ids_externalid = _table(
    "external_user_ids_externalid",
    _id(),
    _c("created", _datetime()),
    _c("modified", _datetime()),
    _c("external_user_id", _uuid()),
    _c("external_id_type_id", Integer),
    _c("user_id", Integer),
)
split_modulestore_django_splitmodulestorecourseindex = _table(
    "split_modulestore_django_splitmodulestorecourseindex",
    _id(),
    _c("objectid", _s(24)),
    _c("course_id", _s(255)),
    _c("org", _s(255)),
    _c("draft_version", _s(24)),
    _c("published_version", _s(24)),
    _c("library_version", _s(24)),
    _c("wiki_slug", _s(255)),
    _c("base_store", _s(20)),
    _c("edited_on", _datetime()),
    _c("last_update", _datetime()),
    _c("edited_by_id", Integer, null=True),
)


# the LMS's unique and lookup keys, built after loading --------------------------------------------------

T = metadata.tables
INDEXES: list[Index] = [
    _index(student_anonymoususerid, "anonymous_user_id", unique=True),
    _index(student_anonymoususerid, "course_id"),
    _index(student_anonymoususerid, "user_id"),
    _index(django_site, "domain", unique=True),
    _index(site_configuration_siteconfiguration, "site_id", unique=True),
    _index(auth_user, "username", unique=True),
    _index(auth_user, "email"),
    _index(student_courseenrollment, "user_id", "course_id", unique=True),
    _index(student_courseenrollment, "course_id", "created"),
    _index(student_courseenrollment, "created"),
    _index(student_courseenrollment_history, "id"),
    _index(student_courseenrollment_history, "history_date"),
    _index(auth_userprofile, "user_id", unique=True),
    _index(auth_userprofile, "name"),
    _index(auth_userprofile, "language"),
    _index(auth_userprofile, "location"),
    _index(auth_userprofile, "year_of_birth"),
    _index(auth_userprofile, "gender"),
    _index(auth_userprofile, "level_of_education"),
    _index(student_courseaccessrole, "user_id", "org", "course_id", "role", unique=True),
    _index(student_courseaccessrole, "course_id"),
    _index(student_courseaccessrole, "role"),
    _index(course_modes_coursemode, "course_id", "mode_slug", "currency", unique=True),
    _index(courseware_studentmodule, "student_id", "module_id", "course_id", unique=True),
    _index(courseware_studentmodule, "course_id"),
    _index(courseware_studentmodule, "modified"),
    _index(grades_persistentcoursegrade, "course_id", "user_id", unique=True),
    _index(grades_persistentcoursegrade, "user_id"),
    _index(grades_persistentcoursegrade, "passed_timestamp", "course_id"),
    _index(grades_persistentcoursegrade, "modified"),
    _index(grades_persistentsubsectiongrade, "course_id", "user_id", "usage_key", unique=True),
    _index(grades_persistentsubsectiongrade, "modified"),
    _index(grades_persistentsubsectiongrade, "first_attempted", "course_id", "user_id"),
    _index(student_manualenrollmentaudit, "enrolled_email"),
    _index(student_manualenrollmentaudit, "enrollment_id"),
    _index(student_courseenrollmentallowed, "email", "course_id", unique=True),
    _index(student_courseenrollmentallowed, "course_id"),
    _index(certificates_generatedcertificate, "user_id", "course_id", unique=True),
    _index(certificates_generatedcertificate, "verify_uuid"),
    _index(course_groups_courseusergroup, "name", "course_id", unique=True),
    _index(course_groups_courseusergroup, "course_id"),
    _index(course_groups_cohortmembership, "user_id", "course_id", unique=True),
    _index(course_groups_coursecohort, "course_user_group_id", unique=True),
    _index(course_groups_coursecohortssettings, "course_id", unique=True),
    _index(course_groups_courseusergroup_users, "courseusergroup_id", "user_id", unique=True),
    _index(course_groups_courseusergrouppartitiongroup, "course_user_group_id", unique=True),
    _index(course_groups_unregisteredlearnercohortassignments, "course_id", "email", unique=True),
    _index(completion_blockcompletion, "course_key", "block_key", "user_id", unique=True),
    _index(completion_blockcompletion, "course_key", "block_type", "user_id"),
    _index(completion_blockcompletion, "user_id", "course_key", "modified"),
    _index(enterprise_enterprisecustomer, "slug", unique=True),
    _index(enterprise_enterprisecustomeruser, "enterprise_customer_id", "user_id", unique=True),
    _index(enterprise_pendingenterprisecustomeruser, "enterprise_customer_id", "user_email", unique=True),
    _index(submissions_studentitem, "course_id", "student_id", "item_id", unique=True),
    _index(submissions_studentitem, "item_id"),
    _index(submissions_submission, "uuid", unique=True),
    _index(submissions_submission, "student_item_id"),
    _index(submissions_submission, "submitted_at"),
    _index(submissions_score, "student_item_id"),
    _index(submissions_score, "submission_id"),
    _index(submissions_scoreannotation, "score_id"),
    _index(submissions_scoresummary, "student_item_id", unique=True),
    _index(submissions_teamsubmission, "uuid", unique=True),
    _index(submissions_teamsubmission, "course_id", "item_id", "team_id"),
    _index(external_user_ids_externalidtype, "name", unique=True),
    _index(external_user_ids_externalid, "external_user_id", unique=True),
    _index(external_user_ids_externalid, "user_id"),
    _index(split_modulestore_django_splitmodulestorecourseindex, "objectid", unique=True),
    _index(split_modulestore_django_splitmodulestorecourseindex, "course_id", unique=True),
]


# Panorama's 29 default tables with its field lists (panorama-elt example + Tutor template)
PANORAMA_FIELDS: dict[str, list[str]] = {
    "student_anonymoususerid": ["id", "anonymous_user_id", "course_id", "user_id"],
    "site_configuration_siteconfiguration": ["id", "site_id", "enabled", "site_values"],
    "auth_user": [
        "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
        "is_staff", "is_active", "date_joined",
    ],
    "student_courseenrollment": ["id", "course_id", "created", "is_active", "mode", "user_id"],
    "auth_userprofile": [
        "id", "name", "meta", "courseware", "language", "location", "year_of_birth", "gender",
        "level_of_education", "mailing_address", "city", "country", "goals", "allow_certificate", "bio",
        "profile_image_uploaded_at", "user_id",
    ],
    "student_courseaccessrole": ["id", "org", "course_id", "role", "user_id"],
    "course_overviews_courseoverview": [
        "created", "modified", "version", "id", "_location", "display_name", "display_number_with_default",
        "display_org_with_default", "start", "end", "advertised_start", "course_image_url",
        "social_sharing_url", "end_of_course_survey_url", "certificates_display_behavior",
        "certificates_show_before_end", "cert_html_view_enabled", "has_any_active_web_certificate",
        "cert_name_short", "cert_name_long", "lowest_passing_grade", "days_early_for_beta",
        "mobile_available", "visible_to_staff_only", "_pre_requisite_courses_json", "enrollment_start",
        "enrollment_end", "enrollment_domain", "invitation_only", "max_student_enrollments_allowed",
        "announcement", "catalog_visibility", "course_video_url", "effort", "short_description", "org",
        "self_paced", "marketing_url", "eligible_for_financial_aid", "language",
        "certificate_available_date",
    ],
    "courseware_studentmodule": [
        "id", "module_type", "module_id", "course_id", "state", "grade", "max_grade", "done", "created",
        "modified", "student_id",
    ],
    "grades_persistentcoursegrade": [
        "created", "modified", "id", "user_id", "course_id", "course_edited_timestamp", "course_version",
        "grading_policy_hash", "percent_grade", "letter_grade", "passed_timestamp",
    ],
    "student_manualenrollmentaudit": [
        "id", "enrolled_email", "time_stamp", "state_transition", "reason", "enrolled_by_id",
        "enrollment_id", "role",
    ],
    "student_courseenrollmentallowed": ["id", "email", "course_id", "auto_enroll", "created", "user_id"],
    "certificates_generatedcertificate": [
        "id", "course_id", "verify_uuid", "download_uuid", "download_url", "grade", "key", "distinction",
        "status", "mode", "name", "created_date", "modified_date", "error_reason", "user_id",
    ],
    "course_groups_cohortmembership": ["id", "course_id", "course_user_group_id", "user_id"],
    "course_groups_coursecohort": ["id", "assignment_type", "course_user_group_id"],
    "course_groups_coursecohortssettings": [
        "id", "is_cohorted", "course_id", "cohorted_discussions", "always_cohort_inline_discussions",
    ],
    "course_groups_courseusergroup": ["id", "name", "course_id", "group_type"],
    "course_groups_courseusergroup_users": ["id", "courseusergroup_id", "user_id"],
    "course_groups_courseusergrouppartitiongroup": [
        "id", "partition_id", "group_id", "created_at", "updated_at", "course_user_group_id",
    ],
    "course_groups_unregisteredlearnercohortassignments": [
        "id", "email", "course_id", "course_user_group_id",
    ],
    "completion_blockcompletion": [
        "created", "modified", "id", "course_key", "block_key", "block_type", "completion", "user_id",
    ],
    "enterprise_enterprisecustomeruser": [
        "id", "created", "modified", "user_id", "enterprise_customer_id", "active", "linked",
        "invite_key_id", "should_inactivate_other_customers",
    ],
    "enterprise_enterprisecustomer": [
        "created", "modified", "uuid", "name", "active", "site_id", "enable_data_sharing_consent",
        "enforce_data_sharing_consent", "enable_audit_enrollment", "enable_audit_data_reporting",
        "replace_sensitive_sso_username", "hide_course_original_price", "slug", "country",
        "enable_autocohorting", "customer_type_id", "enable_portal_code_management_screen",
        "enable_learner_portal", "enable_portal_reporting_config_screen", "contact_email",
        "enable_portal_subscription_management_screen", "enable_slug_login",
        "enable_portal_saml_configuration_screen", "default_contract_discount", "enable_analytics_screen",
        "enable_integrated_customer_learner_portal_search", "default_language",
        "enable_portal_lms_configurations_screen", "sender_alias", "reply_to", "hide_labor_market_data",
        "enable_universal_link", "enable_browse_and_request",
    ],
    "enterprise_pendingenterprisecustomeruser": [
        "id", "created", "modified", "user_email", "enterprise_customer_id",
    ],
    "submissions_score": [
        "id", "points_earned", "points_possible", "created_at", "reset", "student_item_id", "submission_id",
    ],
    "submissions_scoreannotation": ["id", "annotation_type", "creator", "reason", "score_id"],
    "submissions_scoresummary": ["id", "highest_id", "latest_id", "student_item_id"],
    "submissions_studentitem": ["id", "student_id", "course_id", "item_id", "item_type"],
    "submissions_submission": [
        "id", "uuid", "attempt_number", "submitted_at", "created_at", "raw_answer", "student_item_id",
        "status", "team_submission_id",
    ],
    "submissions_teamsubmission": [
        "id", "created", "modified", "uuid", "attempt_number", "submitted_at", "course_id", "item_id",
        "team_id", "status", "submitted_by_id",
    ],
}  # fmt: skip

# Panorama fields the current LMS no longer has (Tutor's Panorama settings give them `value: null`)
PANORAMA_REMOVED_FIELDS: dict[str, list[str]] = {"auth_userprofile": ["allow_certificate"]}


def dialect_for(name: str) -> Dialect:
    """A SQLAlchemy dialect object for "mysql"/"mariadb" or "sqlite"."""
    if name in _MY:
        return mysql.dialect()
    if name == "sqlite":
        return sqlite.dialect()
    raise ValueError(f"unsupported dialect {name!r}")


def create_table_statements(dialect: str, tables: Iterable[Table] | None = None) -> list[str]:
    """CREATE TABLE statements (primary keys only) for `dialect`, in metadata order."""
    d = dialect_for(dialect)
    chosen = list(tables) if tables is not None else list(metadata.sorted_tables)
    return [str(CreateTable(t).compile(dialect=d)).strip() for t in chosen]


def index_statements(dialect: str, tables: Iterable[Table] | None = None) -> dict[str, list[str]]:
    """Per table, the statements adding the LMS's unique and lookup keys (MySQL: one ALTER TABLE)."""
    d = dialect_for(dialect)
    names = {t.name for t in tables} if tables is not None else None
    grouped: dict[str, list[Index]] = {}
    for ix in INDEXES:
        assert ix.table is not None
        if names is None or ix.table.name in names:
            grouped.setdefault(ix.table.name, []).append(ix)
    if dialect == "sqlite":
        return {
            table: [str(CreateIndex(ix).compile(dialect=d)).strip() for ix in indexes]
            for table, indexes in grouped.items()
        }
    out: dict[str, list[str]] = {}
    for table, indexes in grouped.items():
        adds = []
        for ix in indexes:
            cols = ", ".join(f"`{c.name}`" for c in ix.columns)
            adds.append(f"ADD {'UNIQUE ' if ix.unique else ''}INDEX `{ix.name}` ({cols})")
        out[table] = [f"ALTER TABLE `{table}` {', '.join(adds)}"]
    return out


def create_index_statements(dialect: str, tables: Iterable[Table] | None = None) -> list[str]:
    """Statements adding the LMS's unique and lookup keys, in table order."""
    return [sql for statements in index_statements(dialect, tables).values() for sql in statements]


def all_statements(dialect: str) -> list[str]:
    """Every table and index of the synthetic LMS, for `dialect` ("mysql", "mariadb" or "sqlite")."""
    return create_table_statements(dialect) + create_index_statements(dialect)
