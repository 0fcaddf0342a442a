#!/usr/bin/env bash
# Integration test of "ready means ready" (issue 12, item 6): `nslab up`
# waits for OSPF, every member JOINED, every guest RUNNING and every
# guest agent answering.  A piece held back makes it time out, exit 4
# and name what is missing: a guest agent frozen as soon as its socket
# exists, then a member's hvd frozen the same way (each a wrapper around
# the real program that stops itself: the manifest's pid is the
# program's).  A whole lab says it is ready, and `nslab down` removes
# the labs left for inspection.
# usage: nslab_ready.sh NSLAB SRCDIR
set -u
. "$2/tests/lib/labtest.sh" "$@"

BUILD=$(cd "$(dirname "$NSLAB")/.." && pwd)
REF=$SRC/netns-lab/topologies/reference.yaml

# A wrapper around PROGRAM that stops itself once FILE exists, when its
# argument after OPT is NAME; FILE may use $dir (the argument after -D).
freezer() {	# OUT PROGRAM OPT NAME FILE
	cat >"$1" <<EOF
#!/bin/bash
dir= name=
prev=
for a in "\$@"; do
	[ "\$prev" = -D ] && dir=\$a
	[ "\$prev" = $3 ] && name=\$a
	prev=\$a
done
if [ "\$name" = $4 ]; then
	( for i in \$(seq 200); do [ -S "$5" ] && break; sleep 0.05; done
	  kill -STOP \$\$ ) &
fi
exec $2 "\$@"
EOF
	chmod +x "$1"
}

# --- a guest agent that never answers -------------------------------
LAB=t2rdya
freezer "$LABTEST_TMP/agent" "$BUILD/guestagent/guestagentd" -g LITDAT01 \
    '$dir/$name/agent.ctl'
LABTEST_LABS+=($LAB)
check_exit 4 "$LABTEST_TMP/a.err" "agent of LITDAT01 frozen: up not ready" \
    env NSLAB_AGENT="$LABTEST_TMP/agent" "$NSLAB" up -q -t 25 --name $LAB "$REF"
check "the time-out says the lab is not ready" \
    grep -q 'NSLAB-NOT-READY.* lab t2rdya not ready' "$LABTEST_TMP/a.err"
check "the time-out names the agent of LITDAT01" \
    grep -q '^  agent of LITDAT01 not answering' "$LABTEST_TMP/a.err"
check "and nothing else" [ "$(grep -c '^  ' "$LABTEST_TMP/a.err")" -eq 1 ]
check "the lab stays for inspection; down removes it" "$NSLAB" down $LAB

# --- a member whose hvd freezes before it is JOINED -----------------
LAB=t2rdyh
freezer "$LABTEST_TMP/hvd" "$BUILD/hypervisor/hvd" -m VM2 '$dir/hvd-$name.ctl'
LABTEST_LABS+=($LAB)
check_exit 4 "$LABTEST_TMP/h.err" "hvd of VM2 frozen: up not ready" \
    env NSLAB_HVD="$LABTEST_TMP/hvd" "$NSLAB" up -q -t 25 --name $LAB "$REF"
check "the time-out names member VM2 (not JOINED, or its hvd not answering)" \
    grep -Eq '^  (member VM2 is [A-Z]*, expected JOINED|hvd of VM2 not answering)' \
    "$LABTEST_TMP/h.err"
check "VM9 is not named" bash -c "! grep -q 'member VM9' '$LABTEST_TMP/h.err'"
check "down removes it, its frozen hvd too" "$NSLAB" down $LAB

# --- all there: ready -----------------------------------------------
LAB=t2rdy
LABTEST_LABS+=($LAB)
check_exit 0 "$LABTEST_TMP/ok.err" "a whole lab: up" "$NSLAB" up --name $LAB "$REF"
check "and says it is ready: 2 members JOINED, 5 guests RUNNING, agents" \
    grep -q "lab $LAB ready (2 members JOINED, 5 guests RUNNING, agents answering)" \
    "$LABTEST_TMP/ok.err"
check "down" "$NSLAB" down $LAB

labtest_summary
