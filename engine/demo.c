/*
 * The demo generator: a believable out-of-the-box ITSM configuration for one
 * tenant instance, handed document by document to the caller's put function
 * (tfs_demo_generate, called by the store when it creates the demo tenant).
 *
 * This file holds the entry point, the document writer, the random numbers,
 * times and guids every section uses, and the settings.  The business
 * objects and other metadata are in demo_meta.c, master data and records
 * in demo_data.c.
 *
 * Invariants the sections keep (tests/unit/test_demo.c checks them):
 *  - output depends only on `now`; configuration (metadata, validation,
 *    settings, master) does not depend on it at all, only its mtimes do;
 *  - a guid depends only on (kind, type, name), so every instance of the
 *    demo tenant has the same guids and a fresh demo diffs clean;
 *  - every reference in a document resolves inside the demo content;
 *  - every document follows the rules of its kind and type
 *    (engine/SCHEMA.md; the tables of engine/doc_schema.c, enforced by
 *    tfs_doc_parse).
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tenantfs/error.h"
#include "tenantfs/sha256.h"
#include "demo_int.h"
#include "doc_int.h"

/* ---- random numbers and times ----------------------------------------- */

/* Seed the stream from a label, so sections do not shift one another. */
void demo_seed(demo_gen *g, const char *label)
{
	unsigned char h[32];
	tfs_sha256 s;
	int i;

	tfs_sha256_init(&s);
	tfs_sha256_update(&s, "tenantfs-demo-seed/", 19);
	tfs_sha256_update(&s, label, strlen(label));
	tfs_sha256_final(&s, h);
	g->rng = 0;
	for (i = 0; i < 8; i++)
		g->rng = (g->rng << 8) | h[i];
}

