"""A real headless Chromium (Debian's ``chromium``) driven over the DevTools protocol: open a
page, read its DOM, take a full-page screenshot. ``make test`` / ``.ci/run`` install the
package when it is missing (``make chromium``)."""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# as root (CI, the Astro-less laptop set-up) Chromium needs --no-sandbox; the rest keeps a
# headless run quiet and offline
FLAGS = ("--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0")


def chromium() -> str:
    path = shutil.which("chromium")
    if not path:
        raise AssertionError("Debian's chromium is not installed: `make chromium` (apt-get "
                             "install -y chromium) installs it; `make test` does it for you")
    return path


class Page:
    """One tab of the browser, over its DevTools websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self._ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=60))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def open(self, url: str, width: int, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not load")
            time.sleep(0.2)

    def screenshot(self, path: Path) -> Path:
        """The whole page (beyond the viewport) as a PNG."""
        width, height = self.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@contextmanager
def headless_page() -> Generator[Page, None, None]:
    from websockets.sync.client import connect

    profile = Path(tempfile.mkdtemp(prefix="c360-chromium-"))
    flags = [*FLAGS, f"--user-data-dir={profile}"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")
    proc = subprocess.Popen([chromium(), *flags, "about:blank"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.monotonic() + 60
        while port is None and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                raise RuntimeError(f"chromium exited ({proc.returncode})")
            if m := re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line):
                port = int(m.group(1))
        if port is None:
            raise TimeoutError("chromium did not open its DevTools port")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            target = next(t for t in json.load(resp) if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None) as ws:
            yield Page(ws)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def painted_pixels(png: Path, box: dict[str, float]) -> int:
    """Pixels inside ``box`` (page coordinates) that are ink: clearly coloured or dark, not the
    white and light-grey of a chart's background, frame and grid lines."""
    from PIL import Image

    with Image.open(png) as img:
        crop = img.convert("RGB").crop((int(box["x"]), int(box["y"]),
                                        int(box["x"] + box["w"]), int(box["y"] + box["h"])))
        return sum(1 for r, g, b in crop.getdata() if max(r, g, b) - min(r, g, b) > 60)
