"""Write the synthetic site's LMS database: the Open edX MySQL tables, on MariaDB or in SQLite.

`LmsWriter` takes the site's records as the generator produces them (courses and learners first,
then enrollments, learner state, grades, certificates, completions) and streams them into the real
LMS tables in batches. Rows that a real LMS derives from those records (profiles, external ids,
anonymous ids, cohorts, course modes, enrollment history and audits, enterprise links, ORA
submissions and scores, subsection grades, the split-modulestore index...) are derived here,
deterministically: nothing depends on the clock or on global randomness, so the same calls give the
same rows (and, for SQLite, the same file bytes).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnlake.synth import lms_schema as schema
from learnlake.synth.lms_db import Database, Row, connect
from learnlake.synth.model import (
    Block,
    BlockCompletion,
    Certificate,
    Course,
    CourseGrade,
    Enrollment,
    Learner,
    StudentModuleState,
)

BATCH_ROWS = 5000
FAKE_PASSWORD = "pbkdf2_sha256$1$synthetic-salt${}$FAKE-hash-not-a-real-password"
ORA_TYPES = frozenset({"openassessment", "edx_sga", "staffgradedxblock"})
XAPI_ID_TYPE = 2
_ID_TYPES = (
    ("mb_coaching", "MicroBachelors Coaching"),
    ("xapi", "xAPI"),
    ("lti", "LTI Xblock launches"),
    ("caliper", "Caliper"),
)
_MODES = {  # slug → (display name, price in USD)
    "audit": ("Audit", 0),
    "honor": ("Honor", 0),
    "verified": ("Verified Certificate", 49),
    "professional": ("Professional Education", 149),
    "no-id-professional": ("Professional Education", 99),
    "masters": ("Master's", 0),
}
_ANSWERS = (
    'The main idea is that "feedback" changes the outcome.\nIt took me two tries to see it.',
    "I would measure it twice: once before, once after. Notes in C:\\course\\notes.txt",
    "Short answer: it depends on the context — see the café example ☕.",
    "Key points:\n\t1. define the terms\n\t2. compare the cases\n\t3. conclude",
    "Honestly I'm not sure; my guess is <b>option B</b> & the reasoning in unit 2.",
)


@dataclass(slots=True)
class _Sink:
    """Buffered inserts into one table."""

    table: str
    columns: tuple[str, ...]
    rows: list[Row]
    count: int = 0


@dataclass(slots=True)
class _CourseInfo:
    course: Course
    cohort_ids: dict[str, int]
    # usage key → (subsection usage key, graded) for every block under a subsection
    subsection_of: dict[str, tuple[str, bool]]
    ora_blocks: list[Block]
    has_teams: bool
    policy_hash: str


class LmsWriter:
    """Streams a synthetic site into the LMS tables of MariaDB (url) or an SQLite file (url None)."""

    def __init__(self, url: str | None, sqlite_path: Path) -> None:
        self.db: Database = connect(url, Path(sqlite_path))
        for table in schema.metadata.sorted_tables:
            quote = "`" if self.db.dialect == "mysql" else '"'
            self.db.run(f"DROP TABLE IF EXISTS {quote}{table.name}{quote}")
        for statement in schema.create_table_statements(self.db.dialect):
            self.db.run(statement)
        self.db.commit()
        self.sinks: dict[str, _Sink] = {
            t.name: _Sink(t.name, tuple(c.name for c in t.columns), []) for t in schema.metadata.sorted_tables
        }
        self.ids: dict[str, int] = {}
        self.courses: dict[str, _CourseInfo] = {}
        self.max_user_id = 0
        # per org: the (instructor, course staff) accounts that run its courses
        self.org_staff: dict[str, tuple[int, int]] = {}
        self.audited: dict[int, str] = {}  # user id → email, for the learners enrolled by staff
        self.never_started: set[int] = set()
        self.enterprises: dict[str, int] = {}
        self.enterprise_users: set[tuple[str, int]] = set()
        self.subsection_grades: dict[tuple[int, str, str], list[Any]] = {}
        self.site_epoch = dt.datetime(2020, 1, 1)
        self.closed = False

    # ------------------------------------------------------------------------------------- plumbing

    def _add(self, table: str, row: Row) -> None:
        sink = self.sinks[table]
        sink.rows.append(row)
        if len(sink.rows) >= BATCH_ROWS:
            self._flush(sink)

    def _flush(self, sink: _Sink) -> None:
        if sink.rows:
            self.db.insert_many(sink.table, sink.columns, sink.rows)
            sink.count += len(sink.rows)
            sink.rows = []
            self.db.commit()

    def _row(self, table: str, **values: Any) -> None:
        """Add a row given by column name (for the small tables; hot paths add tuples directly)."""
        self._add(table, tuple(values[c] for c in self.sinks[table].columns))

    def _next_id(self, table: str) -> int:
        value = self.ids.get(table, 0) + 1
        self.ids[table] = value
        return value

    # ------------------------------------------------------------------------------------ the site

    def write_site(self, courses: list[Course], learners: Iterable[Learner]) -> None:
        """Users, profiles, external ids, courses, modes, cohorts, roles and the site configuration."""
        starts = [c.published_at or c.start for c in courses] + [
            c.enrollment_start for c in courses if c.enrollment_start
        ]
        if starts:
            self.site_epoch = _naive(min(starts)) - dt.timedelta(days=30)
        epoch = _ts(self.site_epoch)
        self._row("django_site", id=1, domain="lms.synthetic.invalid", name="Synthetic Open edX")
        for i, (name, description) in enumerate(_ID_TYPES, 1):
            self._row(
                "external_user_ids_externalidtype",
                id=i,
                created=epoch,
                modified=epoch,
                name=name,
                description=description,
            )
        for learner in learners:
            self._learner(learner)
        self._staff_accounts(sorted({c.org for c in courses}))
        for course in courses:
            self._course(course)
        orgs = sorted({c.org for c in courses})
        site_values = {
            "PLATFORM_NAME": "Synthetic Open edX (fake data)",
            "SITE_NAME": "lms.synthetic.invalid",
            "LANGUAGE_CODE": "en",
            "course_org_filter": orgs,
            "ENABLE_ENTERPRISE_INTEGRATION": True,
            "contact_email": "support@synthetic.invalid",
        }
        self._row(
            "site_configuration_siteconfiguration",
            id=1,
            site_id=1,
            enabled=1,
            site_values=json.dumps(site_values, sort_keys=True),
        )
        self._flush_all()

    def _learner(self, learner: Learner) -> None:
        uid = learner.user_id
        p = learner.profile
        self._add(
            "auth_user",
            (
                uid,
                FAKE_PASSWORD.format(uid),
                _ts(learner.last_login),
                0,
                learner.username,
                learner.first_name,
                learner.last_name,
                learner.email,
                int(learner.is_staff),
                1,
                _ts(learner.date_joined),
            ),
        )
        self._add(
            "auth_userprofile",
            (
                uid,
                p.name,
                "",
                "course.xml",
                p.language or "",
                "",
                p.year_of_birth,
                p.gender,
                p.level_of_education,
                None,
                p.city,
                p.country,
                None,
                p.goals,
                None,
                None,
                None,
                uid,
            ),
        )
        joined = _ts(learner.date_joined)
        self._add(
            "external_user_ids_externalid",
            (uid, joined, joined, learner.external_id.replace("-", ""), XAPI_ID_TYPE, uid),
        )
        self.max_user_id = max(self.max_user_id, uid)
        if _bucket(f"audit:{uid}", 25) == 0:
            self.audited[uid] = learner.email
        if learner.archetype == "never_started":
            self.never_started.add(uid)

    def _course(self, course: Course) -> None:
        key = course.course_key
        published = _naive(course.published_at or course.start - dt.timedelta(days=14))
        created = _ts(published)
        lowest = min(course.grading.cutoffs.values()) if course.grading.cutoffs else 0.5
        sequentials = course.blocks("sequential")
        proctored = any(b.exam_kind in ("proctored", "practice", "onboarding") for b in sequentials)
        asset = f"/asset-v1:{course.org}+{course.number}+{course.run}+type@asset+block@"
        overview: dict[str, Any] = {
            "created": created,
            "modified": created,
            "version": 19,
            "id": key,
            "_location": f"block-v1:{course.org}+{course.number}+{course.run}+type@course+block@course",
            "display_name": course.display_name,
            "display_number_with_default": course.number,
            "display_org_with_default": course.org,
            "start": _ts(course.start),
            "end": _ts(course.end),
            "advertised_start": None,
            "course_image_url": asset + "images_course_image.jpg",
            "social_sharing_url": None,
            "end_of_course_survey_url": None,
            "certificates_display_behavior": "end",
            "certificates_show_before_end": 0,
            "cert_html_view_enabled": 1,
            "has_any_active_web_certificate": 1,
            "cert_name_short": "",
            "cert_name_long": "",
            "lowest_passing_grade": round(lowest, 2),
            "days_early_for_beta": None,
            "mobile_available": 1,
            "visible_to_staff_only": 0,
            "_pre_requisite_courses_json": "[]",
            "enrollment_start": _ts(course.enrollment_start),
            "enrollment_end": _ts(course.end),
            "enrollment_domain": None,
            "invitation_only": 0,
            "max_student_enrollments_allowed": None,
            "announcement": None,
            "catalog_visibility": "both",
            "course_video_url": None,
            "effort": "4:00",
            "short_description": f"A synthetic course: {course.display_name}.",
            "org": course.org,
            "self_paced": int(course.self_paced),
            "marketing_url": None,
            "eligible_for_financial_aid": 1,
            "language": course.language,
            "certificate_available_date": None,
            "banner_image_url": asset + "images_course_image.jpg",
            "has_highlights": 0,
            "allow_proctoring_opt_out": 0,
            "enable_proctored_exams": int(proctored),
            "proctoring_escalation_email": None,
            "proctoring_provider": "null",
            "entrance_exam_enabled": 0,
            "entrance_exam_id": "",
            "entrance_exam_minimum_score_pct": 0.65,
            "external_id": None,
            "force_on_flexible_peer_openassessments": 0,
        }
        self._row("course_overviews_courseoverview", **overview)
        editor = self.org_staff[course.org][0]
        self._row(
            "split_modulestore_django_splitmodulestorecourseindex",
            id=self._next_id("split_index"),
            objectid=_hex(f"index:{key}", 24),
            course_id=key,
            org=course.org,
            draft_version=_hex(f"draft:{key}:{course.structure_version}", 24),
            published_version=course.structure_version,
            library_version="",
            wiki_slug=f"{course.org}.{course.number}.{course.run}",
            base_store="mongodb",
            edited_on=created,
            last_update=created,
            edited_by_id=editor,
        )
        for slug in course.modes:
            name, price = _MODES.get(slug, (slug.title(), 0))
            if slug == "verified":
                price += _bucket(f"price:{key}", 5) * 25
            expires = course.end - dt.timedelta(days=14) if slug == "verified" and course.end else None
            self._row(
                "course_modes_coursemode",
                id=self._next_id("course_modes_coursemode"),
                course_id=key,
                mode_slug=slug,
                mode_display_name=name,
                min_price=price,
                currency="usd",
                expiration_datetime=_ts(expires),
                expiration_datetime_is_explicit=0,
                suggested_prices="",
                description=None,
                sku=_hex(f"sku:{key}:{slug}", 7).upper() if price else None,
                bulk_sku=None,
                android_sku=None,
                ios_sku=None,
            )
        cohort_ids = self._cohorts(course, published)
        for role, uid in zip(("instructor", "staff"), self.org_staff[course.org], strict=True):
            self._row(
                "student_courseaccessrole",
                id=self._next_id("student_courseaccessrole"),
                org=course.org,
                course_id=key,
                role=role,
                user_id=uid,
            )
        for n in range(2):
            self._row(
                "student_courseenrollmentallowed",
                id=self._next_id("student_courseenrollmentallowed"),
                email=f"invitee{n + 1}.{_hex(key, 6)}@example.invalid",
                course_id=key,
                auto_enroll=1,
                created=_ts(published + dt.timedelta(days=n + 1)),
                user_id=None,
            )
        subsection_of: dict[str, tuple[str, bool]] = {}
        for seq in course.blocks("sequential"):
            for block in seq.walk()[1:]:
                subsection_of[block.usage_key] = (seq.usage_key, seq.graded)
        grading = json.dumps(
            {"GRADER": course.grading.assignment_types, "GRADE_CUTOFFS": course.grading.cutoffs},
            sort_keys=True,
        )
        self.courses[key] = _CourseInfo(
            course=course,
            cohort_ids=cohort_ids,
            subsection_of=subsection_of,
            ora_blocks=[b for b in course.root.walk() if b.xblock_type in ORA_TYPES],
            has_teams="teams_configuration" in (course.root.raw_xml or ""),
            policy_hash=base64.b64encode(hashlib.sha1(grading.encode()).digest()).decode(),
        )

    def _staff_accounts(self, orgs: list[str]) -> None:
        """The site's admin, and per org an instructor and a course-staff account (ids after learners)."""
        joined = self.site_epoch
        accounts = [("admin", "Site", "Admin", "admin@synthetic.invalid", True)]
        for org in orgs:
            slug = "".join(ch for ch in org.lower() if ch.isalnum()) or "org"
            accounts.append((f"{slug}_instructor", "Fake", "Instructor", f"instructor@{slug}.invalid", False))
            accounts.append((f"{slug}_staff", "Fake", "Staff", f"staff@{slug}.invalid", False))
        first = self.max_user_id + 1
        for n, (username, first_name, last_name, email, admin) in enumerate(accounts):
            uid = first + n
            stamp = _ts(joined + dt.timedelta(hours=n))
            self._add(
                "auth_user",
                (uid, FAKE_PASSWORD.format(uid), stamp, int(admin), username, first_name, last_name, email,
                 int(admin), 1, stamp),
            )  # fmt: skip
            self._add(
                "auth_userprofile",
                (uid, f"{first_name} {last_name}", "", "course.xml", "en", "", None, None, None, None, None,
                 None, None, None, None, None, None, uid),
            )  # fmt: skip
        for i, org in enumerate(orgs):
            instructor, staff = first + 1 + 2 * i, first + 2 + 2 * i
            self.org_staff[org] = (instructor, staff)
            self._row(
                "student_courseaccessrole",
                id=self._next_id("student_courseaccessrole"),
                org=org,
                course_id="",
                role="data_researcher",
                user_id=staff,
            )
        self.max_user_id = first + len(accounts) - 1

    def _cohorts(self, course: Course, published: dt.datetime) -> dict[str, int]:
        key = course.course_key
        self._row(
            "course_groups_coursecohortssettings",
            id=self._next_id("course_groups_coursecohortssettings"),
            is_cohorted=int(bool(course.cohorts)),
            course_id=key,
            cohorted_discussions="[]",
            always_cohort_inline_discussions=0,
        )
        groups = _content_groups(course)
        ids: dict[str, int] = {}
        stamp = _ts(published)
        for i, name in enumerate(course.cohorts):
            group_id = self._next_id("course_groups_courseusergroup")
            ids[name] = group_id
            self._row(
                "course_groups_courseusergroup", id=group_id, name=name, course_id=key, group_type="cohort"
            )
            self._row(
                "course_groups_coursecohort",
                id=self._next_id("course_groups_coursecohort"),
                assignment_type="manual" if i == len(course.cohorts) - 1 and i >= 2 else "random",
                course_user_group_id=group_id,
            )
            if groups and i < len(groups[1]):
                self._row(
                    "course_groups_courseusergrouppartitiongroup",
                    id=self._next_id("course_groups_courseusergrouppartitiongroup"),
                    partition_id=groups[0],
                    group_id=groups[1][i],
                    created_at=stamp,
                    updated_at=stamp,
                    course_user_group_id=group_id,
                )
            self._row(
                "course_groups_unregisteredlearnercohortassignments",
                id=self._next_id("course_groups_unregisteredlearnercohortassignments"),
                email=f"pending.{i + 1}.{_hex(key, 6)}@example.invalid",
                course_id=key,
                course_user_group_id=group_id,
            )
        return ids

    # ------------------------------------------------------------------------------ learner records

    def write_enrollments(self, rows: Iterable[Enrollment]) -> None:
        """Enrollments with their history, cohort memberships, audits, enterprise links and ORA work."""
        for e in rows:
            uid, key = e.user_id, e.course_key
            created = _ts(e.created)
            self._add(
                "student_courseenrollment", (e.enrollment_id, key, created, int(e.is_active), e.mode, uid)
            )
            self._history(e)
            info = self.courses.get(key)
            if e.cohort:
                group_id = info.cohort_ids.get(e.cohort) if info else None
                if group_id is None:
                    group_id = self._new_cohort(key, e.cohort)
                self._add(
                    "course_groups_cohortmembership",
                    (self._next_id("course_groups_cohortmembership"), key, group_id, uid),
                )
                self._add(
                    "course_groups_courseusergroup_users",
                    (self._next_id("course_groups_courseusergroup_users"), group_id, uid),
                )
            anonymous = _hex(f"anon:{uid}:{key}", 32)
            self._add("student_anonymoususerid", (self._next_id("anon"), anonymous, key, uid))
            email = self.audited.get(uid)
            if email is not None:
                self._add(
                    "student_manualenrollmentaudit",
                    (
                        self._next_id("student_manualenrollmentaudit"),
                        email,
                        created,
                        "from unenrolled to enrolled",
                        "Enrolled by course staff (synthetic)",
                        self._enroller(key),
                        e.enrollment_id,
                        "Learner",
                    ),
                )
                self._add(
                    "student_courseenrollmentallowed",
                    (
                        self._next_id("student_courseenrollmentallowed"),
                        email,
                        key,
                        1,
                        _ts(_naive(e.created) - dt.timedelta(days=1)),
                        uid,
                    ),
                )
            if e.enterprise_uuid:
                self._enterprise_user(e.enterprise_uuid, uid, e.created)
            if info and info.ora_blocks and e.is_active and uid not in self.never_started:
                for block in info.ora_blocks:
                    self._ora_submission(info, block, uid, anonymous, e.created)

    def _enroller(self, key: str) -> int | None:
        info = self.courses.get(key)
        staff = self.org_staff.get(info.course.org) if info else None
        return staff[0] if staff else None

    def _history(self, e: Enrollment) -> None:
        changes = e.history or []
        if not changes:
            self._add(
                "student_courseenrollment_history",
                (
                    e.enrollment_id,
                    _ts(e.created),
                    int(e.is_active),
                    e.mode,
                    self._next_id("history"),
                    _ts(e.created),
                    None,
                    "+",
                    e.course_key,
                    None,
                    e.user_id,
                ),
            )
            return
        active = False
        for i, change in enumerate(changes):
            if change.kind == "activated":
                active = True
            elif change.kind == "deactivated":
                active = False
            self._add(
                "student_courseenrollment_history",
                (
                    e.enrollment_id,
                    _ts(e.created),
                    int(active),
                    change.mode,
                    self._next_id("history"),
                    _ts(change.time),
                    None,
                    "+" if i == 0 else "~",
                    e.course_key,
                    None,
                    e.user_id,
                ),
            )

    def _new_cohort(self, key: str, name: str) -> int:
        group_id = self._next_id("course_groups_courseusergroup")
        self._row("course_groups_courseusergroup", id=group_id, name=name, course_id=key, group_type="cohort")
        self._row(
            "course_groups_coursecohort",
            id=self._next_id("course_groups_coursecohort"),
            assignment_type="random",
            course_user_group_id=group_id,
        )
        if key in self.courses:
            self.courses[key].cohort_ids[name] = group_id
        return group_id

    def _enterprise_user(self, uuid: str, uid: int, when: dt.datetime) -> None:
        customer = uuid.replace("-", "")
        if customer not in self.enterprises:
            self._enterprise(customer, when)
        if (customer, uid) in self.enterprise_users:
            return
        self.enterprise_users.add((customer, uid))
        stamp = _ts(when)
        self._add(
            "enterprise_enterprisecustomeruser",
            (self._next_id("enterprise_enterprisecustomeruser"), stamp, stamp, uid, customer, 1, 1, None, 0),
        )

    def _enterprise(self, customer: str, when: dt.datetime) -> None:
        n = len(self.enterprises) + 1
        self.enterprises[customer] = n
        stamp = _ts(min(_naive(when), self.site_epoch + dt.timedelta(days=1)))
        self._row(
            "enterprise_enterprisecustomer",
            created=stamp,
            modified=stamp,
            uuid=customer,
            name=f"Fake Enterprise {n} (synthetic)",
            active=1,
            site_id=1,
            enable_data_sharing_consent=1,
            enforce_data_sharing_consent="at_enrollment",
            enable_audit_enrollment=0,
            enable_audit_data_reporting=0,
            replace_sensitive_sso_username=0,
            hide_course_original_price=0,
            slug=f"fake-enterprise-{n}",
            country="US",
            enable_autocohorting=0,
            customer_type_id=1,
            enable_portal_code_management_screen=0,
            enable_learner_portal=1,
            enable_portal_reporting_config_screen=0,
            contact_email=f"admin{n}@enterprise.invalid",
            enable_portal_subscription_management_screen=0,
            enable_slug_login=0,
            enable_portal_saml_configuration_screen=0,
            default_contract_discount=None,
            enable_analytics_screen=1,
            enable_integrated_customer_learner_portal_search=1,
            default_language=None,
            enable_portal_lms_configurations_screen=0,
            sender_alias=None,
            reply_to=None,
            hide_labor_market_data=0,
            enable_universal_link=0,
            enable_browse_and_request=0,
        )
        for k in range(2):
            self._row(
                "enterprise_pendingenterprisecustomeruser",
                id=self._next_id("enterprise_pendingenterprisecustomeruser"),
                created=stamp,
                modified=stamp,
                user_email=f"invited{k + 1}@enterprise{n}.invalid",
                enterprise_customer_id=customer,
            )

    def _ora_submission(
        self, info: _CourseInfo, block: Block, uid: int, anonymous: str, enrolled: dt.datetime
    ) -> None:
        seed = f"ora:{uid}:{block.usage_key}"
        h = int(hashlib.sha1(seed.encode()).hexdigest(), 16)
        if h % 100 >= 35:
            return
        key = info.course.course_key
        when = _naive(enrolled) + dt.timedelta(days=1 + h % 20, seconds=(h >> 8) % 86400)
        stamp = _ts(when)
        item_id = self._next_id("submissions_studentitem")
        kind = block.xblock_type or "openassessment"
        self._add("submissions_studentitem", (item_id, anonymous, key, block.usage_key, kind))
        team_id = None
        if info.has_teams and (h >> 16) % 10 == 0:
            team_id = self._next_id("submissions_teamsubmission")
            self._add(
                "submissions_teamsubmission",
                (
                    team_id,
                    stamp,
                    stamp,
                    _hex(f"team:{seed}", 32),
                    1,
                    stamp,
                    key,
                    block.usage_key,
                    f"team-{(h >> 20) % 7 + 1}",
                    "A",
                    uid,
                ),
            )
        answer = json.dumps({"parts": [{"text": _ANSWERS[(h >> 24) % len(_ANSWERS)]}]})
        submission_id = self._next_id("submissions_submission")
        self._add(
            "submissions_submission",
            (submission_id, _hex(f"sub:{seed}", 32), 1, stamp, stamp, answer, item_id, "A", team_id),
        )
        if (h >> 32) % 4 == 0:  # still waiting for a grade
            return
        score_id = self._next_id("submissions_score")
        possible = 2 if kind == "openassessment" else 100
        earned = (h >> 40) % (possible + 1)
        graded = _ts(when + dt.timedelta(days=2))
        self._add("submissions_score", (score_id, earned, possible, graded, 0, item_id, submission_id))
        self._add(
            "submissions_scoresummary",
            (self._next_id("submissions_scoresummary"), score_id, score_id, item_id),
        )
        if (h >> 48) % 10 == 0:
            self._add(
                "submissions_scoreannotation",
                (
                    self._next_id("submissions_scoreannotation"),
                    "staff_override",
                    _hex(f"staff:{key}", 32),
                    "Regraded after a review (synthetic).",
                    score_id,
                ),
            )

    def write_student_modules(self, rows: Iterable[StudentModuleState]) -> None:
        """courseware_studentmodule rows (and the subsection grades they add up to)."""
        sink = self.sinks["courseware_studentmodule"]
        buffer = sink.rows
        next_id = self.ids.get("courseware_studentmodule", 0)
        grades = self.subsection_grades
        courses = self.courses
        for r in rows:
            next_id += 1
            created, modified = _ts(r.created), _ts(r.modified)
            buffer.append(
                (
                    next_id,
                    r.module_type,
                    r.usage_key,
                    r.course_key,
                    r.state,
                    r.grade,
                    r.max_grade,
                    "na",
                    created,
                    modified,
                    r.user_id,
                )
            )
            if len(buffer) >= BATCH_ROWS:
                self._flush(sink)
                buffer = sink.rows
            if r.max_grade is not None and r.module_type == "problem":
                info = courses.get(r.course_key)
                where = info.subsection_of.get(r.usage_key) if info else None
                if where is not None:
                    _add_grade(grades, r, where, created, modified)
        self.ids["courseware_studentmodule"] = next_id

    def write_course_grades(self, rows: Iterable[CourseGrade]) -> None:
        """grades_persistentcoursegrade rows."""
        for g in rows:
            info = self.courses.get(g.course_key)
            course = info.course if info else None
            self._add(
                "grades_persistentcoursegrade",
                (
                    _ts(g.created),
                    _ts(g.modified),
                    self._next_id("grades_persistentcoursegrade"),
                    g.user_id,
                    g.course_key,
                    _ts(course.published_at) if course else None,
                    course.structure_version if course else "",
                    info.policy_hash if info else "",
                    g.percent_grade,
                    g.letter_grade,
                    _ts(g.passed_timestamp),
                ),
            )

    def write_certificates(self, rows: Iterable[Certificate]) -> None:
        """certificates_generatedcertificate rows."""
        for c in rows:
            seed = f"{c.user_id}:{c.course_key}"
            downloadable = c.status == "downloadable"
            self._add(
                "certificates_generatedcertificate",
                (
                    self._next_id("certificates_generatedcertificate"),
                    c.course_key,
                    _hex(f"verify:{seed}", 32) if downloadable else "",
                    _hex(f"download:{seed}", 32) if downloadable else "",
                    "",
                    c.grade,
                    "",
                    0,
                    c.status,
                    c.mode,
                    c.name,
                    _ts(c.created),
                    _ts(c.modified),
                    "",
                    c.user_id,
                ),
            )

    def write_completions(self, rows: Iterable[BlockCompletion]) -> None:
        """completion_blockcompletion rows."""
        sink = self.sinks["completion_blockcompletion"]
        next_id = self.ids.get("completion_blockcompletion", 0)
        for r in rows:
            next_id += 1
            sink.rows.append(
                (
                    _ts(r.created),
                    _ts(r.modified),
                    next_id,
                    r.course_key,
                    r.usage_key,
                    r.block_type,
                    r.completion,
                    r.user_id,
                )
            )
            if len(sink.rows) >= BATCH_ROWS:
                self._flush(sink)
        self.ids["completion_blockcompletion"] = next_id

    # -------------------------------------------------------------------------------------- finish

    def close(self) -> dict[str, int]:
        """Flush, write derived subsection grades, build the indexes; rows written per table."""
        if self.closed:
            return {name: sink.count for name, sink in sorted(self.sinks.items())}
        self._subsection_grades()
        self._flush_all()
        by_table = schema.index_statements(self.db.dialect)
        # the biggest tables first, so the two MariaDB connections finish about together
        order = sorted(by_table, key=lambda table: -self.sinks[table].count)
        statements = [sql for table in order for sql in by_table[table]]
        self.db.run_all(statements)
        self.db.close()
        self.closed = True
        return {name: sink.count for name, sink in sorted(self.sinks.items())}

    def _flush_all(self) -> None:
        for sink in self.sinks.values():
            self._flush(sink)

    def _subsection_grades(self) -> None:
        for (uid, key, seq_key), (earned, possible, first, created, modified, graded) in sorted(
            self.subsection_grades.items()
        ):
            info = self.courses.get(key)
            course = info.course if info else None
            self._add(
                "grades_persistentsubsectiongrade",
                (
                    created,
                    modified,
                    self._next_id("grades_persistentsubsectiongrade"),
                    uid,
                    key,
                    seq_key,
                    _ts(course.published_at) if course else None,
                    course.structure_version if course else "",
                    round(earned, 6),
                    round(possible, 6),
                    round(earned, 6) if graded else 0.0,
                    round(possible, 6) if graded else 0.0,
                    _hex(f"visible:{key}:{seq_key}", 40),
                    first,
                ),
            )
        self.subsection_grades.clear()


