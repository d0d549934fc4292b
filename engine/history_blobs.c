/*
 * Blob writer: the blobs of a large change set, written as they come
 * into packs of the store's history repository, so that neither the
 * change set nor the history commit has to keep their bytes.
 *
 * Each blob is hashed (its git id), stored in a zlib stream without
 * compression (deflate even at level 1 runs at about 60 MB/s here on
 * objects of a kilobyte, a third of a large apply; `git gc` packs them
 * compactly later) and appended to a buffer of at most BATCH_BYTES; a
 * full buffer, and the rest at tfs_history_blobs_flush(), becomes one
 * pack: no delta search (which is what made packing a package of records
 * cost more than applying it).  Its bytes go through libgit2's indexer,
 * which writes the pack and its index into a temporary directory, and are
 * made durable and named by history_pack.c, the one path for the packs of
 * history_write.c too; so a pack is either wholly visible or not at all,
 * and never torn after a power loss.
 * The sync overlaps the next batch: a written batch's writeback is started
 * at once (sync_file_range), and it is synced and named when the next
 * batch is written or at the flush, by when its pages are mostly on disk
 * (each 32 MB waited for in turn cost about a second of a 100,000-record
 * apply).  The pack directory is fsynced once, at the flush.
 *
 * Blobs written but never committed (an aborted change set, a crash) are
 * unreferenced objects, harmless, as loose objects were.  A blob put twice
 * in one batch is stored once; across batches, or when the repository
 * already has it, it may be stored again, which git allows.
 *
 * Memory is bounded by the batch, whatever the number of blobs.  Callers:
 * change.c (struct cset).  Writing a batch takes no lock: it touches
 * nothing libgit2 holds but the pack directory, whose new names libgit2
 * finds when it next misses an object (or at the flush's refresh, which
 * takes the writer lock for that call alone).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <zlib.h>

#include "history_int.h"
#include "tenantfs/error.h"

/* Deflated bytes of one batch before it is written as a pack. */
#define BATCH_BYTES ((size_t)32 << 20)

struct entry {
	unsigned char id[20];
};

struct tfs_history_blobs {
	tfs_history *h;
	unsigned char *buf;
	size_t len, cap;
	struct entry *ents;
	size_t n, aents;
	uint32_t *slots;   /* open addressing over ents by id (i + 1) */
	size_t nslots;
	z_stream z;
	bool z_ready;
	struct hist_dirs dirs;  /* the pack directory, once a batch is in */
	/* Batches written, not yet synced and named. */
	struct hist_pack *pend;
	size_t npend, apend;
	/* .keep files of the named batches: no ref reaches their blobs
	 * before the commit that uses them moves its branch, and the
	 * writer is freed only after that (history.c, "git maintenance"). */
	char **keeps;
	size_t nkeeps;
};

static void drop_pending(tfs_history_blobs *w);

/* ---- the writer ------------------------------------------------------- */

int tfs_history_blobs_new(tfs_history_blobs **out, tfs_history *h)
{
	tfs_history_blobs *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return tfs_error_set(TFS_ERROR, "out of memory");
	w->h = h;
	if (deflateInit(&w->z, Z_NO_COMPRESSION) != Z_OK) {
		tfs_history_blobs_free(w);
		return tfs_error_set(TFS_ERROR, "zlib: cannot initialize");
	}
	w->z_ready = true;
	*out = w;
	return 0;
}

void tfs_history_blobs_free(tfs_history_blobs *w)
{
	if (!w)
		return;
	if (w->z_ready)
		deflateEnd(&w->z);
	drop_pending(w);
	free(w->pend);
	hist_keeps_drop(w->keeps, w->nkeeps);
	hist_dirs_clear(&w->dirs);
	free(w->buf);
	free(w->ents);
	free(w->slots);
	free(w);
}

