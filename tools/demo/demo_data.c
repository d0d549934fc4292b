/*
 * Demo content: transactional records (data/<BO>/<Key>.xml), part 1.
 * Configuration items and knowledge articles; the tasks and journal
 * entries the other records collect; the helpers they share (demo_rec.h);
 * and demo_gen_records(), which runs all record generators.
 *
 * Records are created over the year before `now` (mostly on working days
 * and hours); each record's state follows from its age: old incidents are
 * closed, recent ones open, changes scheduled in the future await
 * approval.  No date lies after `now`.  Numbers follow creation order, as
 * counters would hand them out.  The random stream is reseeded per
 * business object, so the content depends on `now` only.  Called from
 * tfs_demo_generate().
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenantfs/error.h"
#include "demo_rec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Servers; the role code is what incidents[].ci (demo_incidents.c) names. */
static const struct {
	const char *name, *role, *os;
	char code;
	unsigned location; /* index into demo_location_keys */
	bool virt;
} servers[] = {
	{ "lon-dc-01", "Domain Controller", "Windows Server 2022", 'D', 0,
	  true },
	{ "lon-dc-02", "Domain Controller", "Windows Server 2022", 'D', 0,
	  true },
	{ "lon-exch-01", "Mail Server", "Windows Server 2019", 'M', 0, true },
	{ "lon-exch-02", "Mail Server", "Windows Server 2019", 'M', 0, true },
	{ "lon-sql-01", "SQL Server", "Windows Server 2022", 'S', 0, false },
	{ "lon-sql-02", "SQL Server", "Windows Server 2022", 'S', 0, false },
	{ "aus-sql-01", "SQL Server", "Windows Server 2019", 'S', 4, false },
	{ "lon-app-01", "Application Server", "Windows Server 2022", 'A', 0,
	  true },
	{ "lon-app-02", "Application Server", "Windows Server 2022", 'A', 0,
	  true },
	{ "lon-sap-01", "SAP Application Server", "Red Hat Enterprise Linux 9",
	  'A', 0, false },
	{ "lon-sap-02", "SAP Application Server", "Red Hat Enterprise Linux 9",
	  'A', 0, false },
	{ "lon-crm-01", "CRM Application Server", "Windows Server 2019", 'C', 0,
	  true },
	{ "lon-crm-02", "CRM Application Server", "Windows Server 2019", 'C', 0,
	  true },
	{ "lon-web-01", "Web Server", "Ubuntu 22.04 LTS", 'W', 0, true },
	{ "lon-web-02", "Web Server", "Ubuntu 22.04 LTS", 'W', 0, true },
	{ "lon-file-01", "File Server", "Windows Server 2022", 'F', 0, false },
	{ "nyc-file-01", "File Server", "Windows Server 2019", 'F', 1, true },
	{ "ber-file-01", "File Server", "Windows Server 2019", 'F', 2, true },
	{ "sgp-file-01", "File Server", "Windows Server 2022", 'F', 3, true },
	{ "lon-print-01", "Print Server", "Windows Server 2019", 'Q', 0, true },
	{ "nyc-print-01", "Print Server", "Windows Server 2019", 'Q', 1, true },
	{ "aus-bkp-01", "Backup Server", "Windows Server 2022", 'B', 4, false },
	{ "aus-mon-01", "Monitoring", "Ubuntu 22.04 LTS", 'O', 4, true },
	{ "aus-esx-01", "Virtualisation Host", "Red Hat Enterprise Linux 9",
	  'V', 4, false },
	{ "aus-esx-02", "Virtualisation Host", "Red Hat Enterprise Linux 9",
	  'V', 4, false },
	{ "nyc-dc-01", "Domain Controller", "Windows Server 2022", 'D', 1,
	  true },
	{ "ber-dc-01", "Domain Controller", "Windows Server 2022", 'D', 2,
	  true },
	{ "sgp-dc-01", "Domain Controller", "Windows Server 2022", 'D', 3,
	  true },
};

/* ---- collected tasks and journal entries -------------------------------- */

