"""Every code block of the README and the docs runs as written, and the site builds.

Each page runs as one script, in a folder of its own, as a reader would paste it: its ```python
blocks in order in one namespace, each ```bash block in a shell at its place among them. ```text
blocks are output, not code. Three kinds of command are left out, and why: installing packages (the
suite runs where the test extras are installed), running the test suite itself (this is it), and
starting the playground's server, which never returns (tests/test_playground_browser.py drives it).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extras import need, source_first

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LEFT_OUT = re.compile(r"pip install|pytest|smallnet playground")
PREAMBLE = """\
import subprocess, warnings
warnings.simplefilter("error")  # as the suite's filterwarnings
try:  # the search snippets' short fits warn, as their text says
    from sklearn.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)
except ImportError:
    pass

def shell(script, block):
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], text=True,
                          capture_output=True)
    if done.returncode:
        raise SystemExit(f"{block} exits {done.returncode}:\\n{script}\\n{done.stderr}")
"""


def commands(code):
    """The shell block's commands, with installs, test runs and the playground left out."""
    kept = []
    for line in code.replace("\\\n", " ").splitlines():
        parts = [part for part in line.split("&&") if not LEFT_OUT.search(part)]
        if parts and parts[0].strip():
            kept.append("&&".join(parts).strip())
    return "\n".join(kept)


def blocks(page):
    """(language, code, line) of each fenced block; a fence without a language is refused."""
    found, block = [], None
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("```"):
            if block is not None:
                block[1].append(line)
        elif block is None:
            language = line[3:].strip()
            assert language, f"{page.relative_to(ROOT)}, line {number}: a fence without a language"
            block = (language, [], number)
        else:
            found.append((block[0], "\n".join(block[1]) + "\n", block[2]))
            block = None
    assert block is None, f"{page.relative_to(ROOT)}: the block at line {block[2]} is not closed"
    return found


def page_script(page):
    """The page's blocks as one Python script."""
    script = [PREAMBLE]
    for language, code, line in blocks(page):
        where = f"{page.relative_to(ROOT)}, the block at line {line}"
        if language == "python":
            script.append(f"# {where}\n{code}")
        elif language == "bash" and commands(code):
            script.append(f"shell({commands(code)!r}, {where!r})\n")
        elif language not in ("text", "bash", "yaml", "toml"):
            raise AssertionError(f"{where}: a ```{language} block (use python, bash or text)")
    return "\n".join(script)


def tools(folder):
    """A folder with `python3` and `smallnet` that run this checkout's smallnet."""
    folder.mkdir()
    for name, command in (("python3", ""), ("smallnet", " -m smallnet")):
        tool = folder / name
        tool.write_text(f'#!/bin/sh\nexec "{sys.executable}"{command} "$@"\n')
        tool.chmod(0o755)
    return folder


def has_code(page):
    return any(language in ("python", "bash") for language, _, _ in blocks(page))


@pytest.mark.parametrize(
    "page", [page for page in PAGES if has_code(page)], ids=lambda page: str(page.relative_to(ROOT))
)
def test_page_code_runs(page, tmp_path):
    for module in ("sklearn", "matplotlib", "safetensors", "onnxruntime", "pandas"):
        need(module)
    script = page_script(page)
    (tmp_path / "page.py").write_text(script, encoding="utf-8")
    bin_folder = tools(tmp_path / "bin")
    env = {
        **os.environ,
        "PYTHONPATH": source_first(),
        "PATH": os.pathsep.join([str(bin_folder), os.environ["PATH"]]),
        "MPLBACKEND": "Agg",
    }
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        [sys.executable, str(tmp_path / "page.py")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]


def test_the_readme_stays_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8")) <= 8000


def test_every_page_with_code_is_run():
    assert {"README.md", "tutorial.md", "getting-started.md", "dask.md"} <= {
        page.name for page in PAGES if has_code(page)
    }


def test_commands_leave_out_installs_test_runs_and_the_server():
    code = (
        "python3 -m pip install . && python3 -m smallnet demo\n"
        'python3 -m pip install ".[test]" && python3 -m pytest\n'
        "smallnet train --dataset iris \\\n  -o iris.safetensors\n"
        "smallnet playground --port 0\n"
    )
    assert (
        commands(code)
        == "python3 -m smallnet demo\nsmallnet train --dataset iris    -o iris.safetensors"
    )


def test_site_builds_strict(tmp_path):
    need("mkdocs")
    need("mkdocstrings")
    need("material")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",  # material's notice of its successor
            "PYTHONPATH": source_first(),
        },
    )
    assert done.returncode == 0, done.stderr[-6000:]
    assert (tmp_path / "site" / "reference" / "network" / "index.html").exists()


def test_the_tutorial_page_quotes_lines_that_are_in_smallnet():
    """Each row of its table names a file and a line of it: the line must still be there."""
    rows = re.findall(
        r"^\| `[^|]*` \| [^|]* \| `([\w/]+\.py)` \| `(.+)` \|$",
        (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8"),
        re.M,
    )
    assert len(rows) >= 12
    for file, line in rows:
        source = (ROOT / "src" / "smallnet" / file).read_text(encoding="utf-8")
        assert line in source, f"docs/tutorial.md quotes {line!r}, which {file} no longer holds"


# The public API: the packages' __all__, and what these modules define for their users.
MODULES = (
    "datasets",
    "tutorial",
    "trace",
    "checkpoint",
    "engine",
    "metrics",
    "initializers",
)


def public_names():
    import importlib

    import smallnet

    names = [f"smallnet.{name}" for name in smallnet.__all__]
    for package in ("sklearn", "plot"):
        module = importlib.import_module(f"smallnet.{package}")
        names += [f"smallnet.{package}.{name}" for name in module.__all__]
    for short in MODULES:
        module = importlib.import_module(f"smallnet.{short}")
        names += [
            f"{module.__name__}.{name}"
            for name, value in vars(module).items()
            if not name.startswith("_")
            and callable(value)
            and getattr(value, "__module__", None) == module.__name__
        ]
    return names


def test_the_api_reference_has_every_public_name():
    need("sklearn")
    need("matplotlib")
    documented = set()
    for page in (ROOT / "docs" / "reference").glob("*.md"):
        documented |= set(re.findall(r"^::: ([\w.]+)$", page.read_text(encoding="utf-8"), re.M))
    # a function named as its module is documented as module.function (griffe finds the module)
    documented |= {
        name.rsplit(".", 1)[0]
        for name in documented
        if name.split(".")[-2:-1] == name.split(".")[-1:]
    }
    missing = [name for name in public_names() if name not in documented]
    assert not missing, f"docs/reference lacks {missing}"
    assert len(documented) >= 90
