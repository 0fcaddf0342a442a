#!/usr/bin/env bash
# Integration test of `nslab down -v`: it says what it removed, one line
# per object (processes stopped, namespaces, bridges, cgroups, the state
# directory) and a summary with the counts, and leaves nothing; every
# daemon ends on SIGTERM, none has to be killed.
# usage: nslab_down.sh NSLAB SRCDIR
set -u
. "$2/tests/lib/labtest.sh" "$@"

LAB=t2down
RUN=${NSLAB_RUNDIR:-/run/nslab}
GEN="$LABTEST_TMP/$LAB.yaml"
"$NSLAB" gen --members 2 --guests 3 --hsi-fraction 0.5 --name $LAB -o "$GEN"
check "a small lab comes up" lab_up "$GEN"

# What the lab made, from its manifest, before it goes.
man="$RUN/$LAB/manifest"
namespaces=$(awk '$1 == "netns" { print $2 }' "$man" | sort -u)
cgroups=$(awk '$1 == "cgroup" { print $2 }' "$man" | sort -u | grep "/$LAB")
nbr=$(awk '$1 == "bridge"' "$man" | wc -l)
pids=$(lab_pids $LAB)
keeper=/sys/fs/cgroup/freezer/nslab/$LAB/keeper.frozen
check "the lab's empty cgroup that keeps the freezer on is FROZEN" \
    [ "$(cat "$keeper/freezer.state" 2>/dev/null)" = FROZEN ]
check "... and holds no process" [ -z "$(cat "$keeper/cgroup.procs" 2>/dev/null)" ]
check "... and is in the manifest" grep -qx "$keeper" <<<"$cgroups"
nproc=0
for pid in $pids; do kill -0 "$pid" 2>/dev/null && nproc=$((nproc + 1)); done

out=$("$NSLAB" down -v $LAB 2>"$LABTEST_TMP/down.err")
rc=$?
echo "$out" | sed 's/^/  | /'
sed 's/^/  | /' "$LABTEST_TMP/down.err"
nlines() { grep -c "^$1 " <<<"$out"; }
check "down -v exits 0" [ "$rc" -eq 0 ]
# Every daemon ends on SIGTERM, though the others stop at the same time
# (lgrd's console threads used to wait 10 s for hvd's answer: killed).
check "no process had to be killed" \
    bash -c "! grep -q 'ignored SIGTERM' '$LABTEST_TMP/down.err'"
check "the lab recorded its bridges (2 LANs, 2 members)" [ "$nbr" -eq 4 ]
for ns in $namespaces; do
	check "namespace $ns named" grep -qx "deleted namespace $ns" <<<"$out"
done
check "one line per namespace" \
    [ "$(nlines deleted)" -eq "$(wc -w <<<"$namespaces")" ]
check "one line per bridge, in the switch namespace" \
    [ "$(grep -c "^removed bridge [a-z0-9]* (namespace $LAB:sw)\$" <<<"$out")" -eq 4 ]
check "one line per process stopped ($nproc)" [ "$(nlines stopped)" -eq "$nproc" ]
check "zebra of a guest named" grep -q '^stopped zebra of G001 (pid [0-9]*)$' <<<"$out"
check "ospfd of the ABR named" grep -q '^stopped ospfd of ABR (pid [0-9]*)$' <<<"$out"
check "hvd named" grep -q '^stopped hvd of ' <<<"$out"
check "lgrd named" grep -q '^stopped lgrd (pid [0-9]*)$' <<<"$out"
for cg in $cgroups; do
	check "cgroup $cg named" grep -qx "removed cgroup $cg" <<<"$out"
done
check "the state directory named" \
    grep -qx "removed state directory $RUN/$LAB" <<<"$out"
ncg=$(grep -c '^removed cgroup ' <<<"$out")
check "a summary with the counts" grep -qx "lab $LAB removed: $nproc processes stopped, $(wc -w <<<"$namespaces") namespaces, 4 bridges and $ncg cgroups removed, and its state directory" <<<"$out"
check "after down -v: nothing of $LAB" lab_gone $LAB "$pids"
check "down of a removed lab: exit 5, nothing on stdout" \
    bash -c "out=\$(\"$NSLAB\" down -v $LAB 2>/dev/null); [ \$? -eq 5 ] && [ -z \"\$out\" ]"

labtest_summary
