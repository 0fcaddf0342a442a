#!/usr/bin/env bash
# The main job: set up, build, bring up the reference lab of DESIGN §5
# on real FRR, show its routing state and drawing, tear it down.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/setup.sh
bash scripts/build.sh >/dev/null

nslab=build/netns-lab/nslab
topo=netns-lab/topologies/reference.yaml
lab=$(sed -n 's/^lab: *//p' "$topo")
out=${LAB_OUT:-$top/build/lab-output}
mkdir -p "$out"

trap '"$nslab" down "$lab" >/dev/null 2>&1 || true' EXIT

"$nslab" check "$topo"
"$nslab" up "$topo"
echo
"$nslab" status "$lab"
echo
echo "== OSPF routing table of ECMSS00 (no HiperSockets) =="
"$nslab" vtysh "$lab" ECMSS00 -c 'show ip ospf route'
echo "== OSPF routing table of LITDCON1 (HiperSockets on VM9) =="
"$nslab" vtysh "$lab" LITDCON1 -c 'show ip ospf route'
echo "== kernel routes of LITDCON1 =="
"$nslab" exec "$lab" LITDCON1 -- ip route
echo
"$nslab" graph "$lab" --format svg -o "$out/$lab.svg"
"$nslab" graph "$lab" -o "$out/$lab.dot"
echo "drawing: $out/$lab.svg (dot source: $out/$lab.dot)"
"$nslab" down "$lab"
trap - EXIT
echo "lab $lab torn down"
