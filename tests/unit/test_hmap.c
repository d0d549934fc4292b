/*
 * Unit test of engine/hmap.c, the engine's one hash table: insert, find,
 * delete (backward shift), growth, runs of colliding keys (every key one
 * hash, and keys that share home slots across the wrap of the array),
 * deletion while iterating, and a randomized run against a plain array
 * as the reference, checking the table's invariants as it goes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/hmap.h"
#include "tap.h"

/* Entries are the keys themselves (as the tree's inode sets keep them);
 * the hash is picked per test. */
static uint64_t (*key_hash)(uint64_t);

static uint64_t hash_mix(uint64_t k)
{
	return hmap_mix(k);
}

static uint64_t hash_same(uint64_t k)
{
	(void)k;
	return 7;
}

/* Near the end of the array, so runs wrap (with 64 slots or more). */
static uint64_t hash_wrap(uint64_t k)
{
	return 60 + k % 3;
}

static uint64_t word_hash(uint64_t v, const void *ctx)
{
	(void)ctx;
	return key_hash(v);
}

static bool word_eq(uint64_t v, const void *key, const void *ctx)
{
	(void)ctx;
	return v == *(const uint64_t *)key;
}

static bool has(const struct hmap *h, uint64_t k)
{
	return hmap_get(h, key_hash(k), word_eq, &k, NULL) == k;
}

static int put(struct hmap *h, uint64_t k)
{
	size_t i;

	if (hmap_reserve(h, 1, word_hash, NULL) < 0)
		return -1;
	i = hmap_slot(h, key_hash(k), word_eq, &k, NULL);
	if (h->slot[i])
		return 0;
	hmap_put_at(h, i, k);
	return 1;
}

static bool del(struct hmap *h, uint64_t k)
{
	size_t i;

	if (!h->n)
		return false;
	i = hmap_slot(h, key_hash(k), word_eq, &k, NULL);
	if (!h->slot[i])
		return false;
	hmap_delete_at(h, i, word_hash, NULL);
	return true;
}

/* The invariants: n counts the entries, the load is at most a half, and
 * no empty slot lies between an entry and its home. */
static bool sound(const struct hmap *h)
{
	size_t i, j, n = 0;

	for (i = 0; i < hmap_cap(h); i++) {
		if (!h->slot[i])
			continue;
		n++;
		for (j = key_hash(h->slot[i]) & h->mask; j != i;
		     j = (j + 1) & h->mask)
			if (!h->slot[j])
				return false;
	}
	return n == h->n && n * 2 <= hmap_cap(h);
}

static void test_basic(void)
{
	struct hmap h = { 0 };
	uint64_t k;
	bool ok = true;

	key_hash = hash_mix;
	CHECK(!has(&h, 1) && hmap_cap(&h) == 0, "empty table finds nothing");
	CHECK(put(&h, 5) == 1 && has(&h, 5) && h.n == 1, "insert, find");
	CHECK(put(&h, 5) == 0 && h.n == 1, "inserting again adds nothing");
	CHECK(!has(&h, 6), "a missing key is not found");
	CHECK(del(&h, 5) && !has(&h, 5) && h.n == 0, "delete");
	CHECK(!del(&h, 5), "deleting a missing key does nothing");
	for (k = 1; k <= 10000; k++)
		ok &= put(&h, k) == 1;
	CHECK(ok && h.n == 10000 && hmap_cap(&h) == 32768 && sound(&h),
	      "growth: 10,000 keys in 32,768 slots, load <= 1/2");
	for (k = 1, ok = true; k <= 10000; k++)
		ok &= has(&h, k);
	CHECK(ok && !has(&h, 10001), "every key found after growth");
	for (k = 2, ok = true; k <= 10000; k += 2)
		ok &= del(&h, k);
	for (k = 1; k <= 10000; k++)
		ok &= has(&h, k) == (k % 2 == 1);
	CHECK(ok && h.n == 5000 && sound(&h), "delete half: the rest found");
	hmap_clear(&h);
	CHECK(h.n == 0 && !has(&h, 1) && hmap_cap(&h) == 32768,
	      "clear keeps the slots");
	hmap_free(&h);
	CHECK(!h.slot && !h.n && hmap_cap(&h) == 0, "free: empty again");
}

