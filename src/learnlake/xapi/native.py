"""Optional mypyc-compiled build of the per-event transform modules (about twice as fast).

`python -m learnlake.xapi.native build` (or `make native`) compiles the hot modules with mypyc
into `<sys.prefix>/lib/learnlake-native/<python>/`, outside the source tree, with a manifest of
the SHA-256 of each source file. Importing `learnlake.xapi` then loads a compiled module only when
every compiled source is byte-identical to the `.py` file installed now; after any edit (or
without a build, or with `LEARNLAKE_XAPI_NATIVE=0`) the pure-Python modules run, unchanged.
`python -m learnlake.xapi.native status` says which is active.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

PACKAGE = "learnlake.xapi"
GROUP = "learnlake_xapi"  # mypyc's shared library: learnlake_xapi__mypyc.<abi>.so
MODULES = (
    "errors",
    "constants",
    "fields",
    "common",
    "registry",
    "completion",
    "enrollment",
    "exam",
    "forum",
    "grading",
    "navigation",
    "problem",
    "video",
    "transform",
    "batch",
    "columns",
)
SOURCE_DIR = Path(__file__).resolve().parent
ENV_SWITCH = "LEARNLAKE_XAPI_NATIVE"


def native_dir() -> Path:
    """Where the compiled build of this interpreter lives (inside the environment, not the repo)."""
    return Path(sys.prefix) / "lib" / "learnlake-native" / sys.implementation.cache_tag


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest() -> dict[str, Any] | None:
    try:
        data = json.loads((native_dir() / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _fresh_build() -> tuple[dict[str, Path] | None, str]:
    """{module name: compiled file} when a build matches the current sources, else (None, why)."""
    if os.environ.get(ENV_SWITCH, "1") == "0":
        return None, f"disabled by {ENV_SWITCH}=0"
    manifest = _manifest()
    if manifest is None:
        return None, "no compiled build (python -m learnlake.xapi.native build)"
    if manifest.get("python") != sys.implementation.cache_tag:
        return None, "compiled for another Python"
    files: dict[str, Path] = {}
    for name, entry in manifest.get("modules", {}).items():
        source = SOURCE_DIR / f"{name}.py"
        if not source.is_file() or _digest(source) != entry.get("sha256"):
            return None, f"{source.name} changed since the build: using pure Python"
        files[f"{PACKAGE}.{name}"] = native_dir() / entry["file"]
    group = manifest.get("group_file")
    if not files or not group:
        return None, "empty build"
    files[str(manifest.get("group_module"))] = native_dir() / group
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        return None, f"compiled file missing: {missing[0]}"
    return files, "compiled (mypyc)"


class _NativeFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled transform modules (and mypyc's shared library) in the native folder."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(self, fullname: str, path: Any = None, target: ModuleType | None = None) -> Any:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, str(file), loader=loader)


STATUS = "pure Python"


def install() -> str:
    """Use the compiled modules when a fresh build exists (called once by `learnlake.xapi`)."""
    global STATUS
    if any(isinstance(f, _NativeFinder) for f in sys.meta_path):
        return STATUS
    files, why = _fresh_build()
    if files is None:
        STATUS = f"pure Python ({why})"
        if _manifest() is not None:
            log.info("xAPI transformer: %s", STATUS)
        return STATUS
    sys.meta_path.insert(0, _NativeFinder(files))
    STATUS = why
    return STATUS


def active() -> bool:
    """Whether the transform modules in use are the compiled ones."""
    module = sys.modules.get(f"{PACKAGE}.common")
    return module is not None and not str(getattr(module, "__file__", "")).endswith(".py")


_SETUP = """
from setuptools import setup
from mypyc.build import mypycify
setup(name="learnlake-xapi-native", ext_modules=mypycify({paths!r}, group_name={group!r}, opt_level="3"))
"""


_MYPY_INI = """[mypy]
ignore_missing_imports = True
plugins = pydantic.mypy
"""


def build(quiet: bool = False) -> Path:
    """Compile MODULES with mypyc into `native_dir()` (needs mypy and a C compiler)."""
    src_root = SOURCE_DIR.parent.parent  # the folder holding the `learnlake` package
    target = native_dir()
    with tempfile.TemporaryDirectory(prefix="learnlake-mypyc-") as tmp:
        work = Path(tmp)
        shutil.copytree(
            src_root / "learnlake", work / "learnlake", ignore=shutil.ignore_patterns("__pycache__", "*.so")
        )
        paths = [f"learnlake/xapi/{name}.py" for name in MODULES]
        (work / "setup_native.py").write_text(_SETUP.format(paths=paths, group=GROUP), encoding="utf-8")
        (work / "mypy.ini").write_text(_MYPY_INI, encoding="utf-8")
        subprocess.run(
            [sys.executable, "setup_native.py", "build_ext", "--inplace"],
            cwd=work,
            check=True,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        modules = {}
        for name in MODULES:
            (built,) = (work / "learnlake" / "xapi").glob(f"{name}.*.so")
            shutil.copy2(built, target / built.name)
            modules[name] = {"file": built.name, "sha256": _digest(SOURCE_DIR / f"{name}.py")}
        (group_file,) = work.glob(f"{GROUP}__mypyc.*.so")
        shutil.copy2(group_file, target / group_file.name)
        manifest = {
            "python": sys.implementation.cache_tag,
            "group_module": f"{GROUP}__mypyc",
            "group_file": group_file.name,
            "modules": modules,
        }
        (target / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    """`build` | `status` | `remove`."""
    command = argv[0] if argv else "status"
    if command == "build":
        print(f"compiled into {build()}")
        return 0
    if command == "remove":
        shutil.rmtree(native_dir(), ignore_errors=True)
        print(f"removed {native_dir()}")
        return 0
    if command == "status":
        import learnlake.xapi.transform  # noqa: F401 - loads the modules the way any user does
        from learnlake.xapi import native

        print(native.STATUS if native.active() else native.STATUS.replace("compiled", "pure Python"))
        return 0
    print("usage: python -m learnlake.xapi.native build|status|remove", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
else:  # imported by `learnlake.xapi` before any transform module: pick compiled or pure once
    install()
