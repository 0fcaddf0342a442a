#!/usr/bin/env bash
# Lab test: `evacuate ALL --from VM1` in a generated 3-member lab plans
# each guest of VM1 once, to a member of its own workload group, even
# when another group's pattern also matches its name (the file below
# widens GRP2's pattern to G*; nslab check warns about it).  Once
# planned every guest of VM1 moves and lands in its own domain.
# usage: lab_allplan.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"

LAB=oral$$
TOPO=$LABTEST_TMP/gen3.yaml
"$NSLAB" gen --members 3 --guests 6 --name "$LAB" |
    sed 's/pattern: "GB\*"/pattern: "G*"/' >"$TOPO"
check "GRP2's pattern widened to G* in the test topology" \
    grep -q 'name: GRP2, pattern: "G\*"' "$TOPO"
"$NSLAB" check "$TOPO" >"$LABTEST_TMP/check" 2>&1
check "nslab check: the file is valid" [ $? -eq 0 ]
check "nslab check warns that GA001 also matches GRP2's pattern" grep -qF \
    "warning: guest GA001: its name also matches group GRP2's pattern 'G*'" \
    "$LABTEST_TMP/check"
check "lab up" orch_lab_up "$LAB" "$TOPO"

# domain GROUP: the members of a group, one per line.
domain() {
	sed -n "s/.*name: $1, pattern: [^,]*, members: \[\(.*\)\] }/\1/p" \
	    "$TOPO" | tr -d ' ' | tr , '\n'
}
on_vm1=$(for g in GA001 GB002 GA003 GB004 GA005 GB006; do
	[ "$(where "$LAB" $g)" = VM1 ] && echo $g; done)
echo "  on VM1: $(echo $on_vm1)"
check "some guests run on VM1" [ -n "$on_vm1" ]

"$LGRCTL" -l "$LAB" -j evacuate ALL --from VM1 --dry-run >"$LABTEST_TMP/plan"
check "the dry run succeeds" [ $? -eq 0 ]
jq -r '.. | objects | select(has("guest") and has("to")) |
    "\(.guest) \(.to)"' "$LABTEST_TMP/plan" | sort >"$LABTEST_TMP/moves"
sed 's/^/  plan: /' "$LABTEST_TMP/moves"
check "each guest of VM1 planned once" [ "$(cut -d' ' -f1 "$LABTEST_TMP/moves" |
    tr '\n' ' ')" = "$(echo $on_vm1 | tr ' ' '\n' | sort | tr '\n' ' ')" ]
while read -r g to; do
	grp=GRP1; [ "${g:1:1}" = B ] && grp=GRP2
	check "$g to $to, a member of its group $grp" \
	    grep -qx "$to" <(domain $grp)
done <"$LABTEST_TMP/moves"

"$LGRCTL" -l "$LAB" -q evacuate ALL --from VM1 >"$LABTEST_TMP/evac" 2>&1
check "the evacuation succeeds" [ $? -eq 0 ]
while read -r g to; do
	check "$g runs on $to" [ "$(where "$LAB" $g)" = "$to" ]
done <"$LABTEST_TMP/moves"
check "routecheck clean" routecheck_clean "$LAB"

labtest_summary
