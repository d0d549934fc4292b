/*
 * hmap: the engine's one hash table (hmap.c).  Engine-internal.
 *
 * Open addressing with linear probing over a power-of-two array of
 * 64-bit words.  A word is the entry itself: a pointer, an index + 1 or
 * an inode number, whatever the user keeps; 0 marks an empty slot, so
 * no entry may be 0.  The table holds no keys: the user hashes its key
 * and says, in an equality callback, whether a word is the entry of that
 * key; growth and deletion ask the user for the hash of a word it holds.
 * So an entry costs one word and no allocation of its own, and every
 * probe loop is inline in the caller (hmap_slot with a static callback
 * compiles to the loop a hand-written table would have).
 *
 * Invariants:
 *  - cap (mask + 1) is 0 or a power of two; n * 2 <= cap after
 *    hmap_reserve, so a probe always ends at an empty slot.
 *  - Every entry sits in the run of full slots that starts at its home
 *    slot (hash & mask) and has no empty slot between: deletion shifts
 *    later entries back (no tombstones), so a lookup stops at the first
 *    empty slot.
 *  - A zero-initialized struct hmap is an empty table.
 *
 * Not thread-safe: the user serializes access (the tree holds its mu).
 */
#ifndef TENANTFS_HMAP_H
#define TENANTFS_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap {
	uint64_t *slot; /* cap words; 0: empty */
	size_t mask;    /* cap - 1 (0 with no slots) */
	size_t n;       /* entries */
};

/* The hash of the entry `v` the table holds (the same as its key's). */
typedef uint64_t hmap_hash_fn(uint64_t v, const void *ctx);
/* Whether the entry `v` is the one of `key`. */
typedef bool hmap_eq_fn(uint64_t v, const void *key, const void *ctx);

/* A well-mixed 64-bit hash of `x` (murmur3's finalizer). */
static inline uint64_t hmap_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* FNV-1a of the string `s`, started from `seed` (0: none). */
static inline uint64_t hmap_hash_str(uint64_t seed, const char *s)
{
	uint64_t h = 1469598103934665603ULL ^ seed;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Slots (0 with none): iterate with `for (i = 0; i < hmap_cap(h); i++)`
 * and skip the zero words. */
static inline size_t hmap_cap(const struct hmap *h)
{
	return h->slot ? h->mask + 1 : 0;
}

/*
 * The slot of the entry of `key` (hash `hash`), or, if there is none, the
 * empty slot where hmap_put_at puts it.  The table must have slots (after
 * hmap_reserve, or n > 0).
 */
static inline size_t hmap_slot(const struct hmap *h, uint64_t hash,
			       hmap_eq_fn *eq, const void *key, const void *ctx)
{
	size_t i = (size_t)hash & h->mask;
	uint64_t v;

	while ((v = h->slot[i]) && !eq(v, key, ctx))
		i = (i + 1) & h->mask;
	return i;
}

/* The first empty slot of the run of `hash`: where an entry goes that
 * must not replace an equal one (duplicate keys are allowed; lookups find
 * the first that eq accepts).  The table must have slots. */
static inline size_t hmap_slot_empty(const struct hmap *h, uint64_t hash)
{
	size_t i = (size_t)hash & h->mask;

	while (h->slot[i])
		i = (i + 1) & h->mask;
	return i;
}

/* The entry of `key`, or 0; any table. */
static inline uint64_t hmap_get(const struct hmap *h, uint64_t hash,
				hmap_eq_fn *eq, const void *key,
				const void *ctx)
{
	if (!h->n)
		return 0;
	return h->slot[hmap_slot(h, hash, eq, key, ctx)];
}

/* The slot holding exactly `v` (hash `hash`), or SIZE_MAX. */
static inline size_t hmap_slot_of(const struct hmap *h, uint64_t hash,
				  uint64_t v)
{
	size_t i;

	if (!h->n)
		return SIZE_MAX;
	for (i = (size_t)hash & h->mask; h->slot[i]; i = (i + 1) & h->mask)
		if (h->slot[i] == v)
			return i;
	return SIZE_MAX;
}

/* Put `v` (not 0) in the empty slot `i` that hmap_slot gave, with no
 * hmap_reserve or deletion in between. */
static inline void hmap_put_at(struct hmap *h, size_t i, uint64_t v)
{
	h->slot[i] = v;
	h->n++;
}

/*
 * Room for `more` entries beyond n: grows (doubling, at least 16 slots)
 * until (n + more) * 2 <= cap, moving each entry by hash(v, ctx).  Slots
 * given before are stale afterwards.  0, or TFS_ERROR (out of memory; the
 * table is as it was).
 */
int hmap_reserve(struct hmap *h, size_t more, hmap_hash_fn *hash,
		 const void *ctx);
/* Remove the entry in slot `i`, shifting back the entries after it in
 * its run (hash(v, ctx) for each).  An iteration over the slots that
 * deletes looks at slot `i` again. */
void hmap_delete_at(struct hmap *h, size_t i, hmap_hash_fn *hash,
		    const void *ctx);
/* Remove every entry, keeping the slots. */
void hmap_clear(struct hmap *h);
/* Free the slots (not what entries point at): an empty table again. */
void hmap_free(struct hmap *h);

#endif
