#!/usr/bin/env python3
"""cdp.py: a small client of Chromium's DevTools protocol, standard
library only (a WebSocket client of its own).  It starts Debian's
chromium headless, opens pages in isolated browser contexts, evaluates
JavaScript and takes screenshots.

As a command:
    cdp.py URL [--eval JS]... [--screenshot FILE] [--chromium PATH]
prints the value of each JS expression (JSON), one a line.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse


class ProtocolError(Exception):
    pass


class WebSocket:
    """RFC 6455 client: text frames, masked as a client must, no
    extensions."""

    def __init__(self, url, timeout=30):
        u = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ProtocolError("websocket: connection closed in handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise ProtocolError("websocket: " + head.split(b"\r\n")[0].decode())

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ProtocolError("websocket: connection closed")
            buf += chunk
        return buf

    def _frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, text):
        self._frame(0x1, text.encode())

    def recv(self):
        """The next whole text message."""
        parts = []
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ProtocolError("websocket: closed by the browser")
            if opcode == 0x9:
                self._frame(0xA, data)
                continue
            if opcode in (0x0, 0x1):
                parts.append(data)
                if b0 & 0x80:
                    return b"".join(parts).decode()

    def close(self):
        try:
            self._frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class Browser:
    """A headless chromium and one DevTools connection (flat sessions)."""

    def __init__(self, chromium=None, width=1280, height=900):
        exe = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            raise FileNotFoundError("chromium not installed (Debian package chromium)")
        self.profile = tempfile.mkdtemp(prefix="cdp-")
        self.proc = subprocess.Popen(
            [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking",
             "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.size = (width, height)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not (os.path.exists(port_file) and len(open(port_file).read().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise ProtocolError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port, path = open(port_file).read().split()[:2]
        self.ws = WebSocket(f"ws://127.0.0.1:{port}{path}")
        self.next_id = 0
        self.events = []

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise ProtocolError(f"{method}: {m['error'].get('message')}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)
        raise ProtocolError(f"{method}: no answer in {timeout} s")

    def wait_event(self, method, session, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, e in enumerate(self.events):
                if e["method"] == method and e.get("sessionId") == session:
                    return self.events.pop(i)
            self.ws.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                m = json.loads(self.ws.recv())
            except socket.timeout:
                break
            finally:
                self.ws.sock.settimeout(30)
            if "method" in m:
                self.events.append(m)
        raise ProtocolError(f"no {method} in {timeout} s")

    def new_page(self):
        """A page in a fresh browser context (its own cookies)."""
        ctx = self.call("Target.createBrowserContext")["browserContextId"]
        target = self.call("Target.createTarget",
                           {"url": "about:blank", "browserContextId": ctx})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.size[0], "height": self.size[1],
                   "deviceScaleFactor": 1, "mobile": False})
        return page

    def close(self):
        if getattr(self, "ws", None):
            self.ws.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, session):
        self.browser = browser
        self.session = session

    def call(self, method, params=None, timeout=30):
        return self.browser.call(method, params, self.session, timeout)

    def navigate(self, url, timeout=30):
        self.browser.events = [e for e in self.browser.events
                               if e.get("sessionId") != self.session]
        r = self.call("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise ProtocolError(f"{url}: {r['errorText']}")
        self.browser.wait_event("Page.loadEventFired", self.session, timeout)

    def eval(self, expression, timeout=30):
        """The value of a JS expression (promises awaited)."""
        r = self.call("Runtime.evaluate", {"expression": expression,
                                           "awaitPromise": True,
                                           "returnByValue": True}, timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise ProtocolError(f"JS: {text}")
        return r["result"].get("value")

    def wait(self, expression, timeout=15):
        """Until the expression is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            v = self.eval(expression)
            if v:
                return v
            if time.monotonic() > deadline:
                raise ProtocolError(f"timed out waiting for: {expression}")
            time.sleep(0.1)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))


def main():
    ap = argparse.ArgumentParser(description="Open a URL in headless chromium, "
                                 "evaluate JavaScript, take a screenshot.")
    ap.add_argument("url")
    ap.add_argument("--eval", action="append", default=[], metavar="JS")
    ap.add_argument("--screenshot", metavar="FILE")
    ap.add_argument("--chromium", metavar="PATH")
    a = ap.parse_args()
    try:
        b = Browser(a.chromium)
    except FileNotFoundError as e:
        print(f"cdp: {e}", file=sys.stderr)
        return 77
    try:
        p = b.new_page()
        p.navigate(a.url)
        for js in a.eval:
            print(json.dumps(p.eval(js)))
        if a.screenshot:
            p.screenshot(a.screenshot)
    except ProtocolError as e:
        print(f"cdp: {e}", file=sys.stderr)
        return 1
    finally:
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
