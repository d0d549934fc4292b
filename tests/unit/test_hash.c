/*
 * Unit test of engine/sha256.c and engine/sha1.c (libcrypto underneath):
 * the known answers of FIPS 180-4's examples (NIST's "abc", the empty
 * string, the 448-bit message "abcdbcdecdefdefg...nopq" and a million
 * 'a'), the same digests fed in uneven pieces (updates across block
 * boundaries), and git object ids `git hash-object` prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/history_int.h"
#include "tap.h"
#include "tenantfs/history.h"
#include "tenantfs/sha256.h"

static const char m448[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void hex(char *out, const unsigned char *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* SHA-256 of data[0..len) fed `piece` bytes at a time (0: at once). */
static int sha256_pieces(char out[65], const char *data, size_t len,
			 size_t piece)
{
	unsigned char d[32];
	tfs_sha256 s;
	size_t at, take;

	if (tfs_sha256_init(&s) < 0)
		return -1;
	for (at = 0; at < len; at += take) {
		take = piece && len - at > piece ? piece : len - at;
		tfs_sha256_update(&s, data + at, take);
	}
	if (tfs_sha256_final(&s, d) < 0)
		return -1;
	hex(out, d, 32);
	return 0;
}

static int sha1_pieces(char out[41], const char *data, size_t len, size_t piece)
{
	unsigned char d[20];
	hist_sha1 s;
	size_t at, take;

	if (hist_sha1_init(&s) < 0)
		return -1;
	for (at = 0; at < len; at += take) {
		take = piece && len - at > piece ? piece : len - at;
		hist_sha1_update(&s, data + at, take);
	}
	if (hist_sha1_final(&s, d) < 0)
		return -1;
	hex(out, d, 20);
	return 0;
}

struct kat {
	const char *what;
	const char *data;
	size_t len;
	const char *sha1, *sha256;
};

int main(void)
{
	size_t million = 1000000, i, p;
	char *a = malloc(million), got[65];
	static const size_t pieces[] = { 0, 1, 55, 63, 64, 65, 997, 4096 };
	struct kat kats[] = {
		{ "\"abc\"", "abc", 3,
		  "a9993e364706816aba3e25717850c26c9cd0d89d",
		  "ba7816bf8f01cfea414140de5dae2223"
		  "b00361a396177a9cb410ff61f20015ad" },
		{ "the empty string", "", 0,
		  "da39a3ee5e6b4b0d3255bfef95601890afd80709",
		  "e3b0c44298fc1c149afbf4c8996fb924"
		  "27ae41e4649b934ca495991b7852b855" },
		{ "the 448-bit message", m448, sizeof(m448) - 1,
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1" },
		{ "a million 'a'", NULL, 1000000,
		  "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
		  "cdc76e5c9914fb9281a1c7e284d73e67"
		  "f1809a48a497200e046d39ccc7112cd0" },
	};
	unsigned char id[20];
	tfs_sha256 dropped;

	if (!a) {
		printf("Bail out! out of memory\n");
		return 1;
	}
	memset(a, 'a', million);
	kats[3].data = a;
	for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		int ok1 = 1, ok256 = 1;

		for (p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
			ok1 = ok1 &&
			      sha1_pieces(got, kats[i].data, kats[i].len,
					  pieces[p]) == 0 &&
			      strcmp(got, kats[i].sha1) == 0;
			ok256 = ok256 &&
				sha256_pieces(got, kats[i].data, kats[i].len,
					      pieces[p]) == 0 &&
				strcmp(got, kats[i].sha256) == 0;
		}
		CHECK(ok1, "SHA-1 of %s is FIPS 180-4's, at once and in pieces",
		      kats[i].what);
		CHECK(ok256,
		      "SHA-256 of %s is FIPS 180-4's, at once and in "
		      "pieces",
		      kats[i].what);
		CHECK(tfs_sha256_hex(got, kats[i].data, kats[i].len) == 0 &&
			      strcmp(got, kats[i].sha256) == 0,
		      "tfs_sha256_hex of %s", kats[i].what);
	}
	/* git hash-object of an empty file and of "hello\n". */
	CHECK(tfs_history_blob_id(id, "", 0) == 0 && (hex(got, id, 20), 1) &&
		      strcmp(got, "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391") ==
			      0,
	      "the id of the empty blob is git's");
	CHECK(tfs_history_blob_id(id, "hello\n", 6) == 0 &&
		      (hex(got, id, 20), 1) &&
		      strcmp(got, "ce013625030ba8dba906f756967f9e9ca394464a") ==
			      0,
	      "the id of the blob \"hello\\n\" is git's");
	/* A digest dropped halfway frees its context (ASan would tell). */
	CHECK(tfs_sha256_init(&dropped) == 0 && dropped.ctx, "a digest starts");
	tfs_sha256_update(&dropped, "x", 1);
	tfs_sha256_free(&dropped);
	tfs_sha256_free(&dropped);
	CHECK(!dropped.ctx &&
		      tfs_sha256_final(&dropped, (unsigned char *)got) ==
			      TFS_ERROR,
	      "a dropped digest gives no digest");
	free(a);
	printf("%d tests, %d failed\n", count, failures);
	return failures ? 1 : 0;
}
