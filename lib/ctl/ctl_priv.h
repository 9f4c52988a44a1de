/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control core's state, shared by the files of lib/ctl:
 *   ctl.c       start-up, the event loop, signals, stop
 *   ctl_io.c    the exception path: worker rings, TAPs, ARP, neighbours
 *   ctl_svc.c   stat slots, service snapshots, VIP ownership, rates
 *   ctl_announce.c  route health injection: the announced VIPs
 *   ctl_defence.c  logs when a worker's flood defences engage and let go
 *   ctl_sync.c  the connection sync daemon
 *   ctl_tel.c   the halb telemetry commands
 *   ctl_vrrp*.c VRRP instances, sync groups, tracking, adverts (ctl_vrrp_int.h)
 *   ctl_metrics.c  /metrics for Prometheus (metrics_listen)
 *   ctl_page.c  parameters and pages of the list replies
 *   ctl_conns.c the connection listing (/halb/conns)
 *   ctl_admin.c runtime changes through telemetry: weights, zeroed counters
 */
#ifndef HALB_CTL_PRIV_H
#define HALB_CTL_PRIV_H

#include <pthread.h>

#include <ev.h>
#include <rte_hash.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "halb_ctl.h"
#include "halb_fwd.h"
#include "halb_log.h"
#include "halb_metrics.h"
#include "halb_neigh.h"
#include "halb_port.h"
#include "halb_route.h"
#include "halb_svc.h"
#include "halb_telemetry.h"

HALB_LOG_DECLARE(ctl);

#define CTL_RING_SIZE       1024 /* worker <-> control, bulk */
#define CTL_PRIO_RING_SIZE  256  /* worker -> control: VRRP, sync */
#define CTL_LEARN_RING_SIZE 256  /* worker -> control: neighbour records */
#define CTL_SYNC_RING_SIZE  4096 /* sync records, each way */

/* The running state of a real server (parallel to cfg_real_server). */
struct ctl_rs {
	uint32_t stat;
	bool healthy;
	int dyn_weight; /* MISC_CHECK misc_dynamic; -1: the configured weight */
	int override;   /* halbctl weight (ctl_admin.c); -1: none */
};

/* The running state of a virtual server (parallel to cfg_virtual_server). */
struct ctl_vs {
	uint32_t stat;
	bool quorum_up;
	int owner; /* vrrp_instance holding the VIP, -1: none (always served) */
	struct ctl_rs *rs;
	struct ctl_rs sorry;
};

/* IPVS-style rate estimate of one stat slot. */
struct ctl_rate {
	struct svc_counters last;
	double cps, in_pps, out_pps, in_bps, out_bps;
};

/* A defence of a worker, as the operator is told of it (ctl_defence.c). */
#define CTL_DEFENCES 4
struct ctl_defence {
	bool on;
	uint32_t quiet;       /* seconds without a move */
	uint64_t last, start; /* its counter a second ago, and when it engaged */
	uint64_t since_ms;
};

/* Counters of the control core's own work. */
struct ctl_counters {
	uint64_t from_workers, to_kernel, from_kernel, tx, dropped;
	uint64_t drops[FWD_DROP_COUNT];
};

/* An open notify FIFO (ctl_fifo.c). */
struct ctl_fifo {
	char *path;
	int fd;       /* -1: none */
	bool created; /* halb made it: removed at exit */
	uint64_t written, dropped;
};

struct ctl {
	struct ctl_options opt; /* file_prefix points at file_prefix below */
	char file_prefix[128];
	struct cfg_keepalived *k;
	struct cfg_dataplane *d;

