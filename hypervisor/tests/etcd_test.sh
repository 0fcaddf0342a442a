#!/bin/bash
# etcd_test.sh HVD HVCTL TOPOLOGY: two real hvd members on the etcd
# directory (--directory etcd) in the stand-in lab of lib.sh, with a
# 3-node etcd cluster this test starts itself on free ports (stopped by
# pid and its data removed on exit, with the lab): a relocation and back;
# a member killed (DOWN within TTL + 1 s, its guest recovered once, the
# HSI NICs re-plugged); a source stopped with SIGSTOP past its TTL then
# continued (its relocation does not commit, it fences itself and says
# so, no guest on two members); a member booting 50 guests of 64 MiB
# (longer than its TTL) never declared DOWN; 2 of 3 etcd nodes down (no
# relocation starts, the operator is told why).
. "$(dirname "$0")/lib.sh"
lab_skip_unless_able
command -v etcd >/dev/null || { echo "skipped: etcd not installed"; exit 77; }

TTL=2
ETCD_DIR=$(mktemp -d /tmp/hvetcd.XXXXXX)
ETCD_PIDS=""

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

etcd_stop() {
	local p
	for p in $ETCD_PIDS; do kill "$p" 2>/dev/null; done
	for p in $ETCD_PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$ETCD_DIR"
}

etcd_start() {
	local i cp pp initial="" eps=""
	for i in 0 1 2; do
		CP[$i]=$(free_port)
		PP[$i]=$(free_port)
		initial="$initial${initial:+,}n$i=http://127.0.0.1:${PP[$i]}"
		eps="$eps${eps:+,}127.0.0.1:${CP[$i]}"
	done
	for i in 0 1 2; do
		etcd --name "n$i" --data-dir "$ETCD_DIR/n$i" \
		    --listen-client-urls "http://127.0.0.1:${CP[$i]}" \
		    --advertise-client-urls "http://127.0.0.1:${CP[$i]}" \
		    --listen-peer-urls "http://127.0.0.1:${PP[$i]}" \
		    --initial-advertise-peer-urls "http://127.0.0.1:${PP[$i]}" \
		    --initial-cluster "$initial" \
		    --initial-cluster-token "$ETCD_DIR" \
		    >"$ETCD_DIR/n$i.log" 2>&1 &
		ETCD_PID[$i]=$!
		ETCD_PIDS="$ETCD_PIDS $!"
	done
	ETCD_EPS=$eps
	for i in $(seq 200); do
		curl -s -m 1 "http://127.0.0.1:${CP[0]}/health" |
		    grep -q '"true"' && return 0
		sleep 0.1
	done
	echo "etcd not ready"; cat "$ETCD_DIR"/n0.log | tail -20
	return 1
}

etcd_start || { echo "FAIL: etcd setup"; etcd_stop; exit 1; }
HVD_OPTS="--directory etcd --etcd $ETCD_EPS --lease-ttl $TTL"
lab_init "$1" "$2" "$3" || { echo "FAIL: lab setup"; etcd_stop; exit 1; }
trap 'lab_cleanup; etcd_stop' EXIT

mstate() { hv -j members | jq -r ".[] | select(.name == \"$1\") | .$2"; }
nevents() { hv -j events | jq "[.[] | select(.msgid == \"$1\")] | length"; }

t_move() {
	hv relocate LITDCON1 VM2 > "$TMP/out" ||
	    fail "relocate: exit $? $(cat "$TMP/out")"
	[ "$(last_end LITDCON1)" = OK ] || fail "end $(last_end LITDCON1)"
	hv -j status LITDCON1 | jq -e '.[0] | .pass >= 1 and .sent_mib > 0' \
	    >/dev/null || fail "no progress recorded: $(hv -j status LITDCON1)"
	[ "$(where LITDCON1)" = VM2 ] || fail "guest not on VM2"
	[ "$(master_of g2n2)" = hs1 ] || fail "hsi0 host end not on hs1"
	hv relocate LITDCON1 VM9 >/dev/null || fail "relocate back: exit $?"
	[ "$(where LITDCON1)" = VM9 ] || fail "guest not back on VM9"
	[ "$(master_of g2n2)" = hs0 ] || fail "hsi0 host end not back on hs0"
	[ "$(hv -j history LITDCON1 | jq length)" = 2 ] || fail "history"
}

