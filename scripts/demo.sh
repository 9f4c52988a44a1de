#!/bin/bash
# The seed's story on halb, in network namespaces on this machine:
#   a client, two directors (MASTER lb1 172.17.1.6, BACKUP lb2 172.17.11.11)
#   and two nginx real servers (172.17.1.7, 172.17.22.22) behind the VIP
#   172.17.100.100:80 in DR mode, with conf/seed/dr-master.* and dr-backup.*
#   as they are.
# It sends traffic through the VIP, shows the balance, kills the master and
# shows the VIP move to the backup and the traffic go on (with the measured
# gap), then brings the master back. Everything is removed at the end, also
# on Ctrl-C. Needs root; installs what it needs (apt) and builds halb.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it creates network namespaces)" >&2
	exit 1
fi
scripts/install_deps.sh -q || exit 1
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null || exit 1
fi
echo "== building halb"
meson compile -C build >/dev/null || { meson compile -C build; exit 1; }

. tests/e2e/lib.sh
SEED=$TOP/conf/seed

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
curl_vip() { tb_in client curl -s -m 1 --interface "$1" http://172.17.100.100/test.html; }

tb_init demo
say "topology: client, lb1 (MASTER), lb2 (BACKUP), rs01, rs02 on one switch"
tb_host client 172.17.0.2/16
for i in $(seq 3 12); do ip -n "$TB-client" addr add "172.17.0.$i/16" dev eth0; done
tb_rs rs01 172.17.1.7/16 "" 172.17.100.100
tb_rs rs02 172.17.22.22/16 "" 172.17.100.100
tb_director lb1
tb_director lb2

say "starting halb on both directors (conf/seed/dr-master.conf, dr-backup.conf)"
tb_halb lb1 "$SEED/dr-master.conf" "$SEED/dr-master.cfg"
tb_halb lb2 "$SEED/dr-backup.conf" "$SEED/dr-backup.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER || echo "(lb1 is not MASTER yet)"
tb_halbctl lb1 vrrp
tb_halbctl lb2 vrrp

say "traffic: 10 clients (persistence_timeout 600 keeps each on one server)"
for i in $(seq 3 12); do
	printf '  172.17.0.%-3s -> %s\n' "$i" "$(curl_vip 172.17.0.$i)"
done
say "halbctl list --stats on lb1"
tb_halbctl lb1 list --stats
tb_halbctl lb1 list

say "killing the master (kill -9 halb on lb1)"
t0=$(date +%s%N)
kill -9 "$(tb_halb_pid lb1)"
wait "$(tb_halb_pid lb1)" 2>/dev/null
until curl_vip 172.17.0.3 >/dev/null; do sleep 0.1; done
t1=$(date +%s%N)
printf '  service back after %d ms\n' $(((t1 - t0) / 1000000))
tb_halbctl lb2 vrrp
echo "  the client's ARP entry for the VIP:"
tb_in client ip neigh show 172.17.100.100 | sed 's/^/    /'
for i in 3 4 5; do printf '  172.17.0.%s -> %s\n' "$i" "$(curl_vip 172.17.0.$i)"; done

say "the master comes back and takes the VIP back (preemption)"
eval "TB_HALB_PID_lb1="
tb_halb lb1 "$SEED/dr-master.conf" "$SEED/dr-master.cfg"
tb_wait 15 tb_vrrp_is lb1 VI_1 MASTER
tb_halbctl lb1 vrrp
tb_in client ip neigh show 172.17.100.100 | sed 's/^/    /'
for i in 3 4 5; do printf '  172.17.0.%s -> %s\n' "$i" "$(curl_vip 172.17.0.$i)"; done
say "done: cleaning up"
