/*
 * hmap: the engine's one hash table; growth and deletion (lookups are
 * inline in hmap.h, which states the invariants).
 *
 * Growth doubles the array and puts every entry at the first empty slot
 * of its probe run in the new one, which keeps runs free of holes.
 * Deletion is backward shift: after the emptied slot, each entry of the
 * run whose home slot is not cyclically within (hole, its slot] moves
 * into the hole, which moves to where it was; the run ends at an empty
 * slot.  No tombstones, so a table that churns (the tree's memory nodes)
 * never slows down or needs a rebuild.
 */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "tenantfs/error.h"

#define HMAP_MIN 16

int hmap_reserve(struct hmap *h, size_t more, hmap_hash_fn *hash,
		 const void *ctx)
{
	size_t cap = hmap_cap(h), need = h->n + more, ncap, i, j;
	uint64_t *slot;

	if (need <= cap / 2)
		return 0;
	if (need > SIZE_MAX / 4)
		return tfs_error_set(TFS_ERROR, "out of memory");
	ncap = cap ? cap * 2 : HMAP_MIN;
	while (need > ncap / 2)
		ncap *= 2;
	if (!(slot = calloc(ncap, sizeof(*slot))))
		return tfs_error_set(TFS_ERROR, "out of memory");
	for (i = 0; i < cap; i++) {
		if (!h->slot[i])
			continue;
		j = (size_t)hash(h->slot[i], ctx) & (ncap - 1);
		while (slot[j])
			j = (j + 1) & (ncap - 1);
		slot[j] = h->slot[i];
	}
	free(h->slot);
	h->slot = slot;
	h->mask = ncap - 1;
	return 0;
}

void hmap_delete_at(struct hmap *h, size_t i, hmap_hash_fn *hash,
		    const void *ctx)
{
	size_t j = i, home;

	h->slot[i] = 0;
	h->n--;
	for (;;) {
		j = (j + 1) & h->mask;
		if (!h->slot[j])
			return;
		home = (size_t)hash(h->slot[j], ctx) & h->mask;
		/* Stays if its home is in (i, j], cyclically: moving it to
		 * i would put it before its home. */
		if (((j - home) & h->mask) < ((j - i) & h->mask))
			continue;
		h->slot[i] = h->slot[j];
		h->slot[j] = 0;
		i = j;
	}
}

void hmap_clear(struct hmap *h)
{
	if (h->slot)
		memset(h->slot, 0, (h->mask + 1) * sizeof(*h->slot));
	h->n = 0;
}

void hmap_free(struct hmap *h)
{
	free(h->slot);
	memset(h, 0, sizeof(*h));
}
