#!/usr/bin/env bash
# Integration test of nslab failure handling: an interrupted `up` removes
# what it made; after a crashed `up` (SIGKILL), `nslab down` removes it
# all; a failure midway names its step and leaves nothing.
# usage: nslab_failures.sh NSLAB SRCDIR
set -u
. "$2/tests/lib/labtest.sh" "$@"

# --- interrupted up (SIGINT while waiting for convergence) ----------
REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" t2int)
LABTEST_LABS+=(t2int)
"$NSLAB" up "$REF" --timeout 60 >"$LABTEST_TMP/int.out" 2>&1 &
upid=$!
for _ in $(seq 100); do
	[ -n "$(lab_pids t2int)" ] && break
	sleep 0.05
done
sleep 0.3
pids=$(lab_pids t2int)
kill -INT "$upid"
wait "$upid"
rc=$?
check "interrupted up exits 1" [ "$rc" -eq 1 ]
check "interrupted up says so" grep -q "NSLAB-UP-INTR" "$LABTEST_TMP/int.out"
check "interrupted up: nothing remains" lab_gone t2int "$pids"

# --- crashed up (SIGKILL midway) -------------------------------------
GEN="$LABTEST_TMP/t2crash.yaml"
"$NSLAB" gen --members 2 --guests 12 --name t2crash -o "$GEN"
LABTEST_LABS+=(t2crash)
"$NSLAB" up -q "$GEN" >/dev/null 2>&1 &
upid=$!
for _ in $(seq 200); do
	ip netns list | grep -q '^t2crash\.' && break
	sleep 0.01
done
kill -KILL "$upid"
wait "$upid" 2>/dev/null
pids=$(lab_pids t2crash)
check "crashed up: nslab down succeeds" "$NSLAB" down t2crash
check "crashed up: nothing remains" lab_gone t2crash "$pids"

# --- a failure midway: FRR missing from the expected place ------------
# A guest name the kernel refuses as a namespace file is impossible (names
# are validated), so provoke a failure in the netlink step instead: a
# stale namespace of the same name as one the lab will make.
REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" t2mid)
ip netns add t2mid.LITDAT01
out=$("$NSLAB" up "$REF" 2>&1)
rc=$?
check "failure midway: exit code 1" [ "$rc" -eq 1 ]
check "failure midway: names the step" grep -q "NSLAB-UP-FAIL.*building namespaces and links failed" <<<"$out"
check "failure midway: the namespace already there is untouched" \
    bash -c "ip netns list | grep -q '^t2mid.LITDAT01'"
ip netns del t2mid.LITDAT01
check "failure midway: nothing else remains" lab_gone t2mid ""

labtest_summary