# VM2 killed: DOWN within TTL + 1 s; its guest recovered once on VM9.
t_member_killed() {
	hv relocate LITDCON1 VM2 >/dev/null || fail "LITDCON1 to VM2"
	local t0 t1 s=""
	t0=$(date +%s%N)
	kill -9 "$HVD_VM2"
	while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt $(( TTL * 1000 + 3000 )) ]; do
		s=$(mstate VM2 state)
		[ "$s" = DOWN ] && break
		sleep 0.05
	done
	t1=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "  DOWN after $t1 ms (TTL $TTL s)"
	[ "$s" = DOWN ] || fail "VM2 not declared DOWN ($s)"
	[ "$t1" -le $(( TTL * 1000 + 1000 )) ] ||
	    fail "DOWN after $t1 ms > TTL + 1 s"
	[ "$(gstate LITDCON1)" = LOST ] || fail "LITDCON1 $(gstate LITDCON1)"
	hv recover LITDCON1 VM9 >/dev/null || fail "recover refused"
	hv recover LITDCON1 VM9 >/dev/null 2>&1 && fail "recovered twice"
	[ "$(where LITDCON1)" = VM9 ] || fail "LITDCON1 not on VM9"
	[ "$(gstate LITDCON1)" = RUNNING ] || fail "LITDCON1 not RUNNING"
	[ "$(nevents HV-GUEST-RECOVERED)" = 1 ] || fail "recovered events"
	[ "$(master_of g2n2)" = hs0 ] || fail "hsi0 not re-plugged to hs0"
	[ "$(master_of g2n3)" = hs0 ] || fail "hsi1 not re-plugged to hs0"
	hvd_start VM2 || fail "VM2 restart"
}

