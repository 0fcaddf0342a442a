#!/usr/bin/env bash
# tcp_stream_test.sh TCP_STREAM: underlay_bench's baselines over loopback
# in a namespace of their own: plain and sealed streams arrive whole; a
# receiver expecting another cipher than the sender's refuses the first
# frame (the sealed baseline really opens what it receives); bad
# arguments are refused with the usage.
set -euo pipefail
ts=$1
ns=lgr-tcpstream-$$
port=7393
ip netns add "$ns"
trap 'ip netns del "$ns" 2>/dev/null' EXIT
ip -n "$ns" link set lo up
fail() { echo "FAIL: $*" >&2; exit 1; }

# stream RECV-CIPHER SEND-CIPHER: the receiver's output, its status.
stream() {
	local out rc=0
	ip netns exec "$ns" "$ts" recv 127.0.0.1 "$port" $1 >"$tmp" 2>&1 &
	local r=$!
	ip netns exec "$ns" "$ts" send 127.0.0.1 "$port" 8 $2 2>/dev/null ||
	    true
	wait "$r" || rc=$?
	echo "$rc $(cat "$tmp")"
}
tmp=$(mktemp)
trap 'ip netns del "$ns" 2>/dev/null; rm -f "$tmp"' EXIT

set -- $(stream "" "")
[ "$1" = 0 ] && [ "$2" = 8.0 ] || fail "plain stream: $*"
set -- $(stream aes-256-gcm aes-256-gcm)
[ "$1" = 0 ] && [ "$2" = 8.0 ] || fail "sealed stream: $*"
set -- $(stream chacha20-poly1305 chacha20-poly1305)
[ "$1" = 0 ] && [ "$2" = 8.0 ] || fail "chacha20 stream: $*"
out=$(stream aes-256-gcm chacha20-poly1305)
case $out in
"1 tcp_stream: frame 0 does not open") ;;
*) fail "another cipher's frames were taken: $out" ;;
esac
out=$("$ts" send 127.0.0.1 1 1 des 2>&1) && fail "des accepted"
grep -q "des: not an AEAD" <<<"$out" || fail "des: $out"
out=$("$ts" send 127.0.0.1 1 0 2>&1) && fail "0 MiB accepted"
grep -q "^usage: tcp_stream" <<<"$out" || fail "0 MiB: $out"
echo "tcp_stream: plain, sealed, refusal: ok"