	/* the dataplane */
	uint16_t n_workers, n_ports;
	struct port_rt ports[FWD_MAX_PORTS];
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES]; /* per NUMA node of ports */
	struct rte_mempool *pool; /* the first port's: the control core's frames */
	struct rte_rcu_qsbr *qsbr;
	struct fwd_env env;
	struct route_table *routes;
	bool routes_dirty; /* static or virtual routes changed: rebuild before publishing */
	struct fwd_txq tap_tx[FWD_MAX_PORTS]; /* frames for each TAP */
	struct fwd_txq nic_tx[FWD_MAX_PORTS]; /* frames for each port's control queue */
	struct neigh_ops nops;

	/* services */
	struct ctl_vs *vs;
	size_t n_vs_rt; /* entries of vs (the virtual servers of k) */
	struct rte_hash *stat_ids;
	uint32_t n_stats;
	struct ctl_rate *rates; /* [SVC_STAT_MAX] */
	struct ctl_zero *zero;  /* [SVC_STAT_MAX] after a first halbctl -Z (ctl_admin.c) */
	bool *inst_master;      /* per vrrp_instance: holds its VIPs */
	struct ctl_vrrp *vrrp;
	struct check_engine *checks;
	struct ctl_sync *sync;         /* the connection sync daemon, or NULL */
	struct ctl_announce *announce; /* route health injection, or NULL */
	bool hold_publish;             /* batching changes: one snapshot at the end */
	bool publish_due;              /* health changed: publish before the loop waits */
	ev_prepare publish_prepare;
	struct ctl_fifo fifos[2]; /* notify_fifo, vrrp_notify_fifo */

	/* the loop */
	struct ev_loop *loop;
	ev_timer poll_timer, house_timer, rate_timer;
	ev_signal sig_term, sig_int, sig_hup;
	pthread_mutex_t lock;
	struct tel_server *tel;
	struct metrics_server *metrics;

	struct ctl_counters cst;
	struct ctl_defence defence[FWD_MAX_WORKERS][CTL_DEFENCES];
	struct ctl_defence neigh_full;
	double started;
	uint64_t reloads;
	bool stopping;
};

/* ctl.c */
/* The workers' token buckets from the dataplane file's limits. */
void ctl_limits(struct fwd_limits *out, const struct cfg_limits *in);
/* The addresses the workers speak from on a port (its MAC already set). */
void ctl_port_addrs(struct fwd_port *fp, const struct cfg_port *cp);

/* ctl_io.c */
void ctl_io_init(struct ctl *c);
/* Frees what a stopped worker left in its rings to the control core. */
void ctl_io_drain_rings(struct fwd_worker *w);
void ctl_io_poll(struct ctl *c);
void ctl_io_flush(struct ctl *c);
/* Sends a frame (Ethernet header complete) out of port p from the control core. */
void ctl_tx(struct ctl *c, uint8_t p, struct rte_mbuf *m);
/* Broadcasts a gratuitous ARP for addr (network order) on port p. */
void ctl_send_garp(struct ctl *c, uint8_t p, rte_be32_t addr);
/* Sends an unsolicited neighbour advert for the IPv6 address addr to the
 * all-nodes group on port p (override, router: RFC 4861 7.2.6). */
void ctl_send_una(struct ctl *c, uint8_t p, const uint8_t *addr);
/* A gratuitous ARP or an unsolicited neighbour advert for a, by family. */
void ctl_claim_addr(struct ctl *c, uint8_t p, const struct cfg_addr *a);
/* Whether addr (network order) is one of the director's on port p. */
bool ctl_addr_is_ours(const struct ctl *c, uint8_t p, rte_be32_t addr);

/* ctl_fifo.c: notify_fifo and vrrp_notify_fifo */
/* Opens (again after a reload: only a changed path) the FIFOs of c->k. */
void ctl_fifo_start(struct ctl *c);
void ctl_fifo_stop(struct ctl *c);
/* Writes keepalived's line: KIND "NAME" STATE PRIO. */
void ctl_fifo_write(struct ctl *c, const char *kind, const char *name, const char *state,
		    unsigned int prio);

/* ctl_static.c: static_ipaddress, static_routes, virtual_routes */
/* Puts c->k's static addresses and routes on the TAPs (the difference from
 * old after a reload; old NULL at start). */
void ctl_static_apply(struct ctl *c, const struct cfg_keepalived *old);
/* Instance inst's virtual_routes in (add) or out of force. */
void ctl_vroutes(struct ctl *c, size_t inst, bool add);
/* Rebuilds c->routes when the routes in force changed (before a publish). */
int ctl_routes_refresh(struct ctl *c);
/* Appends the static addresses to a's n entries; returns the new count. */
uint32_t ctl_static_addr_specs(const struct ctl *c, struct svc_spec_addr *a, uint32_t n);
/* How many entries ctl_static_addr_specs() may append at most. */
size_t ctl_static_addrs_max(const struct ctl *c);
/* Resolves (and pins) the gateways of the routes in force. */
void ctl_static_pin(struct ctl *c);

