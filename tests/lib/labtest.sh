# labtest.sh: helpers for integration tests that build labs with nslab.
# Source it with the test's arguments, NSLAB SRCDIR:
#	. "$2/tests/lib/labtest.sh" "$@"
# or with NSLAB and SRC set.  It skips the test (77) when not root, and
# tears down every lab named in LABTEST_LABS on exit, whatever happens
# (trap).

NSLAB=${NSLAB:-$1}
SRC=${SRC:-$2}

LABTEST_LABS=()
LABTEST_FAILS=0
LABTEST_PASSES=0
LABTEST_TMP=$(mktemp -d)

labtest_cleanup() {
	local lab
	for lab in "${LABTEST_LABS[@]}"; do
		"$NSLAB" down "$lab" >/dev/null 2>&1 || true
	done
	rm -rf "$LABTEST_TMP"
}
trap labtest_cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }

# labtest_stop PID...: stop processes the test started itself: each let
# go (SIGCONT) and asked to end (SIGTERM), given up to 3 s, then killed.
labtest_stop() {
	local pid
	for pid in "$@"; do
		kill -CONT "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	for pid in "$@"; do
		for _ in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
	done
}

ok() {
	LABTEST_PASSES=$((LABTEST_PASSES + 1))
	echo "ok - $*"
}

fail() {
	LABTEST_FAILS=$((LABTEST_FAILS + 1))
	echo "FAIL - $*"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

# check_exit WANT FILE DESCRIPTION COMMAND...: the command, its standard
# output and error in FILE and shown indented; ok when it exits WANT.
check_exit() {
	local want=$1 f=$2 what=$3 rc
	shift 3
	"$@" >"$f" 2>&1
	rc=$?
	sed 's/^/  | /' "$f"
	check "$what: exit $want (got $rc)" [ "$rc" -eq "$want" ]
}

# ping_mesh LAB: every guest of the reference labs pings every VIPA
# (5 x 5), saying which pair fails; ok when all 25 answer.
REF_GUESTS="ECMSS00 LITSHA22 LITDCON1 LITSWAS1 LITDAT01"
REF_VIPAS="10.20.7.69 10.20.7.199 10.20.7.100 10.20.7.101 10.20.7.104"
ping_mesh() {
	local g v n=0
	for g in $REF_GUESTS; do
		for v in $REF_VIPAS; do
			if "$NSLAB" exec "$1" "$g" -- ping -c1 -W2 -q "$v" \
			    >/dev/null 2>&1; then
				n=$((n + 1))
			else
				echo "  $g does not reach $v"
			fi
		done
	done
	[ "$n" -eq 25 ]
}

# A copy of a topology file with another lab name.
topo_renamed() {
	local src=$1 name=$2 out="$LABTEST_TMP/$2.yaml"
	sed -e "s/^lab: .*/lab: $name/" "$src" >"$out"
	echo "$out"
}

lab_up() {
	local file=$1 name
	name=$(sed -n 's/^lab: *//p' "$file")
	LABTEST_LABS+=("$name")
	shift
	"$NSLAB" up -q "$@" "$file"
}

# Everything a lab made is gone: namespaces, state, cgroups, processes.
lab_gone() {
	local lab=$1 pids=$2 pid state
	if ip netns list 2>/dev/null | grep -q "^$lab[.:]"; then
		echo "  namespaces of $lab remain: $(ip netns list 2>/dev/null | grep "^$lab[.:]" | tr '\n' ' ')"
		return 1
	fi
	if [ -e "${NSLAB_RUNDIR:-/run/nslab}/$lab" ]; then
		echo "  state directory of $lab remains"
		return 1
	fi
	if [ -e "/sys/fs/cgroup/freezer/nslab/$lab" ]; then
		echo "  cgroups of $lab remain"
		return 1
	fi
	# A zombie is stopped; one reaped between two looks too.
	for pid in $pids; do
		if state=$(grep '^State:' "/proc/$pid/status" 2>/dev/null) &&
		    ! grep -q 'Z' <<<"$state"; then
			echo "  process $pid of $lab still runs"
			return 1
		fi
	done
	return 0
}

lab_pids() {
	awk '$1 == "proc" { print $4 }' "${NSLAB_RUNDIR:-/run/nslab}/$1/manifest" 2>/dev/null
}

labtest_summary() {
	echo "$LABTEST_PASSES passed, $LABTEST_FAILS failed"
	[ "$LABTEST_FAILS" -eq 0 ]
}