/* A new zeroed element at the end of *arr, or NULL (g->error set). */
static void *push(dg_gen *g, void **arr, size_t *n, size_t *alloc, size_t size)
{
	char *p;

	if (g->error)
		return NULL;
	if (*n == *alloc) {
		size_t want = *alloc ? *alloc * 2 : 256;

		p = realloc(*arr, want * size);
		if (!p) {
			g->error = tfs_error_set(TFS_ERROR, "out of memory");
			return NULL;
		}
		*arr = p;
		*alloc = want;
	}
	p = (char *)*arr + (*n)++ * size;
	memset(p, 0, size);
	return p;
}

demo_task *demo_add_task(dg_gen *g, demo_world *w)
{
	return push(g, (void **)&w->tasks, &w->ntasks, &w->atasks,
		    sizeof(demo_task));
}

demo_journal *demo_add_journal(dg_gen *g, demo_world *w, const demo_parent *of,
			       int64_t t, const char *category, int author)
{
	demo_journal *j = push(g, (void **)&w->journals, &w->njournals,
			       &w->ajournals, sizeof(demo_journal));

	if (j) {
		j->of = *of;
		j->t = t;
		j->category = category;
		j->author = author;
	}
	return j;
}

static int cmp_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * `n` creation times in the last `max_age` seconds, ascending, in a new
 * array (free it), or NULL with g->error set.
 */