/* Every key in one run; deleting from its middle must shift the rest. */
static void test_collisions(uint64_t (*hash)(uint64_t), const char *what)
{
	struct hmap h = { 0 };
	uint64_t k;
	bool ok = true;

	key_hash = hash;
	/* 64 slots and more, so hash_wrap's homes are in range */
	ok &= hmap_reserve(&h, 32, word_hash, NULL) == 0;
	for (k = 1; k <= 30; k++)
		ok &= put(&h, k) == 1;
	CHECK(ok && sound(&h), "%s: 30 colliding keys", what);
	for (k = 1, ok = true; k <= 30; k++)
		ok &= has(&h, k);
	CHECK(ok && !has(&h, 31), "%s: each found", what);
	for (k = 3, ok = true; k <= 30; k += 3)
		ok &= del(&h, k) && sound(&h);
	for (k = 1; k <= 30; k++)
		ok &= has(&h, k) == (k % 3 != 0);
	CHECK(ok && h.n == 20, "%s: deletes from the run's middle", what);
	for (k = 1; k <= 40; k++)
		ok &= put(&h, k + 100) == 1;
	for (k = 1; k <= 40; k++)
		ok &= has(&h, k + 100);
	CHECK(ok && sound(&h), "%s: growth with runs", what);
	hmap_free(&h);
}

/* Delete by a predicate while iterating the slots (inoset_drop_inst). */
static void test_delete_iterating(void)
{
	struct hmap h = { 0 };
	uint64_t k;
	size_t i;
	bool ok = true;

	key_hash = hash_wrap;
	for (k = 1; k <= 200; k++)
		ok &= put(&h, k) == 1;
	for (i = 0; i < hmap_cap(&h);) {
		if (h.slot[i] && h.slot[i] % 2 == 0)
			hmap_delete_at(&h, i, word_hash, NULL);
		else
			i++;
	}
	for (k = 1; k <= 200; k++)
		ok &= has(&h, k) == (k % 2 == 1);
	CHECK(ok && h.n == 100 && sound(&h),
	      "delete while iterating, runs across the wrap");
	hmap_free(&h);
}

/* Random inserts and deletes of `keys` keys (at most 5,000) against an
 * array of flags; a deletion-heavy second half empties the table. */
static void test_random(uint64_t (*hash)(uint64_t), const char *what,
			size_t keys)
{
	enum { KEYS = 5000, OPS = 200000 };
	static bool ref[KEYS + 1];
	struct hmap h = { 0 };
	size_t n = 0, op;
	bool ok = true;
	unsigned seed = 12345;

	key_hash = hash;
	memset(ref, 0, sizeof(ref));
	for (op = 0; op < OPS && ok; op++) {
		uint64_t k = 1 + (uint64_t)(rand_r(&seed) % keys);
		int what_op = rand_r(&seed) % 10;

		if (what_op < (op < OPS / 2 ? 5 : 2)) {
			ok &= put(&h, k) == !ref[k];
			n += !ref[k];
			ref[k] = true;
		} else if (what_op < 8) {
			ok &= del(&h, k) == ref[k];
			n -= ref[k];
			ref[k] = false;
		} else {
			ok &= has(&h, k) == ref[k];
		}
		ok &= h.n == n;
		if (op % 9973 == 0)
			ok &= sound(&h);
	}
	for (op = 1; op <= keys; op++)
		ok &= has(&h, op) == ref[op];
	CHECK(ok && sound(&h), "%s: %d random operations match the reference",
	      what, OPS);
	hmap_free(&h);
}

int main(void)
{
	test_basic();
	test_collisions(hash_same, "one hash");
	test_collisions(hash_wrap, "homes at the wrap");
	test_delete_iterating();
	test_random(hash_mix, "mixed hash", 5000);
	test_random(hash_wrap, "three homes", 200);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
