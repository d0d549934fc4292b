/*
 * A line-based unified diff (diff -u style, three lines of context) of two
 * texts, for previews of what a package would change.  Common prefix and
 * suffix lines are trimmed first; the middle is aligned by a longest common
 * subsequence when it is small enough (objects are), otherwise shown as
 * replaced wholesale, which is still a correct diff.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tenantfs/error.h"

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

static int split(struct lines *l, const char *text, size_t size)
{
	const char *p = text, *end = text + size;
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (l->n == cap) {
			size_t c = cap ? cap * 2 : 64;
			const char **np = realloc(l->p, c * sizeof(*np));
			size_t *nlen;
			if (!np)
				return tfs_error_set(TFS_ERROR, "out of memory");
			l->p = np;
			nlen = realloc(l->len, c * sizeof(*nlen));
			if (!nlen)
				return tfs_error_set(TFS_ERROR, "out of memory");
			l->len = nlen;
			cap = c;
		}
		l->p[l->n] = p;
		l->len[l->n++] = n;
		p += n;
	}
	return 0;
}

static bool same(const struct lines *a, size_t i, const struct lines *b,
		 size_t j)
{
	return a->len[i] == b->len[j] &&
	       memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* One edit script entry: ' ' keep, '-' remove, '+' add. */
struct op {
	char kind;
	size_t a, b;
};

static int put_line(tfs_buf *out, char kind, const char *p, size_t n)
{
	int error = tfs_buf_put(out, &kind, 1);

	if (!error)
		error = tfs_buf_put(out, p, n);
	if (!error && (n == 0 || p[n - 1] != '\n'))
		error = tfs_buf_puts(out, "\n\\ No newline at end of file\n");
	return error;
}

int diff_unified(tfs_buf *out, const char *path, const char *old,
		 size_t oldlen, const char *new, size_t newlen)
{
	struct lines a = {0}, b = {0};
	struct op *ops = NULL;
	size_t pre = 0, suf = 0, n = 0, i, j, ma, mb;
	unsigned *dp = NULL;
	int error;

	if ((error = split(&a, old ? old : "", old ? oldlen : 0)) < 0 ||
	    (error = split(&b, new ? new : "", new ? newlen : 0)) < 0)
		goto done;
	while (pre < a.n && pre < b.n && same(&a, pre, &b, pre))
		pre++;
	while (suf < a.n - pre && suf < b.n - pre &&
	       same(&a, a.n - 1 - suf, &b, b.n - 1 - suf))
		suf++;
	if (pre == a.n && pre == b.n)
		goto done; /* identical */
	ma = a.n - pre - suf;
	mb = b.n - pre - suf;
	ops = malloc((a.n + b.n + 1) * sizeof(*ops));
	if (!ops) {
		error = tfs_error_set(TFS_ERROR, "out of memory");
		goto done;
	}
	for (i = 0; i < pre; i++)
		ops[n++] = (struct op){' ', i, i};
	if (ma && mb && ma * mb <= 4000000) {
		/* dp[i][j]: LCS length of a[pre+i..] and b[pre+j..]. */
		dp = calloc((ma + 1) * (mb + 1), sizeof(*dp));
		if (!dp) {
			error = tfs_error_set(TFS_ERROR, "out of memory");
			goto done;
		}
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				dp[i * (mb + 1) + j] = same(&a, pre + i, &b,
							    pre + j) ?
					dp[(i + 1) * (mb + 1) + j + 1] + 1 :
					dp[(i + 1) * (mb + 1) + j] >
					dp[i * (mb + 1) + j + 1] ?
					dp[(i + 1) * (mb + 1) + j] :
					dp[i * (mb + 1) + j + 1];
		i = j = 0;
		while (i < ma || j < mb) {
			if (i < ma && j < mb && same(&a, pre + i, &b, pre + j)) {
				ops[n++] = (struct op){' ', pre + i, pre + j};
				i++, j++;
			} else if (i < ma && (j == mb ||
				   dp[(i + 1) * (mb + 1) + j] >=
				   dp[i * (mb + 1) + j + 1])) {
				ops[n++] = (struct op){'-', pre + i++, 0};
			} else {
				ops[n++] = (struct op){'+', 0, pre + j++};
			}
		}
	} else {
		for (i = 0; i < ma; i++)
			ops[n++] = (struct op){'-', pre + i, 0};
		for (j = 0; j < mb; j++)
			ops[n++] = (struct op){'+', 0, pre + j};
	}
	for (i = 0; i < suf; i++)
		ops[n++] = (struct op){' ', a.n - suf + i, b.n - suf + i};
	error = tfs_buf_printf(out, "--- %s%s\n+++ %s%s\n",
			       old ? "a/" : "", old ? path : "/dev/null",
			       new ? "b/" : "", new ? path : "/dev/null");
	/* Hunks: changes with up to three lines of context around them. */
	for (i = 0; !error && i < n;) {
		size_t start, end, k, la = 0, lb = 0, sa, sb;

		while (i < n && ops[i].kind == ' ')
			i++;
		if (i == n)
			break;
		start = i > 3 ? i - 3 : 0;
		end = i;
		for (k = i; k < n; k++) {
			if (ops[k].kind != ' ')
				end = k;
			else if (k - end > 6)
				break;
		}
		end = end + 4 < n ? end + 4 : n;
		sa = sb = 0;
		for (k = 0; k < start; k++) {
			if (ops[k].kind != '+') sa++;
			if (ops[k].kind != '-') sb++;
		}
		for (k = start; k < end; k++) {
			if (ops[k].kind != '+') la++;
			if (ops[k].kind != '-') lb++;
		}
		error = tfs_buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n",
				       la ? sa + 1 : sa, la, lb ? sb + 1 : sb,
				       lb);
		for (k = start; !error && k < end; k++) {
			if (ops[k].kind == '+')
				error = put_line(out, '+', b.p[ops[k].b],
						 b.len[ops[k].b]);
			else
				error = put_line(out, ops[k].kind,
						 a.p[ops[k].a], a.len[ops[k].a]);
		}
		i = end;
	}
done:
	free(dp);
	free(ops);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	return error;
}
