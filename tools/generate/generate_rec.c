/*
 * Records of a generated tenant (master/<BO>/ and data/<BO>/) and of
 * generated packages: one Record document per call, with a Value for each
 * field of its core business object (generate_meta.c) and Links to master
 * records that exist.
 *
 * A record depends only on (seed, business object, number): its random
 * stream is seeded from them, so records can be written in any order and
 * staging and production get the same bytes apart from the ~1% that
 * differ (changed last-modified values).  Keys are unique per business
 * object: names built from tables (ann.smith, ann.smith2, ...) for people
 * and organization, prefixed numbers (INC-100001) for the rest.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "generate_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define YEAR (365 * DG_DAY)

static const char *const first_names[] = {
	"ann",    "ben",    "carla", "david",  "elena",  "farid",  "grace",
	"hugo",   "isla",   "jamal", "kira",   "liam",   "maya",   "noah",
	"olivia", "pavel",  "quinn", "rosa",   "samir",  "tara",   "umar",
	"vera",   "wei",    "xenia", "yusuf",  "zoe",    "aisha",  "bruno",
	"chloe",  "dmitri", "emma",  "felix",  "gita",   "hassan", "ines",
	"jonas",  "keiko",  "lucas", "mei",    "nils",   "oscar",  "priya",
	"rafael", "sofia",  "tomas", "ulrike", "victor", "wanda",
};

static const char *const last_names[] = {
	"smith",    "jones",     "bauer",    "fischer",  "garcia",  "martin",
	"rossi",    "nakamura",  "kowalski", "novak",    "dubois",  "silva",
	"chen",     "kumar",     "patel",    "okafor",   "larsen",  "jansen",
	"moreau",   "schmidt",   "wong",     "reyes",    "murphy",  "kelly",
	"hughes",   "evans",     "walker",   "wright",   "young",   "hall",
	"lopez",    "gonzalez",  "perez",    "ahmed",    "ali",     "khan",
	"singh",    "sato",      "suzuki",   "tanaka",   "ivanova", "petrov",
	"berg",     "lindqvist", "nieminen", "horvat",   "popescu", "yilmaz",
	"costa",    "ferreira",  "mendes",   "oconnor",  "byrne",   "brennan",
	"fraser",   "campbell",  "stewart",  "morrison", "baker",   "carter",
	"mitchell", "turner",    "parker",   "collins",
};

static const char *const teams[] = {
	"Service Desk",        "Desktop Support",         "Network Operations",
	"Server Operations",   "Database Administration", "Application Support",
	"Security Operations", "Change Advisory Board",   "Facilities",
	"HR Services",         "Cloud Platform",          "Identity and Access",
	"Field Services",      "Procurement Desk",        "Finance Systems",
	"Collaboration Tools", "Endpoint Management",     "Storage and Backup",
	"Telephony",           "Integration Services",    "Data Platform",
	"Web Services",        "Mobile Support",          "Print Services",
	"Asset Management",    "Release Management",      "Monitoring",
	"Vendor Management",   "Training Services",       "Payroll Support",
};

static const char *const orgunits[] = {
	"Corporate",
	"Finance",
	"Human Resources",
	"Information Technology",
	"Legal",
	"Marketing",
	"Sales",
	"Operations",
	"Research",
	"Customer Service",
	"Procurement",
	"Logistics",
	"Manufacturing",
	"Quality Assurance",
	"Facilities Management",
	"Internal Audit",
	"Communications",
	"Strategy",
	"Risk Management",
	"Treasury",
	"Product Management",
	"Engineering",
	"Security",
	"Compliance",
};

static const char *const cities[] = {
	"London",    "Manchester", "Edinburgh", "Dublin",     "Berlin",
	"Munich",    "Hamburg",    "Paris",     "Lyon",       "Amsterdam",
	"Rotterdam", "Madrid",     "Barcelona", "Milan",      "Vienna",
	"Zurich",    "Stockholm",  "Oslo",      "Copenhagen", "Helsinki",
	"Warsaw",    "Prague",     "New York",  "Chicago",    "Austin",
	"Seattle",   "Toronto",    "Sao Paulo", "Mumbai",     "Bangalore",
	"Singapore", "Tokyo",      "Sydney",    "Melbourne",  "Johannesburg",
	"Dubai",     "Lisbon",     "Brussels",  "Budapest",   "Athens",
};

static const char *const categories[] = {
	"Hardware",
	"Laptop",
	"Desktop",
	"Printer",
	"Software",
	"Email and Calendar",
	"Office Applications",
	"Business Application",
	"Network",
	"VPN",
	"Wi-Fi",
	"Telephony",
	"Access and Accounts",
	"Password Reset",
	"Security",
	"Server",
	"Database",
	"Facilities",
	"HR Services",
};

static const char *const vendors[] = {
	"Contoso",
	"Fabrikam",
	"Northwind Traders",
	"Adventure Works",
	"Tailspin Toys",
	"Wide World Importers",
	"Litware",
	"Proseware",
	"Woodgrove Bank",
	"Fourth Coffee",
	"Alpine Ski House",
	"Coho Winery",
	"Lamna Healthcare",
	"Margie Travel",
	"Trey Research",
	"Relecloud",
	"Datum Corporation",
	"Blue Yonder Airlines",
	"City Power and Light",
	"Consolidated Messenger",
	"Graphic Design Institute",
	"Humongous",
	"Lucerne Publishing",
	"Nod Publishers",
	"Southridge Video",
	"VanArsdel",
	"Wingtip Toys",
	"Best For You Organics",
	"First Up Consultants",
	"School of Fine Art",
};

static const char *const titles[] = {
	"Service Desk Analyst", "Systems Administrator",
	"Network Engineer",     "Accountant",
	"HR Advisor",           "Sales Manager",
	"Marketing Specialist", "Software Engineer",
	"Project Manager",      "Buyer",
	"Legal Counsel",        "Facilities Coordinator",
	"Business Analyst",     "Team Lead",
	"Operations Manager",   "Data Analyst",
	"Security Analyst",     "Customer Service Agent",
};

static const char *const manufacturers[] = {
	"Dell",    "HP",      "Lenovo",  "Apple",     "Cisco",
	"Juniper", "Brother", "Samsung", "Microsoft", "Supermicro",
};

static const char *const things[] = {
	"the VPN",
	"Outlook",
	"the shared drive",
	"SAP",
	"the printer on "
	"floor 3",
	"my laptop",
	"Teams",
	"the expense system",
	"the HR portal",
	"Wi-Fi in meeting room 2",
	"the docking station",
	"the CRM",
	"Excel",
	"the badge reader",
	"the payroll system",
	"the intranet",
	"the ticket portal",
	"the database server",
	"the nightly backup",
	"the file server",
	"the mobile app",
	"single sign-on",
	"the projector in the boardroom",
	"the web shop",
};

static const char *const subjects[] = {
	"%s is not working",
	"Cannot access %s",
	"%s is very slow",
	"Request for %s",
	"Error message when opening %s",
	"%s needs to be replaced",
	"Install %s",
	"Update %s",
	"Access to %s for a new starter",
	"%s unavailable since this morning",
	"Intermittent problems with %s",
	"Question about %s",
	"Upgrade %s",
	"Patch %s",
	"Migrate %s to the new cluster",
	"Decommission %s",
	"How to use %s",
	"Review licences of %s",
};

static const char *const sentences[] = {
	"The user reports the problem started after the last update.",
	"Restarting did not help.",
	"Several colleagues in the same office see the same behaviour.",
	"A workaround is to use the web version for now.",
	"Logs attached; the error appears every few minutes.",
	"Please treat this as urgent: the quarter closes on Friday.",
	"The device was checked and the fault reproduced.",
	"Vendor support has been contacted and a case is open.",
	"The change was tested in staging without issues.",
	"Backout: restore the previous configuration from the snapshot.",
	"The request was approved by the line manager.",
	"Scheduled outside business hours to avoid impact.",
	"Root cause is a certificate that expired overnight.",
	"Resolved by clearing the cached credentials.",
	"Follow-up task created for the network team.",
	"Customer confirmed the fix and the record can be closed.",
};

/* Lower-camel-free key from a display name: letters and digits only. */
static void keyify(char *out, size_t size, const char *name,
		   unsigned long long round)
{
	size_t n = 0;

	for (; *name && n + 1 < size; name++)
		if (isalnum((unsigned char)*name))
			out[n++] = *name;
	out[n] = '\0';
	if (round)
		snprintf(out + n, size - n, "%llu", round + 1);
}

