#!/usr/bin/env bash
# Install every Debian package the project needs to build, test and run.
# Idempotent: refreshes the package lists only when something is missing.
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config clang-format
	libmnl-dev libyaml-dev libcmocka-dev libjson-c-dev
	libzmq3-dev libsqlite3-dev libnl-3-dev libnl-route-3-dev
	frr iproute2 iputils-ping graphviz jq procps psmisc
)

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: must run as root (namespaces, apt-get)" >&2
	exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
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

# The lab starts its own zebra/ospfd per namespace; the packaged service
# must not hold the default pathspace or the FRR ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active -q frr 2>/dev/null; then
	systemctl stop frr || true
	systemctl disable frr >/dev/null 2>&1 || true
fi
echo "setup: ok"
