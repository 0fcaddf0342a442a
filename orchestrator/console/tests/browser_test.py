#!/usr/bin/env python3
"""browser_test.py: the console's pages in a real browser (headless
chromium over the DevTools protocol, cdp.py) against console_demo, the
console with a simulated provider.

Checks: every guest drawn in its member's box; from the Evacuate page,
plan and start `evacuate LIT --to VM2`, see the progress advance and
every move end DONE, a Cancel job button while the job runs and none
after it ended; LIT drawn on VM2 afterwards; /metrics before and after
(relocations counted, histograms moved); a viewer sees no Evacuate
button and no Audit page, and the server refuses its forged request, as
it refuses an operator's without the CSRF token.  Takes a screenshot of
each page into the output directory.

    browser_test.py CONSOLE_DEMO OUTDIR     (exit 77: no chromium)
"""
import os
import re
import subprocess
import sys
import urllib.request

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pages import LIT, check  # noqa: E402
import pages  # noqa: E402


def metrics(base):
    return pages.parse_metrics(urllib.request.urlopen(
        base + "/metrics", timeout=10).read().decode())


def cluster(p, url):
    p.navigate(url)
    check(p.eval("location.pathname") == "/cluster", "login redirects to /cluster")
    p.wait("document.querySelectorAll('[data-guest]').length == 5", 30)
    where = pages.placement(p)
    check(where.get("VM9") == sorted(["ECMSS00"] + LIT) and where.get("VM2") == [],
          f"every guest in VM9's box: {where}")
    check(p.eval("document.querySelectorAll('[data-guest=LITDCON1] .link.up').length") == 1,
          "LITDCON1 has one HSI link drawn up")


def evacuate(p, base, out):
    pages.plan_lit_to_vm2(p, base, 30)
    check(p.eval("document.querySelectorAll('#plan .waves li').length") == 2,
          "plan shows two waves for parallel 2")
    p.screenshot(os.path.join(out, "evacuate-plan.png"))
    pages.start_evacuation(p)
    p.wait("[...document.querySelectorAll('#progress td.phase')]"
           ".some(td => td.textContent == 'precopy')", 30)
    left = p.eval("document.querySelector('#progress td.phase').parentNode.children[5].textContent")
    check(left != "", f"progress shows MiB left ({left})")
    p.screenshot(os.path.join(out, "evacuate-progress.png"))
    p.wait("[...document.querySelectorAll('#progress td.phase')].length == 4 && "
           "[...document.querySelectorAll('#progress td.phase')]"
           ".every(td => td.textContent == 'DONE')", 60)
    check(True, "every LIT move ended DONE")
    pages.no_cancel_after(p)
    p.screenshot(os.path.join(out, "evacuate-done.png"))


def after(p, base, out, before):
    p.navigate(base + "/cluster")
    p.wait("document.querySelectorAll('[data-member=VM2] [data-guest]').length == 4", 30)
    where = pages.placement(p)
    check(where.get("VM2") == sorted(LIT) and where.get("VM9") == ["ECMSS00"],
          f"LIT drawn on VM2 afterwards: {where}")
    p.screenshot(os.path.join(out, "cluster-after.png"))
    now = metrics(base)
    done = 'lgr_relocations_total{end_code="DONE"}'
    check(before.get(done, 0) == 0 and now.get(done) == 4,
          f"lgr_relocations_total DONE 0 -> 4 ({before.get(done, 0)} -> {now.get(done)})")
    for h in ("duration", "quiesce", "network_downtime", "convergence"):
        n = f"lgr_relocation_{h}_seconds_count"
        check(now.get(n, 0) - before.get(n, 0) == 4, f"{n} +4")
    check(now.get('lgr_guests{member="VM2"}') == 4, "lgr_guests{member=VM2} 4")


def operator(b, url, base, out):
    p = pages.new_page(b)
    cluster(p, url)
    p.screenshot(os.path.join(out, "cluster.png"))
    before = metrics(base)
    evacuate(p, base, out)
    after(p, base, out, before)
    pages.history_page(p, base, out)
    p.navigate(base + "/routing")
    p.wait("document.querySelectorAll('#routers tbody tr').length >= 1", 30)
    p.eval("document.getElementById('rc-run').click(); true")
    p.screenshot(os.path.join(out, "routing.png"))
    pages.log_pages(p, base, out, "job_end")


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
        rc = pages.run_browser(out, [
            lambda b: operator(b, urls[0], base, out),
            lambda b: pages.viewer(b, urls[1], base, out)])
        if rc == 77:
            return 77
    finally:
        proc.stdin.close()
        proc.wait(10)
    return pages.summary(out)


if __name__ == "__main__":
    sys.exit(main())