/* ctl_sync.c: the connection sync daemon (lvs_sync_daemon) */
#define CTL_SYNC_RATE 1000 /* messages a second, unless limits.sync says */
/* Starts it for c->k (again after a reload), stopped when not configured. */
int ctl_sync_start(struct ctl *c);
void ctl_sync_stop(struct ctl *c);
/* Every millisecond: sends what the workers reported, refreshes, asks. */
void ctl_sync_poll(struct ctl *c);
/* A sync message from a worker's priority ring (consumed). */
void ctl_sync_input(struct ctl *c, struct rte_mbuf *m);
/* Instance inst became MASTER (master) or left it: the daemon follows. */
void ctl_sync_role(struct ctl *c, size_t inst, bool master);
int ctl_sync_tel_init(struct ctl *c);

/* ctl_announce.c: route health injection */
/* Creates the announce interface when the dataplane file asks for it. */
int ctl_announce_start(struct ctl *c, char *err, size_t errlen);
/* From ctl_publish: withdrawals (adds false) before a snapshot, then
 * announcements (adds true) after it. */
void ctl_announce_update(struct ctl *c, bool adds);
/* SIGTERM (c->stopping set): withdraws every VIP; returns how long the
 * dataplane should go on forwarding (seconds, 0 when nothing was announced). */
double ctl_announce_stop(struct ctl *c);
/* Removes the interface (with its addresses). */
void ctl_announce_free(struct ctl *c);
int ctl_announce_tel_init(struct ctl *c);

/* ctl_defence.c */
/* Every second: logs each worker's defences that engaged or let go. */
void ctl_defence_tick(struct ctl *c, uint64_t now_ms);
/* Which defences of worker w are engaged: {"eviction": true, ...}. */
json_t *ctl_defence_json(const struct ctl *c, uint16_t w);

/* ctl_svc.c */
int ctl_svc_init(struct ctl *c);
void ctl_svc_fini(struct ctl *c);
/* After c->k changed: running state for its virtual servers (counters keep
 * their slots; health comes from the checks) and instances. */
int ctl_svc_reload(struct ctl *c, const struct cfg_keepalived *old_k);
int ctl_publish(struct ctl *c);
/* Whether the dataplane serves virtual server i: no vrrp_instance holds its
 * VIP, or the one that does is MASTER. */
bool ctl_vs_owned(const struct ctl *c, size_t i);
/* The addresses and ports the virtual servers of k serve (a group's
 * members each). */
size_t ctl_members_total(const struct cfg_keepalived *k);
void ctl_rates_update(struct ctl *c, double interval_s);
/* The counters slot of real server rip:rport (or the sorry server) of
 * service vip:vport/proto, if one was ever given. */
bool ctl_rs_slot_find(const struct ctl *c, const struct cfg_addr *vip, uint16_t vport,
		      uint8_t proto, const struct cfg_addr *rip, uint16_t rport, uint32_t *slot);
/* Index of the port an address is reached on (connected prefix), or 0. */
uint8_t ctl_port_of(const struct ctl *c, const struct cfg_addr *addr);
/* Takes (own true) or gives up the VIPs of instance i: the snapshot and the
 * TAP addresses (gratuitous ARPs are VRRP's to send). */
void ctl_instance_own(struct ctl *c, size_t i, bool own);

/* Puts the VIPs of virtual servers that no vrrp_instance manages on the
 * TAPs (they are always served) and announces them with gratuitous ARP
 * (without announce: with it, routing does). */
void ctl_static_vips(struct ctl *c);
/* The static VIPs now (out has room for one per virtual server). */
size_t ctl_static_vip_list(const struct ctl *c, struct cfg_addr *out);
/* Reload: takes off the TAPs the static VIPs of old that are static no more. */
void ctl_static_vips_drop(struct ctl *c, const struct cfg_addr *old, size_t n_old);

/* The neighbour table's key for a. */
struct neigh_ip ctl_neigh_ip(const struct cfg_addr *a);
/* Appends addr with flags and port to the snapshot's address list a[*n]. */
void ctl_spec_addr(struct svc_spec_addr *a, uint32_t *n, const struct cfg_addr *addr, uint8_t flags,
		   uint8_t port);

