#!/usr/bin/env bash
# frr-tree.sh OUTDIR: prepare FRR's source tree of the installed version so
# that ospfd_lgr.so can be compiled against its headers and config.h.
#
#   OUTDIR/frr/        Debian's source package, bootstrapped and configured
#                      with Debian's flags, lib/route_types.h and
#                      lib/version.h generated
#   OUTDIR/frr.stamp   written last; holds the FRR version.  When it exists
#                      the script does nothing.
#
# Needs the deb-src entry of scripts/setup.d/frr-source.sh and the packages of
# scripts/packages/routing.list.  Exit 0 on success, 1 on any failure (the
# tree is then removed so the next build starts over).
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: frr-tree.sh OUTDIR" >&2
	exit 2
fi
out=$1
stamp=$out/frr.stamp
tree=$out/frr

if [ -e "$stamp" ] && [ -e "$tree/config.h" ]; then
	exit 0
fi

ver=$(dpkg-query -W -f='${Version}' frr 2>/dev/null) || {
	echo "frr-tree: package frr is not installed (scripts/setup.sh)" >&2
	exit 1
}
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)

mkdir -p "$out"
work=$(mktemp -d "$out/frr-src.XXXXXX")
cleanup() {
	rm -rf "$work"
	[ -e "$stamp" ] || rm -rf "$tree"
}
trap cleanup EXIT

log=$out/frr-tree.log
: >"$log"
step() {
	echo "frr-tree: $1" >&2
	shift
	if ! "$@" >>"$log" 2>&1; then
		echo "frr-tree: failed: $*; see $log" >&2
		tail -20 "$log" >&2
		exit 1
	fi
}

fetch() {
	local try
	for try in 1 2 3; do
		if (cd "$work" && apt-get source -qq "frr=$ver"); then
			return 0
		fi
		sleep $((try * 5))
	done
	echo "frr-tree: apt-get source frr=$ver failed; is there a deb-src entry (scripts/setup.d/frr-source.sh)?" >&2
	return 1
}

step "downloading frr $ver source" fetch
rm -rf "$tree"
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'frr-*' | head -1)
[ -n "$src" ] || { echo "frr-tree: no source tree in $work" >&2; exit 1; }
mv "$src" "$tree"

cd "$tree"
step "bootstrap" ./bootstrap.sh
# Debian's flags (debian/rules of the source package): struct layouts in the
# headers depend on them, so they must match the installed daemons.
step "configure" ./configure \
	--build="$(dpkg-architecture -qDEB_BUILD_GNU_TYPE 2>/dev/null || gcc -dumpmachine)" \
	--prefix=/usr --localstatedir=/var/run/frr --sbindir=/usr/lib/frr \
	--sysconfdir=/etc/frr --libdir="/usr/lib/$arch/frr" \
	--with-moduledir="/usr/lib/$arch/frr/modules" \
	--with-vtysh-pager=/usr/bin/pager --disable-dependency-tracking \
	--enable-rpki --disable-scripting --disable-pim6d \
	--with-libpam --enable-snmp --enable-fpm \
	--disable-protobuf --disable-zeromq --enable-ospfapi --enable-bgp-vnc \
	--enable-multipath=256 --enable-user=frr --enable-group=frr \
	--enable-vty-group=frrvty --enable-configfile-mask=0640 \
	--enable-logfile-mask=0640
step "generating headers" make lib/route_types.h lib/version.h
echo "$ver" >"$stamp"
echo "frr-tree: ready ($ver) in $tree" >&2
