/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scheduler's front: sched_create() checks its arguments, copies the
 * destinations, lists the usable ones and lets the chosen scheduler build
 * what depends only on the destination set (wrr's gcd and maximum, fo's
 * answer, the dh/sh buckets, the Maglev table); sched_state_create() gives a
 * worker its own positions and maps; sched_pick() dispatches to the family
 * files. Because a struct sched is rebuilt whenever the destinations change,
 * what IPVS recomputes in its add_dest/del_dest/upd_dest hooks happens here
 * once, and the picks only read it.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_priv.h"

static int sched_list_usable(struct sched *s)
{
	uint32_t i;

	s->usable = calloc(s->n > 0 ? s->n : 1, sizeof(*s->usable));
	if (s->usable == NULL)
		return -1;
	for (i = 0; i < s->n; i++)
		if (sched_usable(&s->dests[i]))
			s->usable[s->n_usable++] = i;
	return 0;
}

static int sched_build(struct sched *s, const struct sched_params *params)
{
	switch (s->kind) {
	case CFG_SCHED_WRR:
		sched_wrr_build(s);
		return 0;
	case CFG_SCHED_FO:
		sched_fo_build(s);
		return 0;
	case CFG_SCHED_DH:
	case CFG_SCHED_SH:
		return sched_bucket_build(s);
	case CFG_SCHED_MH:
		return sched_mh_build(s, params->mh_table_size != 0 ? params->mh_table_size
								    : SCHED_MH_TABLE_SIZE);
	default:
		return 0;
	}
}

struct sched *sched_create(enum cfg_sched kind, const struct sched_dest *dests, uint32_t n,
			   const struct sched_params *params)
{
	static const struct sched_params defaults;
	struct sched *s;

	if ((unsigned int)kind >= CFG_SCHED_COUNT || (n > 0 && dests == NULL) ||
	    n > (uint32_t)INT32_MAX)
		return NULL;
	if (params == NULL)
		params = &defaults;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->kind = kind;
	s->port = params->port;
	s->fallback = params->fallback;
	s->n = n;
	s->fo = -1;
	s->dests = calloc(n > 0 ? n : 1, sizeof(*s->dests));
	if (s->dests == NULL)
		goto fail;
	if (n > 0)
		memcpy(s->dests, dests, n * sizeof(*dests));
	if (sched_list_usable(s) < 0 || sched_build(s, params) < 0)
		goto fail;
	return s;
fail:
	sched_free(s);
	return NULL;
}

void sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	free(s->table);
	free(s->usable);
	free(s->dests);
	free(s);
}

const struct sched_dest *sched_dests(const struct sched *s, uint32_t *n)
{
	if (n != NULL)
		*n = s != NULL ? s->n : 0;
	return s != NULL ? s->dests : NULL;
}

struct sched_state *sched_state_create(const struct sched *s)
{
	struct sched_state *st;
	int rc = 0;

	if (s == NULL)
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->s = s;
	if (s->kind == CFG_SCHED_WRR)
		sched_wrr_state_init(s, st);
	else if (s->kind == CFG_SCHED_LBLC)
		rc = sched_lblc_state_init(st);
	else if (s->kind == CFG_SCHED_LBLCR)
		rc = sched_lblcr_state_init(st);
	if (rc < 0) {
		sched_state_free(st);
		return NULL;
	}
	return st;
}

void sched_state_free(struct sched_state *st)
{
	if (st == NULL)
		return;
	free(st->lblc);
	free(st->lblcr);
	free(st);
}

int sched_pick(const struct sched *s, struct sched_state *st, const struct sched_key *key,
	       const struct sched_load *load)
{
	if (s == NULL || st == NULL || key == NULL || st->s != s || s->n_usable == 0)
		return -1;

	switch (s->kind) {
	case CFG_SCHED_RR:
		return sched_rr_pick(s, st);
	case CFG_SCHED_WRR:
		return sched_wrr_pick(s, st);
	case CFG_SCHED_LC:
		return sched_lc_pick(s, load);
	case CFG_SCHED_WLC:
		return sched_wlc_pick(s, load);
	case CFG_SCHED_LBLC:
		return sched_lblc_pick(s, st, key, load);
	case CFG_SCHED_LBLCR:
		return sched_lblcr_pick(s, st, key, load);
	case CFG_SCHED_DH:
		return sched_dh_pick(s, key);
	case CFG_SCHED_SH:
		return sched_sh_pick(s, key);
	case CFG_SCHED_SED:
		return sched_sed_pick(s, load);
	case CFG_SCHED_NQ:
		return sched_nq_pick(s, load);
	case CFG_SCHED_FO:
		return s->fo;
	case CFG_SCHED_OVF:
		return sched_ovf_pick(s, load);
	case CFG_SCHED_MH:
		return sched_mh_pick(s, key);
	default:
		return -1;
	}
}
