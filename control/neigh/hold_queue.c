/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "hold_queue.h"

void hold_init(struct hold_queue *q)
{
	memset(q, 0, sizeof(*q));
}

static struct hold_neighbor *find(struct hold_queue *q, uint64_t key)
{
	unsigned i;

	for (i = 0; i < HOLD_NEIGHBORS; i++)
		if (q->nb[i].key == key)
			return &q->nb[i];
	return NULL;
}

int hold_add(struct hold_queue *q, uint64_t key, void *m, uint16_t worker, uint64_t now_ms)
{
	struct hold_neighbor *nb = find(q, key);

	if (nb == NULL)
		nb = find(q, 0);
	if (nb == NULL || nb->n == HOLD_PER_NEIGHBOR || q->held == HOLD_TOTAL) {
		q->full++;
		return -1;
	}
	nb->key = key;
	nb->p[nb->n++] = (struct hold_packet){.m = m, .worker = worker, .since_ms = now_ms};
	q->held++;
	return 0;
}

unsigned hold_take(struct hold_queue *q, uint64_t key, struct hold_packet *out)
{
	struct hold_neighbor *nb = key != 0 ? find(q, key) : NULL;
	unsigned n;

	if (nb == NULL)
		return 0;
	n = nb->n;
	memcpy(out, nb->p, n * sizeof(out[0]));
	q->held -= n;
	q->released += n;
	nb->n = 0;
	nb->key = 0;
	return n;
}

unsigned hold_expire(struct hold_queue *q, uint64_t now_ms, struct hold_packet *out)
{
	unsigned i, k, n = 0;

	for (i = 0; i < HOLD_NEIGHBORS; i++) {
		struct hold_neighbor *nb = &q->nb[i];

		if (nb->key == 0)
			continue;
		/* Oldest first: the expired ones are a prefix. */
		for (k = 0; k < nb->n && now_ms - nb->p[k].since_ms >= HOLD_TIMEOUT_MS; k++)
			out[n++] = nb->p[k];
		if (k == 0)
			continue;
		memmove(nb->p, nb->p + k, (nb->n - k) * sizeof(nb->p[0]));
		nb->n -= k;
		q->held -= k;
		q->timeout += k;
		if (nb->n == 0)
			nb->key = 0;
	}
	return n;
}