/* splitmix64 (Steele, Lea, Flood 2014). */
uint64_t demo_rand(demo_gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

unsigned demo_below(demo_gen *g, unsigned n)
{
	assert(n > 0);
	return (unsigned)(demo_rand(g) % n);
}

bool demo_chance(demo_gen *g, unsigned percent)
{
	return demo_below(g, 100) < percent;
}

unsigned demo_pick(demo_gen *g, const unsigned *weights, unsigned n)
{
	unsigned total = 0, r, i;

	for (i = 0; i < n; i++)
		total += weights[i];
	assert(total > 0);
	r = demo_below(g, total);
	for (i = 0; i + 1 < n; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return n - 1;
}

/* Day of the week of a day number since the epoch (0 = Sunday). */
static int weekday(int64_t day)
{
	return (int)((day + 4) % 7);	/* 1970-01-01 was a Thursday */
}

int64_t demo_past(demo_gen *g, int64_t max_age)
{
	int64_t t = g->now - 60, day, cand;
	int tries;

	assert(max_age > 2 * DEMO_HOUR);
	for (tries = 0; tries < 4; tries++) {
		t = g->now - 60 - (int64_t)(demo_rand(g) % (uint64_t)max_age);
		day = t / DEMO_DAY;
		/* most work is logged on weekdays */
		if (tries < 3 && (weekday(day) == 0 || weekday(day) == 6) &&
		    demo_chance(g, 85))
			continue;
		cand = day * DEMO_DAY + 7 * DEMO_HOUR +
		       (int64_t)demo_below(g, 12 * 3600);
		if (demo_chance(g, 93) && cand < g->now - 60 &&
		    cand > g->now - max_age)
			return cand;
		return t;
	}
	return t;
}

/* A 64-bit hash of a label pair, for choices that must not use the stream. */
static uint64_t hash64(const char *a, const char *b)
{
	unsigned char h[32];
	tfs_sha256 s;
	uint64_t v = 0;
	int i;

	tfs_sha256_init(&s);
	tfs_sha256_update(&s, a, strlen(a));
	tfs_sha256_update(&s, "/", 1);
	tfs_sha256_update(&s, b, strlen(b));
	tfs_sha256_final(&s, h);
	for (i = 0; i < 8; i++)
		v = (v << 8) | h[i];
	return v;
}

/*
 * Most configuration was created on install day (during the working day);
 * about a third was changed later in the year by the tenant's administrators.
 */
int64_t demo_config_mtime(const demo_gen *g, const char *type,
			  const char *name)
{
	uint64_t h = hash64(type, name);
	int64_t t, day;

	t = g->install + (int64_t)(h % (8 * 3600));
	if ((h >> 20) % 100 < 35) {
		day = g->install / DEMO_DAY + 1 + (int64_t)((h >> 32) % 355);
		if (weekday(day) == 0)
			day += 1;
		else if (weekday(day) == 6)
			day += 2;
		t = day * DEMO_DAY + 8 * DEMO_HOUR +
		    (int64_t)((h >> 12) % (10 * 3600));
	}
	if (t > g->now - DEMO_HOUR)
		t = g->now - DEMO_HOUR;
	return t;
}

void demo_fmt_time(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

void demo_fmt_date(char out[16], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 16, "%Y-%m-%d", &tm))
		snprintf(out, 16, "1970-01-01");
}

/* ---- guids --------------------------------------------------------------- */

static const char *const kind_names[TFS_KIND__COUNT] = {
	"metadata", "validation", "settings", "master", "data", "translations",
};

/*
 * SHA-256 of "tenantfs-demo/<kind>/<type>/<name>", cut to 128 bits with the
 * version (4) and variant (10xx) bits of RFC 4122 set.
 */
void demo_guid(char out[37], tfs_kind kind, const char *type,
	       const char *name)
{
	unsigned char h[32];
	tfs_sha256 s;
	const char *k = kind_names[kind];

	tfs_sha256_init(&s);
	tfs_sha256_update(&s, "tenantfs-demo/", 14);
	tfs_sha256_update(&s, k, strlen(k));
	tfs_sha256_update(&s, "/", 1);
	tfs_sha256_update(&s, type, strlen(type));
	tfs_sha256_update(&s, "/", 1);
	tfs_sha256_update(&s, name, strlen(name));
	tfs_sha256_final(&s, h);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x40);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
		 h[10], h[11], h[12], h[13], h[14], h[15]);
}

/* ---- the writer ---------------------------------------------------------- */

static void note(demo_gen *g, int rc)
{
	if (rc < 0 && !g->error)
		g->error = rc;
}

static void put_raw(demo_gen *g, const char *s, size_t len)
{
	if (!g->error)
		note(g, tfs_buf_put(&g->buf, s, len));
}

static void put_str(demo_gen *g, const char *s)
{
	put_raw(g, s, strlen(s));
}

/* Escape for text (quote = false) or a double-quoted attribute, by the
 * one XML escaper (doc_walk.c). */
static void put_escaped(demo_gen *g, const char *s, bool quote)
{
	if (!g->error)
		note(g, doc_put_escaped(&g->buf, s, quote));
}

static void put_indent(demo_gen *g)
{
	static const char spaces[] = "                                ";

	assert(2 * g->depth < (int)sizeof(spaces));
	put_raw(g, spaces, (size_t)(2 * g->depth));
}

/* Close a pending start tag before content follows. */
static void close_start(demo_gen *g)
{
	if (g->open) {
		put_str(g, ">\n");
		g->open = false;
	}
}

void demo_begin(demo_gen *g, tfs_kind kind, const char *type,
		const char *root, const char *name, const char *bo)
{
	char guid[37];

	assert(strlen(type) < sizeof(g->type));
	assert(strlen(name) < sizeof(g->name));
	tfs_buf_clear(&g->buf);
	g->kind = kind;
	snprintf(g->type, sizeof(g->type), "%s", type);
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->depth = 0;
	g->open = false;
	demo_el(g, root);
	demo_attr(g, "name", name);
	demo_guid(guid, kind, type, name);
	demo_attr(g, "guid", guid);
	if (bo)
		demo_attr(g, "businessObject", bo);
}