# ----------------------------------------------------------------------------------------- helpers


def _add_grade(
    grades: dict[tuple[int, str, str], list[Any]],
    r: StudentModuleState,
    where: tuple[str, bool],
    created: str | None,
    modified: str | None,
) -> None:
    slot = (r.user_id, r.course_key, where[0])
    entry = grades.get(slot)
    if entry is None:
        grades[slot] = [r.grade or 0.0, r.max_grade or 0.0, created, created, modified, where[1]]
        return
    entry[0] += r.grade or 0.0
    entry[1] += r.max_grade or 0.0
    if created is not None and (entry[2] is None or created < entry[2]):
        entry[2] = created
        entry[3] = created
    if modified is not None and (entry[4] is None or modified > entry[4]):
        entry[4] = modified


def _content_groups(course: Course) -> tuple[int, list[int]] | None:
    """The course's cohort-scheme user partition (id, group ids), or a made-up one for a cohorted course."""
    raw = course.root.raw_xml
    if raw and "user_partitions" in raw:
        try:
            partitions = json.loads(ET.fromstring(raw).get("user_partitions") or "[]")
        except (ET.ParseError, ValueError):
            partitions = []
        for p in partitions:
            if isinstance(p, dict) and p.get("scheme") == "cohort" and p.get("groups"):
                return int(p["id"]), [int(g["id"]) for g in p["groups"]]
    if not course.cohorts:
        return None
    base = int(_hex(f"partition:{course.course_key}", 7), 16)
    return base, [base + 1 + i for i in range(len(course.cohorts))]


def _naive(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _ts(value: dt.datetime | None) -> str | None:
    """UTC text `YYYY-MM-DD HH:MM:SS.ffffff`: MySQL DATETIME(6) input, and the SQLite storage format."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _hex(seed: str, length: int) -> str:
    return (
        hashlib.sha1(seed.encode()).hexdigest()[:length]
        if length <= 40
        else hashlib.sha256(seed.encode()).hexdigest()[:length]
    )


def _bucket(seed: str, buckets: int) -> int:
    return int(hashlib.sha1(seed.encode()).hexdigest()[:8], 16) % buckets


def table_columns(name: str) -> Sequence[str]:
    """Column names of one synthetic LMS table, in order."""
    return [c.name for c in schema.metadata.tables[name].columns]
