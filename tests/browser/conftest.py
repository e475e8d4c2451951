"""A real JupyterLab server and a real Chromium for the browser tests.

The server serves a temporary copy of ``notebooks/`` (JupyterLab autosaves:
the repository's stored notebooks must never be touched) on a random loopback
port with a random token.  Chromium is Debian's (``/usr/bin/chromium``, which
``.ci/run`` installs); Playwright drives it without downloading any browser.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import typing
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("B2BSM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Offline by construction: no host name resolves but the loopback's, so a page can load
    # only what the test serves. (Blocking in Playwright's route() instead sends every
    # request through Python and doubled the time of the site's page-by-page tests.)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Screenshots of each lesson as JupyterLab shows it after "Run All Cells".
ARTIFACTS = Path(os.environ.get("B2BSM_ARTIFACTS", Path(tempfile.gettempdir()) / "b2bsm-browser"))


def _offsite_requests(target, base: str) -> list[str]:
    found: list[str] = []
    target.on("request", lambda r: None if r.url.startswith(base) else found.append(r.url))
    return found


@pytest.fixture(scope="session")
def offsite_requests():
    """``offsite_requests(target, base)``: the list, filled as they happen, of the addresses
    ``target`` (a page or a context) asks for outside ``base``. Chromium refuses them
    (``CHROMIUM_ARGS``); this only records them."""
    return _offsite_requests


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# This conftest is imported while tests are collected, before any screenshot of this run
# is taken (pytest_sessionstart would come too early: it runs before this file is loaded).
_LOADED = time.time()


def pytest_terminal_summary(terminalreporter, config):
    if not ARTIFACTS.is_dir():
        return
    shots = sorted(p for p in ARTIFACTS.glob("*.png") if p.stat().st_mtime >= _LOADED)
    if shots:
        terminalreporter.section("browser screenshots")
        for shot in shots:
            terminalreporter.write_line(str(shot))


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (.ci/run does)")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"))
    env.pop("PYTHONWARNINGS", None)  # the server itself is not under test
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed in the finally block
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "JupyterLab did not start:\n" + (root / "server.log").read_text()
                    ) from None
                time.sleep(0.5)
        yield {"base": base, "token": token, "root": root}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser(jupyter_server, chromium):
    return chromium


# --------------------------------------------------------------------------
# The course website: built once per session, served on the loopback only
# --------------------------------------------------------------------------
#: A hub address for the website's JupyterHub buttons (the tests check the links, never visit).
SITE_HUB = "https://hub.example.edu"
#: Where the website links the in-browser edition (relative: ``make site-with-lite`` puts it there).
SITE_LITE = "lite/"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The website as `make site` builds it (with a hub button), and how long the build took."""
    sys.path.insert(0, str(ROOT / "tools"))
    import fcntl

    import build_site

    # Built once per run, not once per worker: the workers share the temporary root, and
    # the first to come builds while the others wait on the lock (Jupyter Book takes 8-10 s).
    shared = tmp_path_factory.getbasetemp()  # under xdist, this run's root is its parent
    work = (shared.parent if os.environ.get("PYTEST_XDIST_WORKER") else shared) / "built-site"
    work.mkdir(exist_ok=True)
    with open(work / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = work / "seconds.txt"
        if done.is_file():
            seconds, out = float(done.read_text()), work / "html"
        else:
            start = time.perf_counter()
            build_site.stage(work / "book", hub=SITE_HUB, lite=SITE_LITE)
            out = build_site.build(work / "book", work / "html")
            seconds = time.perf_counter() - start
            done.write_text(f"{seconds:.3f}")
    print(f"website built in {seconds:.1f} s: {out}")
    return {
        "html": out,
        "book": work / "book",
        "seconds": seconds,
        "hub": SITE_HUB,
        "lite": SITE_LITE,
    }


@pytest.fixture(scope="session")
def site_server(built_site):
    """A static file server for the built website on 127.0.0.1 (a random port)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built_site["html"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------
# The in-browser edition: built once per session, served on the loopback only
# --------------------------------------------------------------------------
@pytest.fixture(scope="session")
def built_lite(tmp_path_factory):
    """The in-browser edition as `make lite` builds it (skipped without the lite tools)."""
    sys.path.insert(0, str(ROOT / "tools"))
    import build_lite

    pins = build_lite.read_pins()
    try:
        build_lite.check_tools(pins)
        build_lite.pinned_wheels(pins, build_lite.WHEELS)
    except build_lite.LiteError as exc:
        pytest.skip(f"in-browser edition not buildable here: {exc}")
    out = tmp_path_factory.mktemp("lite") / "site"
    return build_lite.build(out)


def _static_server(root: Path, mounts: dict[str, Path] | None = None):
    """A static file server on 127.0.0.1 for ``root``; ``mounts`` serve other folders under
    a prefix (``{"lite": path}``: /lite/... from ``path``), as a published site would."""
    import functools
    import http.server
    import threading

    mounts = mounts or {}

    class Quiet(http.server.SimpleHTTPRequestHandler):
        extensions_map: typing.ClassVar[dict[str, str]] = {
            **http.server.SimpleHTTPRequestHandler.extensions_map,
            ".js": "text/javascript",
            ".mjs": "text/javascript",
            ".wasm": "application/wasm",
            ".json": "application/json",
        }

        def log_message(self, *args):
            pass

        def handle(self):
            # the browser may close a connection mid-file when it leaves the page
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

        def translate_path(self, path):
            for prefix, folder in mounts.items():
                if path.startswith(f"/{prefix}/"):
                    inner = Quiet.__new__(Quiet)
                    inner.directory = str(folder)
                    return http.server.SimpleHTTPRequestHandler.translate_path(
                        inner, path[len(prefix) + 1 :]
                    )
            return super().translate_path(path)

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def lite_server(built_lite):
    """The edition alone, served on the loopback (WebAssembly and modules with MIME types)."""
    server = _static_server(built_lite["out"])
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_with_lite_server(built_site, built_lite):
    """The website with the edition at lite/, as `make site-lite` publishes them."""
    server = _static_server(built_site["html"], {built_site["lite"].strip("/"): built_lite["out"]})
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
