#!/usr/bin/env bash
# Lab test of evacuations in waves on the reference topology: the plan
# of LIT --parallel 4 shows two waves (the three HSI guests, then
# LITSHA22) and the wave of each guest; LIT evacuated VM9 -> VM2 with
# --parallel 4 while probes run between every pair of VIPAs and TCP
# streams from ECMSS00 to the four LIT VIPAs: none lost, no reset, every
# LIT guest on VM2 with the right HSI interface, routecheck clean, the
# report shows the waves; the first HSI guest by name comes up alone on
# the target's empty HiperSockets LAN, the others once Full with it;
# then back to VM9 the same way.
# usage: lab_waves.sh BUILDDIR SRCDIR
set -u
BIN=$1
SRC=$2
. "$SRC/orchestrator/tests/lib.sh"
orch_require "$AGENT"

LAB=orwv$$
LIT_HSI="LITDCON1 LITSWAS1 LITDAT01"

check "reference lab up with lgrd" orch_lab_up "$LAB" "$REFERENCE"

# --- the plan ---------------------------------------------------------------
check_exit 0 "$LABTEST_TMP/plan" "dry run --parallel 4" \
    "$LGRCTL" -l "$LAB" evacuate LIT --to VM2 --parallel 4 --dry-run
check "dry run: wave 1 holds the three HSI guests" \
    grep -Eq "^wave 1/2: 3 guests \(3 HSI\), [0-9]+ relocations? at once" "$LABTEST_TMP/plan"
check "dry run: wave 2 holds LITSHA22 alone" \
    grep -Eq "^wave 2/2: 1 guest \(0 HSI\)" "$LABTEST_TMP/plan"
for g in $LIT_HSI; do
	check "dry run: $g in wave 1" grep -Eq "^$g +1 +VM9 +VM2 " "$LABTEST_TMP/plan"
done
check "dry run: LITSHA22 in wave 2" grep -Eq "^LITSHA22 +2 +VM9 +VM2 " "$LABTEST_TMP/plan"
check "dry run -j: two wave rows, four guest rows" bash -c "\"$LGRCTL\" -l $LAB -j \
    evacuate LIT --to VM2 --parallel 4 --dry-run | python3 -c '
import json, sys
r = json.load(sys.stdin)
w = [x for x in r if \"guest\" not in x]
g = [x for x in r if \"guest\" in x]
sys.exit(not (len(w) == 2 and len(g) == 4 and
    sorted(x[\"wave\"] for x in g) == [1, 1, 1, 2]))'"

# evac_leg TO FROM: LIT to TO with --parallel 4 under probes; checks.
evac_leg() {
	local to=$1 from=$2 up down id sent lost gap streams resets stall
	[ "$to" = VM2 ] && { up=hsi1; down=hsi0; } || { up=hsi0; down=hsi1; }
	check "to $to: probes between every pair of VIPAs and TCP streams start" \
	    probe_start "$LAB" --tcp LITSHA22,LITDCON1,LITSWAS1,LITDAT01 --tcp-from ECMSS00
	check_exit 0 "$LABTEST_TMP/evac-$to" "evacuate LIT --to $to --parallel 4" \
	    "$LGRCTL" -l "$LAB" evacuate LIT --to "$to" --parallel 4
	check "to $to: the start says the waves" \
	    grep -q ", 2 waves of up to 16" "$LABTEST_TMP/evac-$to"
	read -r sent lost gap < <(probe_stop "$LAB")
	echo "  probes: $sent sent, $lost lost, longest gap $gap ms"
	probe_losses "$LAB"
	check "to $to: probes between every pair of VIPAs: none lost" \
	    bash -c "[ '$sent' -gt 0 ] && [ '$lost' -eq 0 ]"
	read -r streams resets stall < <(probe_tcp "$LAB")
	echo "  TCP: $streams streams, $resets resets, longest stall $stall ms"
	check "to $to: TCP streams to the four LIT VIPAs: no reset" \
	    bash -c "[ '$streams' -eq 4 ] && [ '$resets' -eq 0 ]"
	for g in LITSHA22 $LIT_HSI; do
		check "to $to: $g runs on $to" [ "$(where "$LAB" $g)" = "$to" ]
	done
	for g in $LIT_HSI; do
		check "to $to: $g: $up up, $down down" hsi_right "$LAB" $g $up $down
	done
	check "to $to: ECMSS00 stays on VM9" [ "$(where "$LAB" ECMSS00)" = VM9 ]
	check "to $to: routecheck clean" routecheck_clean "$LAB"
	id=$("$LGRCTL" -l "$LAB" -j status 2>/dev/null |
	    python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["job"]["id"])')
	"$LGRCTL" -l "$LAB" report "$id" >"$LABTEST_TMP/report-$to" 2>&1
	sed 's/^/  /' "$LABTEST_TMP/report-$to"
	check "to $to: the report has a WAVE column" \
	    grep -Eq "^GUEST +WAVE +FROM" "$LABTEST_TMP/report-$to"
	for g in $LIT_HSI; do
		check "to $to: report: $g moved in wave 1, routecheck ok" \
		    grep -Eq "^$g +1 +$from +$to +yes +moved .* ok " "$LABTEST_TMP/report-$to"
	done
	check "to $to: report: LITSHA22 moved in wave 2" \
	    grep -Eq "^LITSHA22 +2 +$from +$to +no +moved " "$LABTEST_TMP/report-$to"
	check "to $to: wave 1 relocated its three guests before any complete" \
	    bash -c "\"$LGRCTL\" -l $LAB -j events $id | python3 -c '
import json, sys
ids = [e[\"msgid\"] for e in json.load(sys.stdin)]
r = [i for i, m in enumerate(ids) if m == \"LGR-RELOCATE\"]
c = [i for i, m in enumerate(ids) if m == \"LGR-COMPLETE\"]
sys.exit(not (len(r) == 4 and len(c) == 3 and r[2] < c[0]))'"
	# Nobody else is up on $to's HiperSockets LAN: the first of the
	# three by name comes up alone (and DR), the other two stay drained
	# until Full with it, so no two elect themselves DR at once.
	check "to $to: wave 1 on an empty LAN: LITDAT01 alone, the others Full" \
	    bash -c "\"$LGRCTL\" -l $LAB -j events $id | python3 -c '
import json, sys
c = {e[\"guest\"]: e[\"text\"] for e in json.load(sys.stdin)
     if e[\"msgid\"] == \"LGR-COMPLETE\"}
print(c)
sys.exit(not (\"alone\" in c.get(\"LITDAT01\", \"\") and
    all(\"adjacency Full\" in c.get(g, \"\") for g in (\"LITDCON1\", \"LITSWAS1\"))))'"
}

evac_leg VM2 VM9
evac_leg VM9 VM2

labtest_summary
