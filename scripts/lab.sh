#!/usr/bin/env bash
# The main job: set up, build, bring up the reference lab of DESIGN §5
# on real FRR with the hypervisor members, guest agents and lgrd, probe
# every pair of VIPAs every 10 ms and keep TCP streams from ECMSS00 to
# the four LIT VIPAs, evacuate the LIT workload from VM9 to VM2 with
# live progress, print the report, the probes' loss, the streams' resets
# and longest stall, the routecheck summary and the drawing's path, tear
# it down.  The web console's URL is printed; with --keep the lab stays
# up for a look in the browser (tear it down with `nslab down LAB`).
#
#	bash scripts/lab.sh [--keep]
set -euo pipefail
keep=0
for a in "$@"; do
	case $a in
	--keep) keep=1 ;;
	*) echo "usage: bash scripts/lab.sh [--keep]" >&2; exit 2 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/setup.sh
bash scripts/build.sh >/dev/null

nslab=build/netns-lab/nslab
lgrctl=build/orchestrator/lgrctl
lgrprobe=build/orchestrator/lgrprobe
routecheck=build/routing/routecheck
topo=netns-lab/topologies/reference.yaml
lab=$(sed -n 's/^lab: *//p' "$topo")
out=${LAB_OUT:-$top/build/lab-output}
mkdir -p "$out"
probe_pid=

cleanup() {
	[ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null
	[ "$keep" = 1 ] || "$nslab" down "$lab" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$nslab" check "$topo"
"$nslab" up "$topo"
echo "console (operator, one-time): $("$lgrctl" -l "$lab" console-url --role operator)"
echo
"$nslab" status "$lab"
echo
echo "== OSPF routing table of LITDCON1 (HiperSockets on VM9) =="
"$nslab" vtysh "$lab" LITDCON1 -c 'show ip ospf route'

echo "== probes between every pair of VIPAs, every 10 ms, both directions;"
echo "   TCP streams from ECMSS00 to the LIT VIPAs =="
rm -f "$out/probe.stop" "$out/probe.ready"
"$lgrprobe" --lab "$lab" --all-vipas -q --stop-file "$out/probe.stop" \
    --tcp LITSHA22,LITDCON1,LITSWAS1,LITDAT01 --tcp-from ECMSS00 \
    --ready-file "$out/probe.ready" -o "$out/probe.json" &
probe_pid=$!
for _ in $(seq 100); do [ -e "$out/probe.ready" ] && break; sleep 0.1; done

echo
echo "== lgrctl evacuate LIT --to VM2 --dry-run =="
"$lgrctl" -l "$lab" evacuate LIT --to VM2 --dry-run || true
echo
echo "== lgrctl evacuate LIT --to VM2 =="
rc=0
"$lgrctl" -l "$lab" evacuate LIT --to VM2 || rc=$?
echo "(lgrctl exit $rc)"

touch "$out/probe.stop"
wait "$probe_pid" || true
probe_pid=
echo
echo "== probes during the evacuation =="
python3 - "$out/probe.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
t = r["total"]
print("%d flows, %d probes sent, %d lost, longest gap %.1f ms" %
      (len(r["pairs"]), t["sent"], t["lost"], t["longest_gap_ms"]))
for p in r["pairs"]:
    if p["lost"]:
        print("  %s -> %s: %d lost" % (p["from"], p["to"], p["lost"]))
t = r.get("tcp_total")
if t:
    print("%d TCP streams, %d resets, longest stall %.1f ms" %
          (len(r["tcp"]), t["resets"], t["longest_stall_ms"]))
    for p in r["tcp"]:
        print("  %s -> %s (%s): %d resets, longest stall %.1f ms" %
              (p["from"], p["to"], p["vipa"], p["resets"],
               p["longest_stall_ms"]))
EOF

echo
echo "== routecheck =="
if [ -x "$routecheck" ]; then
	"$routecheck" "$lab" || true
else
	echo "(routecheck not built)"
fi
echo
echo "== kernel routes of LITDCON1, now on VM2 =="
"$nslab" exec "$lab" LITDCON1 -- ip route
echo
"$nslab" graph "$lab" --format svg -o "$out/$lab.svg"
"$nslab" graph "$lab" -o "$out/$lab.dot"
echo "report files: $(ls /run/nslab/"$lab"/reports/ 2>/dev/null | tr '\n' ' ')"
cp /run/nslab/"$lab"/reports/*.log "$out/" 2>/dev/null || true
echo "drawing: $out/$lab.svg (dot source: $out/$lab.dot)"
if [ "$keep" = 1 ]; then
	trap - EXIT
	echo "lab $lab kept (--keep); the console, one-time URLs:"
	echo "  operator: $("$lgrctl" -l "$lab" console-url --role operator)"
	echo "  viewer:   $("$lgrctl" -l "$lab" console-url --role viewer)"
	echo "tear it down with: $nslab down $lab"
	exit 0
fi
"$nslab" down "$lab"
trap - EXIT
echo "lab $lab torn down"
