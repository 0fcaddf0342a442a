#!/usr/bin/env python3
"""browser_test.py: the console's pages in a real browser (headless
chromium over the DevTools protocol, cdp.py) against console_demo, the
console with a simulated provider.

Checks: every guest drawn in its member's box; from the Evacuate page,
plan and start `evacuate LIT --to VM2`, see the progress advance and
every move end DONE; LIT drawn on VM2 afterwards; /metrics before and
after (relocations counted, histograms moved); a viewer sees no
Evacuate button and no Audit page, and the server refuses its forged
request, as it refuses an operator's without the CSRF token.  Takes a
screenshot of each page into the output directory.

    browser_test.py CONSOLE_DEMO OUTDIR     (exit 77: no chromium)
"""
import json
import os
import re
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

LIT = ["LITSHA22", "LITDCON1", "LITSWAS1", "LITDAT01"]
FAILS = []
CURRENT = {}


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILS.append(what)


def metrics(base):
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def placement(page):
    return page.eval("""Object.fromEntries([...document.querySelectorAll('[data-member]')]
        .map(m => [m.dataset.member, [...m.querySelectorAll('[data-guest]')]
        .map(g => g.dataset.guest)]))""")


def post_status(page, csrf):
    hdr = "'X-CSRF-Token': lgr.csrf," if csrf else ""
    return page.eval("fetch('/api/evacuate', {method: 'POST', headers: {"
                     "'Content-Type': 'application/json', " + hdr + "}, "
                     "body: JSON.stringify({workload: 'LIT', to: 'VM9'})})"
                     ".then(r => r.status)")


def operator(b, url, base, out):
    p = CURRENT["page"] = b.new_page()
    p.navigate(url)
    check(p.eval("location.pathname") == "/cluster", "login redirects to /cluster")
    p.wait("document.querySelectorAll('[data-guest]').length == 5", 30)
    where = placement(p)
    check(sorted(where.get("VM9", [])) == sorted(["ECMSS00"] + LIT) and
          where.get("VM2") == [], f"every guest in VM9's box: {where}")
    check(p.eval("document.querySelectorAll('[data-guest=LITDCON1] .link.up').length") == 1,
          "LITDCON1 has one HSI link drawn up")
    p.screenshot(os.path.join(out, "cluster.png"))

    before = metrics(base)
    p.navigate(base + "/evacuate")
    p.wait("!!document.querySelector('#evac-to option[value=VM2]')", 30)
    p.eval("""document.getElementById('evac-workload').value = 'LIT';
        document.getElementById('evac-to').value = 'VM2';
        document.getElementById('evac-parallel').value = '2';
        document.getElementById('evac-plan').click(); true""")
    p.wait("document.querySelectorAll('#plan tbody tr').length == 4", 30)
    check(p.eval("document.querySelectorAll('#plan .waves li').length") == 2,
          "plan shows two waves for parallel 2")
    p.screenshot(os.path.join(out, "evacuate-plan.png"))
    check(post_status(p, False) == 403, "operator POST without CSRF token refused 403")
    p.eval("document.getElementById('evac-start').click(); true")
    p.wait("[...document.querySelectorAll('#progress td.phase')]"
           ".some(td => td.textContent == 'precopy')", 30)
    left = p.eval("document.querySelector('#progress td.phase').parentNode.children[5].textContent")
    check(left != "", f"progress shows MiB left ({left})")
    p.screenshot(os.path.join(out, "evacuate-progress.png"))
    p.wait("[...document.querySelectorAll('#progress td.phase')].length == 4 && "
           "[...document.querySelectorAll('#progress td.phase')]"
           ".every(td => td.textContent == 'DONE')", 60)
    check(True, "every LIT move ended DONE")
    p.screenshot(os.path.join(out, "evacuate-done.png"))

    p.navigate(base + "/cluster")
    p.wait("document.querySelectorAll('[data-member=VM2] [data-guest]').length == 4", 30)
    where = placement(p)
    check(sorted(where.get("VM2", [])) == sorted(LIT) and where.get("VM9") == ["ECMSS00"],
          f"LIT drawn on VM2 afterwards: {where}")
    p.screenshot(os.path.join(out, "cluster-after.png"))

    after = metrics(base)
    done = 'lgr_relocations_total{end_code="DONE"}'
    check(before.get(done, 0) == 0 and after.get(done) == 4,
          f"lgr_relocations_total DONE 0 -> 4 ({before.get(done, 0)} -> {after.get(done)})")
    for h in ("duration", "quiesce", "network_downtime", "convergence"):
        n = f"lgr_relocation_{h}_seconds_count"
        check(after.get(n, 0) - before.get(n, 0) == 4, f"{n} +4")
    check(after.get('lgr_guests{member="VM2"}') == 4, "lgr_guests{member=VM2} 4")

    p.navigate(base + "/history")
    p.wait("document.querySelectorAll('#jobs tbody tr').length >= 1", 30)
    p.eval("document.querySelector('#jobs tbody tr').click(); true")
    p.wait("document.querySelectorAll('#report tbody tr').length == 4", 30)
    p.screenshot(os.path.join(out, "history.png"))
    p.navigate(base + "/routing")
    p.wait("document.querySelectorAll('#routers tbody tr').length >= 1", 30)
    p.eval("document.getElementById('rc-run').click(); true")
    p.screenshot(os.path.join(out, "routing.png"))
    p.navigate(base + "/events")
    p.wait("document.querySelectorAll('#events tbody tr').length >= 5", 30)
    p.screenshot(os.path.join(out, "events.png"))
    p.navigate(base + "/audit")
    p.wait("[...document.querySelectorAll('#audit td')].some(td => "
           "td.textContent == '/api/evacuate')", 30)
    check(True, "audit page lists the evacuation")
    p.screenshot(os.path.join(out, "audit.png"))


def viewer(b, url, base, out):
    p = CURRENT["page"] = b.new_page()
    p.navigate(url)
    p.navigate(base + "/evacuate")
    p.wait("document.getElementById('role').textContent == 'viewer'", 30)
    p.wait("!!document.querySelector('#evac-to option[value=VM2]')", 30)
    check(p.eval("document.getElementById('evac-start') === null"),
          "viewer: no Evacuate button")
    check(p.eval("document.getElementById('nav-audit') === null"),
          "viewer: no Audit page in the menu")
    check(post_status(p, True) == 403, "viewer: forged evacuate refused 403")
    p.screenshot(os.path.join(out, "viewer-evacuate.png"))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    demo, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    proc = subprocess.Popen([demo, "-r", "operator", "-r", "viewer"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        urls = [proc.stdout.readline().strip() for _ in range(2)]
        check(proc.stdout.readline().strip() == "ready", "console_demo ready")
        base = re.match(r"(http://[^/]+)", urls[0]).group(1)
        try:
            b = cdp.Browser()
        except FileNotFoundError as e:
            print(f"skip: {e}")
            return 77
        try:
            operator(b, urls[0], base, out)
            viewer(b, urls[1], base, out)
        except cdp.ProtocolError as e:
            check(False, str(e))
            page = CURRENT.get("page")
            if page:
                print("page " + page.eval("location.pathname + ': ' + "
                      "document.getElementById('error').textContent"))
                page.screenshot(os.path.join(out, "failure.png"))
        finally:
            b.close()
    finally:
        proc.stdin.close()
        proc.wait(10)
    print(json.dumps({"screenshots": sorted(os.listdir(out)), "failed": FAILS}))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
