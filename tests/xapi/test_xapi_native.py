"""The optional compiled build: used only when it matches the sources, pure Python otherwise.

The conformance, fuzz and validator tests run against whichever build is active; these tests
check the choice itself (without compiling: that takes a minute).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from learnlake.xapi import native


@pytest.fixture
def build_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(native, "native_dir", lambda: tmp_path)
    monkeypatch.delenv(native.ENV_SWITCH, raising=False)
    return tmp_path


def fake_build(folder: Path, digest: str | None = None) -> None:
    modules = {}
    for name in native.MODULES:
        file = f"{name}.fake.so"
        (folder / file).write_bytes(b"")
        source = native.SOURCE_DIR / f"{name}.py"
        modules[name] = {"file": file, "sha256": digest or native._digest(source)}
    (folder / "group.fake.so").write_bytes(b"")
    manifest = {
        "python": sys.implementation.cache_tag,
        "group_module": f"{native.GROUP}__mypyc",
        "group_file": "group.fake.so",
        "modules": modules,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_no_build_means_pure_python(build_dir: Path) -> None:
    files, why = native._fresh_build()
    assert files is None and "no compiled build" in why


def test_a_matching_build_is_chosen(build_dir: Path) -> None:
    fake_build(build_dir)
    files, why = native._fresh_build()
    assert files is not None and why == "compiled (mypyc)"
    assert files["learnlake.xapi.common"] == build_dir / "common.fake.so"
    assert files[f"{native.GROUP}__mypyc"] == build_dir / "group.fake.so"


def test_an_edited_source_falls_back_to_pure_python(build_dir: Path) -> None:
    fake_build(build_dir, digest="0" * 64)
    files, why = native._fresh_build()
    assert files is None and "changed since the build" in why


def test_missing_files_other_python_and_switch(build_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_build(build_dir)
    (build_dir / "video.fake.so").unlink()
    assert "missing" in native._fresh_build()[1]
    fake_build(build_dir)
    manifest = json.loads((build_dir / "manifest.json").read_text())
    (build_dir / "manifest.json").write_text(json.dumps({**manifest, "python": "cpython-00"}))
    assert "another Python" in native._fresh_build()[1]
    fake_build(build_dir)
    monkeypatch.setenv(native.ENV_SWITCH, "0")
    assert native._fresh_build() == (None, f"disabled by {native.ENV_SWITCH}=0")


def test_status_matches_the_loaded_modules() -> None:
    from learnlake.xapi import common

    compiled = not str(common.__file__).endswith(".py")
    assert native.active() is compiled
    assert native.STATUS.startswith("compiled") is compiled


_OUTCOMES = """
import copy, json, random, sys
import orjson
sys.path.insert(0, sys.argv[1])
from xapi_helpers import load_raw, raw_names
from learnlake.xapi import XapiRejected, NotMapped, erb_test_lookups, native, transform_event, transform_lines

WEIRD = [None, "", 0, -1, 2**70, 1.5e308, "\\u00e9\\u4e2d", [], {}, [1, "a"], "2020-07-15T06:36:01Z", True]
lookups = erb_test_lookups()
events = [load_raw(name) for name in raw_names()]
rnd = random.Random(3)
for base in list(events):
    for _ in range(12):
        event = copy.deepcopy(base)
        node, keys = event, []
        while isinstance(node, dict) and node:
            key = rnd.choice(list(node))
            keys.append((node, key))
            node = node[key]
        parent, key = rnd.choice(keys)
        parent[key] = copy.deepcopy(rnd.choice(WEIRD))
        events.append(event)
out = [native.STATUS.encode()]
for event in events:
    try:
        out.append(json.dumps(transform_event(event, lookups), ensure_ascii=False).encode())
    except (XapiRejected, NotMapped) as exc:
        out.append(repr(exc).encode())
lines = [json.dumps(e).encode() + b"\\n" for e in events]
for batch in transform_lines(lines, lookups, "x"):
    out.append(json.dumps(batch.statements.to_pydict(), default=str).encode())
    out.extend(orjson.dumps([q.line, q.reason, q.detail]) for q in batch.quarantine)
sys.stdout.buffer.write(b"\\n".join(out))
"""


def test_pure_python_and_compiled_builds_give_identical_output() -> None:
    """Every fixture and ~700 mutated events: statements, rejections and Arrow columns, byte for byte."""
    import os
    import subprocess

    helpers = str(Path(__file__).resolve().parent)

    def outcomes(switch: str) -> list[bytes]:
        env = {**os.environ, native.ENV_SWITCH: switch}
        done = subprocess.run(
            [sys.executable, "-c", _OUTCOMES, helpers], env=env, capture_output=True, check=True, timeout=600
        )
        return done.stdout.split(b"\n")

    compiled = outcomes("1")
    if not compiled[0].startswith(b"compiled"):
        pytest.skip(f"no fresh compiled build ({compiled[0].decode()}): `make native` first")
    pure = outcomes("0")
    assert pure[0].startswith(b"pure Python")
    assert len(pure) == len(compiled) > 700
    assert pure[1:] == compiled[1:]
