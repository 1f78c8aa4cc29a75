"""An installed wheel works without the source tree: templates and tables are package data."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from minyi import samples

ROOT = Path(__file__).parent.parent
RUNNER = """
import sys
sys.path[:0] = [{site!r}, {deps!r}]
import minyi
assert minyi.__file__.startswith({site!r}), minyi.__file__
from minyi.cli import main
sys.argv = ["minyi", *sys.argv[1:]]
main()
"""


def test_a_built_wheel_composes_and_renders_an_issue(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                            str(ROOT)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("minyi-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    for shipped in ("formatter/templates/issue.toml", "formatter/templates/issue.html.j2",
                    "followup/templates/points.toml", "minyi/templates/topics.toml",
                    "formatter/fonts.conf", "ingest/screening/lexicons/secret.txt"):  # fmt: skip
        assert shipped in names, shipped
    # The dependencies from this environment; minyi only from the unpacked wheel (-S: no
    # .pth files, so the editable install of the source tree is not on the path).
    runner = tmp_path / "run.py"
    runner.write_text(RUNNER.format(site=str(site), deps=sysconfig.get_paths()["purelib"]))
    office = tmp_path / "office"
    samples.make_docx(office / "inbox" / "1.docx", samples.SAMPLES[0].paragraphs())
    (office / "minyi.toml").write_text('issue_unit = "政协某某县委员会办公室"\n', encoding="utf-8")

    def minyi(*args: str) -> str:
        # Read inline (workers=1): spawned workers would start with the usual path.
        env = {**os.environ, "MINYI_WORKERS": "1"}
        result = subprocess.run([sys.executable, "-S", str(runner), *args], cwd=office, env=env,
                                capture_output=True, text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    minyi("process", "inbox")
    minyi("review", "2026-0001", "--decision", "拟采用")
    number = minyi("issue", "new", "--items", "2026-0001").strip()
    minyi("issue", "render", number, "--no-pdf")
    minyi("track", "add", "2026-0001", "--kind", "报送", "--level", "市")  # (today)
    assert "积分" in minyi("stats", "--year", "2026")  # the points table, from the wheel
    folder = next(office.glob(f"outbox/*/第{number}期"))
    assert {p.suffix for p in folder.iterdir()} >= {".docx", ".html", ".zip"}
