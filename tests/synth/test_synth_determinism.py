"""The same options give byte-identical files, whatever the number of worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from synth_helpers import make_site


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_site(site: Path, tmp_path: Path) -> None:
    again, _ = make_site(tmp_path / "again", workers=2)
    first, second = _files(site), _files(Path(again.out))
    assert sorted(first) == sorted(second)
    kinds = {name.split("/")[0] for name in first}
    assert {"tracking", "courses", "lms.sqlite", "site.json"} <= kinds
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"files differ between runs: {different}"


def test_another_seed_gives_another_site(tmp_path: Path) -> None:
    a, _ = make_site(tmp_path / "a", seed=5, learners=40, days=3, courses=2)
    b, _ = make_site(tmp_path / "b", seed=6, learners=40, days=3, courses=2)
    assert (Path(a.out) / "tracking" / "tracking.log").read_bytes() != (
        Path(b.out) / "tracking" / "tracking.log"
    ).read_bytes()


def test_a_second_run_replaces_the_first(tmp_path: Path) -> None:
    out = tmp_path / "site"
    make_site(out, learners=30, days=4, courses=2)
    make_site(out, learners=30, days=2, courses=2)
    names = sorted(p.name for p in (out / "tracking").iterdir())
    assert len(names) == 2, f"files of the longer first run were left behind: {names}"


@pytest.mark.parametrize("workers", [1, 3])
def test_small_sites_agree_across_worker_counts(tmp_path: Path, workers: int) -> None:
    base, _ = make_site(tmp_path / "one", learners=25, days=3, courses=2, workers=1)
    other, _ = make_site(tmp_path / f"w{workers}", learners=25, days=3, courses=2, workers=workers)
    assert _files(Path(base.out)) == _files(Path(other.out))
