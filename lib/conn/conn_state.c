/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPVS's connection states as pure data: the TCP state table of
 * ip_vs_proto_tcp.c (rows by direction and event, columns by the current
 * state), the timeouts of ip_vs_proto_tcp.c and ip_vs_proto_udp.c in
 * seconds, and the names ipvsadm prints.
 */
#include <rte_common.h>
#include <rte_tcp.h>

#include "conn_int.h"

static const uint32_t state_timeout[CONN_S_COUNT] = {
	[CONN_S_NONE] = 2,      [CONN_S_ESTABLISHED] = 900, [CONN_S_SYN_SENT] = 120,
	[CONN_S_SYN_RECV] = 60, [CONN_S_FIN_WAIT] = 120,    [CONN_S_TIME_WAIT] = 120,
	[CONN_S_CLOSE] = 10,    [CONN_S_CLOSE_WAIT] = 60,   [CONN_S_LAST_ACK] = 30,
	[CONN_S_LISTEN] = 120,  [CONN_S_SYNACK] = 120,      [CONN_S_UDP] = 300,
};

static const char *const state_names[CONN_S_COUNT] = {
	[CONN_S_NONE] = "NONE",         [CONN_S_ESTABLISHED] = "ESTABLISHED",
	[CONN_S_SYN_SENT] = "SYN_SENT", [CONN_S_SYN_RECV] = "SYN_RECV",
	[CONN_S_FIN_WAIT] = "FIN_WAIT", [CONN_S_TIME_WAIT] = "TIME_WAIT",
	[CONN_S_CLOSE] = "CLOSE",       [CONN_S_CLOSE_WAIT] = "CLOSE_WAIT",
	[CONN_S_LAST_ACK] = "LAST_ACK", [CONN_S_LISTEN] = "LISTEN",
	[CONN_S_SYNACK] = "SYNACK",     [CONN_S_UDP] = "UDP",
};

#define sNO CONN_S_NONE
#define sES CONN_S_ESTABLISHED
#define sSS CONN_S_SYN_SENT
#define sSR CONN_S_SYN_RECV
#define sFW CONN_S_FIN_WAIT
#define sTW CONN_S_TIME_WAIT
#define sCL CONN_S_CLOSE
#define sCW CONN_S_CLOSE_WAIT
#define sLA CONN_S_LAST_ACK
#define sLI CONN_S_LISTEN
#define sSA CONN_S_SYNACK
static const uint8_t tcp_states[12][CONN_S_SYNACK + 1] = {
	/* INPUT: sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA */
	/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
	/*fin*/ { sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW },
	/*ack*/ { sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
	/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR },
	/* OUTPUT */
	/*syn*/ { sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR },
	/*fin*/ { sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW },
	/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES },
	/*rst*/ { sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL },
	/* INPUT-ONLY (DR, TUN) */
	/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
	/*fin*/ { sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW },
	/*ack*/ { sCL, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
	/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
};

const char *conn_state_name(uint8_t s)
{
	return s < CONN_S_COUNT ? state_names[s] : "?";
}

uint32_t conn_state_timeout(uint8_t s)
{
	return s < CONN_S_COUNT ? state_timeout[s] : state_timeout[CONN_S_NONE];
}

static inline int tcp_event(uint8_t flags)
{
	if (flags & RTE_TCP_RST_FLAG)
		return 3;
	if (flags & RTE_TCP_SYN_FLAG)
		return 0;
	if (flags & RTE_TCP_FIN_FLAG)
		return 1;
	if (flags & RTE_TCP_ACK_FLAG)
		return 2;
	return -1;
}

uint8_t conn_tcp_next(uint8_t state, bool input_only, enum conn_dir dir, uint8_t tcp_flags)
{
	int ev = tcp_event(tcp_flags);

	if (ev < 0 || state > CONN_S_SYNACK)
		return state;
	return tcp_states[(input_only ? 8 : dir == CONN_DIR_OUT ? 4 : 0) + ev][state];
}
