#!/usr/bin/env bash
# cli_bad_input.sh BUILDDIR: bad input at every command line.  Runs the
# real programs (no daemon is needed: every case fails before a socket
# is opened) over the table below and checks the exit code and the
# first line of stderr, exactly.  Nothing may go to stdout.
#
# Table: one case a line, fields separated by " | ":
#   program | exit code | arguments (shell words) | first line of stderr
set -u
build=$(cd "${1:?usage: cli_bad_input.sh BUILDDIR}" && pwd)

declare -A path=(
	[hvctl]=hypervisor/hvctl [hvd]=hypervisor/hvd
	[lgrctl]=orchestrator/lgrctl [lgrd]=orchestrator/lgrd
	[lgrprobe]=orchestrator/lgrprobe
	[agentctl]=guestagent/agentctl [guestagentd]=guestagent/guestagentd
	[drainctl]=routing/drainctl [routecheck]=routing/routecheck
	[nslab]=netns-lab/nslab
)

fail=0 n=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_case() {
	local prog=$1 want_rc=$2 args=$3 want=$4 bin rc got
	bin=$build/${path[$prog]}
	[ -x "$bin" ] || { echo "SKIP $prog: $bin not built"; return; }
	eval "set -- $args"
	n=$((n + 1))
	(cd "$tmp" && LGR_LAB= "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null)
	rc=$?
	got=$(head -n 1 "$tmp/err")
	if [ "$rc" != "$want_rc" ] || [ "$got" != "$want" ] || [ -s "$tmp/out" ]
	then
		echo "FAIL $prog $args"
		echo "     want: $want_rc \"$want\""
		echo "     got:  $rc \"$got\"$( [ -s "$tmp/out" ] && echo ' (and stdout)')"
		fail=$((fail + 1))
	fi
}

while IFS= read -r line; do
	case "$line" in '' | '#'*) continue ;; esac
	IFS='|' read -r prog rc args want <<<"$line"
	prog=$(echo $prog) rc=$(echo $rc)
	args=${args# } args=${args% }
	want=${want# }
	run_case "$prog" "$rc" "$args" "$want"
done <<'TABLE'
# hvctl
hvctl | 1 | --bogus | hvctl: unknown option "--bogus"
hvctl | 1 |  | hvctl: missing command; valid: members, guests, status, check, relocate, cancel, set-limits, history, events, where, audit, recover, member, workload, log
hvctl | 1 | nosuch | hvctl: unknown command "nosuch"; valid: members, guests, status, check, relocate, cancel, set-limits, history, events, where, audit, recover, member, workload, log
hvctl | 1 | re G1 VM2 | hvctl: ambiguous command "re"; valid: relocate, recover
hvctl | 1 | member | hvctl: member: missing word; valid: set-down, set-limits
hvctl | 1 | member nosuch VM1 | hvctl: member: unknown word "nosuch"; valid: set-down, set-limits
hvctl | 1 | relocate G1 | hvctl: relocate: missing argument MEMBER
hvctl | 1 | relocate G1 VM2 VM3 | hvctl: relocate: unexpected argument "VM3"
hvctl | 1 | relocate G1 VM2 --max-total 0 | hvctl: --max-total "0": expected a number (1-86400)
hvctl | 1 | relocate G1 VM2 --max-total abc | hvctl: --max-total "abc": expected a number (1-86400)
hvctl | 1 | relocate G1 VM2 --verify quick | hvctl: --verify "quick": valid: pages, full
hvctl | 1 | relocate G1 VM2 --force nothing | hvctl: --force "nothing": valid: domain, storage
hvctl | 1 | where 'a b' | hvctl: guest "a b": expected 1-31 characters of A-Z, a-z, 0-9, _ and -
hvctl | 1 | -t 0 members | hvctl: --timeout "0": expected a number (1-600000)
hvctl | 1 | log verbose 9 | hvctl: level "9": expected a number (0-3)
hvctl | 1 | events --since -1 | hvctl: unknown option "--since"
hvctl | 3 | -D /nonexistent members | hvctl: key operator in /nonexistent/keys: No such file or directory
# lgrctl
lgrctl | 1 | --bogus | lgrctl: unknown option "--bogus"
lgrctl | 1 |  | lgrctl: missing command; valid: evacuate, relocate, check, cancel, status, history, events, report, audit, verbose, console-url
lgrctl | 1 | nosuch | lgrctl: unknown command "nosuch"; valid: evacuate, relocate, check, cancel, status, history, events, report, audit, verbose, console-url
lgrctl | 1 | evacuate | lgrctl: evacuate: missing argument WORKLOAD
lgrctl | 1 | evacuate W1 --parallel 0 | lgrctl: --parallel "0": expected a number (1-64)
lgrctl | 1 | evacuate W1 --parallel 65 | lgrctl: --parallel "65": expected a number (1-64)
lgrctl | 1 | evacuate W1 --from | lgrctl: --from: missing value MEMBER
lgrctl | 1 | relocate G1 | lgrctl: relocate: missing argument MEMBER
lgrctl | 1 | cancel | lgrctl: cancel: missing argument GUEST|JOB
lgrctl | 1 | status 0 | lgrctl: job "0": expected a number (1-9223372036854775807)
lgrctl | 1 | verbose 7 | lgrctl: level "7": expected a number (0-3)
lgrctl | 1 | -t x status | lgrctl: -t "x": expected a number (1-3600000)
lgrctl | 6 | -D /nonexistent status | lgrctl: no lab at /nonexistent (is it up?)
# agentctl
agentctl | 2 | --bogus | agentctl: unknown option "--bogus"
agentctl | 2 |  | agentctl: missing command; valid: prepare, complete, status, verbose
agentctl | 2 | nosuch | agentctl: unknown command "nosuch"; valid: prepare, complete, status, verbose
agentctl | 2 | verbose | agentctl: verbose: missing argument LEVEL
agentctl | 2 | verbose 3 | agentctl: level "3": expected a number (0-2)
agentctl | 2 | prepare --peers VM1,VM1 | agentctl: --peers: names VM1 twice
agentctl | 2 | prepare --timeout 0 | agentctl: --timeout "0": expected a number (1-600000)
agentctl | 2 | status extra | agentctl: status: unexpected argument "extra"
agentctl | 2 | --role god status | agentctl: --role "god": valid: orchestrator, operator, viewer
# drainctl
drainctl | 2 | --bogus | drainctl: unknown option "--bogus"
drainctl | 2 |  | drainctl: missing command; valid: drain, undrain, state, routes, lsdb, events
drainctl | 2 | nosuch | drainctl: unknown command "nosuch"; valid: drain, undrain, state, routes, lsdb, events
drainctl | 2 | drain | drainctl: drain: missing argument IFNAME
drainctl | 2 | state extra | drainctl: state: unexpected argument "extra"
drainctl | 2 | drain 'x/y' | drainctl: drain: interface name "x/y" is not valid (1-15 characters, no '/', ':' or spaces)
drainctl | 2 | events --bogus | drainctl: unknown option "--bogus"
drainctl | 3 | -s /nonexistent state | drainctl: /nonexistent/lgr.ctl: No such file or directory (is ospfd running with -M ospfd_lgr.so:/nonexistent?)
# routecheck
routecheck | 2 | --bogus | routecheck: unknown option "--bogus"
routecheck | 2 | --source sideways | routecheck: --source "sideways": valid: auto, plugin, vty
routecheck | 2 | -t 0 | routecheck: --timeout "0": expected a number (1-600000)
routecheck | 3 | nosuchlab | routecheck: no lab nosuchlab here (/run/nslab/nosuchlab/topology.yaml missing; nslab status lists the labs)
# nslab
nslab | 2 | --bogus | nslab: unknown option "--bogus"
nslab | 2 |  | nslab: missing command; valid: check, up, down, status, exec, vtysh, graph, gen, fault, restart
nslab | 2 | nosuch | nslab: unknown command "nosuch"; valid: check, up, down, status, exec, vtysh, graph, gen, fault, restart
nslab | 2 | up | nslab: up: missing argument FILE
nslab | 2 | check | nslab: check: missing argument FILE
nslab | 3 | check /nonexistent/topo.yaml | /nonexistent/topo.yaml: cannot open: No such file or directory
# lgrprobe
lgrprobe | 2 | --bogus | lgrprobe: unknown option "--bogus"
lgrprobe | 2 |  | lgrprobe: need --lab and one of --pairs or --all-vipas, or --tcp
lgrprobe | 2 | --lab L | lgrprobe: need --lab and one of --pairs or --all-vipas, or --tcp
lgrprobe | 2 | --lab L --all-vipas --interval-ms 0 | lgrprobe: --interval-ms "0": expected a number (1-10000)
lgrprobe | 2 | --lab L --all-vipas --duration x | lgrprobe: --duration "x": expected a number (1-86400)
lgrprobe | 3 | --lab nosuchlab --pairs A:B | lgrprobe: lab nosuchlab: /run/nslab/nosuchlab/topology.yaml: cannot open: No such file or directory (is the lab up?)
# hvd
hvd | 1 | --bogus | hvd: unknown option "--bogus"
hvd | 1 |  | hvd: missing option -f topology
hvd | 1 | -m VM1 | hvd: missing option -f topology
hvd | 1 | -f x.yaml -m VM1 extra | hvd: unexpected argument "extra"
hvd | 1 | -f x.yaml -m VM1 -H 0 | hvd: --heartbeat "0": expected a number (10-60000)
hvd | 1 | -f /nonexistent.yaml -m VM1 | hvd: /nonexistent.yaml: cannot open: No such file or directory
# lgrd
lgrd | 1 | --bogus | lgrd: unknown option "--bogus"
lgrd | 1 |  | lgrd: missing -D labdir
lgrd | 1 | -D /tmp extra | lgrd: unexpected argument "extra"
lgrd | 1 | -D /tmp --prepare-timeout 0 | lgrd: --prepare-timeout "0": expected a number (100-600000)
lgrd | 1 | -D /nonexistent | lgrd: /nonexistent/topology.yaml: cannot open: No such file or directory
# guestagentd
guestagentd | 2 | --bogus | guestagentd: unknown option "--bogus"
guestagentd | 2 |  | guestagentd: missing option -f TOPOLOGY
guestagentd | 2 | -f x.yaml | guestagentd: missing option -g GUEST
guestagentd | 2 | -f x.yaml -g G1 -m fast | guestagentd: --mode "fast": valid: drain, naive
guestagentd | 2 | -f x.yaml -g G1 -t 0 | guestagentd: --prepare-timeout "0": expected a number (100-86400000)
guestagentd | 2 | -f x.yaml -g G1 extra | guestagentd: unexpected argument "extra"
guestagentd | 1 | -f /nonexistent.yaml -g G1 | guestagentd: [GA-CONFIG] /nonexistent.yaml: cannot open: No such file or directory
TABLE

echo "$n cases, $fail failed"
[ "$fail" -eq 0 ]
