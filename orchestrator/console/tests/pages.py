"""pages.py: what the console's browser tests share, against the
simulated provider (browser_test.py) and the real lgrd in a lab
(orchestrator/tests/lab_console.py): the checks and their tally, the
Prometheus text read into numbers, the steps on the pages (placement of
guests, planning and starting an evacuation, the cancel buttons, the
History/Events/Audit pages, the viewer's) and the run of a browser with
a screenshot of the page that failed.
"""
import json
import os

import cdp

LIT = ["LITSHA22", "LITDCON1", "LITSWAS1", "LITDAT01"]
FAILS = []
CURRENT = {}


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILS.append(what)
    return ok


def parse_metrics(text):
    """{'name{labels}': value} of a Prometheus text page."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            values[name] = float(value)
    return values


def new_page(b):
    p = CURRENT["page"] = b.new_page()
    return p


def placement(page):
    """{member: [guests drawn in its box, sorted]}."""
    return page.eval("""Object.fromEntries([...document.querySelectorAll('[data-member]')]
        .map(m => [m.dataset.member, [...m.querySelectorAll('[data-guest]')]
        .map(g => g.dataset.guest).sort()]))""")


def post_status(page, csrf):
    """The status of an evacuate POST made by the page's own fetch."""
    hdr = "'X-CSRF-Token': lgr.csrf," if csrf else ""
    return page.eval("fetch('/api/evacuate', {method: 'POST', headers: {"
                     "'Content-Type': 'application/json', " + hdr + "}, "
                     "body: JSON.stringify({workload: 'LIT', to: 'VM9'})})"
                     ".then(r => r.status)")


def plan_lit_to_vm2(p, base, timeout):
    """The Evacuate page: plan `evacuate LIT --to VM2`, two at a time."""
    p.navigate(base + "/evacuate")
    p.wait("!!document.querySelector('#evac-to option[value=VM2]')", 30)
    p.eval("""document.getElementById('evac-workload').value = 'LIT';
        document.getElementById('evac-to').value = 'VM2';
        document.getElementById('evac-parallel').value = '2';
        document.getElementById('evac-plan').click(); true""")
    p.wait("document.querySelectorAll('#plan tbody tr').length == 4", timeout)


CANCEL_JOB = ("[...document.querySelectorAll('#progress button')]"
              ".filter(b => b.textContent.startsWith('Cancel job')).length")


def start_evacuation(p):
    """Start the planned evacuation; a "Cancel job" button while it runs."""
    check(post_status(p, False) == 403, "page: POST without CSRF token refused 403")
    p.eval("document.getElementById('evac-start').click(); true")
    p.wait("document.querySelectorAll('#progress td.phase').length >= 1", 60)
    check(p.eval(CANCEL_JOB) == 1, "a Cancel job button while the job runs")


def no_cancel_after(p):
    """After the job's end: no cancel button left (the buttons follow the
    job's state, not the moves' rows)."""
    try:
        p.wait("document.querySelectorAll('#progress button').length == 0", 30)
        check(True, "no Cancel job or cancel button once the job ended")
    except cdp.ProtocolError:
        check(False, "cancel buttons still shown after the job ended: "
              + str(p.eval("[...document.querySelectorAll('#progress button')]"
                           ".map(b => b.textContent)")))


def history_page(p, base, out):
    """The History page: the newest job's report, four rows."""
    p.navigate(base + "/history")
    p.wait("document.querySelectorAll('#jobs tbody tr').length >= 1", 30)
    p.eval("document.querySelector('#jobs tbody tr').click(); true")
    p.wait("document.querySelectorAll('#report tbody tr').length == 4", 30)
    p.screenshot(os.path.join(out, "history.png"))


def log_pages(p, base, out, event_type):
    """The Events page (five rows or more, one of event_type) and the
    Audit page with the evacuation the console asked for."""
    p.navigate(base + "/events")
    p.wait("document.querySelectorAll('#events tbody tr').length >= 5", 30)
    check(p.eval("[...document.querySelectorAll('#events td')].some(td => "
                 f"td.textContent == '{event_type}')"),
          f"events page shows {event_type}")
    p.screenshot(os.path.join(out, "events.png"))
    p.navigate(base + "/audit")
    p.wait("[...document.querySelectorAll('#audit td')].some(td => "
           "td.textContent == '/api/evacuate')", 30)
    check(True, "audit page lists the console's evacuate")
    p.screenshot(os.path.join(out, "audit.png"))


def viewer(b, url, base, out):
    """A viewer: no Evacuate button, no Audit page, its forged request
    refused."""
    p = new_page(b)
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


def _failure(out, e):
    check(False, str(e))
    page = CURRENT.get("page")
    if not page:
        return
    try:
        print("page " + str(page.eval("location.pathname + ': ' + "
                                      "document.getElementById('error').textContent")))
        page.screenshot(os.path.join(out, "failure.png"))
    except cdp.ProtocolError:
        pass


def run_browser(out, steps):
    """Each step(browser) in one headless chromium; a protocol error
    fails the run with a screenshot of the page.  77 without chromium."""
    try:
        b = cdp.Browser()
    except FileNotFoundError as e:
        print(f"skip: {e}")
        return 77
    try:
        for step in steps:
            step(b)
    except cdp.ProtocolError as e:
        _failure(out, e)
    finally:
        b.close()
    return 0


def summary(out):
    print(json.dumps({"screenshots": sorted(os.listdir(out)), "failed": FAILS}))
    return 1 if FAILS else 0
