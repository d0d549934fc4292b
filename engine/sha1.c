/*
 * SHA-1 (FIPS 180-4), for git object ids we compute ourselves: blobs of
 * large change sets, trees we write, pack and index trailers, and checking
 * what we read back.  libgit2 hashes with SHA-1DC (collision detection),
 * several times slower: a save in a directory of 55,000 objects rewrites
 * a 3 MB tree, and hashing it was the larger part of the save.  The ids
 * are the same; the objects hashed here are ours.
 *
 * With the x86 SHA extensions (as SHA-256 in sha256.c) a block takes a
 * few instructions; the portable rounds are the fallback.
 */
#include <stdio.h>
#include <string.h>

#include "history_int.h"
#include "tenantfs/sha256.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* One round: the schedule is kept as 16 words, rounds unrolled by phase
 * so the function and constant are fixed. */
#define SHA1_W(i)                                                        \
	(w[(i) & 15] = rol(w[((i) + 13) & 15] ^ w[((i) + 8) & 15] ^       \
			   w[((i) + 2) & 15] ^ w[(i) & 15], 1))
#define SHA1_R(f, k, x)                                                  \
	do {                                                             \
		t = rol(a, 5) + (f) + e + (k) + (x);                     \
		e = d; d = c; c = rol(b, 30); b = a; a = t;              \
	} while (0)

static void block(uint32_t st[5], const unsigned char *p)
{
	uint32_t w[16], a, b, c, d, e, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	a = st[0]; b = st[1]; c = st[2]; d = st[3]; e = st[4];
	for (i = 0; i < 16; i++)
		SHA1_R((b & c) | (~b & d), 0x5a827999, w[i]);
	for (; i < 20; i++)
		SHA1_R((b & c) | (~b & d), 0x5a827999, SHA1_W(i));
	for (; i < 40; i++)
		SHA1_R(b ^ c ^ d, 0x6ed9eba1, SHA1_W(i));
	for (; i < 60; i++)
		SHA1_R((b & c) | (b & d) | (c & d), 0x8f1bbcdc, SHA1_W(i));
	for (; i < 80; i++)
		SHA1_R(b ^ c ^ d, 0xca62c1d6, SHA1_W(i));
	st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e;
}

#undef SHA1_W
#undef SHA1_R

#ifdef HAVE_SHA_NI
/*
 * Four rounds of group g (rounds 4g..4g+3) with the SHA extensions.  The
 * schedule lives in m[4], word 4g..4g+3 in m[g % 4]; E alternates between
 * e[0] and e[1].  Each group also advances the schedule: sha1msg2 finishes
 * the next group's words, sha1msg1 and the xor start those of later ones
 * (only where a later group still needs them).
 */
#define NI_GROUP(g)                                                      \
	do {                                                             \
		__m128i *cur = &m[(g) % 4];                              \
		if ((g) == 0)                                            \
			e[0] = _mm_add_epi32(e[0], *cur);                \
		else                                                     \
			e[(g) % 2] = _mm_sha1nexte_epu32(e[(g) % 2], *cur); \
		e[1 - (g) % 2] = abcd;                                   \
		if ((g) >= 3 && (g) <= 18)                               \
			m[((g) + 1) % 4] =                               \
				_mm_sha1msg2_epu32(m[((g) + 1) % 4], *cur); \
		abcd = _mm_sha1rnds4_epu32(abcd, e[(g) % 2], (g) / 5);   \
		if ((g) >= 1 && (g) <= 16)                               \
			m[((g) + 3) % 4] =                               \
				_mm_sha1msg1_epu32(m[((g) + 3) % 4], *cur); \
		if ((g) >= 2 && (g) <= 17)                               \
			m[((g) + 2) % 4] =                               \
				_mm_xor_si128(m[((g) + 2) % 4], *cur);   \
	} while (0)

__attribute__((target("sha,sse4.1,ssse3")))
static void blocks_ni(uint32_t st[5], const unsigned char *p, size_t n)
{
	/* Words big-endian, the first in the highest lane. */
	const __m128i swap = _mm_set_epi64x(0x0001020304050607LL,
					    0x08090a0b0c0d0e0fLL);
	__m128i abcd, abcd0, e0, m[4], e[2];
	int i;

	abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)st), 0x1B);
	e0 = _mm_set_epi32((int)st[4], 0, 0, 0);
	for (; n; n--, p += 64) {
		abcd0 = abcd;
		e[0] = e0;
		e[1] = _mm_setzero_si128();
		for (i = 0; i < 4; i++)
			m[i] = _mm_shuffle_epi8(_mm_loadu_si128(
				(const __m128i *)(p + 16 * i)), swap);
		NI_GROUP(0);  NI_GROUP(1);  NI_GROUP(2);  NI_GROUP(3);
		NI_GROUP(4);  NI_GROUP(5);  NI_GROUP(6);  NI_GROUP(7);
		NI_GROUP(8);  NI_GROUP(9);  NI_GROUP(10); NI_GROUP(11);
		NI_GROUP(12); NI_GROUP(13); NI_GROUP(14); NI_GROUP(15);
		NI_GROUP(16); NI_GROUP(17); NI_GROUP(18); NI_GROUP(19);
		/* After group 19, e[0] holds the next E (from abcd). */
		e0 = _mm_sha1nexte_epu32(e[0], e0);
		abcd = _mm_add_epi32(abcd, abcd0);
	}
	_mm_storeu_si128((__m128i *)st, _mm_shuffle_epi32(abcd, 0x1B));
	st[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}