/* The key of record `i` of core business object `bo`. */
static void key_of(char out[96], unsigned bo, uint64_t i)
{
	const gen_bo *b = gen_core_bo(bo);
	unsigned long long r;

	switch (bo) {
	case GEN_EMPLOYEE:
		r = i / (N(first_names) * N(last_names));
		snprintf(out, 96, "%s.%s", first_names[i % N(first_names)],
			 last_names[(i / N(first_names)) % N(last_names)]);
		if (r)
			snprintf(out + strlen(out), 96 - strlen(out), "%llu",
				 r + 1);
		break;
	case GEN_TEAM:
		keyify(out, 96, teams[i % N(teams)], i / N(teams));
		break;
	case GEN_ORGUNIT:
		keyify(out, 96, orgunits[i % N(orgunits)], i / N(orgunits));
		break;
	case GEN_LOCATION:
		keyify(out, 96, cities[i % N(cities)], i / N(cities));
		break;
	case GEN_CATEGORY:
		keyify(out, 96, categories[i % N(categories)],
		       i / N(categories));
		break;
	case GEN_VENDOR:
		keyify(out, 96, vendors[i % N(vendors)], i / N(vendors));
		break;
	default:
		snprintf(out, 96, "%s-%llu", b->prefix ? b->prefix : "REC",
			 (unsigned long long)(100001 + i));
		break;
	}
}

