#!/bin/bash
# mutants.sh [-l] [-n] [-o OUT] [ID...]: the mutation harness.  Each row
# of bench/mutants.tsv plants one plausible bug (an exact text replaced
# in one file) in a scratch copy of the tree, rebuilds it incrementally
# (one build directory, reused from run to run), runs the tests the row
# names and restores the file.  A mutation is KILLED when one of its
# tests fails, SURVIVED when they all pass, INVALID when its text does
# not occur exactly once, the build fails or its test regex matches no
# test (not counted in the score).  Prints one line per mutation and the
# score (killed / (killed + survived)), writes JSON to OUT.
#
#   -l, --list   check the table and list it (id, file, found, tests):
#                every row's file exists, its text occurs exactly once,
#                its regex names at least one test of BUILD; run nothing
#   -n           no baseline run (the named tests, unmutated, must pass)
#   -o OUT       the JSON (default bench/results/mutants.json)
#   -h, --help   this text
#   ID...        only these rows (default: every row)
#
# Environment: WORK= the scratch directory (/tmp/lgr-mutants: src/,
# build/, logs/), TABLE= the table (bench/mutants.tsv), BUILD= a
# configured build tree of this clone (build/): its test list for -l and
# its LGR_FRR_TREE for the scratch build (LGR_FRR_TREE= to give it),
# MIN_SCORE= (90).  A row whose tests are all unit tests rebuilds only
# their programs; a lab test (label "lab") needs every program, and runs
# under the machine-wide lock /tmp/lgr-lab.lock (flock -o), as root.
# Exits 0 when no row is INVALID and the score reaches MIN_SCORE; 1 when
# not; 2 on a usage or table error.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
TABLE=${TABLE:-$top/bench/mutants.tsv}
BUILD=${BUILD:-$top/build}
WORK=${WORK:-/tmp/lgr-mutants}
LOCK=/tmp/lgr-lab.lock
OUT=$top/bench/results/mutants.json
MIN_SCORE=${MIN_SCORE:-90}
LIST=false
BASELINE=true

usage() {
	sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//'
	exit "$1"
}

die() {
	echo "mutants: $*" >&2
	exit 2
}

ARGS=()
for a in "$@"; do
	case $a in
	--help) usage 0 ;;
	--list) ARGS+=(-l) ;;
	*) ARGS+=("$a") ;;
	esac
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
while getopts "lno:h" opt; do
	case $opt in
	l) LIST=true ;;
	n) BASELINE=false ;;
	o) OUT=$OPTARG ;;
	h) usage 0 ;;
	*) echo "usage: mutants.sh [-l] [-n] [-o OUT] [ID...] (--help)" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
WANT=("$@")

SRC=$WORK/src
BLD=$WORK/build
LOGS=$WORK/logs