#undef NI_GROUP
#endif

/* Compress `n` whole blocks at `p` into `st`. */
static void blocks(uint32_t st[5], const unsigned char *p, size_t n)
{
#ifdef HAVE_SHA_NI
	if (tfs_sha_ni()) {
		blocks_ni(st, p, n);
		return;
	}
#endif
	for (; n; n--, p += 64)
		block(st, p);
}

void hist_sha1_init(hist_sha1 *s)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe,
					0x10325476, 0xc3d2e1f0 };

	memcpy(s->st, iv, sizeof(iv));
	s->total = 0;
	s->have = 0;
}

void hist_sha1_update(hist_sha1 *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	s->total += len;
	if (s->have) {
		take = 64 - s->have < len ? 64 - s->have : len;
		memcpy(s->buf + s->have, p, take);
		s->have += take;
		p += take;
		len -= take;
		if (s->have < 64)
			return;
		blocks(s->st, s->buf, 1);
		s->have = 0;
	}
	blocks(s->st, p, len / 64);
	p += len - len % 64;
	len %= 64;
	memcpy(s->buf, p, len);
	s->have = len;
}

void hist_sha1_final(hist_sha1 *s, unsigned char out[20])
{
	unsigned char pad[72] = { 0x80 };
	uint64_t bits = s->total * 8;
	size_t n = s->have < 56 ? 56 - s->have : 120 - s->have;
	int i;

	for (i = 0; i < 8; i++)
		pad[n + i] = (unsigned char)(bits >> (56 - 8 * i));
	hist_sha1_update(s, pad, n + 8);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(s->st[i / 4] >> (24 - 8 * (i % 4)));
}

void hist_object_id(unsigned char id[20], const char *type, const void *data,
		    size_t len)
{
	char hdr[48];
	int n = snprintf(hdr, sizeof(hdr), "%s %zu", type, len);
	hist_sha1 s;

	hist_sha1_init(&s);
	hist_sha1_update(&s, hdr, (size_t)n + 1);
	hist_sha1_update(&s, data, len);
	hist_sha1_final(&s, id);
}

void tfs_history_blob_id(unsigned char id[20], const char *bytes, size_t len)
{
	hist_object_id(id, "blob", bytes, len);
}

void tfs_history_id_hex(char out[TFS_OID_HEXSZ + 1],
			const unsigned char id[20])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 20; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[TFS_OID_HEXSZ] = '\0';
}

size_t hist_marks_count(const char *type, size_t len)
{
	char hdr[48];
	int n = snprintf(hdr, sizeof(hdr), "%s %zu", type, len);

	return ((size_t)n + 1 + len) / HIST_MARK_STRIDE;
}

void hist_object_id_marked(unsigned char id[20], const char *type,
			   const void *data, size_t len, hist_mark *marks,
			   size_t same)
{
	char hdr[48];
	size_t hlen = (size_t)snprintf(hdr, sizeof(hdr), "%s %zu", type,
				       len) + 1;
	size_t at, k, n = (hlen + len) / HIST_MARK_STRIDE, take;
	size_t from = (hlen + same) / HIST_MARK_STRIDE;
	const unsigned char *p = data;
	hist_sha1 s;

	hist_sha1_init(&s);
	if (from == 0 || from > n) {
		hist_sha1_update(&s, hdr, hlen);
		at = hlen; /* stream bytes hashed */
		k = 0;
	} else {
		memcpy(s.st, marks[from - 1].st, sizeof(s.st));
		at = from * HIST_MARK_STRIDE;
		s.total = at;
		k = from;
	}
	for (; k < n; k++) {
		/* Up to the end of stride k, then note the state there
		 * (a multiple of 64 bytes in: nothing is buffered). */
		take = (k + 1) * HIST_MARK_STRIDE - at;
		hist_sha1_update(&s, p + (at - hlen), take);
		at += take;
		memcpy(marks[k].st, s.st, sizeof(s.st));
	}
	hist_sha1_update(&s, p + (at - hlen), hlen + len - at);
	hist_sha1_final(&s, id);
}