static uint32_t id_hash(const unsigned char id[20])
{
	return (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16 |
	       (uint32_t)id[3] << 24;
}

/* The slot of `id`: its entry, or the empty slot for it. */
static uint32_t *slot_of(tfs_history_blobs *w, const unsigned char id[20])
{
	size_t i = id_hash(id) & (w->nslots - 1);

	while (w->slots[i] &&
	       memcmp(w->ents[w->slots[i] - 1].id, id, 20) != 0)
		i = (i + 1) & (w->nslots - 1);
	return &w->slots[i];
}

static int reserve(tfs_history_blobs *w, size_t need)
{
	size_t cap, i;
	void *p;

	if (w->len + need > w->cap) {
		cap = w->cap ? w->cap : (size_t)1 << 20;
		while (cap < w->len + need)
			cap *= 2;
		if (!(p = realloc(w->buf, cap)))
			return tfs_error_set(TFS_ERROR, "out of memory");
		w->buf = p;
		w->cap = cap;
	}
	if (w->n == w->aents) {
		cap = w->aents ? w->aents * 2 : 4096;
		if (!(p = realloc(w->ents, cap * sizeof(*w->ents))))
			return tfs_error_set(TFS_ERROR, "out of memory");
		w->ents = p;
		w->aents = cap;
	}
	if ((w->n + 1) * 2 > w->nslots) {
		cap = w->nslots ? w->nslots * 2 : 8192;
		if (!(p = calloc(cap, sizeof(*w->slots))))
			return tfs_error_set(TFS_ERROR, "out of memory");
		free(w->slots);
		w->slots = p;
		w->nslots = cap;
		for (i = 0; i < w->n; i++)
			*slot_of(w, w->ents[i].id) = (uint32_t)(i + 1);
	}
	return 0;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Drop the batches not named yet (an error, or free). */
static void drop_pending(tfs_history_blobs *w)
{
	size_t i;

	for (i = 0; i < w->npend; i++)
		hist_pack_drop(&w->pend[i]);
	w->npend = 0;
}

/* Sync the batches written so far, all at once, and name them
 * (hist_pack_settle); note the pack directory. */
static int settle(tfs_history_blobs *w)
{
	int error = hist_pack_settle(w->h, w->pend, w->npend, &w->keeps,
				     &w->nkeeps, &w->dirs);

	w->npend = 0;
	return error;
}

/*
 * Write the batch as a pack and its index under temporary names, their
 * writeback started, and settle the batches written before it; the batch
 * is settled itself by the next write_batch or settle.
 */
static int write_batch(tfs_history_blobs *w)
{
	unsigned char hdr[12], pack_sum[20];
	struct hist_pack *grown;
	struct hist_piece parts[3];
	hist_sha1 s;
	size_t k = w->npend;
	int error;

	if (w->n == 0)
		return 0;
	if (w->npend + 1 >= w->apend) {
		size_t want = w->apend ? w->apend * 2 : 4;

		if (!(grown = realloc(w->pend, want * sizeof(*grown))))
			return tfs_error_set(TFS_ERROR, "out of memory");
		w->pend = grown;
		w->apend = want;
	}
	memcpy(hdr, "PACK", 4);
	put_be32(hdr + 4, 2);
	put_be32(hdr + 8, (uint32_t)w->n);
	if ((error = hist_sha1_init(&s)) < 0)
		return error;
	hist_sha1_update(&s, hdr, sizeof(hdr));
	hist_sha1_update(&s, w->buf, w->len);
	if ((error = hist_sha1_final(&s, pack_sum)) < 0)
		return error;
	parts[0] = (struct hist_piece){ hdr, sizeof(hdr) };
	parts[1] = (struct hist_piece){ w->buf, w->len };
	parts[2] = (struct hist_piece){ pack_sum, sizeof(pack_sum) };
	if ((error = hist_pack_index(&w->pend[k], w->h, parts, 3)) < 0)
		return error;
	/* Those before it first (their writeback has had a batch's time),
	 * then this one joins them. */
	if ((error = settle(w)) < 0) {
		hist_pack_drop(&w->pend[k]);
		return error;
	}
	w->pend[0] = w->pend[k];
	w->npend = 1;
	w->n = 0;
	w->len = 0;
	memset(w->slots, 0, w->nslots * sizeof(*w->slots));
	return 0;
}

int tfs_history_blobs_put(unsigned char id[20], tfs_history_blobs *w,
			  const char *bytes, size_t len)
{
	unsigned char hdr[32], *start;
	size_t hlen = 0, bound, size = len;
	struct entry *e;
	uint32_t *slot;
	int error;

	if (len > ((size_t)1 << 31))
		return tfs_error_set(TFS_EINVALID, "object too large");
	if ((error = hist_object_id(id, "blob", bytes, len)) < 0)
		return error;

	bound = deflateBound(&w->z, (uLong)len) + sizeof(hdr);
	/* A batch that this blob would take past BATCH_BYTES is written
	 * first, so the buffer stays within it (doubling would make it
	 * twice that). */
	if (w->len && w->len + bound > BATCH_BYTES &&
	    (error = write_batch(w)) < 0)
		return error;
	if ((error = reserve(w, bound)) < 0)
		return error;
	slot = slot_of(w, id);
	if (*slot)
		return 0;
	/* Pack entry header: type 3 (blob) and the size, 4 then 7 bits a
	 * byte, high bit set while more follow. */
	hdr[hlen] = (unsigned char)(0x30 | (size & 15));
	size >>= 4;
	while (size) {
		hdr[hlen++] |= 0x80;
		hdr[hlen] = (unsigned char)(size & 0x7f);
		size >>= 7;
	}
	hlen++;
	start = w->buf + w->len;
	memcpy(start, hdr, hlen);
	if (deflateReset(&w->z) != Z_OK)
		return tfs_error_set(TFS_ERROR, "zlib: reset failed");
	w->z.next_in = (Bytef *)(uintptr_t)bytes;
	w->z.avail_in = (uInt)len;
	w->z.next_out = start + hlen;
	w->z.avail_out = (uInt)(bound - hlen);
	if (deflate(&w->z, Z_FINISH) != Z_STREAM_END)
		return tfs_error_set(TFS_ERROR, "zlib: deflate failed");
	e = &w->ents[w->n];
	memcpy(e->id, id, 20);
	w->len += hlen + w->z.total_out;
	*slot = (uint32_t)++w->n;
	return 0;
}

int tfs_history_blobs_flush(tfs_history_blobs *w)
{
	int error;

	if ((error = write_batch(w)) < 0 || (error = settle(w)) < 0 ||
	    (error = hist_sync_dirs(&w->dirs, w->h)) < 0)
		return error;
	hist_lock(w->h);
	if (git_odb_refresh(w->h->odb) < 0)
		error = hist_git_fail("refresh");
	hist_unlock(w->h);
	if (error < 0)
		return error;
	/* The commit that follows needs the memory more (a later put
	 * allocates it again). */
	free(w->buf);
	free(w->ents);
	free(w->slots);
	w->buf = NULL;
	w->ents = NULL;
	w->slots = NULL;
	w->cap = w->aents = w->nslots = 0;
	return 0;
}
