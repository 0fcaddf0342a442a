#!/usr/bin/env python3
"""lab_console.py: the console of the real lgrd in the reference lab.

HTTP level (no browser): no session -> 401; a viewer reads but its
writes are refused (403) and the audit log is closed to it; an
operator's write without or with a wrong CSRF token -> 403; malformed
(400), oversized (413/414) and unknown (404) requests get 4xx and the
server still answers; every refused write is in lgrd's audit log with
role and session.

In headless chromium over the DevTools protocol (cdp.py): every guest
drawn in the box of the member hvd says it runs on; from the Evacuate
page `evacuate LIT --to VM2` (plan with eligibility, start), progress
advancing through phases to DONE for the four LIT guests; LIT drawn on
VM2; a screenshot of each page into OUTDIR; a viewer sees no Evacuate
button and its forged request is refused.

/metrics before and after: lgr_relocations_total{end_code="DONE"} +4,
each histogram's count up by the moves that measured it, guests per
member; promtool check metrics passes on both.

A foreign LAN: LITDCON1's agent restarted so that it does not look
where the guest runs (-r 3600000), then moved by the hypervisor alone
(hvctl relocate LITDCON1 VM9): its hsi1 stays up on VM2's LAN, and the
cluster data (/api/cluster) says so (up, foreign) and the page draws it
red; moved back (hvctl) it is its own LAN again; the agent as nslab
starts it again.  Then LIT goes back to VM9 through the HTTP API as an
operator (job ends DONE).

    lab_console.py LAB OUTDIR LGRCTL HVCTL NSLAB GUESTAGENTD
    (exit 77: no chromium)

The one-time URLs come from `lgrctl console-url --role ROLE`.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "console", "tests"))
import cdp  # noqa: E402
from pages import LIT, check  # noqa: E402
import pages  # noqa: E402


class Client:
    """One HTTP client with its own session cookie and CSRF token."""

    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.cookie = None
        self.csrf = None

    def req(self, method, path, body=None, headers=None, csrf=True):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        h = dict(headers or {})
        if self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf and method == "POST":
            h["X-CSRF-Token"] = self.csrf
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.getheader("Set-Cookie"), data

    def login(self, url):
        u = urllib.parse.urlparse(url)
        status, cookie, _ = self.req("GET", u.path + "?" + u.query)
        if status in (302, 303) and cookie:
            self.cookie = cookie.split(";")[0]
            s, _, data = self.req("GET", "/api/session")
            if s == 200:
                self.csrf = json.loads(data)["csrf"]
        return status, cookie

    def json(self, path):
        s, _, data = self.req("GET", path)
        return s, json.loads(data) if s == 200 else data.decode(errors="replace")


def metrics(base):
    c = Client(base)
    s, _, data = c.req("GET", "/metrics")
    text = data.decode()
    return s, text, pages.parse_metrics(text)


def promtool(text, what):
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True)
    check(r.returncode == 0, f"promtool check metrics passes ({what})"
          + ("" if r.returncode == 0 else ": " + (r.stdout + r.stderr)[:300]))


def hv_where(hvctl, lab):
    out = subprocess.run([hvctl, "-l", lab, "-j", "guests"], capture_output=True,
                         text=True, check=True).stdout
    rows = json.loads(out)
    where = {}
    for r in rows:
        where.setdefault(r["member"], []).append(r["name"])
    return {m: sorted(g) for m, g in where.items()}


# --- HTTP level -------------------------------------------------------------

def http_tests(base, op_url, viewer_url):
    anon = Client(base)
    for path in ("/api/cluster", "/api/jobs", "/cluster", "/api/stream"):
        s, _, _ = anon.req("GET", path)
        check(s == 401, f"no session: GET {path} refused 401 ({s})")
    s, _, _ = anon.req("POST", "/api/evacuate", {"workload": "LIT"})
    check(s == 401, f"no session: POST /api/evacuate refused 401 ({s})")
    s, _, _ = anon.req("GET", "/login?token=" + "0" * 32)
    check(s == 403, f"unknown token refused 403 ({s})")

    v = Client(base)
    s, cookie = v.login(viewer_url)
    check(s in (302, 303) and "HttpOnly" in (cookie or "") and
          "SameSite=Strict" in (cookie or ""),
          f"viewer login: {s}, cookie HttpOnly SameSite=Strict")
    s, _ = v.login(viewer_url)
    check(s == 403, f"a token works once: second login refused 403 ({s})")
    s, c = v.json("/api/cluster")
    check(s == 200 and len(c.get("guests", [])) > 0, "viewer reads the cluster")
    s, _, body = v.req("POST", "/api/evacuate", {"workload": "LIT", "to": "VM2"})
    check(s == 403, f"viewer: evacuate refused 403 ({s}: {body[:60]!r})")
    s, _, _ = v.req("POST", "/api/routecheck/run", {})
    check(s == 403, f"viewer: routecheck run refused 403 ({s})")
    s, _, _ = v.req("GET", "/api/audit")
    check(s == 403, f"viewer: audit log closed 403 ({s})")

    op = Client(base)
    s, _ = op.login(op_url)
    check(s in (302, 303) and op.csrf, "operator login, CSRF token from /api/session")
    s, _, _ = op.req("POST", "/api/evacuate", {"workload": "LIT", "to": "VM2"}, csrf=False)
    check(s == 403, f"operator: no CSRF header refused 403 ({s})")
    s, _, _ = op.req("POST", "/api/evacuate", {"workload": "LIT", "to": "VM2"},
                     headers={"X-CSRF-Token": "f" * 32}, csrf=False)
    check(s == 403, f"operator: wrong CSRF token refused 403 ({s})")
    s, _, _ = op.req("POST", "/api/evacuate", b"{not json",
                     headers={"Content-Type": "application/json"})
    check(s == 400, f"malformed JSON body 400 ({s})")
    s, _, _ = op.req("POST", "/api/evacuate", {"workload": "LIT", "bogus": 1})
    check(s == 400, f"unknown argument 400 ({s})")
    s, _, _ = op.req("POST", "/api/evacuate", b"x" * (64 * 1024),
                     headers={"Content-Type": "application/json"})
    check(s == 413, f"oversized body 413 ({s})")
    s, _, _ = op.req("GET", "/api/history?guest=" + "A" * 4096)
    check(s == 414, f"oversized URL 414 ({s})")
    s, _, body = op.req("POST", "/api/evacuate", {"workload": "NOSUCH", "to": "VM2"})
    check(s == 404, f"unknown workload 404 from lgrd ({s}: {body[:80]!r})")
    s, _, body = op.req("GET", "/api/plan?workload=LIT&to=NOSUCH")
    check(s == 404, f"plan to an unknown member 404 ({s})")
    s, _, body = op.req("POST", "/api/cancel", {"job": 999999})
    check(s == 404, f"cancel of a job not running 404 from lgrd ({s}: {body[:60]!r})")
    s, _, _ = op.req("POST", "/api/cancel", {"guest": "LITDCON1"})
    check(s == 404, f"cancel of a guest not moving 404 ({s})")
    s, _, _ = op.req("GET", "/api/jobs/999999")
    check(s == 404, f"unknown job 404 ({s})")
    s, _, _ = op.req("GET", "/api/nosuch")
    check(s == 404, f"unknown path 404 ({s})")
    s, _, _ = op.req("GET", "/api/session")
    check(s == 200, "server still up after the bad requests")
    s, a = op.json("/api/audit")
    rows = a.get("audit", []) if s == 200 else []
    check(any(r.get("role") == "viewer" and r.get("action") == "/api/evacuate" and
              str(r.get("result", "")).startswith("403") for r in rows),
          "audit: the viewer's refused evacuate, with role and session")
    check(any(r.get("role") == "operator" and str(r.get("result", "")).startswith("403")
              and re.fullmatch(r"[0-9a-f]{16}", r.get("session", "")) for r in rows),
          "audit: the operator's write without CSRF, with its session id")
    return op


# --- in the browser -----------------------------------------------------------

# Records every phase and MiB sent the progress table shows, per guest, as
# the page redraws it on each streamed message (moves in the lab take a
# second).
RECORD = """window.lgrSeen = {};
new MutationObserver(() => {
    for (const td of document.querySelectorAll('#progress td.phase')) {
        const row = td.parentNode.children, g = row[1].textContent;
        const a = (window.lgrSeen[g] = window.lgrSeen[g] || []);
        const last = a[a.length - 1];
        if (!last || last[0] != td.textContent || last[1] != row[4].textContent)
            a.push([td.textContent, row[4].textContent, row[5].textContent]);
    }
}).observe(document.getElementById('progress'),
    {childList: true, subtree: true, characterData: true}); true"""


def watch_progress(p, timeout):
    """Phases seen per guest until every LIT row says DONE (or timeout)."""
    deadline = time.monotonic() + timeout
    done = False
    while time.monotonic() < deadline and not done:
        rows = p.eval("[...document.querySelectorAll('#progress td.phase')]"
                      ".map(td => td.textContent)")
        done = len(rows) == 4 and all(r == "DONE" for r in rows)
        time.sleep(0.2)
    return p.eval("window.lgrSeen"), done


def cluster_before(p, url, lab, hvctl):
    p.navigate(url)
    check(p.eval("location.pathname") == "/cluster", "login redirects to /cluster")
    truth = hv_where(hvctl, lab)
    n = sum(len(g) for g in truth.values())
    p.wait(f"document.querySelectorAll('[data-guest]').length == {n}", 30)
    where = {m: g for m, g in pages.placement(p).items() if g}
    check(where == truth, f"every guest in the box of the member hvd names: {where}")
    # The agents' states come once a second: wait for LITDCON1's.
    p.wait("document.querySelectorAll('[data-guest=LITDCON1] .link.up').length == 1", 30)
    check(p.eval("document.querySelectorAll('[data-guest=LITDCON1] .link.down').length") == 1,
          "LITDCON1: one HSI link drawn up (VM9's), the other down, as its agent says")
    foreign = ("[...document.querySelectorAll('[data-guest] .link.foreign')]"
               ".map(l => l.closest('[data-guest]').dataset.guest + ' ' + l.title)")
    try:       # the agents settle their links after the lab came up
        p.wait(foreign + ".length == 0", 30)
        check(True, "no HSI link on a foreign LAN")
    except cdp.ProtocolError:
        check(False, f"no HSI link on a foreign LAN: {p.eval(foreign)}")


def cli_waves(lgrctl, lab, *args):
    """The waves of `lgrctl evacuate ... --dry-run -j`: guest lists by wave."""
    r = subprocess.run([lgrctl, "-l", lab, "-j", "evacuate", *args, "--dry-run"],
                       capture_output=True, text=True, timeout=60)
    rows = []

    def walk(o):
        if isinstance(o, dict):
            if isinstance(o.get("guest"), str) and isinstance(o.get("wave"), int):
                rows.append(o)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(json.loads(r.stdout or "null"))
    waves = {}
    for o in rows:
        waves.setdefault(o["wave"], []).append(o["guest"])
    return [waves[w] for w in sorted(waves)]


def plan_waves_as_cli(op, lgrctl, lab):
    """The console's plan has the waves lgrctl's dry run has, at --parallel 1
    and 2 (the page used to cut waves every --parallel guests: 2, 1, 1)."""
    for par in ("1", "2"):
        s, _, body = op.req("GET", "/api/plan?workload=LIT&to=VM2&parallel=" + par)
        page = json.loads(body).get("waves") if s == 200 else None
        cli = cli_waves(lgrctl, lab, "LIT", "--to", "VM2", "--parallel", par)
        check(s == 200 and page == cli and len(cli) >= 2,
              f"plan of LIT --parallel {par}: the console's waves are lgrctl's ({page} / {cli})")


def evacuate_lit(p, base, out):
    pages.plan_lit_to_vm2(p, base, 60)
    check(p.eval("document.querySelectorAll('#plan .waves li').length") >= 2,
          "plan shows its waves")
    check(p.eval("/Predicted time: \\d/.test(document.getElementById('plan').textContent)"),
          "plan shows a predicted time")
    p.screenshot(os.path.join(out, "evacuate-plan.png"))
    p.eval(RECORD)
    pages.start_evacuation(p)
    p.screenshot(os.path.join(out, "evacuate-progress.png"))
    seen, done = watch_progress(p, 600)
    print("phases seen: " + json.dumps(seen))
    check(done, "every LIT move ended DONE on the page")
    check(all(len({ph for ph, _, _ in seen.get(g, [])}) >= 3 and seen[g][-1][0] == "DONE"
              for g in LIT),
          "progress advanced through three phases or more to DONE for every LIT guest")
    check(any(ph == "precopy" and sent != "" for s in seen.values() for ph, sent, _ in s),
          "the hypervisor's pre-copy shown live with MiB sent and left")
    sent = [[float(x) for _, x, _ in s if x] for s in seen.values()]
    check(any(len(x) >= 2 and x[0] < x[-1] for x in sent),
          "MiB sent advanced live during a move")
    pages.no_cancel_after(p)
    p.screenshot(os.path.join(out, "evacuate-done.png"))


def metrics_moved(p, before, after):
    done_key = 'lgr_relocations_total{end_code="DONE"}'
    check(after.get(done_key, 0) - before.get(done_key, 0) == 4,
          f"lgr_relocations_total DONE +4 ({before.get(done_key, 0)} -> {after.get(done_key)})")
    job = int(p.eval("fetch('/api/jobs').then(r => r.json()).then(j => j.jobs[0].id)"))
    rep = json.loads(p.eval(f"fetch('/api/jobs/{job}').then(r => r.text())"))
    check(rep["job"]["state"] == "DONE" and rep["job"]["moved"] == 4,
          f"job {job}: DONE, 4 moved")
    check("GUEST" in rep.get("text", "") and "RELOC-MS" in rep.get("text", ""),
          "the report carries lgrctl report's table")
    for h, col in (("duration", "total_ms"), ("quiesce", "quiesce_ms"),
                   ("network_downtime", "downtime_ms"), ("convergence", "converge_ms")):
        n = f"lgr_relocation_{h}_seconds_count"
        want = sum(1 for m in rep["moves"] if m.get(col) is not None and m[col] >= 0)
        check(after.get(n, 0) - before.get(n, 0) == want and want > 0,
              f"{n} +{want} ({before.get(n, 0)} -> {after.get(n)})")
    for m in ("VM2", "VM9"):
        k = f'lgr_guests{{member="{m}"}}'
        check(after.get(k) == before.get(k, 0) + (4 if m == "VM2" else -4),
              f"{k} {before.get(k)} -> {after.get(k)}")
    check(after.get('lgr_member_up{member="VM2"}') == 1, "lgr_member_up VM2 1")
    up = {k: v for k, v in after.items() if k.startswith("lgr_directory_up{")}
    check(list(up.values()) == [1], f"the directory is up: {up}")
    check(after.get("lgr_evacuation_running") == 0 and after.get("lgr_guests_moving") == 0,
          "nothing running or moving after the job")


def routing_page(p, base, out):
    p.navigate(base + "/routing")
    # The session (and its CSRF token) first: the button is in the page.
    p.wait("document.getElementById('role').textContent == 'operator'", 30)
    p.eval("document.getElementById('rc-run').click(); true")
    rows = "document.querySelectorAll('#routers tbody tr').length >= 6"
    try:
        p.wait(rows, 90)
    except cdp.ProtocolError:     # the stream's message missed: load again
        print("routing: no live update, page loaded again")
        p.navigate(base + "/routing")
        p.wait(rows, 30)
    check(True, "routecheck run from the Routing page: routers listed")
    p.screenshot(os.path.join(out, "routing.png"))


def browser_operator(b, url, base, out, lab, hvctl):
    p = pages.new_page(b)
    cluster_before(p, url, lab, hvctl)
    p.screenshot(os.path.join(out, "cluster.png"))
    s, text, before = metrics(base)
    check(s == 200, "/metrics answers without a session")
    promtool(text, "before")
    evacuate_lit(p, base, out)
    p.navigate(base + "/cluster")
    p.wait("document.querySelectorAll('[data-member=VM2] [data-guest^=LIT]').length == 4", 60)
    where = {m: g for m, g in pages.placement(p).items() if g}
    check(set(LIT) <= set(where.get("VM2", [])) and where == hv_where(hvctl, lab),
          f"LIT drawn on VM2 afterwards, as hvd says: {where}")
    p.screenshot(os.path.join(out, "cluster-after.png"))
    s, text, after = metrics(base)
    promtool(text, "after")
    metrics_moved(p, before, after)
    pages.history_page(p, base, out)
    routing_page(p, base, out)
    pages.log_pages(p, base, out, "LGR-JOB-DONE")


# --- a foreign LAN --------------------------------------------------------------

class Agent:
    """LITDCON1's agent restarted by us, as nslab starts it (its
    namespace and cgroup) but with options of ours; stopped by pid."""

    def __init__(self, lab, guest, agentd, *opts):
        d = os.path.join(os.environ.get("NSLAB_RUNDIR", "/run/nslab"), lab)
        self.lab, self.guest, self.dir = lab, guest, d
        self.stop_nslabs()
        cg = f"/sys/fs/cgroup/freezer/nslab/{lab}/{guest}"
        log = open(os.path.join(d, guest, "guestagentd.log"), "a")
        self.proc = subprocess.Popen(
            ["sh", "-c", 'echo $$ > "$1/cgroup.procs"; shift; exec nsenter --net="$@"',
             "sh", cg, f"/run/netns/{lab}.{guest}", agentd, "-d", "-f",
             os.path.join(d, "topology.yaml"), "-g", guest, "-D", d, *opts],
            stdout=log, stderr=log)

    def stop_nslabs(self):
        with open(os.path.join(self.dir, "manifest")) as f:
            pids = [int(w[3]) for w in (line.split() for line in f)
                    if w[:3] == ["proc", self.guest, "guestagentd"]]
        for pid in pids[-1:]:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def links_of(op, guest):
    """(member, {ifname: (lan, state, foreign)}) of guest in /api/cluster."""
    s, c = op.json("/api/cluster")
    for g in c.get("guests", []) if s == 200 else []:
        if g["name"] == guest:
            return g["member"], {x["ifname"]: (x["lan"], x["state"], x["foreign"])
                                 for x in g.get("hsi", [])}
    return None, {}


def wait_links(op, guest, want, timeout=30):
    """Wait until want(member, links) holds; the last (member, links)."""
    deadline = time.monotonic() + timeout
    while True:
        member, links = links_of(op, guest)
        if want(member, links) or time.monotonic() > deadline:
            return want(member, links), member, links
        time.sleep(0.5)


def foreign_lan(b, op, url, out, lab, hvctl, nslab, agentd):
    g = "LITDCON1"
    agent = Agent(lab, g, agentd, "-r", "3600000")
    try:
        ok, m, links = wait_links(op, g, lambda m, ln: m == "VM2" and any(
            st == "up" and lan == "VM2" and not f for lan, st, f in ln.values()))
        check(ok, f"{g} on VM2, its agent restarted (-r 3600000): VM2's link up, "
              f"own LAN: {m} {links}")
        r = subprocess.run([hvctl, "-l", lab, "relocate", g, "VM9"],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"hvctl relocate {g} VM9 (no agent involved): "
              + (r.stdout + r.stderr).strip()[-200:])
        ok, m, links = wait_links(op, g, lambda m, ln: m == "VM9" and any(
            st == "up" and lan == "VM2" and f for lan, st, f in ln.values()))
        check(ok, f"/api/cluster: {g} on VM9 with its link to VM2's LAN up, "
              f"marked foreign: {m} {links}")
        p = pages.new_page(b)
        p.navigate(url)
        p.wait(f"document.querySelectorAll('[data-member=VM9] [data-guest={g}] "
               ".link.up.foreign').length == 1", 30)
        check(True, f"the cluster page draws {g}'s link to VM2's LAN red (foreign)")
        p.screenshot(os.path.join(out, "cluster-foreign.png"))
        r = subprocess.run([hvctl, "-l", lab, "relocate", g, "VM2"],
                           capture_output=True, text=True)
        ok, m, links = wait_links(op, g, lambda m, ln: m == "VM2" and not any(
            f for _, _, f in ln.values()) and any(st == "up" for _, st, _ in ln.values()))
        check(r.returncode == 0 and ok, f"moved back by hvctl: own LAN again, "
              f"nothing foreign: {m} {links}")
    finally:
        agent.stop()
        r = subprocess.run([nslab, "restart", lab, "guestagentd", g],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"nslab restart {lab} guestagentd {g}: "
              + (r.stdout + r.stderr).strip()[-200:])
    ok, m, links = wait_links(op, g, lambda m, ln: ln and all(
        st in ("up", "down") and not f for _, st, f in ln.values()))
    check(ok, f"{g}'s agent as nslab starts it answers, nothing foreign: {links}")


def evacuate_back(op):
    s, _, body = op.req("POST", "/api/evacuate", {"workload": "LIT", "to": "VM9"})
    if not check(s in (200, 202),
                 f"operator evacuates LIT back to VM9 over HTTP ({s}: {body[:80]!r})"):
        return
    job = json.loads(body)["job"]
    for _ in range(1200):
        s, j = op.json(f"/api/jobs/{job}")
        if s == 200 and j["job"]["state"] != "RUNNING":
            break
        time.sleep(0.5)
    check(s == 200 and j["job"]["state"] == "DONE" and j["job"]["moved"] == 4,
          f"job {job} back to VM9: DONE, 4 moved")


def console_url(lgrctl, lab, role):
    return subprocess.run([lgrctl, "-l", lab, "console-url", "--role", role],
                          capture_output=True, text=True, check=True).stdout.strip()


def main():
    if len(sys.argv) != 7:
        print(__doc__, file=sys.stderr)
        return 2
    lab, out, lgrctl, hvctl, nslab, agentd = sys.argv[1:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # close chromium
    os.makedirs(out, exist_ok=True)
    url = {r: console_url(lgrctl, lab, r) for r in ("operator", "viewer")}
    base = re.match(r"(http://[^/]+)", url["operator"]).group(1)
    op = http_tests(base, url["operator"], url["viewer"])
    plan_waves_as_cli(op, lgrctl, lab)
    if pages.run_browser(out, [
            lambda b: browser_operator(b, console_url(lgrctl, lab, "operator"),
                                       base, out, lab, hvctl),
            lambda b: foreign_lan(b, op, console_url(lgrctl, lab, "operator"),
                                  out, lab, hvctl, nslab, agentd),
            lambda b: pages.viewer(b, console_url(lgrctl, lab, "viewer"), base, out),
    ]) == 77:
        return 77
    evacuate_back(op)
    return pages.summary(out)


if __name__ == "__main__":
    sys.exit(main())
