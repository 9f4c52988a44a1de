#!/bin/bash
# The Debian package, end to end:
# - halb_*.deb builds with dpkg-buildpackage from a clean copy of the tree
#   (the source tree is left as it was);
# - apt installs it: the programs (their DPDK libraries resolve), the man
#   pages (man renders them without a warning), halb.service, /etc/default/halb
#   and the example dataplane file are where they belong;
# - systemd-analyze verify passes on the installed unit;
# - the installed halb runs as the unit runs it: its ExecStart with
#   DAEMON_ARGS, its capability bounding set, umask and read-only /usr, /etc
#   and /home, Type=notify (a stand-in notify socket when systemd does not
#   run here): READY=1, ExecReload's SIGHUP, the stop;
# - apt purges it and nothing of it is left.
. "$(dirname "$0")/lib.sh"
SEED=$TOP/conf/seed

tb_init pkg
PKG_INSTALLED=0
pk_exit() {
	local rc=$? p
	for p in "${TB_HALB_PIDS[@]:-}"; do
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	done
	tb_wait 10 tb_halbs_gone || true
	if [ $PKG_INSTALLED = 1 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q halb >/dev/null 2>&1 ||
			dpkg --purge halb >/dev/null 2>&1
	fi
	(exit $rc)
	tb_cleanup
}
trap pk_exit EXIT

dpkg -s halb >/dev/null 2>&1 && tb_fail "a halb package is installed already: this test would remove it"
[ -e /etc/halb ] && tb_fail "/etc/halb exists: this test leaves it alone"

# ---- build from a clean copy
version=$(sed -n '1s/^halb (\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
src=$TB_DIR/src/halb-$version
mkdir -p "$src"
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	before=$(git -C "$TOP" status --porcelain)
	# What git tracks, plus new files it does not ignore: the tree as it is.
	(cd "$TOP" && git ls-files -z -co --exclude-standard | tar --null -cf - -T -) | tar -xf - -C "$src"
else
	before=""
	tar -C "$TOP" --exclude='./build*' -cf - . | tar -xf - -C "$src"
fi
start=$(date +%s)
# debhelper builds with one job unless told: both of the machine's CPUs.
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck" timeout 600 \
	dpkg-buildpackage -b -us -uc) >"$TB_DIR/build.log" 2>&1 ||
	{ tail -n 30 "$TB_DIR/build.log"; tb_fail "dpkg-buildpackage failed"; }
deb=$(ls "$TB_DIR"/src/halb_"${version}"_*.deb)
[ -f "$deb" ] || tb_fail "no .deb"
echo "  built $(basename "$deb") in $(($(date +%s) - start)) s: $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | grep -c librte) librte-* dependencies"
dpkg-deb -f "$deb" Depends | grep -q 'librte-eal' || tb_fail "the package does not depend on Debian's DPDK"
if [ -n "$(git -C "$TOP" rev-parse --git-dir 2>/dev/null)" ]; then
	[ "$(git -C "$TOP" status --porcelain)" = "$before" ] || tb_fail "building the package changed the source tree"
fi

# ---- install
PKG_INSTALLED=1
t_inst=$(date +%s)
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" \
	>"$TB_DIR/install.log" 2>&1 || { tail -n 20 "$TB_DIR/install.log"; tb_fail "apt-get install failed"; }
for f in /usr/sbin/halb /usr/sbin/halbctl /lib/systemd/system/halb.service /etc/default/halb \
	/usr/share/doc/halb/examples/halb.cfg /usr/share/man/man8/halb.8.gz \
	/usr/share/man/man8/halbctl.8.gz /usr/share/man/man5/halb.cfg.5.gz; do
	[ -e "$f" ] || tb_fail "the package did not install $f"
done
ldd /usr/sbin/halb | grep -q 'not found' && tb_fail "halb's libraries do not resolve: $(ldd /usr/sbin/halb | grep 'not found')"
/usr/sbin/halb --version | grep -q "^halb $version" || tb_fail "the installed halb is not $version"
dpkg-query -W -f='${Conffiles}' halb | grep -q /etc/default/halb || tb_fail "/etc/default/halb is not a conffile"
for p in halb halbctl halb.cfg; do
	w=$(MANWIDTH=80 man --warnings "$p" 2>&1 >/dev/null)
	[ -z "$w" ] || tb_fail "man $p warns: $w"
	MANWIDTH=80 man "$p" 2>/dev/null | grep -q 'SEE ALSO' || tb_fail "man $p shows no page"
done
echo "  installed in $(($(date +%s) - t_inst)) s: /usr/sbin/halb, halbctl, halb(8), halbctl(8), halb.cfg(5), halb.service, /etc/default/halb"

# ---- the unit
UNIT=/lib/systemd/system/halb.service
out=$(systemd-analyze verify "$UNIT" 2>&1) || tb_fail "systemd-analyze verify: $out"
[ -z "$out" ] || tb_fail "systemd-analyze verify complains: $out"
grep -q '^Type=notify$' "$UNIT" || tb_fail "the unit is not Type=notify"
echo "  systemd-analyze verify $UNIT: clean ($(systemd-analyze security --offline=true "$UNIT" 2>/dev/null | tail -n 1 | sed 's/.*exposure level for //'))"
unit() { sed -n "s/^$1=//p" "$UNIT"; }
execstart=$(unit ExecStart)
reload=$(unit ExecReload)
caps=$(unit CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
umask_u=$(unit UMask)
[ "${execstart%% *}" = /usr/sbin/halb ] || tb_fail "ExecStart does not run /usr/sbin/halb: $execstart"

# ---- the installed halb, as the unit starts it
if [ "$(systemctl is-system-running 2>/dev/null)" = running ] ||
	[ "$(systemctl is-system-running 2>/dev/null)" = degraded ]; then
	echo "  systemd runs here: the notify socket is still a stand-in, so the test bed's namespace is kept"
fi
tb_host client 172.17.0.2/16
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100
tb_director lb1
PREFIX=$TB-pk
TB_PREFIXES+=("$PREFIX")
sed -E 's/("--file-prefix", *")[^"]*"/\1'"$PREFIX"'"/; s/qpairs=2/qpairs=1/; s/^workers = 2;/workers = 1;/' \
	"$SEED/dr-master.cfg" >"$TB_DIR/d.cfg"
sed '/real_server 172.17.22.22/,/^    }/d' "$SEED/dr-master.conf" >"$TB_DIR/k.conf"
DAEMON_ARGS="-f $TB_DIR/k.conf --dataplane $TB_DIR/d.cfg -p $TB_DIR/halb.pid -l"
cmd=${execstart//\$DAEMON_ARGS/$DAEMON_ARGS}
SOCK=$TB_DIR/notify.sock
# In the director's namespace, so the bed's cleanup ends it.
tb_in lb1 /usr/bin/python3 "$TOP/tests/e2e/notify_listener.py" "$SOCK" "$TB_DIR/notify.txt" 60 &
tb_wait 5 grep -q listening "$TB_DIR/notify.txt" || tb_fail "the notify listener did not start"
# ProtectSystem=full and ProtectHome=read-only: read-only binds in a mount
# namespace of its own; the bounding set and umask as the unit gives them.
cat >"$TB_DIR/as-unit.sh" <<SH
mount --make-rprivate /
for d in /usr /boot /efi /etc /home /root /run/user; do
	[ -d "\$d" ] && mount --bind "\$d" "\$d" && mount -o remount,bind,ro "\$d"
done
umask $umask_u
exec setpriv --bounding-set -all,$caps -- $cmd
SH
NOTIFY_SOCKET=$SOCK ip netns exec "$TB-lb1" unshare --mount bash "$TB_DIR/as-unit.sh" \
	>"$TB_DIR/halb-unit.log" 2>&1 &
pid=$!
TB_HALB_PIDS+=("$pid")
tb_wait 30 grep -q '^READY=1' "$TB_DIR/notify.txt" ||
	tb_fail "the installed halb sent no READY=1 under the unit's conditions"
mainpid=$(sed -n 's/^MAINPID=//p' "$TB_DIR/notify.txt" | head -n 1)
[ "$(readlink "/proc/$mainpid/exe")" = /usr/sbin/halb ] || tb_fail "MAINPID $mainpid is not /usr/sbin/halb"
grep -q "^CapBnd:" "/proc/$mainpid/status" &&
	[ "$(sed -n 's/^CapBnd:\s*//p' "/proc/$mainpid/status")" != "$(sed -n 's/^CapBnd:\s*//p' /proc/self/status)" ] ||
	tb_fail "halb runs with the full capability bounding set"
/usr/sbin/halbctl -P "$PREFIX" list | grep -q 'TCP  172.17.100.100:80' || tb_fail "the installed halbctl does not list the service"
echo "  ExecStart under the unit's bounding set, umask $umask_u, read-only /usr /etc /home: READY=1 (MAINPID $mainpid)"
eval "${reload//\$MAINPID/$mainpid}" || tb_fail "ExecReload failed: $reload"
tb_wait 10 sh -c "[ \$(grep -c '^READY=1' '$TB_DIR/notify.txt') -ge 2 ]" || tb_fail "no READY=1 after ExecReload"
grep -q '^RELOADING=1' "$TB_DIR/notify.txt" || tb_fail "ExecReload gave no RELOADING=1"
kill -TERM "$mainpid"
tb_wait 20 sh -c "! kill -0 $mainpid" || tb_fail "the installed halb did not stop on SIGTERM"
wait "$pid"
rc=$?
[ "$rc" = 0 ] || tb_fail "the installed halb exited with $rc"
grep -q '^STOPPING=1' "$TB_DIR/notify.txt" || tb_fail "no STOPPING=1"
echo "  ExecReload: RELOADING=1, READY=1; SIGTERM: STOPPING=1, exit 0"

# ---- purge
t_purge=$(date +%s)
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q halb >"$TB_DIR/purge.log" 2>&1 ||
	tb_fail "apt-get purge failed: $(tail -n 5 "$TB_DIR/purge.log")"
PKG_INSTALLED=0
echo "  purge took $(($(date +%s) - t_purge)) s"
dpkg -s halb >/dev/null 2>&1 && tb_fail "halb is still installed after the purge"
for f in /usr/sbin/halb /usr/sbin/halbctl "$UNIT" /etc/default/halb /usr/share/doc/halb /usr/share/man/man8/halb.8.gz; do
	[ -e "$f" ] && tb_fail "the purge left $f"
done
echo "  purged: nothing of the package is left"
exit 0
