#!/bin/sh
# Installs everything halb needs to build, test and run its demo on Debian 12:
# the build chain and libraries, the packaging tools (debhelper, for the
# .deb), the test tools (nginx, curl, keepalived as a VRRP peer, BIRD as a
# BGP router and speaker, scapy, an SMTP sink, dnsmasq as a DNS server for
# DNS_CHECK, a Prometheus text parser,
# man) and the benchmark tools. Idempotent: when every package is already
# installed it does nothing and touches no network.
set -eu

PKGS="build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
clang-format
libdpdk-dev dpdk dpdk-dev libnuma-dev libconfig-dev libssl-dev libcurl4-openssl-dev
libcmocka-dev libjansson-dev libmnl-dev libev-dev libmicrohttpd-dev libsystemd-dev
debhelper dpkg-dev fakeroot man-db groff-base systemd
iproute2 nftables iputils-ping psmisc procps kmod ethtool
nginx-light curl tcpdump tshark keepalived bird2
python3 python3-scapy python3-aiosmtpd python3-prometheus-client dnsmasq-base
valgrind wrk haproxy hping3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	[ "${1:-}" = "-q" ] || echo "install_deps: everything is installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install_deps: missing:$missing; run as root to install them" >&2
	exit 1
fi

echo "install_deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer once, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# The packaged daemons are only tools for the tests: never leave them running
# in the host namespace.
for s in nginx keepalived haproxy bird; do
	if command -v systemctl >/dev/null 2>&1; then
		systemctl disable --now "$s" >/dev/null 2>&1 || true
	fi
	pkill -x "$s" 2>/dev/null || true
done
echo "install_deps: done"