int64_t *demo_creation_times(dg_gen *g, unsigned n, int64_t max_age)
{
	int64_t *t = malloc(sizeof(*t) * n);
	unsigned i;

	if (!t) {
		g->error = tfs_error_set(TFS_ERROR, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		t[i] = dg_past(g, max_age);
	qsort(t, n, sizeof(*t), cmp_time);
	return t;
}

/* ---- helpers ------------------------------------------------------------- */

int64_t demo_min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int64_t demo_between(dg_gen *g, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + (int64_t)(dg_rand(g) % (uint64_t)(hi - lo));
}

int demo_member(dg_gen *g, const demo_world *w, int team)
{
	return (int)(w->team_first[team] + dg_below(g, demo_teams[team].size));
}

int demo_team_index(const char *key)
{
	int t = demo_team_find(key);

	assert(t >= 0);
	return t;
}

/* Someone who raises tickets: mostly business users, some IT staff. */
int demo_customer(dg_gen *g)
{
	if (dg_chance(g, 70))
		return (int)(DEMO_P_BUSINESS_FIRST +
			     dg_below(g, DEMO_NPEOPLE - DEMO_P_BUSINESS_FIRST));
	return (int)dg_below(g, DEMO_P_BUSINESS_FIRST);
}

void demo_value_date(dg_gen *g, const char *field, int64_t t)
{
	char tmp[16];

	dg_fmt_date(tmp, t);
	dg_value(g, field, tmp);
}

void demo_value_hours(dg_gen *g, const char *field, unsigned quarters)
{
	dg_valuef(g, field, "%u.%02u", quarters / 4, quarters % 4 * 25);
}

void demo_link_person(dg_gen *g, const demo_world *w, const char *field, int p)
{
	if (p >= 0)
		dg_link(g, field, "Employee", w->people[p].key);
}

void demo_link_team(dg_gen *g, const char *field, int t)
{
	if (t >= 0)
		dg_link(g, field, "Team", demo_teams[t].key);
}

/* CreatedDateTime/By and LastModDateTime/By, in that order. */
void demo_stamps(dg_gen *g, int64_t created, const char *by, int64_t modified,
		 const char *mod_by)
{
	dg_value_time(g, "CreatedDateTime", created);
	dg_value(g, "CreatedBy", by);
	dg_value_time(g, "LastModDateTime", modified);
	dg_value(g, "LastModBy", mod_by);
}

/* Name of a random server with the role code, or NULL. */
const char *demo_server_with(dg_gen *g, char code)
{
	unsigned i, n = 0, k;

	for (i = 0; i < N(servers); i++)
		n += servers[i].code == code;
	if (!n)
		return NULL;
	k = dg_below(g, n);
	for (i = 0; i < N(servers); i++)
		if (servers[i].code == code && k-- == 0)
			return servers[i].name;
	return NULL;
}

/* ---- configuration items and knowledge ---------------------------------- */

/*
 * When a device bought at `bought` entered the CMDB: the discovery import
 * on the day after install, or the night after a later purchase.
 */
static int64_t discovered(dg_gen *g, int64_t bought)
{
	int64_t night = bought > g->install ? bought : g->install;

	night = (night / DG_DAY + 1) * DG_DAY + DG_HOUR +
		demo_between(g, 0, DG_HOUR);
	return demo_min64(night, g->now - 60);
}

static const char *const laptop_models[] = {
	"Latitude 7440",
	"ThinkPad T14 Gen 4",
	"EliteBook 840 G10",
	"MacBook Pro 14",
};
static const char *const laptop_makers[] = {
	"Dell",
	"Lenovo",
	"HP",
	"Apple",
};

static int gen_computers(dg_gen *g, const demo_world *w)
{
	char key[32], host[32], serial[32], tag[32], guid[37];
	unsigned i, n = DEMO_NPEOPLE + 30;

	dg_seed(g, "CI#Computer");
	for (i = 0; i < n; i++) {
		bool laptop = i < DEMO_NPEOPLE + 12;
		bool assigned = i < DEMO_NPEOPLE;
		unsigned model = dg_below(g, laptop ? 4 : 3);
		int64_t bought = g->now -
				 demo_between(g, 60 * DG_DAY, 4 * DEMO_YEAR);
		int64_t found = discovered(g, bought);
		const char *status = "Deployed";
		int owner = assigned ? (int)i : -1;
		unsigned loc;

		if (!assigned)
			status = i % 5 == 0 ? "In Repair" :
				 i % 7 == 0 ? "Retired" :
					      "In Stock";
		if (assigned && w->people[i].location == 5)
			loc = 0; /* remote workers' kit is London's */
		else
			loc = assigned ? w->people[i].location : 0;
		snprintf(key, sizeof(key), "ACME-%s-%04u", laptop ? "LT" : "DT",
			 i + 1);
		snprintf(host, sizeof(host), "%s%04u", laptop ? "lt" : "dt",
			 i + 1);
		snprintf(serial, sizeof(serial), "%c%c%07u",
			 'A' + (int)dg_below(g, 26), 'A' + (int)dg_below(g, 26),
			 (unsigned)dg_below(g, 10000000));
		snprintf(tag, sizeof(tag), "ACME-%05u", 1200 + i * 3);
		dg_guid(guid, TFS_KIND_DATA, "discovery", key);
		dg_begin(g, TFS_KIND_DATA, "CI#Computer", "Record", key,
			 "CI#Computer");
		demo_stamps(g, found, "svc.discovery", found, "svc.discovery");
		dg_value(g, "Name", key);
		dg_value(g, "AssetTag", tag);
		dg_value(g, "SerialNumber", serial);
		dg_value(g, "Status", status);
		dg_value(g, "Manufacturer",
			 laptop ? laptop_makers[model] : "Dell");
		dg_value(g, "Model",
			 laptop ? laptop_models[model] :
			 model  ? "OptiPlex 7010" :
				  "OptiPlex 7000");
		dg_value(g, "DiscoveryId", guid);
		demo_value_date(g, "PurchaseDate", bought);
		demo_value_date(g, "WarrantyExpiry", bought + 3 * DEMO_YEAR);
		dg_value(g, "Hostname", host);
		dg_value(g, "OperatingSystem",
			 laptop && model == 3 ? "macOS 14" :
			 dg_chance(g, 80)     ? "Windows 11 Enterprise" :
						"Windows 10 Enterprise");
		dg_value(g, "CPU",
			 dg_chance(g, 50) ? "Intel Core i7" : "Intel Core i5");
		dg_valuef(g, "MemoryGB", "%u", dg_chance(g, 60) ? 16 : 32);
		dg_valuef(g, "DiskGB", "%u", dg_chance(g, 70) ? 512 : 1024);
		if (assigned)
			dg_valuef(g, "IPAddress", "10.%u.%u.%u", 10 + loc,
				  32 + i / 200, 10 + i % 200);
		dg_value(g, "IsLaptop", laptop ? "true" : "false");
		demo_link_person(g, w, "OwnerLink", owner);
		demo_link_team(g, "OwnerTeam",
			       demo_team_index("DesktopSupport"));
		dg_link(g, "LocationLink", "Location", demo_location_keys[loc]);
		if (dg_finish(g, found))
			return g->error;
	}
	return 0;
}

static int gen_servers(dg_gen *g)
{
	char serial[32], tag[32], guid[37];
	unsigned i;

	dg_seed(g, "CI#Server");
	for (i = 0; i < N(servers); i++) {
		int64_t bought = g->now -
				 demo_between(g, 90 * DG_DAY, 5 * DEMO_YEAR);
		int64_t found = discovered(g, bought);
		bool virt = servers[i].virt;

		snprintf(serial, sizeof(serial), "%s%06u",
			 virt ? "VMW-" : "SRV", (unsigned)dg_below(g, 1000000));
		snprintf(tag, sizeof(tag), "ACME-%05u", 900 + i);
		dg_guid(guid, TFS_KIND_DATA, "discovery", servers[i].name);
		dg_begin(g, TFS_KIND_DATA, "CI#Server", "Record",
			 servers[i].name, "CI#Server");
		demo_stamps(g, found, "svc.discovery", found, "svc.discovery");
		dg_value(g, "Name", servers[i].name);
		dg_value(g, "AssetTag", tag);
		dg_value(g, "SerialNumber", serial);
		dg_value(g, "Status", "Deployed");
		dg_value(g, "Manufacturer", virt ? "VMware" : "Dell");
		dg_value(g, "Model",
			 virt ? "Virtual Machine" : "PowerEdge R650");
		dg_value(g, "DiscoveryId", guid);
		demo_value_date(g, "PurchaseDate", bought);
		if (!virt)
			demo_value_date(g, "WarrantyExpiry",
					bought + 5 * DEMO_YEAR);
		dg_value(g, "Hostname", servers[i].name);
		dg_value(g, "OperatingSystem", servers[i].os);
		dg_value(g, "ServerRole", servers[i].role);
		dg_valuef(g, "CPUCount", "%u", virt ? 4 : 32);
		dg_valuef(g, "MemoryGB", "%u", virt ? 16 : 256);
		dg_valuef(g, "IPAddress", "10.%u.0.%u", servers[i].location,
			  20 + i);
		dg_value(g, "IsVirtual", virt ? "true" : "false");
		demo_link_team(g, "OwnerTeam",
			       demo_team_index(
				       servers[i].code == 'S' ?
					       "DatabaseAdministration" :
					       "ServerOperations"));
		dg_link(g, "LocationLink", "Location",
			demo_location_keys[servers[i].location]);
		if (dg_finish(g, found))
			return g->error;
	}
	return 0;
}

static const struct {
	const char *title, *category, *keywords, *body;
	const char *q1, *a1, *q2, *a2;
} articles[] = {
	{ "How to reset your password", "Password Reset",
	  "password reset locked account",
	  "Use the self-service portal: "
	  "choose 'Forgot password', answer your security questions and "
	  "pick a new password of at least 12 characters.",
	  "What if I have not enrolled?",
	  "Call the service desk; an analyst "
	  "verifies your identity and resets it.",
	  "How long does a lockout last?",
	  "30 minutes, or until the service "
	  "desk unlocks it." },
	{ "Connecting to the VPN from home", "VPN", "vpn remote home",
	  "Start the VPN client, choose 'Acme Corporate' and approve the "
	  "sign-in on your authenticator app.",
	  "The client says authentication failed",
	  "Check that your token or "
	  "authenticator app is registered; re-enrol if you changed phone.",
	  "The VPN keeps dropping",
	  "Switch the profile to 'Acme Corporate "
	  "(TCP)' in the client settings." },
	{ "Setting up e-mail on your phone", "Mobile Device",
	  "iphone android mdm email",
	  "Install the company portal app, enrol "
	  "the device and add your account in the mail app.",
	  "Mail stopped syncing",
	  "Open the company portal and tap 'check "
	  "status'; re-enrol if asked.",
	  NULL, NULL },
	{ "Outlook keeps asking for my password", "Email and Calendar",
	  "outlook password prompt",
	  "Close Outlook, remove the saved Office "
	  "credentials in Credential Manager and start Outlook again.",
	  "It still asks",
	  "Raise an incident; the profile may need to be "
	  "re-created.",
	  NULL, NULL },
	{ "Printing with follow-me", "Printer", "print follow me badge",
	  "Print to the FollowMe queue, then badge in at any printer to "
	  "release your job within 24 hours.",
	  "My job does not appear",
	  "Make sure the job went to FollowMe, not "
	  "a direct printer queue.",
	  "Can I print in colour?",
	  "Yes, choose "
	  "colour in the print dialogue; colour is charged to your cost "
	  "centre." },
	{ "Requesting new hardware", "Hardware", "laptop monitor request",
	  "Use the service catalogue: New Laptop, Additional Monitor or "
	  "Mobile Phone. Laptops need your manager's approval.",
	  "How long does a laptop take?",
	  "About seven working days after "
	  "approval.",
	  NULL, NULL },
	{ "Reporting a phishing e-mail", "Security", "phishing spam report",
	  "Do not open links or attachments. Use 'Report message' in "
	  "Outlook; Security Operations reviews every report.",
	  "I clicked the link",
	  "Call the service desk at once and change "
	  "your password.",
	  NULL, NULL },
	{ "Using the Wi-Fi in the offices", "Wi-Fi", "wifi wireless guest",
	  "Staff devices join 'Acme' automatically. Guests use 'Acme-Guest' "
	  "with a voucher from reception.",
	  NULL, NULL, NULL, NULL },
	{ "Booking and using meeting rooms", "Facilities",
	  "meeting room av display",
	  "Book rooms in the calendar. Connect "
	  "to the display with the HDMI cable or share wirelessly.",
	  "The display shows no signal",
	  "Select the HDMI input with the "
	  "remote; if it persists, raise an incident.",
	  NULL, NULL },
	{ "Installing software from the company portal", "Software",
	  "install software portal",
	  "Open the company portal, search for "
	  "the application and click Install. Licensed software needs a "
	  "service request.",
	  NULL, NULL, NULL, NULL },
	{ "Working with shared mailboxes", "Email and Calendar",
	  "shared mailbox",
	  "Shared mailboxes appear in Outlook "
	  "automatically once access is granted; allow an hour.",
	  NULL, NULL, NULL, NULL },
	{ "Multi-factor authentication on a new phone", "Access and Accounts",
	  "mfa authenticator new phone",
	  "Before you change phones, add the "
	  "new phone in the security info page; then remove the old one.",
	  "I already lost the old phone",
	  "The service desk can reset your "
	  "MFA registration after verifying your identity.",
	  NULL, NULL },
	{ "Docking station troubleshooting", "Monitor", "dock monitor display",
	  "Check that the dock has power, then unplug and replug the USB-C "
	  "cable. Update firmware from the company portal.",
	  NULL, NULL, NULL, NULL },
	{ "Excel crashes with large workbooks", "Office Applications",
	  "excel crash add-in",
	  "Start Excel in safe mode (hold Ctrl); if it "
	  "works, disable add-ins one by one.",
	  NULL, NULL, NULL, NULL },
	{ "Expense approvals stuck in the workflow", "Business Application",
	  "expenses approval",
	  "If an approver is on leave, the request "
	  "times out. Ask the service desk to re-trigger the approval.",
	  NULL, NULL, NULL, NULL },
	{ "Lost or stolen device", "Mobile Device", "lost stolen wipe",
	  "Report it at once by phone. The device is wiped remotely and a "
	  "replacement can be requested.",
	  NULL, NULL, NULL, NULL },
	{ "Starting at Acme: your first day in IT", "Access and Accounts",
	  "new starter onboarding",
	  "Your manager requests your account and "
	  "laptop. On day one, sign in with the temporary password from HR "
	  "and set up MFA.",
	  NULL, NULL, NULL, NULL },
	{ "Desk phone shows no service", "Telephony", "desk phone",
	  "Unplug the network cable from the phone for ten seconds. If the "
	  "message stays, raise an incident.",
	  NULL, NULL, NULL, NULL },
	{ "Teams call quality tips", "Office Applications", "teams audio video",
	  "Use a wired connection where you can, close "
	  "video when the network is busy and keep headset firmware up to "
	  "date.",
	  NULL, NULL, NULL, NULL },
	{ "Where to find your payslip", "HR Services", "payslip hr portal",
	  "Payslips are in the HR portal under Pay. Questions about tax "
	  "codes go to HR Services.",
	  NULL, NULL, NULL, NULL },
	{ "Saving files to OneDrive and shared drives", "Software",
	  "files onedrive shared drive",
	  "Personal files belong in "
	  "OneDrive; team files on the department share.",
	  NULL, NULL, NULL, NULL },
	{ "Legacy fax service retired", "Telephony", "fax",
	  "The fax service was switched off. Use secure e-mail instead.", NULL,
	  NULL, NULL, NULL },
};

static int gen_knowledge(dg_gen *g, const demo_world *w)
{
	char key[32], qkey[48];
	unsigned i, n = N(articles);

	dg_seed(g, "FRS_Knowledge");
	for (i = 0; i < n; i++) {
		int64_t created = i < 16 ? g->install +
						   demo_between(g, DG_DAY,
								60 * DG_DAY) :
					   dg_past(g, 200 * DG_DAY);
		int64_t published = created +
				    demo_between(g, DG_HOUR, 4 * DG_DAY);
		int author = demo_member(
			g, w,
			dg_chance(g, 50) ?
				demo_team_index("ServiceDesk") :
				demo_team_index("ApplicationSupport"));
		const char *status = "Published";

		if (i == n - 1)
			status = "Retired";
		else if (i == n - 2)
			status = "In Review";
		else if (i == n - 3)
			status = "Draft";
		if (published > g->now - 60)
			status = "Draft";
		snprintf(key, sizeof(key), "KB-%u", 1001 + i);
		dg_begin(g, TFS_KIND_DATA, "FRS_Knowledge", "Record", key,
			 "FRS_Knowledge");
		demo_stamps(g, created, w->people[author].key,
			    strcmp(status, "Draft") ?
				    demo_min64(published, g->now - 60) :
				    created,
			    w->people[author].key);
		dg_valuef(g, "ArticleNumber", "%u", 1001 + i);
		dg_value(g, "Title", articles[i].title);
		dg_value(g, "Body", articles[i].body);
		dg_value(g, "Keywords", articles[i].keywords);
		dg_value(g, "Status", status);
		dg_value(g, "Category", articles[i].category);
		if (!strcmp(status, "Published") ||
		    !strcmp(status, "Retired")) {
			dg_value_time(g, "PublishedDateTime", published);
			demo_value_date(g, "ExpiryDate", published + DEMO_YEAR);
			dg_valuef(g, "ViewCount", "%u",
				  (unsigned)dg_below(g, 2000));
		} else {
			dg_value(g, "ViewCount", "0");
		}
		dg_value(g, "IsPublic", dg_chance(g, 85) ? "true" : "false");
		demo_link_person(g, w, "AuthorLink", author);
		if (dg_finish(g, created))
			return g->error;
		if (!articles[i].q1)
			continue;
		snprintf(qkey, sizeof(qkey), "%s.QA1", key);
		dg_begin(g, TFS_KIND_DATA, "FRS_Knowledge.QandA", "Record",
			 qkey, "FRS_Knowledge.QandA");
		demo_stamps(g, created, w->people[author].key, created,
			    w->people[author].key);
		dg_value(g, "Question", articles[i].q1);
		dg_value(g, "Answer", articles[i].a1);
		dg_value(g, "SortOrder", "1");
		dg_link(g, "ArticleLink", "FRS_Knowledge", key);
		if (dg_finish(g, created))
			return g->error;
		if (!articles[i].q2)
			continue;
		snprintf(qkey, sizeof(qkey), "%s.QA2", key);
		dg_begin(g, TFS_KIND_DATA, "FRS_Knowledge.QandA", "Record",
			 qkey, "FRS_Knowledge.QandA");
		demo_stamps(g, created, w->people[author].key, created,
			    w->people[author].key);
		dg_value(g, "Question", articles[i].q2);
		dg_value(g, "Answer", articles[i].a2);
		dg_value(g, "SortOrder", "2");
		dg_link(g, "ArticleLink", "FRS_Knowledge", key);
		if (dg_finish(g, created))
			return g->error;
	}
	return 0;
}

/* ---- tasks and journal entries ------------------------------------------- */

static int cmp_task(const void *a, const void *b)
{
	return cmp_time(&((const demo_task *)a)->t, &((const demo_task *)b)->t);
}

static int cmp_journal(const void *a, const void *b)
{
	return cmp_time(&((const demo_journal *)a)->t,
			&((const demo_journal *)b)->t);
}

static int write_tasks(dg_gen *g, demo_world *w)
{
	char key[32];
	size_t i;

	qsort(w->tasks, w->ntasks, sizeof(demo_task), cmp_task);
	for (i = 0; i < w->ntasks; i++) {
		const demo_task *t = &w->tasks[i];
		int64_t created = demo_min64(t->t, g->now - 60);
		const char *who = t->owner >= 0 ? w->people[t->owner].key :
						  "svc.workflow";

		snprintf(key, sizeof(key), "TSK-%zu", 40001 + i);
		dg_begin(g, TFS_KIND_DATA, "Task", "Record", key, "Task");
		demo_stamps(g, created, "svc.workflow",
			    t->done ? demo_min64(t->done, g->now - 60) :
				      created,
			    who);
		dg_valuef(g, "AssignmentID", "%zu", 40001 + i);
		dg_value(g, "Subject", t->subject);
		dg_valuef(g, "Details", "Created by the %s workflow of %s.",
			  t->of.bo, t->of.key);
		dg_value(g, "Status", t->status);
		dg_value(g, "TaskType", t->type);
		dg_value(g, "Priority", t->priority);
		dg_value(g, "ParentBusinessObject", t->of.bo);
		demo_value_hours(g, "PlannedEffort", t->planned_q);
		if (t->actual_q)
			demo_value_hours(g, "ActualEffort", t->actual_q);
		demo_value_date(g, "DueDate", t->due);
		if (t->done)
			dg_value_time(g, "CompletedDateTime",
				      demo_min64(t->done, g->now - 60));
		demo_link_person(g, w, "Owner", t->owner);
		demo_link_team(g, "OwnerTeam", t->team);
		dg_link(g, "ParentLink", t->of.bo, t->of.key);
		if (dg_finish(g, created))
			return g->error;
	}
	return 0;
}

static int write_journals(dg_gen *g, demo_world *w)
{
	char key[32];
	size_t i;

	qsort(w->journals, w->njournals, sizeof(demo_journal), cmp_journal);
	for (i = 0; i < w->njournals; i++) {
		const demo_journal *j = &w->journals[i];
		int64_t t = demo_min64(j->t, g->now - 60);
		const char *who = j->author >= 0 ? w->people[j->author].key :
						   "svc.workflow";

		snprintf(key, sizeof(key), "JRN-%zu", 100001 + i);
		dg_begin(g, TFS_KIND_DATA, "Journal", "Record", key, "Journal");
		demo_stamps(g, t, who, t, who);
		dg_valuef(g, "JournalNumber", "%zu", 100001 + i);
		dg_value(g, "Subject", j->subject);
		dg_value(g, "Body", j->body);
		dg_value(g, "Category", j->category);
		if (j->source)
			dg_value(g, "Source", j->source);
		dg_value(g, "ParentBusinessObject", j->of.bo);
		dg_value(g, "IsPublic", j->is_public ? "true" : "false");
		if (j->from[0])
			dg_value(g, "EmailFrom", j->from);
		if (j->to[0])
			dg_value(g, "EmailTo", j->to);
		dg_link(g, "ParentLink", j->of.bo, j->of.key);
		if (dg_finish(g, t))
			return g->error;
	}
	return 0;
}

int demo_gen_records(dg_gen *g)
{
	demo_world w;
	unsigned t, p = 0;

	memset(&w, 0, sizeof(w));
	demo_people(w.people);
	assert(demo_nteams <= N(w.team_first));
	for (t = 0; t < demo_nteams; t++) {
		w.team_first[t] = p;
		p += demo_teams[t].size;
	}
	/* each stops at the first error, which stays in g->error */
	if (!gen_computers(g, &w) && !gen_servers(g) && !gen_knowledge(g, &w) &&
	    !demo_gen_problems(g, &w) && !demo_gen_incidents(g, &w) &&
	    !demo_gen_changes(g, &w) && !demo_gen_requests(g, &w) &&
	    !write_tasks(g, &w))
		write_journals(g, &w);
	free(w.tasks);
	free(w.journals);
	return g->error;
}
