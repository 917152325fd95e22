"""kjtypeset installed as a user would have it: a wheel built from this checkout, in a virtual
environment of its own, used in a bulletin folder far from the repository (issue 11: layouts,
fonts, output and archive used to be found next to the package's own files)."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from kjtypeset.engine.fonts import SC_FACES


def run(*args, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


@pytest.mark.slow
def test_a_wheel_in_a_fresh_environment_makes_builds_and_files_a_bulletin(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("KJTYPESET_")}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")

    # The wheel, built offline from a copy of the checkout (the checkout itself stays clean).
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "wheels",
        source, cwd=tmp_path, env=env)
    [wheel] = (tmp_path / "wheels").glob("kjtypeset-*.whl")

    # A fresh environment; its dependencies are the ones this test runs with (a .pth file adds
    # them, while the editable kjtypeset of this checkout is not seen).
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                       cwd=tmp_path, env=env).stdout.strip())
    (purelib / "dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-index", "--no-deps", wheel,
        cwd=tmp_path, env=env)
    where = run(python, "-c", "import kjtypeset; print(kjtypeset.__file__)", cwd=tmp_path, env=env).stdout
    assert Path(where.strip()).is_relative_to(purelib)
    assert (purelib / "kjtypeset" / "layouts" / "jianbao" / "layout.yaml").is_file()

    # A bulletin folder far from the repository: init, build, publish, from inside it.
    kjtypeset = venv / "bin" / "kjtypeset"
    work = tmp_path / "work"
    work.mkdir()
    said = run(kjtypeset, "init", "我们的简报", "--date", "2025-03-01", cwd=work, env=env).stderr
    assert said.startswith("已新建简报文件夹 我们的简报：\n") and "  cd 我们的简报\n" in said
    bulletin = work / "我们的简报"
    built = run(kjtypeset, "build", "2025-01/issue.yaml", cwd=bulletin / "issue_sources", env=env)
    fonts = tmp_path / "data" / "kjtypeset" / "fonts"
    assert "首次使用：从 Debian 的 Noto CJK 字体集中提取简体中文字体" in built.stderr
    assert sorted(p.name for p in fonts.iterdir()) == sorted(SC_FACES)
    assert sorted(p.name for p in (bulletin / "output" / "2025-01").glob("*.pdf")) == [
        "2025-01-archive.pdf", "2025-01-print.pdf", "2025-01.pdf"]
    run(kjtypeset, "publish", "2025-01", "-q", cwd=bulletin, env=env)
    assert (bulletin / "archive" / "2025" / "2025-01.pdf").is_file()
    assert (bulletin / "archive" / "catalogue.sqlite").is_file()
    # Nothing was written beside the installed package, nor into the checkout.
    assert not [p for p in venv.rglob("*") if p.suffix in (".pdf", ".otf", ".sqlite")]
    assert not (ROOT / "build").exists()
