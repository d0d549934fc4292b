/*
 * SHA-256 through OpenSSL's libcrypto (see tenantfs/sha256.h).  Object
 * digests (the `base` of a transaction) are SHA-256 of canonical bytes,
 * which neither SQLite nor libgit2 (SHA-1) provides.
 *
 * The digest is fetched from the default provider once: EVP_sha256() would
 * fetch it again at every init, which doubled the cost of hashing a small
 * document (measured: 840 against 420 ns for 300 bytes).
 */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "tenantfs/error.h"
#include "tenantfs/sha256.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static EVP_MD *md; /* never freed: one per process */

static void fetch(void)
{
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int tfs_sha256_init(tfs_sha256 *s)
{
	s->ctx = NULL;
	pthread_once(&once, fetch);
	if (!md)
		return tfs_error_set(TFS_ERROR, "libcrypto has no SHA-256");
	if (!(s->ctx = EVP_MD_CTX_new()))
		return tfs_error_set(TFS_ERROR, "out of memory");
	if (EVP_DigestInit_ex2(s->ctx, md, NULL) != 1) {
		tfs_sha256_free(s);
		return tfs_error_set(TFS_ERROR, "SHA-256: cannot start");
	}
	return 0;
}

void tfs_sha256_update(tfs_sha256 *s, const void *data, size_t len)
{
	/* Cannot fail for a started software digest. */
	if (s->ctx)
		EVP_DigestUpdate(s->ctx, data, len);
}

int tfs_sha256_final(tfs_sha256 *s, unsigned char out[32])
{
	int ok = s->ctx && EVP_DigestFinal_ex(s->ctx, out, NULL) == 1;

	tfs_sha256_free(s);
	if (ok)
		return 0;
	memset(out, 0, 32);
	return tfs_error_set(TFS_ERROR, "SHA-256: no digest");
}

void tfs_sha256_free(tfs_sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int tfs_sha256_hex(char out[65], const void *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[32];
	tfs_sha256 s;
	int i, error;

	out[0] = '\0';
	if ((error = tfs_sha256_init(&s)) < 0)
		return error;
	tfs_sha256_update(&s, data, len);
	if ((error = tfs_sha256_final(&s, d)) < 0)
		return error;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
