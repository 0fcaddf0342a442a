#!/usr/bin/env bash
# lab_badver.sh MODULE: a module built for another FRR version is loaded
# by ospfd, logs [LGR-INERT], opens no socket, and ospfd keeps running.
set -euo pipefail

module=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lab.sh"

lab_skip_unless_ready
lab_init

lab_node a
lab_addr a lo 10.98.0.1/32
d=$(lab_dir a)
cat >"$d/ospfd.conf" <<CONF
hostname a
router ospf
 ospf router-id 10.98.0.1
 network 10.98.0.0/16 area 0
CONF
lab_frr a "$module"

lab_vtysh a "show modules" | grep -q ospfd_lgr ||
    lab_fail "show modules does not list the module"
lab_wait 10 "[LGR-INERT] in ospfd's log" grep -q "LGR-INERT" "$d/ospfd.log"
grep "LGR-INERT" "$d/ospfd.log" >&2
sleep 2
pid=$(cat "$d/ospfd.pid")
[ -d "/proc/$pid" ] || lab_fail "ospfd died"
lab_vtysh a "show ip ospf" | grep -q "10.98.0.1" ||
    lab_fail "ospfd does not answer"
[ -e "$d/lgr.ctl" ] && lab_fail "inert module opened its control socket"
grep -q "LGR-START" "$d/ospfd.log" && lab_fail "inert module started"
echo "PASS: lab_badver"
