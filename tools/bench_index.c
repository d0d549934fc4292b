/*
 * bench_index: the micro-measure behind history_blobs.c's own pack index
 * writer (CONVENTIONS.md, "Dependencies").
 *
 *   build/tools/bench_index DIR [BLOBS]
 *
 * Packs BLOBS (default 200,000) blobs of about 1 KB as history_blobs.c
 * does (zlib stored blocks, batches of 32 MB, in memory), then turns each
 * batch into a pack and its version 2 index in DIR twice: as
 * history_blobs.c does (a CRC-32 per entry, sorted ids, fan-out, both
 * files written) and with libgit2's indexer over the same bytes
 * (git_indexer_new/append/commit), which is what git_odb_write_pack
 * runs.  No fsync in either.  Prints the seconds of each and checks that
 * both indexes are the same bytes.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <openssl/evp.h>
#include <zlib.h>

#define BATCH ((size_t)32 << 20)

struct ent {
	unsigned char id[20];
	uint32_t crc, off, len;
};

struct pack {
	unsigned char *buf;
	size_t len;
	struct ent *e;
	size_t n;
	unsigned char *idx;
	size_t idx_len;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, 20);
}

static void sha1(unsigned char out[20], const void *a, size_t alen,
		 const void *b, size_t blen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int l;

	if (!c || !EVP_DigestInit_ex(c, EVP_sha1(), NULL) ||
	    !EVP_DigestUpdate(c, a, alen) || !EVP_DigestUpdate(c, b, blen) ||
	    !EVP_DigestFinal_ex(c, out, &l)) {
		fprintf(stderr, "bench_index: sha1 failed\n");
		exit(1);
	}
	EVP_MD_CTX_free(c);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) < 0) {
		perror(path);
		exit(1);
	}
}

/* history_blobs.c's way: the CRCs (taken as blobs are put there), then
 * the index after the pack. */
static void ours(struct pack *p, const char *dir, int k)
{
	uint32_t fan[256] = { 0 };
	char path[4200];
	size_t i, pos;
	unsigned char *idx;
	int j;

	for (i = 0; i < p->n; i++)
		p->e[i].crc = (uint32_t)crc32(0, p->buf + p->e[i].off,
					      (uInt)p->e[i].len);
	qsort(p->e, p->n, sizeof(*p->e), cmp_id);
	p->idx_len = 8 + 1024 + p->n * 28 + 40;
	if (!(idx = p->idx = malloc(p->idx_len))) {
		fprintf(stderr, "bench_index: out of memory\n");
		exit(1);
	}
	memcpy(idx, "\377tOc", 4);
	be32(idx + 4, 2);
	for (i = 0; i < p->n; i++)
		fan[p->e[i].id[0]]++;
	for (j = 1; j < 256; j++)
		fan[j] += fan[j - 1];
	for (j = 0; j < 256; j++)
		be32(idx + 8 + 4 * j, fan[j]);
	pos = 8 + 1024;
	for (i = 0; i < p->n; i++, pos += 20)
		memcpy(idx + pos, p->e[i].id, 20);
	for (i = 0; i < p->n; i++, pos += 4)
		be32(idx + pos, p->e[i].crc);
	for (i = 0; i < p->n; i++, pos += 4)
		be32(idx + pos, p->e[i].off);
	memcpy(idx + pos, p->buf + p->len - 20, 20);
	pos += 20;
	sha1(idx + pos, idx, pos, NULL, 0);
	snprintf(path, sizeof(path), "%s/ours-%d.pack", dir, k);
	write_file(path, p->buf, p->len);
	snprintf(path, sizeof(path), "%s/ours-%d.idx", dir, k);
	write_file(path, idx, p->idx_len);
}

/* libgit2's indexer; whether its index is ours, byte for byte. */
static int theirs(const struct pack *p, const char *dir)
{
	git_indexer_options opts = GIT_INDEXER_OPTIONS_INIT;
	git_indexer_progress st = { 0 };
	git_indexer *ix;
	char path[4200];
	unsigned char *got;
	FILE *f;
	int same;

	if (git_indexer_new(&ix, dir, 0, NULL, &opts) < 0 ||
	    git_indexer_append(ix, p->buf, p->len, &st) < 0 ||
	    git_indexer_commit(ix, &st) < 0) {
		fprintf(stderr, "bench_index: %s\n", git_error_last()->message);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/pack-%s.idx", dir,
		 git_indexer_name(ix));
	git_indexer_free(ix);
	got = malloc(p->idx_len + 1);
	same = got && (f = fopen(path, "rb")) != NULL;
	if (same) {
		same = fread(got, 1, p->idx_len + 1, f) == p->idx_len &&
		       memcmp(got, p->idx, p->idx_len) == 0;
		fclose(f);
	}
	free(got);
	return same;
}