/* ctl_vrrp.c */
/* Starts VRRP for c->k; after a reload, instances and scripts of old with
 * the same names go on where they were. */
int ctl_vrrp_start(struct ctl *c, const struct ctl_vrrp *old, const struct cfg_keepalived *old_k);
/* Reload, before c->k changes: instances that new_k drops resign, and
 * VIPs that leave an instance this director holds leave the TAP. */
void ctl_vrrp_retire(struct ctl *c, const struct cfg_keepalived *new_k);
/* Reload: stops the running VRRP (timers, scripts) and hands it over. */
struct ctl_vrrp *ctl_vrrp_detach(struct ctl *c);
/* Writes every instance's and group's state to the notify FIFOs
 * (fifo_write_vrrp_states_on_reload). */
void ctl_vrrp_fifo_states(struct ctl *c);
void ctl_vrrp_input(struct ctl *c, struct rte_mbuf *m);
/* SIGTERM: every MASTER resigns (priority 0) and releases its VIPs. */
void ctl_vrrp_shutdown(struct ctl *c);
void ctl_vrrp_free(struct ctl_vrrp *v);
int ctl_vrrp_tel_init(struct ctl *c);
/* What /metrics reports of one instance; name and interface are copies the
 * caller frees. */
struct ctl_vrrp_metric {
	char *name, *interface;
	uint8_t vrid;
	int state; /* enum vrrp_state */
	uint8_t priority, effective_priority;
	uint64_t transitions, adverts_sent, adverts_received;
};
/* Fills out with up to max instances. @return how many there are. */
size_t ctl_vrrp_metrics(const struct ctl *c, struct ctl_vrrp_metric *out, size_t max);

/* ctl_metrics.c */
/* Serves /metrics when the dataplane file has metrics_listen. */
int ctl_metrics_start(struct ctl *c, char *err, size_t errlen);
void ctl_metrics_stop(struct ctl *c);

/* ctl_check.c */
int ctl_check_start(struct ctl *c);
/* ha_suspend: runs the checks of the virtual servers whose VIP we hold. */
void ctl_check_ownership(struct ctl *c);
void ctl_check_stop(struct ctl *c);
int ctl_check_tel_init(struct ctl *c);

/* ctl_notify.c */
/* Runs a notify script the way keepalived does, without waiting for it. */
void ctl_run_script(struct ctl *c, const struct cfg_script *s, const char *const *args,
		    size_t n_args);
/* Sends a mail alert (subject, one line of text after the date) to every
 * notification_email, when an smtp_server is set. */
void ctl_mail(struct ctl *c, const char *subject, const char *text);
/* router_id, or the host name. */
const char *ctl_router_id(const struct ctl *c);

/* ctl_reload.c: SIGHUP */
int ctl_reload(struct ctl *c);
int ctl_check_reload(struct ctl *c);

/* ctl_tel.c */
/* A host-order address as a JSON string "a.b.c.d". */
json_t *ctl_ip_json(uint32_t host);
/* "TCP" or "UDP" (keepalived's spelling), "?" otherwise. */
const char *ctl_proto_name(uint8_t proto);
/* The weight in force for stat slot stat in the current snapshot; -1 when
 * the real server is not in it. Under the lock. */
long ctl_weight_in_force(const struct ctl *c, uint32_t stat);

/* The workers' connection tables summed (their counters are the owners',
 * read as they are: a torn read is possible). */
void ctl_conns_sum(const struct ctl *c, struct conn_table_stats *t);
/* An address of either family as a JSON string ("2001:db8::1"). */
json_t *ctl_addr_json(const struct cfg_addr *a);
/* A neighbour's address (IPv4 mapped or IPv6) as a JSON string. */
json_t *ctl_neigh_ip_json(const struct neigh_ip *ip);
int ctl_tel_init(struct ctl *c);

/* ctl_page.c: the parameters of a list or change request, "k=v,k=v". */
struct ctl_addr_filter {
	bool set, has_port;
	struct cfg_addr addr; /* IPv4 or IPv6 */
	uint16_t port;
};

#define CTL_Q_LIMIT  0x01
#define CTL_Q_CURSOR 0x02
#define CTL_Q_COUNT  0x04
#define CTL_Q_VIP    0x08
#define CTL_Q_RS     0x10
#define CTL_Q_CLIENT 0x20
#define CTL_Q_PROTO  0x40
#define CTL_Q_WEIGHT 0x80

