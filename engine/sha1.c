/*
 * SHA-1 through OpenSSL's libcrypto, for git object ids we compute
 * ourselves: blobs of large change sets, trees we write, pack and index
 * trailers, and checking what we read back.  libgit2 hashes with SHA-1DC
 * (collision detection), several times slower: a save in a directory of
 * 55,000 objects rewrites a 3 MB tree, and hashing it was the larger part
 * of the save.  The ids are the same; the objects hashed here are ours.
 *
 * Large trees are hashed resumably (hist_object_id_marked): contexts
 * copied every HIST_MARK_STRIDE bytes (EVP_MD_CTX_copy_ex) let a save that
 * changes an id in place hash only from that id on.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_int.h"
#include "tenantfs/error.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_MD *md; /* never freed: one per process */

/* Fetched once: EVP_sha1() would fetch it at every init (see sha256.c). */
static void fetch(void)
{
	md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

int hist_sha1_init(hist_sha1 *s)
{
	s->ctx = NULL;
	pthread_once(&once, fetch);
	if (!md)
		return tfs_error_set(TFS_ERROR, "libcrypto has no SHA-1");
	if (!(s->ctx = EVP_MD_CTX_new()))
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (EVP_DigestInit_ex2(s->ctx, md, NULL) != 1) {
		hist_sha1_free(s);
		return tfs_error_set(TFS_ERROR, "SHA-1: cannot start");
	}
	return 0;
}

void hist_sha1_update(hist_sha1 *s, const void *data, size_t len)
{
	/* Cannot fail for a started software digest. */
	if (s->ctx)
		EVP_DigestUpdate(s->ctx, data, len);
}

int hist_sha1_final(hist_sha1 *s, unsigned char out[20])
{
	int ok = s->ctx && EVP_DigestFinal_ex(s->ctx, out, NULL) == 1;

	hist_sha1_free(s);
	if (ok)
		return 0;
	memset(out, 0, 20);
	return tfs_error_set(TFS_ERROR, "SHA-1: no digest");
}

void hist_sha1_free(hist_sha1 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

/* The object header "<type> <len>\0" into hdr; its length. */
static size_t object_header(char hdr[48], const char *type, size_t len)
{
	return (size_t)snprintf(hdr, 48, "%s %zu", type, len) + 1;
}

int hist_object_id(unsigned char id[20], const char *type, const void *data,
		   size_t len)
{
	char hdr[48];
	size_t hlen = object_header(hdr, type, len);
	hist_sha1 s;
	int error;

	if ((error = hist_sha1_init(&s)) < 0)
		return error;
	hist_sha1_update(&s, hdr, hlen);
	hist_sha1_update(&s, data, len);
	return hist_sha1_final(&s, id);
}

int tfs_history_blob_id(unsigned char id[20], const char *bytes, size_t len)
{
	return hist_object_id(id, "blob", bytes, len);
}

void tfs_history_id_hex(char out[TFS_OID_HEXSZ + 1], const unsigned char id[20])
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

	return (object_header(hdr, type, len) + len) / HIST_MARK_STRIDE;
}

hist_marks *hist_marks_new(const char *type, size_t len)
{
	size_t n = hist_marks_count(type, len);
	hist_marks *m = calloc(1, sizeof(*m) + n * sizeof(m->ctx[0]));

	if (m) {
		snprintf(m->type, sizeof(m->type), "%s", type);
		m->len = len;
		m->n = n;
	}
	return m;
}

void hist_marks_free(hist_marks *m)
{
	size_t k;

	if (!m)
		return;
	for (k = 0; k < m->n; k++)
		EVP_MD_CTX_free(m->ctx[k]);
	free(m);
}

/* Note the state of s as mark k. */
static int take_mark(hist_marks *m, size_t k, const hist_sha1 *s)
{
	if (!m->ctx[k] && !(m->ctx[k] = EVP_MD_CTX_new()))
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (EVP_MD_CTX_copy_ex(m->ctx[k], s->ctx) != 1)
		return tfs_error_set(TFS_ERROR, "SHA-1: cannot copy");
	return 0;
}

int hist_object_id_marked(unsigned char id[20], const char *type,
			  const void *data, size_t len, hist_marks *marks,
			  size_t same)
{
	char hdr[48];
	size_t hlen = object_header(hdr, type, len);
	size_t at, k, n = marks->n, take;
	size_t from = (hlen + same) / HIST_MARK_STRIDE;
	const unsigned char *p = data;
	hist_sha1 s;
	int error;

	if (strcmp(marks->type, type) != 0 || marks->len != len)
		return tfs_error_set(TFS_ERROR, "SHA-1: marks of another "
						"object");
	if ((error = hist_sha1_init(&s)) < 0)
		return error;
	if (from == 0 || from > n || !marks->ctx[from - 1]) {
		hist_sha1_update(&s, hdr, hlen);
		at = hlen; /* stream bytes hashed */
		k = 0;
	} else {
		if (EVP_MD_CTX_copy_ex(s.ctx, marks->ctx[from - 1]) != 1) {
			hist_sha1_free(&s);
			return tfs_error_set(TFS_ERROR, "SHA-1: cannot copy");
		}
		at = from * HIST_MARK_STRIDE;
		k = from;
	}
	for (; k < n; k++) {
		/* Up to the end of stride k, then note the state there. */
		take = (k + 1) * HIST_MARK_STRIDE - at;
		hist_sha1_update(&s, p + (at - hlen), take);
		at += take;
		if ((error = take_mark(marks, k, &s)) < 0) {
			hist_sha1_free(&s);
			return error;
		}
	}
	hist_sha1_update(&s, p + (at - hlen), hlen + len - at);
	return hist_sha1_final(&s, id);
}
