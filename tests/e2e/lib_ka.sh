#!/bin/bash
# Interoperability with Debian's keepalived 2.2 (`keepalived --vrrp`) in a
# namespace of its own ("ka", interface eth1 on the switch) against halb on
# director lb1: one virtual router (VRID 51, advert_int 1), its address VIP.
# Sourced after lib.sh and lib_vrrp.sh by test_vrrp_keepalived.sh (IPv4)
# and test_ipv6_keepalived.sh (IPv6), which build the bed and set:
#   VIP         the virtual address (IPv4 or IPv6)
#   HALB_DCONF  halb's dataplane file (port eth1 on lb1's nic0)
#   KA_ADDR     the address keepalived sends its adverts from, as halb
#               reports the master
#   mac_halb, mac_ka  the two sides' MACs
#
#   run_case LABEL VERSION MASTER-SIDE (halb|ka)
# the master side becomes MASTER and the other stays BACKUP for longer than
# a master-down interval (so each accepts the other's adverts); the
# client's neighbour entry for the VIP (ARP or IPv6 neighbour discovery) is
# the master's; kill -9 of the master: the other takes over (VIP on its
# interface, the client's entry moves); the master restarts and takes the
# VIP back. keepalived's state is read from its log ("(VI_1) Entering
# MASTER STATE") and from `ip addr` in its namespace, halb's from halbctl.

# --- keepalived in its namespace
KA_N=0
KA_PID=
# ka_conf FILE VERSION STATE PRIORITY: a VRRP-only keepalived.conf; the same
# text (interface eth1) is halb's keepalived.conf too.
ka_conf() {
	local auth=""
	[ "$2" = 2 ] && auth="authentication {
        auth_type PASS
        auth_pass along
    }"
	cat >"$1" <<-EOF
		global_defs {
		    router_id interop_$3
		    vrrp_version $2
		    vrrp_garp_master_delay 1
		}
		vrrp_instance VI_1 {
		    state $3
		    interface eth1
		    virtual_router_id 51
		    priority $4
		    advert_int 1
		    $auth
		    virtual_ipaddress {
		        $VIP
		    }
		}
	EOF
}
ka_start() {
	KA_N=$((KA_N + 1))
	KA_LOG=$TB_DIR/keepalived-$KA_N.log
	ip netns exec "$TB-ka" keepalived -n -l --vrrp -f "$1" -p "$TB_DIR/ka.pid" \
		-r "$TB_DIR/ka-vrrp.pid" >"$KA_LOG" 2>&1 &
	KA_PID=$!
	tb_wait 10 grep -q "Startup complete" "$KA_LOG" || tb_fail "keepalived did not start: $(cat "$KA_LOG")"
}
ka_state() { grep -o '(VI_1) Entering [A-Z]* STATE' "$KA_LOG" | tail -n 1 | cut -d' ' -f3; }
ka_is() { [ "$(ka_state)" = "$1" ]; }
ka_master() { ka_is MASTER && vt_has_addr ka $VIP; }
ka_backup() { ka_is BACKUP && ! vt_has_addr ka $VIP; }
# a crash: no priority 0 advert, nothing cleaned up. The parent is stopped
# first so that it neither restarts the VRRP child nor outlives it; the VIP
# a killed keepalived leaves on eth1 is removed as the dead host would lose it.
ka_kill9() {
	local child
	child=$(cat "$TB_DIR/ka-vrrp.pid")
	kill -STOP "$KA_PID"
	kill -KILL "$child"
	kill -KILL "$KA_PID"
	wait "$KA_PID" 2>/dev/null
	tb_wait 5 sh -c "! kill -0 $child" || tb_fail "keepalived's VRRP child survived kill -9"
	case $VIP in
	*:*) ip -n "$TB-ka" addr del "$VIP/128" dev eth1 2>/dev/null ;;
	*) ip -n "$TB-ka" addr del "$VIP/32" dev eth1 2>/dev/null ;;
	esac
	KA_PID=
}
ka_stop() {
	[ -n "$KA_PID" ] || return 0
	kill -TERM "$KA_PID"
	tb_wait 10 sh -c "! kill -0 $KA_PID" || tb_fail "keepalived did not stop on SIGTERM"
	wait "$KA_PID" 2>/dev/null
	KA_PID=
}

# --- the two sides, by role
halb_master() { tb_vrrp_is lb1 VI_1 MASTER && vt_has_addr lb1 $VIP; }
halb_backup() { tb_vrrp_is lb1 VI_1 BACKUP && ! vt_has_addr lb1 $VIP; }
arp_is() { vt_neigh_is client $VIP "$1"; }
halb_rejects() { vt_vrrp lb1 VI_1 'sorted(i["rejects"].items())'; }
# keepalived's words for an advert it drops (vrrp_check_packet and friends)
ka_rejects() {
	grep -h -i -E 'invalid|mismatch|bogus|not present|expecting|wrong|Dropping|ignoring' \
		"$TB_DIR"/keepalived-*.log
}