# --- the table ---------------------------------------------------------------
# Columns, tab-separated: id, file, tests (a ctest -R regex), text to
# replace, replacement, what.  In the two texts, \t is a tab, \n a
# newline and \\ a backslash (printf %b).  '#' starts a comment line.
IDS=() FILES=() TESTS=() FINDS=() REPLS=() WHATS=()
load_table() {
	local line id file tests find repl what n=0
	[ -r "$TABLE" ] || die "$TABLE: cannot read the table"
	while IFS= read -r line; do
		n=$((n + 1))
		# Tabs become a separator that is not blank: empty fields stay.
		IFS=$'\x1f' read -r id file tests find repl what \
		    <<< "${line//$'\t'/$'\x1f'}"
		[[ -z "$id" || "$id" == \#* ]] && continue
		if [ -z "$file" ] || [ -z "$tests" ] || [ -z "$find" ] ||
		    [ -z "$what" ]; then
			die "$TABLE:$n: row $id: needs 6 tab-separated columns" \
			    "(id, file, tests, text, replacement, what)"
		fi
		index_of "$id" > /dev/null &&
		    die "$TABLE:$n: row $id: id used twice"
		IDS+=("$id") FILES+=("$file") TESTS+=("$tests")
		printf -v find '%b' "$find"
		printf -v repl '%b' "$repl"
		FINDS+=("$find") REPLS+=("$repl")
		WHATS+=("$what")
	done < "$TABLE"
}

index_of() {
	local i
	for i in "${!IDS[@]}"; do
		[ "${IDS[$i]}" = "$1" ] && { echo "$i"; return 0; }
	done
	return 1
}

selected() {
	local w
	[ ${#WANT[@]} -eq 0 ] && return 0
	for w in "${WANT[@]}"; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

check_wanted() {
	local w
	for w in "${WANT[@]+"${WANT[@]}"}"; do
		index_of "$w" > /dev/null || die "no row $w in $TABLE"
	done
}

# occurrences FILE TEXT: 0, 1 or 2 (two or more).
occurrences() {
	[ -f "$1" ] || { echo 0; return; }
	T=$2 perl -0777 -ne '$n = () = /\Q$ENV{T}\E/g;
	    print $n > 1 ? 2 : $n' "$1"
}

# mutate FILE TEXT REPLACEMENT: the one occurrence replaced, in place.
mutate() {
	local content
	IFS= read -r -d '' content < "$1"
	printf '%s' "${content/"$2"/"$3"}" > "$1"
}

# load_tests BUILDDIR: its test names, all, the lab ones and the others
# (one ctest -N each; test_names runs in subshells, hence loaded first).
declare -A TEST_LISTS
load_tests() {
	local sel
	for sel in "" "-L lab" "-LE lab"; do
		# shellcheck disable=SC2086
		TEST_LISTS["$1 $sel"]=$(ctest --test-dir "$1" -N $sel \
		    2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')
	done
}

# test_names BUILDDIR REGEX ["-L lab"|"-LE lab"]: the names of the tests
# REGEX selects (a search, as ctest -R).
test_names() {
	local list=${TEST_LISTS["$1 ${3:-}"]:-}
	[ -n "$list" ] && grep -E -- "$2" <<< "$list"
}

list_table() {
	local i n found ntests bad=0 checked=0
	[ -f "$BUILD/CTestTestfile.cmake" ] ||
	    die "$BUILD is not a configured build tree (BUILD=)"
	load_tests "$BUILD"
	printf "%-5s %-40s %-5s %-5s %s\n" ID FILE FOUND TESTS REGEX
	for i in "${!IDS[@]}"; do
		selected "${IDS[$i]}" || continue
		checked=$((checked + 1))
		n=$(occurrences "$top/${FILES[$i]}" "${FINDS[$i]}")
		found=$n
		[ "$n" = 2 ] && found='>1'
		[ -f "$top/${FILES[$i]}" ] || found=nofile
		ntests=$(test_names "$BUILD" "${TESTS[$i]}" | wc -l)
		if [ "$n" != 1 ] || [ "$ntests" -eq 0 ]; then
			bad=$((bad + 1))
			echo "$TABLE: row ${IDS[$i]}: text found $found times" \
			    "in ${FILES[$i]}, $ntests tests match" \
			    "${TESTS[$i]}" >&2
		fi
		printf "%-5s %-40s %-5s %-5s %s\n" "${IDS[$i]}" "${FILES[$i]}" \
		    "$found" "$ntests" "${TESTS[$i]}"
	done
	echo "$checked of ${#IDS[@]} mutations checked; $bad invalid (text" \
	    "not found exactly once, or no test)"
	[ "$bad" -eq 0 ]
}

# --- the scratch tree and its build ------------------------------------------
frr_tree() {
	local t=${LGR_FRR_TREE:-}
	[ -n "$t" ] || t=$(sed -n 's/^LGR_FRR_TREE:PATH=//p' \
	    "$BUILD/CMakeCache.txt" 2>/dev/null)
	if [ -z "$t" ] && [ -f "$BUILD/routing/frr-tree/frr.stamp" ]; then
		t=$BUILD/routing/frr-tree/frr
	fi
	echo "$t"
}

# The tree's files (not build directories, .git, bench/results), sorted.
tree_files() {
	(cd "$1" && find . \( -path './build*' -o -path ./.git -o \
	    -path ./bench/results \) -prune -o -type f -print | sort)
}

# sums DIR: "md5  ./path" of each file of the tree in DIR.
sums() {
	tree_files "$1" | (cd "$1" && xargs -r -d '\n' md5sum) | sort
}

# Copy the tree: only a file whose content differs is copied (and gets a
# new time), so that nothing built from a mutant survives an interrupted
# run and an unchanged file is not rebuilt.
sync_tree() {
	local f
	mkdir -p "$SRC" "$LOGS"
	sums "$top" > "$WORK/top.sums"
	sums "$SRC" > "$WORK/src.sums"
	comm -23 "$WORK/top.sums" "$WORK/src.sums" | cut -c35- |
	    while IFS= read -r f; do
		mkdir -p "$(dirname "$SRC/$f")"
		cp "$top/$f" "$SRC/$f"
	done
	comm -13 <(cut -c35- "$WORK/top.sums" | sort) \
	    <(cut -c35- "$WORK/src.sums" | sort) |
	    while IFS= read -r f; do
		rm -f "$SRC/$f"
	done
}

# Configure the scratch build (the first time with the FRR tree), or
# bring it up to date: its test list must be the tree's.
configure() {
	local frr
	if [ -f "$BLD/CMakeCache.txt" ]; then
		cmake "$BLD" > "$LOGS/configure.log" 2>&1 ||
		    { tail -20 "$LOGS/configure.log"; exit 1; }
		return
	fi
	frr=$(frr_tree)
	if [ -z "$frr" ] || [ ! -d "$frr" ]; then
		echo "mutants: no prepared FRR tree: build $BUILD first" \
		    "(scripts/build.sh) or set LGR_FRR_TREE" >&2
		exit 1
	fi
	echo "configuring $BLD (FRR tree $frr)"
	cmake -S "$SRC" -B "$BLD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DLGR_FRR_TREE="$frr" > "$LOGS/configure.log" 2>&1 ||
	    { tail -20 "$LOGS/configure.log"; exit 1; }
}

# targets REGEX: the programs the tests need: each test's own program
# (a unit test), or "all" when one of them is not a program (a lab test).
targets() {
	local t
	[ -n "${ALL_TARGETS:-}" ] || ALL_TARGETS=$(cmake --build "$BLD" \
	    --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p')
	for t in $(test_names "$BLD" "$1"); do
		if ! grep -qx "$t" <<< "$ALL_TARGETS"; then
			echo all
			return
		fi
		echo "$t"
	done
}

# build LOG TARGET...: an incremental build of those targets.
build() {
	local log=$1
	shift
	cmake --build "$BLD" -j2 --target "$@" > "$log" 2>&1
}

# run_tests REGEX LOG: ctest on the scratch build: the unit tests REGEX
# selects, then each lab test alone under the lab lock (-o: the daemons
# do not inherit it).  Sets WAITED (seconds spent waiting for the lock).
# Returns 0 when all passed, 1 when one failed, 3 when there is no test.
run_tests() {
	local re=$1 log=$2 t rc=0
	WAITED=0
	[ -n "$(test_names "$BLD" "$re")" ] ||
	    { echo "no test matches $re" > "$log"; return 3; }
	if [ -n "$(unit_names "$re")" ]; then
		ctest --test-dir "$BLD" -LE lab -R "$re" --timeout 300 \
		    --output-on-failure >> "$log" 2>&1 || rc=1
	fi
	for t in $(lab_names "$re"); do
		run_locked "$t" "$log" || rc=1
	done
	return $rc
}

unit_names() {
	test_names "$BLD" "$1" "-LE lab"
}

lab_names() {
	test_names "$BLD" "$1" "-L lab"
}

# run_locked TEST LOG: one lab test under the lock; WAITED grows by the
# time the lock was waited for.
run_locked() {
	local t0 rc
	t0=$(date +%s.%N)
	flock -o "$LOCK" sh -c 'date +%s.%N > "$0"; exec "$@"' \
	    "$WORK/locked" ctest --test-dir "$BLD" -R "^$1\$" \
	    --timeout 900 --output-on-failure >> "$2" 2>&1
	rc=$?
	WAITED=$(awk -v w="$WAITED" -v a="$t0" -v b="$(cat "$WORK/locked")" \
	    'BEGIN { printf "%.1f", w + b - a }')
	return $rc
}

# The tests of a ctest log that failed, comma-separated.
failed_tests() {
	sed -n '/The following tests FAILED:/,$p' "$1" |
	    sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) .*/\1/p' | paste -sd, -
}

CURRENT=""
restore() {
	if [ -n "$CURRENT" ]; then
		cp "$top/$CURRENT" "$SRC/$CURRENT"
		touch "$SRC/$CURRENT"
		CURRENT=""
	fi
}

# Every test the selected rows name, unmutated, must pass and run (a
# failing test would kill everything, a skipped one nothing).
baseline() {
	local i names tg=()
	names=$(for i in "${!IDS[@]}"; do
		selected "${IDS[$i]}" && test_names "$BLD" "${TESTS[$i]}"
	done | sort -u | paste -sd'|' -)
	[ -n "$names" ] || die "the selected rows name no test"
	# One alternation of names: ctest's regexes take at most 9 groups.
	mapfile -t tg < <(targets "^(${names})\$" | sort -u)
	grep -qx all <<< "$(printf '%s\n' "${tg[@]}")" && tg=(all)
	echo "building ${#tg[@]} target(s) in $BLD"
	build "$LOGS/build.log" "${tg[@]}" ||
	    { tail -30 "$LOGS/build.log"; exit 1; }
	echo "baseline: the named tests without mutation"
	: > "$LOGS/baseline.log"
	run_tests "^(${names})\$" "$LOGS/baseline.log"
	if [ $? -ne 0 ] || grep -q "Not Run\|\*\*\*Skipped" \
	    "$LOGS/baseline.log"; then
		echo "mutants: the tests fail or skip without any mutation" \
		    "($LOGS/baseline.log):" >&2
		grep -E "Failed|Skipped|Not Run|Timeout" "$LOGS/baseline.log" >&2
		exit 1
	fi
	TOTAL_WAITED=$WAITED
	grep -E "tests passed|Total Test time" "$LOGS/baseline.log" |
	    sed 's/^/  /'
}

# run_row I: plant row I, build, test, restore.  Sets STATUS, DETAIL.
run_row() {
	local i=$1 file=${FILES[$1]} log=$LOGS/${IDS[$1]}.log n tg
	DETAIL=""
	WAITED=0
	n=$(occurrences "$SRC/$file" "${FINDS[$i]}")
	if [ "$n" != 1 ]; then
		STATUS=INVALID
		DETAIL="text found $([ "$n" = 2 ] && echo "more than once" ||
		    echo "nowhere") in $file"
		return
	fi
	mapfile -t tg < <(targets "${TESTS[$i]}" | sort -u)
	if [ ${#tg[@]} -eq 0 ]; then
		STATUS=INVALID
		DETAIL="no test matches ${TESTS[$i]}"
		return
	fi
	CURRENT=$file
	mutate "$SRC/$file" "${FINDS[$i]}" "${REPLS[$i]}"
	if ! build "$log" "${tg[@]}"; then
		STATUS=INVALID
		DETAIL="build failed ($log)"
	else
		run_tests "${TESTS[$i]}" "$log"
		case $? in
		0) STATUS=SURVIVED ;;
		3) STATUS=INVALID; DETAIL="no test matches ${TESTS[$i]}" ;;
		*) STATUS=KILLED; DETAIL="by $(failed_tests "$log")" ;;
		esac
	fi
	restore
}

json_row() {
	jq -cn --arg id "${IDS[$1]}" --arg file "${FILES[$1]}" \
	    --arg tests "${TESTS[$1]}" --arg what "${WHATS[$1]}" \
	    --arg status "$STATUS" --arg detail "$DETAIL" \
	    --argjson seconds "$2" --argjson lock "$WAITED" '{id: $id,
	    file: $file, tests: $tests, what: $what, status: $status,
	    detail: $detail, seconds: $seconds, lock_wait_seconds: $lock}'
}

write_json() {
	mkdir -p "$(dirname "$OUT")"
	printf '%s' "$ROWS" | jq -s --argjson k "$KILLED" \
	    --argjson s "$SURVIVED" --argjson inv "$INVALID" \
	    --argjson score "$SCORE" --argjson secs "$ELAPSED" \
	    --argjson waited "$TOTAL_WAITED" \
	    --arg commit "$(git -C "$top" rev-parse --short HEAD 2>/dev/null)" \
	    --arg date "$(date -u -Iseconds)" \
	    '{date: $date, commit: $commit, killed: $k, survived: $s,
	    invalid: $inv, score_pct: $score, seconds: $secs,
	    lock_wait_seconds: $waited, mutations: .}' > "$OUT"
	echo "JSON: $OUT"
}

main() {
	local i t0 secs
	load_table
	check_wanted
	if $LIST; then
		list_table
		exit
	fi
	command -v jq > /dev/null || die "jq is needed"
	trap restore EXIT
	trap 'restore; exit 130' INT TERM
	T_START=$(date +%s)
	TOTAL_WAITED=0
	sync_tree
	configure
	load_tests "$BLD"
	if $BASELINE; then
		baseline
	fi
	KILLED=0 SURVIVED=0 INVALID=0 ROWS=""
	printf "%-5s %-40s %-9s %7s  %s\n" ID FILE RESULT SECONDS \
	    "WHAT [DETAIL]"
	for i in "${!IDS[@]}"; do
		selected "${IDS[$i]}" || continue
		t0=$(date +%s.%N)
		run_row "$i"
		# A row's time leaves out its wait for the lab lock.
		secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" -v w="$WAITED" \
		    'BEGIN { printf "%.1f", b - a - w }')
		TOTAL_WAITED=$(awk -v a="$TOTAL_WAITED" -v b="$WAITED" \
		    'BEGIN { printf "%.1f", a + b }')
		case $STATUS in
		KILLED) KILLED=$((KILLED + 1)) ;;
		SURVIVED) SURVIVED=$((SURVIVED + 1)) ;;
		*) INVALID=$((INVALID + 1)) ;;
		esac
		printf "%-5s %-40s %-9s %7s  %s%s\n" "${IDS[$i]}" "${FILES[$i]}" \
		    "$STATUS" "$secs" "${WHATS[$i]}" "${DETAIL:+ [$DETAIL]}"
		ROWS="$ROWS$(json_row "$i" "$secs")"$'\n'
	done
	SCORE=$(awk -v k="$KILLED" -v c=$((KILLED + SURVIVED)) \
	    'BEGIN { printf "%.1f", c ? 100 * k / c : 0 }')
	ELAPSED=$(( $(date +%s) - T_START ))
	echo "score: $KILLED killed of $((KILLED + SURVIVED)) ($SCORE%)," \
	    "$SURVIVED survived, $INVALID invalid (not counted); $ELAPSED s," \
	    "of which $TOTAL_WAITED s waiting for the lab lock"
	write_json
	[ "$INVALID" -eq 0 ] &&
	    awk -v s="$SCORE" -v m="$MIN_SCORE" 'BEGIN { exit !(s >= m) }'
}

main
