"""xAPI 1.0.3 statement checks (the rules an LRS applies), for `learnlake xapi validate` and tests.

Three deviations of ERB's output are reported as *quirks* rather than errors, because learnlake
reproduces ERB exactly: `objectType: "GroupActivity"` on multi-question problems, the bare attempt
code used as an activity id in exam statements (not an IRI), and `score.max == score.min == 0` for
zero-weight grades.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`\x00-\x1f]*$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_DURATION = re.compile(
    r"^P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VERSION = re.compile(r"^1\.0(\.\d+)?$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem: where (a JSON path like `object.definition.name`), what, and whether it is one of
    ERB's known deviations (a quirk) rather than an error."""

    path: str
    message: str
    quirk: bool = False


class _Checker:
    def __init__(self) -> None:
        self.issues: list[ValidationIssue] = []

    def err(self, path: str, message: str, quirk: bool = False) -> None:
        self.issues.append(ValidationIssue(path, message, quirk))

    def iri(self, path: str, value: Any, quirk: bool = False) -> None:
        if not isinstance(value, str) or not _IRI.match(value):
            self.err(path, f"not an IRI: {value!r}", quirk)

    def lang_map(self, path: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.err(path, "language map must be an object")
            return
        for key, text in value.items():
            if not _LANG.match(key):
                self.err(f"{path}.{key}", "not an RFC 5646 language tag")
            if not isinstance(text, str):
                self.err(f"{path}.{key}", "language map value must be a string")

    def extensions(self, path: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.err(path, "extensions must be an object")
            return
        for key in value:
            self.iri(f"{path}[{key}]", key)

    def keys(self, path: str, value: dict[str, Any], allowed: frozenset[str] | set[str]) -> None:
        for key in value:
            if key not in allowed:
                self.err(f"{path}.{key}" if path else key, "property not defined by xAPI")

    def agent(self, path: str, value: Any) -> None:
        if not isinstance(value, dict):
            self.err(path, "agent must be an object")
            return
        kind = value.get("objectType", "Agent")
        if kind not in ("Agent", "Group"):
            self.err(f"{path}.objectType", f"must be Agent or Group, got {kind!r}")
        self.keys(path, value, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"})
        ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in value]
        if len(ifis) != 1 and not (kind == "Group" and not ifis):
            self.err(path, f"needs exactly one inverse functional identifier, has {len(ifis)}")
        if "mbox" in value and not (isinstance(value["mbox"], str) and value["mbox"].startswith("mailto:")):
            self.err(f"{path}.mbox", "must be a mailto: IRI")
        if "mbox_sha1sum" in value and not (
            isinstance(value["mbox_sha1sum"], str) and _SHA1.match(value["mbox_sha1sum"])
        ):
            self.err(f"{path}.mbox_sha1sum", "must be 40 lowercase hex digits")
        if "openid" in value:
            self.iri(f"{path}.openid", value["openid"])
        account = value.get("account")
        if account is not None:
            if not isinstance(account, dict):
                self.err(f"{path}.account", "must be an object")
            else:
                self.keys(f"{path}.account", account, {"homePage", "name"})
                self.iri(f"{path}.account.homePage", account.get("homePage"))
                if not isinstance(account.get("name"), str) or not account.get("name"):
                    self.err(f"{path}.account.name", "must be a non-empty string")
        if "name" in value and not isinstance(value["name"], str):
            self.err(f"{path}.name", "must be a string")

    def activity(self, path: str, value: Any, quirk_ids: bool = False) -> None:
        if not isinstance(value, dict):
            self.err(path, "activity must be an object")
            return
        kind = value.get("objectType", "Activity")
        if kind == "GroupActivity":
            self.err(f"{path}.objectType", "GroupActivity is not an xAPI object type (ERB)", quirk=True)
        elif kind != "Activity":
            self.err(f"{path}.objectType", f"expected Activity, got {kind!r}")
        self.keys(path, value, {"objectType", "id", "definition"})
        if "id" not in value:
            self.err(f"{path}.id", "activity id is required")
        else:
            self.iri(f"{path}.id", value["id"], quirk=quirk_ids)
        definition = value.get("definition")
        if definition is None:
            return
        if not isinstance(definition, dict):
            self.err(f"{path}.definition", "must be an object")
            return
        dpath = f"{path}.definition"
        self.keys(
            dpath,
            definition,
            {
                "name",
                "description",
                "type",
                "moreInfo",
                "interactionType",
                "correctResponsesPattern",
                "choices",
                "scale",
                "source",
                "target",
                "steps",
                "extensions",
            },
        )
        for key in ("name", "description"):
            if key in definition:
                self.lang_map(f"{dpath}.{key}", definition[key])
        if "type" in definition:
            self.iri(f"{dpath}.type", definition["type"])
        if "moreInfo" in definition:
            self.iri(f"{dpath}.moreInfo", definition["moreInfo"])
        interaction = definition.get("interactionType")
        if interaction is not None and interaction not in INTERACTION_TYPES:
            self.err(f"{dpath}.interactionType", f"unknown interaction type {interaction!r}")
        if "extensions" in definition:
            self.extensions(f"{dpath}.extensions", definition["extensions"])

    def result(self, value: Any) -> None:
        if not isinstance(value, dict):
            self.err("result", "must be an object")
            return
        self.keys("result", value, {"score", "success", "completion", "response", "duration", "extensions"})
        score = value.get("score")
        if score is not None:
            self._score(score)
        for key in ("success", "completion"):
            if key in value and not isinstance(value[key], bool):
                self.err(f"result.{key}", "must be a boolean")
        if "response" in value and not isinstance(value["response"], str):
            self.err("result.response", "must be a string")
        duration = value.get("duration")
        if "duration" in value and not (isinstance(duration, str) and _DURATION.match(duration)):
            self.err("result.duration", f"not an ISO 8601 duration: {duration!r}")
        if "extensions" in value:
            self.extensions("result.extensions", value["extensions"])

    def _score(self, score: Any) -> None:
        if not isinstance(score, dict):
            self.err("result.score", "must be an object")
            return
        self.keys("result.score", score, {"scaled", "raw", "min", "max"})
        for key, number in score.items():
            if isinstance(number, bool) or not isinstance(number, int | float):
                self.err(f"result.score.{key}", "must be a number")
                return
        scaled, raw, low, high = (score.get(k) for k in ("scaled", "raw", "min", "max"))
        if scaled is not None and not -1 <= scaled <= 1:
            self.err("result.score.scaled", f"{scaled} is outside [-1, 1]")
        if low is not None and high is not None and not low < high:
            zero = low == high == 0  # ERB writes max 0 for zero-weight problems and subsections
            self.err("result.score", f"min {low} must be less than max {high}", quirk=zero)
        if raw is not None and low is not None and raw < low:
            self.err("result.score.raw", f"{raw} is below min {low}")
        if raw is not None and high is not None and raw > high:
            self.err("result.score.raw", f"{raw} is above max {high}")

    def context(self, value: Any, object_kind: str) -> None:
        if not isinstance(value, dict):
            self.err("context", "must be an object")
            return
        self.keys(
            "context",
            value,
            {
                "registration",
                "instructor",
                "team",
                "contextActivities",
                "revision",
                "platform",
                "language",
                "statement",
                "extensions",
            },
        )
        if "registration" in value and not (
            isinstance(value["registration"], str) and _UUID.match(value["registration"])
        ):
            self.err("context.registration", "must be a UUID")
        if object_kind in ("Agent", "Group") and ("revision" in value or "platform" in value):
            self.err("context", "revision/platform are not allowed when the object is an Agent or Group")
        activities = value.get("contextActivities")
        if activities is not None:
            if not isinstance(activities, dict):
                self.err("context.contextActivities", "must be an object")
            else:
                self.keys(
                    "context.contextActivities", activities, {"parent", "grouping", "category", "other"}
                )
                for key, items in activities.items():
                    for i, item in enumerate(items if isinstance(items, list) else [items]):
                        quirk_ids = (
                            key == "grouping"
                            and isinstance(item, dict)
                            and item.get("definition", {}).get("type")
                            == "http://adlnet.gov/expapi/activities/attempt"
                        )
                        self.activity(f"context.contextActivities.{key}[{i}]", item, quirk_ids)
        ref = value.get("statement")
        if ref is not None and not (
            isinstance(ref, dict)
            and ref.get("objectType") == "StatementRef"
            and isinstance(ref.get("id"), str)
            and _UUID.match(ref["id"])
        ):
            self.err("context.statement", "must be a StatementRef with a UUID id")
        language = value.get("language")
        if "language" in value and not (isinstance(language, str) and _LANG.match(language)):
            self.err("context.language", "not an RFC 5646 language tag")
        if "extensions" in value:
            self.extensions("context.extensions", value["extensions"])


def validate_statement(statement: Any) -> list[ValidationIssue]:
    """Everything that makes `statement` invalid under xAPI 1.0.3 (empty list: valid).

    Issues with `quirk=True` are ERB's own deviations, which learnlake reproduces on purpose.
    """
    c = _Checker()
    if not isinstance(statement, dict):
        c.err("", "statement must be a JSON object")
        return c.issues
    c.keys("", statement, STATEMENT_KEYS)
    for key in ("actor", "verb", "object"):
        if key not in statement:
            c.err(key, "is required")
    if "id" in statement and not (isinstance(statement["id"], str) and _UUID.match(statement["id"])):
        c.err("id", f"not a UUID: {statement['id']!r}")
    if "version" in statement and not (
        isinstance(statement["version"], str) and _VERSION.match(statement["version"])
    ):
        c.err("version", f"not a 1.0.x version: {statement['version']!r}")
    if "timestamp" in statement and not (
        isinstance(statement["timestamp"], str) and _TIMESTAMP.match(statement["timestamp"])
    ):
        c.err("timestamp", f"not an ISO 8601 timestamp: {statement['timestamp']!r}")
    if "actor" in statement:
        c.agent("actor", statement["actor"])
    verb = statement.get("verb")
    if verb is not None:
        if not isinstance(verb, dict):
            c.err("verb", "must be an object")
        else:
            c.keys("verb", verb, {"id", "display"})
            c.iri("verb.id", verb.get("id"))
            if "display" in verb:
                c.lang_map("verb.display", verb["display"])
    obj = statement.get("object")
    object_kind = "Activity"
    if obj is not None:
        object_kind = obj.get("objectType", "Activity") if isinstance(obj, dict) else "Activity"
        if object_kind in ("Agent", "Group"):
            c.agent("object", obj)
        elif object_kind == "StatementRef":
            if not isinstance(obj.get("id"), str) or not _UUID.match(obj["id"]):
                c.err("object.id", "StatementRef id must be a UUID")
        elif object_kind == "SubStatement":
            pass  # learnlake never emits sub-statements
        else:
            c.activity("object", obj)
    if "result" in statement:
        c.result(statement["result"])
    if "context" in statement:
        c.context(statement["context"], object_kind)
    return c.issues
