/* SHA-256 (FIPS 180-4), used for object digests (transaction bases). */
#ifndef TENANTFS_SHA256_H
#define TENANTFS_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tfs_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
} tfs_sha256;

void tfs_sha256_init(tfs_sha256 *s);
void tfs_sha256_update(tfs_sha256 *s, const void *data, size_t len);
void tfs_sha256_final(tfs_sha256 *s, unsigned char out[32]);
/* Lower-case hex digest of `data` into `out` (64 digits and a NUL). */
void tfs_sha256_hex(char out[65], const void *data, size_t len);

/* Whether the CPU has the x86 SHA extensions (SHA-1 and SHA-256 use them). */
bool tfs_sha_ni(void);

#endif
