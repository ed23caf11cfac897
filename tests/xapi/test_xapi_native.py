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
