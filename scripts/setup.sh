#!/usr/bin/env bash
# Install every Debian package the project needs to build, test and run.
# Package lists live in scripts/packages/*.list (one per component), one
# name a line, '#' comments; component hooks in scripts/setup.d/*.sh.  Idempotent: the package lists are refreshed
# only when something is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: must run as root (namespaces, apt-get)" >&2
	exit 1
fi

mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here"/packages/*.list | sort -u)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Component hooks (apt sources, source packages): scripts/setup.d/*.sh,
# each idempotent.
for hook in "$here"/setup.d/*.sh; do
	[ -e "$hook" ] || continue
	bash "$hook"
done

# The lab starts its own zebra and ospfd in every namespace; the packaged
# service must not hold the FRR ports or pathspace.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q frr 2>/dev/null; then
	systemctl stop frr || true
	systemctl disable frr >/dev/null 2>&1 || true
fi
echo "setup: ok"
