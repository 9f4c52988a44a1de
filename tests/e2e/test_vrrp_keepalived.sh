#!/bin/bash
# VRRP interoperability with Debian's keepalived 2.2 (`keepalived --vrrp`),
# which runs in a namespace of its own ("ka") and owns a normal interface
# eth1 (172.17.11.11/16) on the switch; halb runs on lb1 (172.17.1.6).
# Four cases, one virtual router (VRID 51, VIP 172.17.100.100, advert_int 1):
#   a) halb MASTER (100) + keepalived BACKUP (99), VRRPv2 with auth PASS
#   b) keepalived MASTER (100) + halb BACKUP (99), VRRPv2 with auth PASS
#   c) as a) with vrrp_version 3        d) as b) with vrrp_version 3
# What each case checks: lib_ka.sh (test_ipv6_keepalived.sh runs the same
# cases over IPv6).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
SEED=$TOP/conf/seed
VIP=172.17.100.100

command -v keepalived >/dev/null || tb_fail "keepalived is not installed (scripts/install_deps.sh)"
tb_init vka
tb_host client 172.17.0.2/16
tb_director lb1
tb_ns ka
tb_link ka eth1
ip -n "$TB-ka" addr add 172.17.11.11/16 dev eth1
mac_halb=$(vt_mac lb1 nic0)
mac_ka=$(vt_mac ka eth1)

. "$(dirname "$0")/lib_ka.sh"
HALB_DCONF=$SEED/dr-master.cfg
KA_ADDR=172.17.11.11

run_case "v2-PASS halb-master" 2 halb
run_case "v2-PASS keepalived-master" 2 ka
run_case "v3 halb-master" 3 halb
run_case "v3 keepalived-master" 3 ka
exit 0