void demo_el(demo_gen *g, const char *tag)
{
	assert(g->depth < DEMO_MAXDEPTH);
	close_start(g);
	put_indent(g);
	put_str(g, "<");
	put_str(g, tag);
	g->stack[g->depth++] = tag;
	g->open = true;
}

void demo_attr(demo_gen *g, const char *key, const char *value)
{
	assert(g->open);
	put_str(g, " ");
	put_str(g, key);
	put_str(g, "=\"");
	put_escaped(g, value, true);
	put_str(g, "\"");
}

void demo_attrf(demo_gen *g, const char *key, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	demo_attr(g, key, tmp);
}

void demo_attr_int(demo_gen *g, const char *key, long long value)
{
	demo_attrf(g, key, "%lld", value);
}

void demo_attr_bool(demo_gen *g, const char *key, bool value)
{
	demo_attr(g, key, value ? "true" : "false");
}

void demo_text(demo_gen *g, const char *tag, const char *text)
{
	close_start(g);
	put_indent(g);
	put_str(g, "<");
	put_str(g, tag);
	put_str(g, ">");
	put_escaped(g, text, false);
	put_str(g, "</");
	put_str(g, tag);
	put_str(g, ">\n");
}

void demo_text_base64(demo_gen *g, const char *tag, const void *data,
		      size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789+/";
	const unsigned char *p = data;
	char quad[4];
	size_t i;

	close_start(g);
	put_indent(g);
	put_str(g, "<");
	put_str(g, tag);
	put_str(g, ">");
	for (i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		quad[0] = tab[(v >> 18) & 63];
		quad[1] = tab[(v >> 12) & 63];
		quad[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? tab[v & 63] : '=';
		put_raw(g, quad, 4);
	}
	put_str(g, "</");
	put_str(g, tag);
	put_str(g, ">\n");
}

void demo_end(demo_gen *g)
{
	const char *tag;

	assert(g->depth > 0);
	tag = g->stack[--g->depth];
	if (g->open) {
		put_str(g, "/>\n");
		g->open = false;
		return;
	}
	put_indent(g);
	put_str(g, "</");
	put_str(g, tag);
	put_str(g, ">\n");
}

int demo_finish(demo_gen *g, int64_t mtime)
{
	int rc;

	while (g->depth > 0)
		demo_end(g);
	if (g->error)
		return g->error;
	rc = g->put(g->ctx, g->kind, g->type, g->name, g->buf.ptr,
		    g->buf.size, mtime);
	if (rc)
		g->error = rc;
	return g->error;
}

void demo_value(demo_gen *g, const char *field, const char *text)
{
	close_start(g);
	put_indent(g);
	put_str(g, "<Value field=\"");
	put_escaped(g, field, true);
	put_str(g, "\">");
	put_escaped(g, text, false);
	put_str(g, "</Value>\n");
}

void demo_valuef(demo_gen *g, const char *field, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	demo_value(g, field, tmp);
}

void demo_value_time(demo_gen *g, const char *field, int64_t t)
{
	char tmp[32];

	demo_fmt_time(tmp, t);
	demo_value(g, field, tmp);
}

void demo_link(demo_gen *g, const char *field, const char *bo,
	       const char *key)
{
	demo_el(g, "Link");
	demo_attr(g, "field", field);
	demo_attr(g, "businessObject", bo);
	demo_attr(g, "key", key);
	demo_end(g);
}

int demo_finish_config(demo_gen *g)
{
	char label[160];

	snprintf(label, sizeof(label), "%s/%s", kind_names[g->kind], g->type);
	return demo_finish(g, demo_config_mtime(g, label, g->name));
}

void demo_ref(demo_gen *g, const char *tag, const char *name)
{
	demo_el(g, tag);
	demo_attr(g, "name", name);
	demo_end(g);
}

bool demo_next_token(const char **sp, char sep, char *tok, size_t size)
{
	const char *s = *sp, *start;
	size_t n;

	while (*s == sep)
		s++;
	if (!*s)
		return false;
	start = s;
	while (*s && *s != sep)
		s++;
	n = (size_t)(s - start);
	assert(n < size);
	memcpy(tok, start, n);
	tok[n] = '\0';
	*sp = s;
	return true;
}

/* ---- settings ------------------------------------------------------------ */

/*
 * Settings are free form apart from a few required attributes; the secrets
 * below are invented demo values (the engine masks them as "***" in the
 * canonical bytes and keeps them apart).
 */

static void set_begin(demo_gen *g, const char *type, const char *name,
		      const char *description)
{
	demo_begin(g, TFS_KIND_SETTINGS, type, type, name, NULL);
	if (description)
		demo_attr(g, "description", description);
}

static void kv(demo_gen *g, const char *tag, const char *k1, const char *v1,
	       const char *k2, const char *v2)
{
	demo_el(g, tag);
	demo_attr(g, k1, v1);
	if (k2)
		demo_attr(g, k2, v2);
	demo_end(g);
}

static int settings_access(demo_gen *g)
{
	static const char *const exts[] = {
		"pdf", "docx", "xlsx", "pptx", "txt", "csv", "png", "jpg",
		"gif", "zip", "msg", "eml", "log",
	};
	unsigned i;

	set_begin(g, "AllowedAttachments", "Default",
		  "File types users may attach to records");
	demo_attr_int(g, "maxSizeKB", 25600);
	demo_attr_bool(g, "scanForMalware", true);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		kv(g, "Extension", "value", exts[i], NULL, NULL);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "AllowedAttachments", "SelfService",
		  "Stricter list for the self-service portal");
	demo_attr_int(g, "maxSizeKB", 10240);
	demo_attr_bool(g, "scanForMalware", true);
	for (i = 0; i < 8; i++)
		kv(g, "Extension", "value", exts[i], NULL, NULL);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "AuthenticationProvider", "Internal",
		  "Accounts held in the tenant");
	demo_attr(g, "kind", "Internal");
	demo_attr_bool(g, "enabled", true);
	demo_attr(g, "passwordPolicy", "Default");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "AuthenticationProvider",
		  "Frs_AuthenticationProvider.Saml",
		  "Single sign-on through the corporate identity provider");
	demo_attr(g, "kind", "SAML");
	demo_attr_bool(g, "enabled", true);
	demo_attr(g, "entityId", "https://acme.saas.example/sso/saml");
	demo_attr(g, "metadataUrl",
		  "https://login.acme.example/federationmetadata.xml");
	demo_attr(g, "nameIdFormat", "emailAddress");
	kv(g, "ClaimMapping", "claim", "email", "field", "PrimaryEmail");
	kv(g, "ClaimMapping", "claim", "given_name", "field", "FirstName");
	kv(g, "ClaimMapping", "claim", "family_name", "field", "LastName");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "AuthenticationProvider", "AzureAD",
		  "OpenID Connect for mobile clients");
	demo_attr(g, "kind", "OpenIDConnect");
	demo_attr_bool(g, "enabled", false);
	demo_attr(g, "authority",
		  "https://login.microsoftonline.com/acme.example/v2.0");
	demo_attr(g, "clientId", "4f6b2c1e-acme-demo-client");
	demo_attr(g, "clientSecret", "demo-oidc-Zq8v2Lw5Rt");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "PasswordPolicy", "Default",
		  "Password rules for internal accounts");
	demo_attr_int(g, "minLength", 12);
	demo_attr_int(g, "maxAgeDays", 90);
	demo_attr_int(g, "historyCount", 10);
	demo_attr_int(g, "lockoutThreshold", 5);
	demo_attr_int(g, "lockoutMinutes", 30);
	demo_attr_bool(g, "requireDigit", true);
	demo_attr_bool(g, "requireUpper", true);
	demo_attr_bool(g, "requireSymbol", true);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "PasswordPolicy", "ServiceAccounts",
		  "Long passphrases for integration accounts");
	demo_attr_int(g, "minLength", 24);
	demo_attr_int(g, "maxAgeDays", 365);
	demo_attr_int(g, "historyCount", 5);
	demo_attr_int(g, "lockoutThreshold", 10);
	demo_attr_bool(g, "requireDigit", true);
	demo_attr_bool(g, "requireUpper", false);
	demo_attr_bool(g, "requireSymbol", false);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "LdapConfiguration", "CorporateAD",
		  "Employee import from the corporate directory");
	demo_attr(g, "host", "ldap.acme.example");
	demo_attr_int(g, "port", 636);
	demo_attr_bool(g, "useSsl", true);
	demo_attr(g, "bindDn", "CN=svc-itsm,OU=Service Accounts,DC=acme,"
		  "DC=example");
	demo_attr(g, "bindPassword", "demo-Ldap-7hQ2xP9w");
	demo_attr(g, "baseDn", "OU=People,DC=acme,DC=example");
	demo_attr(g, "filter", "(&(objectClass=user)(!(userAccountControl:"
		  "1.2.840.113556.1.4.803:=2)))");
	demo_attr(g, "schedule", "daily 02:00");
	demo_attr(g, "businessObject", "Employee");
	kv(g, "AttributeMapping", "ldap", "sAMAccountName", "field",
	   "LoginID");
	kv(g, "AttributeMapping", "ldap", "givenName", "field", "FirstName");
	kv(g, "AttributeMapping", "ldap", "sn", "field", "LastName");
	kv(g, "AttributeMapping", "ldap", "mail", "field", "PrimaryEmail");
	kv(g, "AttributeMapping", "ldap", "telephoneNumber", "field",
	   "Phone");
	kv(g, "AttributeMapping", "ldap", "title", "field", "Title");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "LdapConfiguration", "ContractorsAD",
		  "Contractor accounts from the partner forest");
	demo_attr(g, "host", "ldap.partners.acme.example");
	demo_attr_int(g, "port", 389);
	demo_attr_bool(g, "useSsl", false);
	demo_attr_bool(g, "startTls", true);
	demo_attr(g, "bindDn", "CN=svc-itsm-ro,OU=Service,DC=partners,"
		  "DC=acme,DC=example");
	demo_attr(g, "bindPassword", "demo-Ldap-c0ntr4ct");
	demo_attr(g, "baseDn", "OU=Contractors,DC=partners,DC=acme,"
		  "DC=example");
	demo_attr(g, "schedule", "weekly Sun 03:00");
	demo_attr(g, "businessObject", "Employee");
	kv(g, "AttributeMapping", "ldap", "mail", "field", "PrimaryEmail");
	return demo_finish_config(g);
}