# The source stopped past its TTL mid-relocation, then continued.
t_sigstop() {
	hv relocate LITDCON1 VM2 --async --max-rate 2 >/dev/null ||
	    fail "relocation did not start"
	sleep 0.3
	kill -STOP "$HVD_VM9"
	sleep $(( TTL + 2 ))
	[ "$(hvctl_vm2 -j members | jq -r '.[] | select(.name == "VM9") |
	    .state')" = DOWN ] || fail "VM9 not DOWN while stopped"
	kill -CONT "$HVD_VM9"
	sleep 2
	[ "$(where LITDCON1)" != VM2 ] || fail "stale commit: guest on VM2"
	[ "$(nevents HV-FENCED)" -ge 1 ] || fail "no HV-FENCED event"
	mstate VM9 reason | grep -q "rejoined after fencing" ||
	    fail "members reason: $(mstate VM9 reason)"
	[ "$(mstate VM9 state)" = JOINED ] || fail "VM9 $(mstate VM9 state)"
	[ "$(gstate LITDCON1)" = LOST ] || fail "LITDCON1 $(gstate LITDCON1)"
	grep -q HV-FENCED "$TMP/hvd-VM9.log" || fail "no [HV-FENCED] in log"
	hv recover LITDCON1 VM9 >/dev/null || fail "recover after fencing"
	[ "$(gstate LITDCON1)" = RUNNING ] || fail "not RUNNING after recover"
}

hvctl_vm2() { "$HVCTL" -D "$LABDIR" -m VM2 -t 2000 "$@"; }

# A lab of its own (the same etcd, another key prefix): VM9 boots 50
# guests of 64 MiB, each filled before it runs, which lasts several
# TTLs; its lease is renewed by its own thread meanwhile: VM2, up
# before it, never declares it DOWN, and every guest runs on VM9.
t_boot50() {
	local lab=${LAB}b dir=$TMP/${LAB}b topo=$TMP/topo50.yaml m i t0 pid
	local pids=""
	mkdir -p "$dir"
	python3 - "$TMP/topo.yaml" "$lab" >"$topo" <<'PY'
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
t["lab"] = sys.argv[2]
t["members"][0]["memory"] = "4G"
t["guests"] = [{"name": "LITB%02d" % i, "vipa": "10.20.6.%d/32" % (110 + i),
    "group": "LIT", "memory": "64M", "member": "VM9", "nics": [
    {"name": "trk1", "kind": "vswitch", "lan": "DC8",
     "address": "10.20.8.%d/24" % (110 + i), "cost": 10, "priority": 0},
    {"name": "trk2", "kind": "vswitch", "lan": "DC9",
     "address": "10.20.9.%d/24" % (110 + i), "cost": 10, "priority": 0}]}
    for i in range(1, 51)]
yaml.safe_dump(t, sys.stdout, sort_keys=False)
PY
	"$HVD" -K "$dir" || { fail "keys of $lab"; return; }
	h50() { "$HVCTL" -D "$dir" -m VM2 -t 2000 "$@"; }
	for m in VM2 VM9; do
		"$HVD" -d -f "$topo" -m "$m" -D "$dir" -H 100 -T 1000 -F 100 \
		    $HVD_OPTS >>"$TMP/hvd50-$m.log" 2>&1 &
		pid=$!
		pids="$pids $pid"
		PIDS="$PIDS $pid"
		[ "$m" = VM9 ] && t0=$(date +%s%N)
		for i in $(seq 600); do
			kill -0 "$pid" 2>/dev/null || break
			[ "$(h50 -j members 2>/dev/null | jq -r ".[] |
			    select(.name == \"$m\") | .state")" = JOINED ] && break
			sleep 0.1
		done
	done
	echo "  VM9 joined after $(( ($(date +%s%N) - t0) / 1000000 )) ms" \
	    "(50 guests of 64 MiB; TTL $TTL s)"
	h50 -j members | jq -e '.[] | select(.name == "VM9") |
	    .state == "JOINED"' >/dev/null || fail "VM9 of $lab not JOINED"
	[ "$(h50 -j events | jq '[.[] | select(.msgid == "HV-MEMBER-DOWN")]
	    | length')" = 0 ] || fail "a member of $lab declared DOWN"
	[ "$(h50 -j guests | jq '[.[] | select(.member == "VM9" and
	    .state == "RUNNING")] | length')" = 50 ] ||
	    fail "not every guest runs on VM9: $(h50 guests | head -5)"
	grep -F '[HV-FENCED]' "$TMP/hvd50-VM9.log" && fail "VM9 fenced"
	[ "$FAILS" = 0 ] || for m in VM9 VM2; do
		echo "--- hvd50-$m.log"; tail -15 "$TMP/hvd50-$m.log"
		cp "$TMP/hvd50-$m.log" /tmp/ 2>/dev/null
	done
	kill $pids 2>/dev/null
	wait $pids 2>/dev/null
}

# 2 of 3 etcd nodes down: no relocation starts, the operator is told why.
t_quorum() {
	# Killed outright and gone before the clock starts (a SIGTERM'd
	# node may still serve for a while), then the last node's election
	# timeout, so that it knows its quorum is lost.
	kill -KILL "${ETCD_PID[1]}" "${ETCD_PID[2]}"
	wait "${ETCD_PID[1]}" "${ETCD_PID[2]}" 2>/dev/null
	sleep 1.5
	# hvd's main thread may sit in an etcd call (deadline 5 s) and not
	# answer within hvctl's 2 s: ask again until it answers.
	local i
	for i in $(seq 10); do
		"$HVCTL" -D "$LABDIR" -m VM9 -t 20000 relocate LITDCON1 VM2 \
		    > "$TMP/out" 2>&1 && fail "relocation started without quorum"
		grep -q "no daemon answers" "$TMP/out" || break
		sleep 1
	done
	echo "  $(head -1 "$TMP/out")"
	grep -Eqi 'leader|quorum|etcd|fenced|timed out|directory' "$TMP/out" ||
	    fail "no reason given: $(cat "$TMP/out")"
	[ "$(hvctl_vm2 -j where LITDCON1 2>/dev/null | jq -r '.[0].member')" \
	    != VM2 ] || fail "guest moved"
}

lab_run t_move t_member_killed t_sigstop t_boot50 t_quorum