/* Append one ~1 KB blob to the current batch, opening one as needed. */
static struct pack *put(struct pack *packs, int *np, unsigned long i,
			z_stream *z)
{
	struct pack *p = *np ? &packs[*np - 1] : NULL;
	char rec[1100], hdr[32];
	unsigned char *s;
	size_t bound, size, hl = 0;
	int len, hn;

	len = snprintf(rec, sizeof(rec), "<Record id=\"%lu\">", i);
	while (len < 1000)
		len += snprintf(rec + len, sizeof(rec) - (size_t)len,
				"<f%d>%lx</f%d>", len,
				(i * 2654435761u + (unsigned long)len) &
					0xffffffff,
				len);
	bound = deflateBound(z, (uLong)len) + 32;
	if (!p || p->len + bound > BATCH) {
		p = &packs[(*np)++];
		p->buf = malloc(BATCH + 64);
		p->e = malloc(BATCH / 500 * sizeof(*p->e));
		if (!p->buf || !p->e) {
			fprintf(stderr, "bench_index: out of memory\n");
			exit(1);
		}
		memcpy(p->buf, "PACK", 4);
		be32(p->buf + 4, 2);
		p->len = 12;
	}
	hn = snprintf(hdr, sizeof(hdr), "blob %d", len) + 1;
	sha1(p->e[p->n].id, hdr, (size_t)hn, rec, (size_t)len);
	s = p->buf + p->len;
	size = (size_t)len;
	s[hl] = (unsigned char)(0x30 | (size & 15));
	size >>= 4;
	while (size) {
		s[hl++] |= 0x80;
		s[hl] = (unsigned char)(size & 0x7f);
		size >>= 7;
	}
	hl++;
	deflateReset(z);
	z->next_in = (Bytef *)rec;
	z->avail_in = (uInt)len;
	z->next_out = s + hl;
	z->avail_out = (uInt)bound;
	if (deflate(z, Z_FINISH) != Z_STREAM_END) {
		fprintf(stderr, "bench_index: deflate failed\n");
		exit(1);
	}
	p->e[p->n].off = (uint32_t)p->len;
	p->e[p->n].len = (uint32_t)(hl + z->total_out);
	p->len += hl + z->total_out;
	p->n++;
	return p;
}

int main(int argc, char **argv)
{
	struct pack packs[256] = { { 0 } };
	unsigned long n = 200000, i;
	z_stream z = { 0 };
	double t0, ta = 0, tb = 0;
	int np = 0, k, same = 1;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bench_index DIR [BLOBS]\n");
		return 2;
	}
	if (argc == 3) {
		n = strtoul(argv[2], &end, 10);
		if (*end || n == 0 || n > 3000000) {
			fprintf(stderr, "bench_index: bad count %s\n", argv[2]);
			return 2;
		}
	}
	if (git_libgit2_init() < 0 || deflateInit(&z, Z_NO_COMPRESSION) != Z_OK)
		return 1;
	for (i = 0; i < n; i++)
		put(packs, &np, i, &z);
	for (k = 0; k < np; k++) {
		be32(packs[k].buf + 8, (uint32_t)packs[k].n);
		sha1(packs[k].buf + packs[k].len, packs[k].buf, packs[k].len,
		     NULL, 0);
		packs[k].len += 20;
	}
	for (k = 0; k < np; k++) {
		t0 = now();
		ours(&packs[k], argv[1], k);
		ta += now() - t0;
		t0 = now();
		same &= theirs(&packs[k], argv[1]);
		tb += now() - t0;
	}
	printf("%lu blobs, %d packs: ours %.3f s, libgit2's indexer %.3f s "
	       "(%.2fx); indexes %s\n",
	       n, np, ta, tb, ta > 0 ? tb / ta : 0,
	       same ? "identical" : "DIFFER");
	deflateEnd(&z);
	return same ? 0 : 1;
}