# run_case LABEL VERSION MASTER-SIDE (halb|ka)
run_case() {
	local label=$1 v=$2 side=$3 hconf=$TB_DIR/halb-$1.conf kconf=$TB_DIR/ka-$1.conf
	local t0 took back start
	# m_start, m_kill, m_is, s_start, s_is: functions for the two roles
	local m_mac s_mac m_name s_name
	if [ "$side" = halb ]; then
		ka_conf "$hconf" "$v" MASTER 100
		ka_conf "$kconf" "$v" BACKUP 99
		m_start() { tb_halb lb1 "$hconf" "$HALB_DCONF"; }
		m_kill() { vt_kill9 lb1; }
		m_is() { halb_master; }
		s_start() { ka_start "$kconf"; }
		s_is() { if [ "$1" = MASTER ]; then ka_master; else ka_backup; fi; }
		m_mac=$mac_halb s_mac=$mac_ka m_name=halb s_name=keepalived
	else
		ka_conf "$kconf" "$v" MASTER 100
		ka_conf "$hconf" "$v" BACKUP 99
		m_start() { ka_start "$kconf"; }
		m_kill() { ka_kill9; }
		m_is() { ka_master; }
		s_start() { tb_halb lb1 "$hconf" "$HALB_DCONF"; }
		s_is() { if [ "$1" = MASTER ]; then halb_master; else halb_backup; fi; }
		m_mac=$mac_ka s_mac=$mac_halb m_name=keepalived s_name=halb
	fi

	# the master side first, then the backup, which must stay BACKUP
	m_start
	tb_wait 15 m_is || tb_fail "$label: $m_name is not MASTER"
	s_start
	start=$(vt_ms)
	tb_wait 5 s_is BACKUP || tb_fail "$label: $s_name is not BACKUP"
	ip -n "$TB-client" neigh del $VIP dev eth0 2>/dev/null
	tb_in client ping -c 1 -W 1 $VIP >/dev/null 2>&1
	tb_wait 3 arp_is "$m_mac" || tb_fail "$label: the client's neighbour entry for the VIP is $(vt_neigh_mac client $VIP), not the $m_name master's $m_mac"
	# a backup that rejected the master's adverts would take over after
	# 3 x 1 s + skew: still BACKUP 4.5 s after it is up means it accepts them
	while [ $(($(vt_ms) - start)) -lt 4500 ]; do sleep 0.2; done
	s_is BACKUP || tb_fail "$label: $s_name left BACKUP while the $m_name master runs (adverts rejected?)"
	m_is || tb_fail "$label: $m_name lost MASTER to the $s_name backup"
	[ "$(vt_vrrp lb1 VI_1 'i["version"]')" = "$v" ] || tb_fail "$label: halb does not run VRRPv$v"
	[ "$(halb_rejects)" = "[]" ] || tb_fail "$label: halb rejected adverts: $(halb_rejects)"
	if [ "$side" = ka ]; then
		[ "$(vt_vrrp lb1 VI_1 '"%s %d %d" % (i["master"], i["master_priority"], i["adverts_received"] > 0)')" = "$KA_ADDR 100 1" ] ||
			tb_fail "$label: halb does not see keepalived as the master: $(vt_state_line lb1 VI_1)"
	fi
	echo "  $label: $m_name MASTER, $s_name BACKUP (stable), client's neighbour entry -> $m_name"

	# the master dies
	t0=$(vt_ms)
	m_kill
	tb_wait 10 s_is MASTER || tb_fail "$label: $s_name did not take over after kill -9 of $m_name"
	took=$(($(vt_ms) - t0))
	tb_wait 5 arp_is "$s_mac" || tb_fail "$label: the client's neighbour entry did not move to $s_name ($(vt_neigh_mac client $VIP))"
	# and comes back
	t0=$(vt_ms)
	m_start
	tb_wait 15 m_is || tb_fail "$label: the returning $m_name does not take the VIP back"
	back=$(($(vt_ms) - t0))
	tb_wait 5 s_is BACKUP || tb_fail "$label: $s_name does not step down for the returning $m_name"
	tb_wait 5 arp_is "$m_mac" || tb_fail "$label: the client's neighbour entry did not move back to $m_name"
	[ "$(halb_rejects)" = "[]" ] || tb_fail "$label: halb rejected adverts: $(halb_rejects)"
	[ -z "$(ka_rejects)" ] || tb_fail "$label: keepalived rejected halb's adverts: $(ka_rejects)"
	echo "  $label: kill -9 $m_name -> $s_name MASTER after $took ms; $m_name back, MASTER after $back ms"

	tb_stop_halb lb1 TERM
	ka_stop
}