void gen_record_key(char out[96], const gen *x, unsigned bo, uint64_t i)
{
	key_of(out, bo, x->key_base + i);
}

/* The display name of a table-named record (TeamName, VendorName, ...). */
static const char *display_of(char out[128], unsigned bo, uint64_t i)
{
	const char *const *t = NULL;
	size_t n = 0;

	switch (bo) {
	case GEN_TEAM:
		t = teams;
		n = N(teams);
		break;
	case GEN_ORGUNIT:
		t = orgunits;
		n = N(orgunits);
		break;
	case GEN_LOCATION:
		t = cities;
		n = N(cities);
		break;
	case GEN_CATEGORY:
		t = categories;
		n = N(categories);
		break;
	case GEN_VENDOR:
		t = vendors;
		n = N(vendors);
		break;
	default:
		break;
	}
	if (!t) {
		key_of(out, bo, i);
		return out;
	}
	if (i < n)
		snprintf(out, 128, "%s", t[i]);
	else
		snprintf(out, 128, "%s %llu", t[i % n],
			 (unsigned long long)(i / n + 1));
	return out;
}

static void capitalize(char *s)
{
	if (*s)
		*s = (char)toupper((unsigned char)*s);
}

static void sentence_text(dg_gen *g, char *out, size_t size, unsigned n)
{
	size_t len = 0;
	unsigned k, first = dg_below(g, N(sentences));

	out[0] = '\0';
	for (k = 0; k < n && len + 1 < size; k++) {
		/* 5 is prime to the table's size: n < 16 distinct sentences */
		int w = snprintf(out + len, size - len, "%s%s", k ? " " : "",
				 sentences[(first + 5 * k) % N(sentences)]);
		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
}

/* A random existing record of core business object `bo`, if any. */
static bool link_key(gen *x, char out[96], const char *bo)
{
	int k = gen_core_find(bo);
	uint64_t n;

	if (k < 0 || x->count[k] == 0)
		return false;
	/* A package links only among its own records: it applies to any
	 * tenant, the demo's as well as a generated one. */
	if (x->key_base && k != x->link_own)
		return false;
	n = x->link_max && x->count[k] > x->link_max ? x->link_max :
						       x->count[k];
	/* A package's links to its own kind of record name its own first
	 * records (the target need not have any): key_base marks them. */
	key_of(out, (unsigned)k,
	       (x->key_base && k == x->link_own ? x->key_base : 0) +
		       dg_rand(&x->g) % n);
	return true;
}

/* The first or last name, or both, of person number `who`. */
static void person_value(dg_gen *g, const gen_field *f, unsigned who)
{
	char first[128], last[600];

	snprintf(first, sizeof(first), "%s", first_names[who % N(first_names)]);
	capitalize(first);
	snprintf(last, sizeof(last), "%s",
		 last_names[(who / N(first_names)) % N(last_names)]);
	capitalize(last);
	if (f->hint == 'f')
		dg_value(g, f->name, first);
	else if (f->hint == 'l')
		dg_value(g, f->name, last);
	else
		dg_valuef(g, f->name, "%s %s", first, last);
}

/*
 * A value that names record i itself (number, key, person, e-mail,
 * display name, city), if f's hint asks for one: it follows from the
 * record's number and draws nothing from the random stream, so the same
 * record is named alike wherever it is written.
 */
static bool identity_value(gen *x, unsigned bo, uint64_t i, const gen_field *f)
{
	dg_gen *g = &x->g;
	uint64_t id = x->key_base + i;
	char v[600], t[128];
	unsigned n;

	switch (f->hint) {
	case 'n':
		dg_valuef(g, f->name, "%llu",
			  (unsigned long long)(100001 + id));
		return true;
	case 'g':
		key_of(v, GEN_EMPLOYEE, id);
		dg_value(g, f->name, v);
		return true;
	case 'f':
	case 'l':
	case 'm':
		person_value(g, f,
			     (unsigned)(id % (N(first_names) * N(last_names))));
		return true;
	case 'e':
		key_of(v, bo, id);
		for (n = 0; v[n]; n++)
			v[n] = (char)tolower((unsigned char)v[n]);
		dg_valuef(g, f->name, "%s@example.com", v);
		return true;
	case 'k':
		dg_value(g, f->name, display_of(t, bo, id));
		return true;
	case 'y':
		dg_value(g, f->name, cities[id % N(cities)]);
		return true;
	default:
		return false;
	}
}

/* A random value of the kind f's hint names (subject, text, phone, ...),
 * if it names one of these. */
static bool hinted_value(gen *x, const gen_field *f)
{
	dg_gen *g = &x->g;
	char v[600];

	switch (f->hint) {
	case 's':
		snprintf(v, sizeof(v), subjects[dg_below(g, N(subjects))],
			 things[dg_below(g, N(things))]);
		capitalize(v);
		dg_value(g, f->name, v);
		return true;
	case 'x':
		sentence_text(g, v, sizeof(v), 1 + dg_below(g, 3));
		dg_value(g, f->name, v);
		return true;
	case 'p':
		dg_valuef(g, f->name, "+44 20 7946 %04u", dg_below(g, 10000));
		return true;
	case 't':
		dg_value(g, f->name, titles[dg_below(g, N(titles))]);
		return true;
	case 'w':
		dg_value(g, f->name, orgunits[dg_below(g, N(orgunits))]);
		return true;
	case 'c':
		dg_valuef(g, f->name, "%c%c-%05u", 'A' + (char)dg_below(g, 26),
			  'A' + (char)dg_below(g, 26), dg_below(g, 100000));
		return true;
	case 'a':
		dg_valuef(g, f->name, "%u %s", 1 + dg_below(g, 250),
			  dg_chance(g, 50) ? "High Street" : "Station Road");
		return true;
	case 'o':
		dg_value(g, f->name,
			 dg_chance(g, 60) ? "Incident" :
			 dg_chance(g, 50) ? "Change" :
					    "ServiceReq");
		return true;
	case 'i':
		dg_valuef(g, f->name, "%016llX%016llX",
			  (unsigned long long)dg_rand(g),
			  (unsigned long long)dg_rand(g));
		return true;
	case 'h':
		dg_valuef(g, f->name, "%s-%05u",
			  dg_chance(g, 70) ? "WS" : "SRV", dg_below(g, 100000));
		return true;
	case 'v':
		dg_value(g, f->name,
			 manufacturers[dg_below(g, N(manufacturers))]);
		return true;
	default:
		return false;
	}
}

/* A random value of f's type, for a field without a hint; times fall
 * after the record's creation. */
static void typed_value(gen *x, const gen_field *f, int64_t created)
{
	dg_gen *g = &x->g;
	const char *const *items;
	char t[128];
	unsigned n;

	switch (f->type) {
	case 'P':
		items = gen_list_items(f->ref, &n);
		dg_value(g, f->name,
			 items ? items[dg_below(g, n)] : "Standard");
		return;
	case 'I':
		dg_valuef(g, f->name, "%u", dg_below(g, 50));
		return;
	case 'N':
		dg_valuef(g, f->name, "%u.%02u", dg_below(g, 40),
			  dg_below(g, 4) * 25);
		return;
	case 'M':
		dg_valuef(g, f->name, "%u.00", 10 * (1 + dg_below(g, 5000)));
		return;
	case 'D':
		dg_value_time(g, f->name,
			      created + (int64_t)dg_below(g, 20 * 86400));
		return;
	case 'd':
		dg_fmt_date(t, created + (int64_t)dg_below(g, 400) * DG_DAY);
		dg_value(g, f->name, t);
		return;
	case 'B':
		dg_value(g, f->name, dg_chance(g, 20) ? "true" : "false");
		return;
	case 'G':
		dg_valuef(g, f->name, "%08x-%04x-4%03x-a%03x-%012llx",
			  (unsigned)dg_rand(g), dg_below(g, 65536),
			  dg_below(g, 4096), dg_below(g, 4096),
			  (unsigned long long)(dg_rand(g) & 0xffffffffffffULL));
		return;
	case 'T':
		dg_value(g, f->name, things[dg_below(g, N(things))]);
		return;
	default:
		return;
	}
}

/* The Value of field f of record i of core business object `bo`. */
static void value(gen *x, unsigned bo, uint64_t i, const gen_field *f,
		  int64_t created)
{
	if (!identity_value(x, bo, i, f) && !hinted_value(x, f))
		typed_value(x, f, created);
}

int gen_record(gen *x, unsigned bo, uint64_t i, bool master)
{
	const gen_bo *b = gen_core_bo(bo);
	dg_gen *g = &x->g;
	char key[96], who[96], by[96];
	uint64_t count = x->count[bo] ? x->count[bo] : 1, seed[2];
	int64_t created, modified;
	unsigned k;

	gen_record_key(key, x, bo, i);
	gen_begin(x, master ? TFS_KIND_MASTER : TFS_KIND_DATA, b->name,
		  "Record", key, b->name);
	seed[0] = bo;
	seed[1] = x->key_base + i;
	g->rng = gen_hash(x->salt, seed, sizeof(seed));
	/* created in order over the year before now, master data earlier */
	created = g->now - (master ? 2 : 1) * YEAR +
		  (int64_t)((i % count) * (uint64_t)YEAR / count) +
		  (int64_t)dg_below(g, 3600);
	modified = created + (int64_t)dg_below(g, 30 * 86400);
	if (modified > g->now - 60)
		modified = g->now - 60;
	if (!link_key(x, who, "Employee"))
		snprintf(who, sizeof(who), "admin");
	if (x->cur_differs) {
		/* changed in production since the copy to staging */
		modified = g->now - 3600 - (int64_t)dg_below(g, 86400);
		snprintf(by, sizeof(by), "prod.support");
	} else {
		snprintf(by, sizeof(by), "%s", who);
	}
	dg_value_time(g, "CreatedDateTime", created);
	dg_value(g, "CreatedBy", who);
	dg_value_time(g, "LastModDateTime", modified);
	dg_value(g, "LastModBy", by);
	for (k = 0; k < GEN_MAXFIELDS && b->fields[k].name; k++)
		if (b->fields[k].type != 'L')
			value(x, bo, i, &b->fields[k], created);
	for (k = 0; k < GEN_MAXFIELDS && b->fields[k].name; k++) {
		if (b->fields[k].type != 'L' ||
		    !link_key(x, who, b->fields[k].ref))
			continue;
		dg_link(g, b->fields[k].name, b->fields[k].ref, who);
	}
	return dg_finish(g, modified);
}
