"""Screenshots of the case service for the README, taken from the synthetic demo data only.

Not a test. Run from the repository root after `make assets`:

    .venv/bin/python tests/e2e/take_screenshots.py [--out docs/screenshots]

It loads the demo into a throwaway data directory, starts `riskroute serve` in demo mode on a free
local port, signs in as the demo sergeant in Debian's Chromium and saves one PNG per page.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
RISKROUTE = Path(sys.executable).with_name("riskroute")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The reason given when a case asks why it is needed (DPA 2018 s.62).
JUSTIFICATION = "Screenshots of the synthetic demo for the README"
#: (file name, state of the demo case to show, path template, full page?)
SHOTS = (
    ("worklist.png", None, "/cases/team/", True),
    ("case.png", "caution_active", "/cases/{id}/", False),
    ("assessment.png", "assessed", "/cases/{id}/assessment/", True),
    ("proposal.png", "assessed", "/cases/{id}/disposal/propose/", True),
    ("approval.png", "pending_diversion", "/cases/{id}/disposal/decide/", False),
    ("dashboard.png", None, "/dashboard/", False),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _case_ids(env: dict[str, str]) -> dict[str, int]:
    """First demo case of the first force in each state, read with the project's own settings."""
    code = (
        "import django, json; django.setup(); from riskroute.cases.models import Case; "
        "ids = {}\n"
        "for c in Case.objects.filter(force__code='northshire').order_by('pk'):\n"
        "    ids.setdefault(c.state, c.pk)\n"
        "from riskroute.cases.models import DisposalProposal\n"
        "p = DisposalProposal.objects.filter(\n"
        "    status='pending', kind='diversion', case__force__code='northshire')\n"
        "ids['pending_diversion'] = p.order_by('pk').values_list('case_id', flat=True).first()\n"
        "print(json.dumps({k: v for k, v in ids.items() if v}))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return {str(k): int(v) for k, v in json.loads(out.stdout).items()}


def _wait_for(url: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"riskroute serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="riskroute-shots-") as data_dir:
        env = {
            **os.environ,
            "RISKROUTE_DEMO": "1",
            "RISKROUTE_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "riskroute.web.settings",
        }
        env.pop("DATABASE_URL", None)
        demo = subprocess.run([str(RISKROUTE), "demo"], env=env, capture_output=True, text=True)
        if demo.returncode != 0:
            raise SystemExit(f"riskroute demo failed: {demo.stderr.strip()}")
        ids = _case_ids(env)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(RISKROUTE), "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(f"{base}/accounts/login/", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1400}, locale="en-GB")
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("User name").fill("northshire.sergeant")
                page.get_by_label("Password").fill("riskroute-demo")
                page.get_by_role("button", name="Sign in").click()
                page.get_by_text("Signed in as").wait_for()
                for name, state, path, full_page in SHOTS:
                    page.goto(base + path.format(id=ids.get(state or "", 0)))
                    page.locator("main").wait_for()
                    if page.get_by_role("heading", name="Why do you need this case?").count():
                        # The s.62 question comes first, once per case; then the page asked for.
                        page.get_by_label("Why do you need to open this case?").fill(JUSTIFICATION)
                        page.get_by_role("button", name="Continue to the case").click()
                        page.locator("main").wait_for()
                    page.screenshot(path=str(args.out / name), full_page=full_page)
                    print(args.out / name)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
