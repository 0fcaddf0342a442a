#!/usr/bin/env bash
# Bad input at every daemon's control socket, in the reference lab: hvd,
# lgrd and a guest agent get oversized, empty, truncated, wrongly typed
# and unknown requests, writes from a role that may not, and a client
# key the lab does not know.  Each is refused with its reply code, the
# refused writes are in the audit log, and each daemon still serves.
# The same for a router's ospfd_lgr.so socket (binary protocol,
# lgr_ctl.h; ctlpoke -l), its refusals in ospfd's log.
# usage: ctl_bad_input.sh NSLAB SRCDIR CTLPOKE HVCTL LGRCTL
set -u
. "$2/tests/lib/labtest.sh" "$@"
POKE=$3 HVCTL=$4 LGRCTL=$5

REF=$(topo_renamed "$SRC/netns-lab/topologies/reference.yaml" t15bad)
LABDIR=${NSLAB_RUNDIR:-/run/nslab}/t15bad

check "nslab up reference" lab_up "$REF" || exit 1

# poke_is NAME ENDPOINT ROLE FRAME WANT: the answer's first line is WANT
# ("end", or "error CODE" and its text, matched as a prefix); POKE_FLAGS
# are ctlpoke's (-l: ospfd_lgr's frame specs).
poke_is() {
	local what=$1 ep=$2 role=$3 frame=$4 want=$5 got
	got=$("$POKE" ${POKE_FLAGS:-} "$LABDIR" "$role" "ipc://$ep" "$frame" \
	    2>&1 | head -n 1)
	if [[ "$got" == "$want"* ]]; then
		ok "$what: $want"
	else
		fail "$what: want \"$want\", got \"$got\""
	fi
}

# door NAME SOCKET WRITE: the common cases against one daemon; WRITE is
# a request that changes state.
door() {
	local d=$1 ep=$2 write=$3
	poke_is "$d oversized" "$ep" operator @big "error 9000"
	poke_is "$d empty frame" "$ep" operator @empty "error 9000"
	poke_is "$d truncated" "$ep" operator '{"req":"status"' "error 9000"
	poke_is "$d not an object" "$ep" operator '[1,2]' "error 9000"
	poke_is "$d request name mistyped" "$ep" operator '{"req":7}' \
	    "error 9002"
	poke_is "$d unknown request" "$ep" operator '{"req":"nosuch"}' \
	    "error 9001"
	poke_is "$d unknown argument" "$ep" operator \
	    '{"req":"status","bogus":1}' "error 9002"
	poke_is "$d write by a viewer" "$ep" viewer "$write" "error 8003"
	if "$POKE" "$LABDIR" stranger "ipc://$ep" '{"req":"status"}' \
	    >/dev/null 2>&1; then
		fail "$d: a key the lab does not know is served"
	else
		ok "$d: a key the lab does not know is refused"
	fi
	poke_is "$d second frame dropped" "$ep" operator @two "end"
	poke_is "$d still serving" "$ep" operator '{"req":"status"}' "end"
}

door hvd "$LABDIR/hvd-VM9.ctl" '{"req":"cancel","guest":"LITDCON1"}'
door lgrd "$LABDIR/lgrd.ctl" '{"req":"cancel","id":999}'
door agent "$LABDIR/LITDCON1/agent.ctl" '{"req":"prepare","peers":[]}'

# poke_lgr NAME ROLE FRAME WANT: as poke_is, ospfd_lgr's socket of
# LITDCON1 (ctlpoke -l frame specs).
LGRSOCK=$LABDIR/LITDCON1/lgr.ctl
OSPFLOG=$LABDIR/LITDCON1/ospfd.log
poke_lgr() {
	POKE_FLAGS=-l poke_is "ospfd_lgr $1" "$LGRSOCK" "$2" "$3" "$4"
}

# Refused without an answer (exit 3): ZeroMQ drops a frame over the
# largest message, CURVE a key the lab does not know.
poke_lgr_refused() {
	local what=$1 role=$2 frame=$3
	if "$POKE" -l "$LABDIR" "$role" "ipc://$LGRSOCK" "$frame" \
	    >/dev/null 2>&1; then
		fail "ospfd_lgr $what: answered"
	else
		ok "ospfd_lgr $what: refused, no answer"
	fi
}

long=$(printf 'x%.0s' $(seq 65))
poke_lgr "a state request" operator 3 "data"
poke_lgr_refused "oversized frame (LGR_MAX_PAYLOAD + 1)" operator @big
poke_lgr "still serving after the oversized frame" operator 3 "data"
poke_lgr "length over the maximum" operator "3=4194305" "error 9000"
poke_lgr "empty frame" operator @empty "error 9000"
poke_lgr "half a header" operator @short "error 9000"
poke_lgr "truncated payload" operator "1=16:trk1" "error 9000"
poke_lgr "payload longer than its header says" operator "1=2:trk1" \
    "error 9000"
poke_lgr "other protocol version" operator "3/2" "error 9000"
poke_lgr "unknown message type" operator 99 "error 9001"
poke_lgr "a reply type sent as a request" operator 65 "error 9001"
poke_lgr "drain without a name" operator 1 "error 9002"
poke_lgr "drain, name not NUL-terminated" operator "1~trk1" "error 9002"
poke_lgr "drain, empty name" operator "1:" "error 9002"
poke_lgr "drain, name over 64 characters" operator "1:$long" "error 9002"
poke_lgr "drain, no such interface" operator "1:eth9" "error 8002"
poke_lgr "drain by a viewer" viewer "1:trk1" "error 8003"
poke_lgr "undrain by a viewer" viewer "2:trk1" "error 8003"
poke_lgr "state by a viewer" viewer 3 "data"
poke_lgr_refused "a key the lab does not know" stranger 3
poke_lgr "second frame" operator @two "error 9000"
poke_lgr "still serving" operator 3 "data"
check "ospfd's log shows the viewer's refused drain" \
    grep -q 'LGR-AUTH.*drain refused for role viewer' "$OSPFLOG"
check "ospfd's log shows the refused key" \
    grep -q 'LGR-AUTH.*refused a CURVE client' "$OSPFLOG"
check "LITDCON1's ospfd still runs (the one nslab started)" \
    kill -0 "$(cat "$LABDIR/LITDCON1/ospfd.pid")"

check "hvd audit shows the viewer's refused cancel" bash -c \
    "\"$HVCTL\" -D \"$LABDIR\" -m VM9 audit | grep -q 'cancel.*may not'"
check "lgrd audit shows the viewer's refused cancel" bash -c \
    "\"$LGRCTL\" -D \"$LABDIR\" audit | grep -q 'cancel.*may not'"

echo "$LABTEST_PASSES passed, $LABTEST_FAILS failed"
[ "$LABTEST_FAILS" -eq 0 ]
