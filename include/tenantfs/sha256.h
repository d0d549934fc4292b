/*
 * SHA-256 (FIPS 180-4) through OpenSSL's libcrypto (EVP), used for object
 * digests (transaction bases) and keys of package files.
 */
#ifndef TENANTFS_SHA256_H
#define TENANTFS_SHA256_H

#include <stddef.h>

struct evp_md_ctx_st; /* OpenSSL's EVP_MD_CTX */

typedef struct tfs_sha256 {
	struct evp_md_ctx_st *ctx; /* NULL: init failed */
} tfs_sha256;

/*
 * Start a digest: 0, or TFS_ERROR (no memory for OpenSSL's context, or no
 * SHA-256 in libcrypto); after a failed init, update does nothing and
 * final fails.  Every init is ended by final or tfs_sha256_free.
 */
int tfs_sha256_init(tfs_sha256 *s);
void tfs_sha256_update(tfs_sha256 *s, const void *data, size_t len);
/* The digest into out (zeros on failure), and the context freed. */
int tfs_sha256_final(tfs_sha256 *s, unsigned char out[32]);
/* Drop a digest without finishing it (an error path); NULL ctx is fine. */
void tfs_sha256_free(tfs_sha256 *s);
/* Lower-case hex digest of `data` into `out` (64 digits and a NUL): 0,
 * or TFS_ERROR (as tfs_sha256_init; out is then "") */
int tfs_sha256_hex(char out[65], const void *data, size_t len);

#endif
