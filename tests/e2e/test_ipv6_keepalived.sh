#!/bin/bash
# VRRPv3 over IPv6 with Debian's keepalived 2.2, both roles (lib_ka.sh):
# keepalived on eth1 (2001:db8:1::11, adverts from its link-local address to
# ff02::12), halb on lb1 (2001:db8:1::6), VIP 2001:db8:100::100, which the
# client (2001:db8:1::2) resolves on its link by neighbour discovery:
#   a) halb MASTER (100) + keepalived BACKUP (99)
#   b) keepalived MASTER (100) + halb BACKUP (99)
# A family is one instance's: the adverts carry only the IPv6 VIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_vrrp.sh"
VIP=2001:db8:100::100

command -v keepalived >/dev/null || tb_fail "keepalived is not installed (scripts/install_deps.sh)"
tb_init v6ka
# ff02::12 and the solicited-node groups are flooded (no MLD snooping)
ip -n "$TB-sw" link set br0 type bridge mcast_snooping 0
tb_host client 2001:db8:1::2/64
ip -n "$TB-client" -6 route add 2001:db8:100::/64 dev eth0
tb_director lb1
tb_ns ka
# keepalived's link-local source must not wait for duplicate address detection
tb_in ka sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
tb_link ka eth1
tb_addr ka eth1 2001:db8:1::11/64
tb_wait 5 sh -c "ip -n $TB-ka -6 -o addr show dev eth1 scope link | grep -qv tentative" ||
	tb_fail "keepalived's eth1 has no usable link-local address"
KA_ADDR=$(ip -n "$TB-ka" -6 -o addr show dev eth1 scope link | awk '{ sub("/.*", "", $4); print $4 }')
mac_halb=$(vt_mac lb1 nic0)
mac_ka=$(vt_mac ka eth1)
HALB_DCONF=$TB_DIR/lb1-dp.cfg
cat >"$HALB_DCONF" <<-EOF
	eal = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", "lb1"];
	workers = 2;
	idle_sleep_us = 100;
	connections = 65536;
	ports = (
	  { name = "eth1"; device = "net_af_packet0,iface=nic0,qpairs=2";
	    addresses = ["2001:db8:1::6/64"]; }
	);
	routes = ();
EOF
. "$(dirname "$0")/lib_ka.sh"

run_case "v3 IPv6 halb-master" 3 halb
run_case "v3 IPv6 keepalived-master" 3 ka
exit 0