struct ctl_query {
	long limit;      /* 0: the command's default */
	char cursor[64]; /* "": from the start */
	bool count;
	uint8_t proto; /* 0: any */
	struct ctl_addr_filter vip, rs, client;
	bool has_weight;
	long weight; /* -1: "reset" */
};

/* Parses params for a command that knows the keys in allowed (CTL_Q_*);
 * a bare number is a limit. @return 0, or -1 with a message in err. */
int ctl_query_parse(const char *params, unsigned int allowed, long max_limit, struct ctl_query *q,
		    char *err, size_t errlen);
/* Whether addr:port passes f (an unset filter passes everything). */
bool ctl_addr_match(const struct ctl_addr_filter *f, const struct cfg_addr *addr, uint16_t port);
/* {"error": "..."} */
json_t *ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The error of a paged listing whose cursor names another configuration
 * generation: {"error": ..., "restart": true}, the client starts again. */
json_t *ctl_error_restart(void);

/* One page of a list reply: entries go in while they fit in budget bytes. */
struct ctl_page {
	json_t *arr;
	size_t bytes, budget;
};
void ctl_page_init(struct ctl_page *p, size_t budget);
/* Whether entry would fit. */
bool ctl_page_fits(const struct ctl_page *p, const json_t *entry);
/* Appends entry (reference stolen) if it fits. @return false (entry freed)
 * when the page is full. */
bool ctl_page_add(struct ctl_page *p, json_t *entry);
/* Counts bytes added to an entry already on the page. */
void ctl_page_grow(struct ctl_page *p, size_t bytes);

/* ctl_tel.c: whether service i passes q's vip and proto filters. */
bool ctl_vs_match(const struct ctl *c, size_t i, const struct ctl_query *q);

/* ctl_admin.c */
/* The counters of a stat slot as /halb/services shows them: since the last
 * halbctl -Z. */
void ctl_counters_get(struct ctl *c, uint32_t stat, struct svc_counters *out);
int ctl_admin_tel_init(struct ctl *c);
void ctl_admin_fini(struct ctl *c);

/* ctl_conns.c: walking the connection tables for listings. */
#define CTL_CURSOR_LEN 64

/* One connection or template as a listing shows it. */
struct ctl_conn_info {
	uint8_t af;                /* 4 or 6 */
	uint8_t proto, fwd, state; /* state CONN_S_NONE for a template */
	bool tmpl, assured;
	uint16_t worker;                         /* the owner (connections) */
	uint32_t controls;                       /* connections bound (templates) */
	uint8_t caddr[16], vaddr[16], daddr[16]; /* IPv4: the first 4 bytes */
	uint16_t cport, vport, dport;            /* host order */
	int32_t expires_s;
};

struct ctl_conn_filter {
	struct ctl_addr_filter vip, rs, client; /* IPv4 */
	uint8_t proto;                          /* 0: any */
};

/* What a walk reads: the workers' tables, the templates, the real servers
 * by counters slot, and the clock the tables count seconds on. */
struct ctl_conns_src {
	const struct conn_table *const *tables;
	uint16_t n_tables;
	const struct conn_tmpls *tmpls; /* NULL: none */
	const struct conn_dest *dests;
	uint32_t now_s;
};

/* Called for each entry that passes the filter; false: the page is full
 * (that entry is where the next page starts). */
typedef bool (*ctl_conn_fn)(void *arg, const struct ctl_conn_info *ci);

/*
 * Walks the connection tables from cursor ("" or NULL: the start): each
 * worker's table, then the templates, examining at most scan_max entries
 * and calling fn for those that pass f. Writes the cursor to go on from in
 * next ("" when the walk reached the end) and the number examined in
 * *scanned (may be NULL). Any thread; takes no lock. @return 0, or -1 for
 * a bad cursor.
 */
int ctl_conns_page(const struct ctl_conns_src *src, const char *cursor,
		   const struct ctl_conn_filter *f, uint32_t scan_max, ctl_conn_fn fn, void *arg,
		   char next[CTL_CURSOR_LEN], uint32_t *scanned);
int ctl_conns_tel_init(struct ctl *c);

static inline double ctl_now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