static int settings_integration(demo_gen *g)
{
	set_begin(g, "EmailConfiguration", "Outbound",
		  "SMTP relay for notifications");
	demo_attr(g, "server", "smtp.acme.example");
	demo_attr_int(g, "port", 587);
	demo_attr(g, "security", "STARTTLS");
	demo_attr(g, "user", "itsm-notify@acme.example");
	demo_attr(g, "password", "demo-Smtp-4kT8mN2q");
	demo_attr(g, "fromAddress", "servicedesk@acme.example");
	demo_attr(g, "fromName", "Acme Service Desk");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "EmailConfiguration", "ServiceDeskMailbox",
		  "Incoming mail creates incidents and journal entries");
	demo_attr(g, "server", "imap.acme.example");
	demo_attr_int(g, "port", 993);
	demo_attr(g, "protocol", "IMAP");
	demo_attr(g, "security", "SSL");
	demo_attr(g, "user", "servicedesk@acme.example");
	demo_attr(g, "password", "demo-Imap-9vR3sW1e");
	demo_attr(g, "pollSeconds", "60");
	demo_attr(g, "businessObject", "Incident");
	kv(g, "Rule", "match", "subject contains INC-", "action",
	   "AddJournal");
	kv(g, "Rule", "match", "default", "action", "CreateIncident");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "IntegrationSetting", "MonitoringWebhook",
		  "Alerts from infrastructure monitoring open incidents");
	demo_attr(g, "endpoint", "https://monitor.acme.example/api/v2");
	demo_attr(g, "apiKey", "demo-mon-3b9f1c77e2a4");
	demo_attr(g, "businessObject", "Incident");
	demo_attr(g, "defaultTeam", "ServerOperations");
	demo_attr_bool(g, "enabled", true);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "IntegrationSetting", "TeamsConnector",
		  "Posts P1 incidents to the major incident channel");
	demo_attr(g, "endpoint", "https://acme.webhook.office.example/hook");
	demo_attr(g, "token", "demo-teams-Yh5sK0pz");
	demo_attr_bool(g, "enabled", true);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "IntegrationSetting", "AssetDiscovery",
		  "Nightly inventory import into CI#Computer");
	demo_attr(g, "endpoint", "https://discovery.acme.example/export");
	demo_attr(g, "clientId", "itsm-discovery");
	demo_attr(g, "clientSecret", "demo-disc-Pq7Xn4Lm");
	demo_attr(g, "businessObject", "CI#Computer");
	demo_attr(g, "schedule", "daily 01:30");
	demo_attr_bool(g, "enabled", true);
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "VoiceIntegration", "ContactCenter",
		  "Screen pop and call logging for the service desk");
	demo_attr(g, "provider", "GenericCTI");
	demo_attr(g, "host", "cti.acme.example");
	demo_attr(g, "port", "8443");
	demo_attr(g, "apiKey", "demo-cti-8d2e6a0b");
	demo_attr(g, "queue", "ServiceDesk");
	demo_attr(g, "businessObject", "Incident");
	kv(g, "Ivr", "option", "1", "category", "Password Reset");
	kv(g, "Ivr", "option", "2", "category", "Hardware");
	kv(g, "Ivr", "option", "3", "category", "Software");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "BulkUploadProfile", "EmployeeImport",
		  "CSV import of employees from HR");
	demo_attr(g, "businessObject", "Employee");
	demo_attr(g, "format", "csv");
	demo_attr(g, "delimiter", ",");
	demo_attr(g, "matchField", "LoginID");
	kv(g, "Column", "header", "login", "field", "LoginID");
	kv(g, "Column", "header", "first_name", "field", "FirstName");
	kv(g, "Column", "header", "last_name", "field", "LastName");
	kv(g, "Column", "header", "email", "field", "PrimaryEmail");
	kv(g, "Column", "header", "job_title", "field", "Title");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "BulkUploadProfile", "LocationImport",
		  "CSV import of sites from facilities");
	demo_attr(g, "businessObject", "Location");
	demo_attr(g, "format", "csv");
	demo_attr(g, "delimiter", ";");
	demo_attr(g, "matchField", "LocationName");
	kv(g, "Column", "header", "site", "field", "LocationName");
	kv(g, "Column", "header", "street", "field", "Address");
	kv(g, "Column", "header", "city", "field", "City");
	return demo_finish_config(g);
}

