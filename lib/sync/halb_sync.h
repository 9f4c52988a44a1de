/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef HALB_SYNC_H
#define HALB_SYNC_H

/**
 * @file
 * Linux IPVS's connection synchronisation protocol (net/netfilter/ipvs/
 * ip_vs_sync.c), as a pure codec: a director MASTER multicasts what its
 * connections are doing to 224.0.0.81:8848 (UDP), and a BACKUP installs
 * them, so that a failover breaks no established connection. halb speaks
 * version 1 (the kernel's default since 2.6.39) and reads version 0, so a
 * halb director can back up a kernel LVS director, or the reverse.
 *
 * Version 1 message: an 8-byte header (reserved 0, sync id, size, the
 * number of connections, version 1, spare 0), then connections, each
 * 32-bit aligned: type (bit 0: IPv6), protocol, version and size (4 and
 * 12 bits), IPVS flags, state, client/virtual/destination ports, fwmark,
 * timeout in seconds, then the three addresses (4 or 16 bytes each), then
 * optional parameters (sequence adjustments, persistence engine data)
 * which halb reads past and never sends. A version 0 message has a 4-byte
 * header (count, sync id, size) and fixed 24-byte IPv4 connections.
 *
 * halb adds one message of its own, a resync request (a director that
 * becomes BACKUP asks the MASTER for its whole table): a header whose
 * version byte is SYNC_HALB_REQUEST and whose count is 0, which a kernel
 * receiver takes for an empty version 0 message and ignores.
 *
 * Nothing here allocates or calls the OS: encoding writes into the
 * caller's buffer, decoding validates every length against the datagram.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYNC_PORT         8848
#define SYNC_GROUP        0xe0000051u /**< 224.0.0.81, host order */
#define SYNC_HDR_LEN      8           /**< version 1 header */
#define SYNC_HDR0_LEN     4           /**< version 0 header */
#define SYNC_CONN_V4_LEN  36
#define SYNC_CONN_V6_LEN  72
#define SYNC_CONN_V0_LEN  24
#define SYNC_MAX_CONNS    255  /**< the count is one byte */
#define SYNC_HALB_REQUEST 0x48 /**< version byte of halb's resync request */

/* IPVS's connection flags (include/uapi/linux/ip_vs.h). */
#define SYNC_F_FWD_MASK   0x0007
#define SYNC_F_MASQ       0x0000
#define SYNC_F_TUNNEL     0x0002
#define SYNC_F_DROUTE     0x0003
#define SYNC_F_SYNC       0x0020
#define SYNC_F_HASHED     0x0040
#define SYNC_F_NOOUTPUT   0x0080
#define SYNC_F_INACTIVE   0x0100
#define SYNC_F_SEQ_MASK   0x0600
#define SYNC_F_NO_CPORT   0x0800
#define SYNC_F_TEMPLATE   0x1000
#define SYNC_F_ONE_PACKET 0x2000
/** The flags a backup takes from a message (IP_VS_CONN_F_BACKUP_MASK). */
#define SYNC_F_BACKUP_MASK                                                                         \
	(SYNC_F_FWD_MASK | SYNC_F_NOOUTPUT | SYNC_F_INACTIVE | SYNC_F_SEQ_MASK | SYNC_F_NO_CPORT | \
	 SYNC_F_TEMPLATE)

/** A template's state (IP_VS_CTPL_S_*). */
#define SYNC_TPL_S_NONE    0
#define SYNC_TPL_S_ASSURED 1

/** One connection (or template) as the protocol carries it. Addresses
 * and ports network order; IPv4 addresses in the first 4 bytes. */
struct sync_conn {
	uint8_t af;     /**< 4 or 6 */
	uint8_t proto;  /**< IPPROTO_TCP, IPPROTO_UDP */
	uint16_t state; /**< IPVS's TCP state; UDP: 0 */
	uint32_t flags; /**< SYNC_F_* */
	uint16_t cport, vport, dport;
	uint32_t fwmark;
	uint32_t timeout; /**< seconds */
	uint8_t caddr[16], vaddr[16], daddr[16];
};

/** A message being written into a caller's buffer. */
struct sync_writer {
	uint8_t *buf;
	size_t cap; /**< the message's largest size (lvs_sync_daemon maxlen) */
	size_t len;
	unsigned int n;
};

/** Starts a version 1 message of at most cap bytes (cap >= SYNC_HDR_LEN +
 * SYNC_CONN_V6_LEN) in buf. */
void sync_writer_init(struct sync_writer *w, uint8_t *buf, size_t cap, uint8_t syncid);

/** Appends c. @return false when the message has no room left for it (or
 * holds SYNC_MAX_CONNS): send it and start another. */
bool sync_writer_add(struct sync_writer *w, const struct sync_conn *c);

/** Writes the header's size and count. @return the message's length. */
size_t sync_writer_finish(struct sync_writer *w);

/** Writes halb's resync request into buf (SYNC_HDR_LEN bytes). */
size_t sync_write_request(uint8_t *buf, uint8_t syncid);

/** Why a message was refused. */
enum sync_error {
	SYNC_OK = 0,
	SYNC_E_SHORT,   /**< shorter than a header */
	SYNC_E_SIZE,    /**< its size field is not the datagram's */
	SYNC_E_SYNCID,  /**< another sync id (not an error: someone else's) */
	SYNC_E_CONN,    /**< a connection runs past the message, or is malformed */
	SYNC_E_VERSION, /**< a connection of an unknown version */
	SYNC_E_COUNT
};

/** "short", "size", ... (telemetry keys). */
const char *sync_error_name(enum sync_error e);

/** What a decoded message is. */
struct sync_msg {
	uint8_t syncid;
	uint8_t version;      /**< 0, 1 */
	bool request;         /**< halb's resync request */
	unsigned int n;       /**< connections decoded */
	unsigned int skipped; /**< connections left out: unknown protocol,
			       * mandatory option halb does not know */
};

/**
 * Decodes a datagram of len bytes. want_syncid 0 takes every sync id (as
 * the kernel's backup does). Connections go into out (max of them; the rest
 * are counted as skipped).
 * @return SYNC_OK, or why the whole message was refused.
 */
enum sync_error sync_decode(const uint8_t *buf, size_t len, uint8_t want_syncid,
			    struct sync_msg *msg, struct sync_conn *out, unsigned int max);

#ifdef __cplusplus
}
#endif

#endif /* HALB_SYNC_H */