static int settings_misc(demo_gen *g)
{
	static const struct {
		const char *name, *value, *desc;
	} constants[] = {
		{ "CompanyName", "Acme Corporation", "Shown in e-mails" },
		{ "ServiceDeskPhone", "+44 20 7946 0000",
		  "Self-service footer" },
		{ "ServiceDeskEmail", "servicedesk@acme.example", NULL },
		{ "DefaultTimeZone", "Europe/London", NULL },
		{ "AutoCloseDays", "3", "Resolved incidents close after" },
		{ "SLAWarningPercent", "75", "Warn when this much is used" },
	};
	unsigned i;

	for (i = 0; i < sizeof(constants) / sizeof(constants[0]); i++) {
		set_begin(g, "GlobalConstant", constants[i].name,
			  constants[i].desc);
		demo_attr(g, "value", constants[i].value);
		if (demo_finish_config(g))
			return g->error;
	}

	set_begin(g, "DynamicStyle", "Incident.CriticalPriority",
		  "Critical incidents in red in grids");
	demo_attr(g, "businessObject", "Incident");
	demo_attr(g, "condition", "Priority = \"1\"");
	kv(g, "Style", "property", "color", "value", "#ffffff");
	kv(g, "Style", "property", "background", "value", "#c62828");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "DynamicStyle", "Incident.BreachedSLA",
		  "Highlight incidents past their resolution target");
	demo_attr(g, "businessObject", "Incident");
	demo_attr(g, "condition", "ResolutionDeadline < $(CurrentDateTime())"
		  " && Status != \"Resolved\"");
	kv(g, "Style", "property", "font-weight", "value", "bold");
	kv(g, "Style", "property", "color", "value", "#b71c1c");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "DynamicStyle", "Change.Emergency", NULL);
	demo_attr(g, "businessObject", "Change");
	demo_attr(g, "condition", "TypeOfChange = \"Emergency\"");
	kv(g, "Style", "property", "background", "value", "#ffe0b2");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "ObjectMatchingList", "Employee.ByEmail",
		  "Match incoming mail senders to employees");
	demo_attr(g, "businessObject", "Employee");
	kv(g, "Match", "field", "PrimaryEmail", "order", "1");
	kv(g, "Match", "field", "LoginID", "order", "2");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "ObjectMatchingList", "CI.ByAssetTag",
		  "Match discovered devices to configuration items");
	demo_attr(g, "businessObject", "CI");
	kv(g, "Match", "field", "AssetTag", "order", "1");
	kv(g, "Match", "field", "SerialNumber", "order", "2");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "WatchListItem", "Incident",
		  "Users may follow incidents");
	demo_attr(g, "businessObject", "Incident");
	demo_attr_bool(g, "enabled", true);
	demo_attr(g, "notifyOn", "Status,Owner,Journal");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "WatchListItem", "Change", "Users may follow changes");
	demo_attr(g, "businessObject", "Change");
	demo_attr_bool(g, "enabled", true);
	demo_attr(g, "notifyOn", "Status,ScheduledStartDate");
	if (demo_finish_config(g))
		return g->error;

	set_begin(g, "WatchListItem", "ServiceReq",
		  "Requesters follow their requests");
	demo_attr(g, "businessObject", "ServiceReq");
	demo_attr_bool(g, "enabled", true);
	demo_attr(g, "notifyOn", "Status");
	return demo_finish_config(g);
}

int demo_gen_settings(demo_gen *g)
{
	if (settings_access(g) || settings_integration(g) || settings_misc(g))
		return g->error;
	return 0;
}

/* ---- entry point --------------------------------------------------------- */

int tfs_demo_generate(tfs_demo_put_fn put, void *ctx, int64_t now)
{
	demo_gen g;
	int error;

	memset(&g, 0, sizeof(g));
	g.put = put;
	g.ctx = ctx;
	g.now = now;
	/* set up a year ago, at 09:00 UTC */
	g.install = ((now - 364 * DEMO_DAY) / DEMO_DAY) * DEMO_DAY +
		    9 * DEMO_HOUR;

	if ((error = demo_gen_metadata(&g)) != 0 ||
	    (error = demo_gen_validation(&g)) != 0 ||
	    (error = demo_gen_settings(&g)) != 0 ||
	    (error = demo_gen_master(&g)) != 0 ||
	    (error = demo_gen_records(&g)) != 0)
		goto done;

done:
	tfs_buf_free(&g.buf);
	return error;
}
