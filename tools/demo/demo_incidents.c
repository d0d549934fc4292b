/*
 * Demo content: transactional records, part 2: problems and incidents,
 * with the journal entries incidents collect (notes, calls, e-mails,
 * resolutions).  An incident's priority follows the urgency/impact matrix
 * (raised for VIPs, as the Incident.PriorityMatrix.VIP rule override
 * says), its deadlines the escalation schedules, its duration its
 * priority; about a fifth wait days or weeks for customers, vendors or
 * parts, which keeps a realistic open backlog.  Called from
 * demo_gen_records() (demo_data.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_rec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define N_INCIDENTS 1500

/* Where an incident's configuration item comes from. */
enum {
	CI_NONE = 0,
	/* the customer's laptop; any other value is the role code of a
	 * server (demo_data.c) */
	CI_PC = 'P',
};

typedef struct inc_tmpl {
	const char *subject, *symptom, *category, *service, *team;
	const char *cause, *resolution;
	char ci;
	bool monitored; /* raised by monitoring, usually severe */
	int problem;    /* index into problems[], or -1 */
	unsigned weight;
} inc_tmpl;

static const inc_tmpl incidents[] = {
	{ "Laptop will not power on",
	  "The laptop does not start even when "
	  "plugged in; the charging light stays off.",
	  "Laptop", "Workplace Devices", "DesktopSupport", "Hardware Failure",
	  "Replaced the faulty power adapter; the laptop boots normally.",
	  CI_PC, false, -1, 4 },
	{ "Laptop battery drains within an hour",
	  "Battery goes from full to "
	  "empty in about an hour of normal use.",
	  "Laptop", "Workplace Devices", "DesktopSupport", "Hardware Failure",
	  "Battery failed the health check and was replaced under warranty.",
	  CI_PC, false, 0, 3 },
	{ "Docking station not detecting external monitors",
	  "Both external "
	  "screens stay black when the laptop is docked.",
	  "Monitor", "Workplace Devices", "DesktopSupport",
	  "Configuration Error",
	  "Updated the dock firmware and display driver; both monitors "
	  "detected.",
	  CI_PC, false, 1, 4 },
	{ "Blue screen after Windows update",
	  "The PC shows a blue screen "
	  "(DRIVER_IRQL_NOT_LESS_OR_EQUAL) since last night's update.",
	  "Operating System", "Workplace Devices", "DesktopSupport",
	  "Software Defect",
	  "Rolled back the faulty driver update and "
	  "blocked it in the update ring.",
	  CI_PC, false, 2, 2 },
	{ "Outlook keeps asking for password",
	  "Outlook prompts for "
	  "credentials every few minutes and never connects.",
	  "Email and Calendar", "Email and Collaboration", "ApplicationSupport",
	  "Configuration Error",
	  "Cleared cached "
	  "credentials and re-created the Outlook profile.",
	  CI_NONE, false, 3, 6 },
	{ "Cannot send e-mail to external recipients",
	  "Messages to "
	  "external addresses bounce with 550 5.7.1 relay denied.",
	  "Email and Calendar", "Email and Collaboration", "ApplicationSupport",
	  "Configuration Error",
	  "Corrected the "
	  "outbound connector after the certificate renewal.",
	  'M', false, 4, 2 },
	{ "Shared calendar not updating",
	  "Changes made by colleagues to "
	  "the team calendar do not show up.",
	  "Email and Calendar", "Email and Collaboration", "ApplicationSupport",
	  "Software Defect",
	  "Removed and re-added the shared calendar; synchronisation "
	  "restored.",
	  CI_NONE, false, -1, 3 },
	{ "Mailbox full - cannot receive e-mail",
	  "Warning that the mailbox "
	  "is over its quota; senders get bounces.",
	  "Email and Calendar", "Email and Collaboration", "ServiceDesk",
	  "User Error", "Archived old items and enabled the online archive.",
	  CI_NONE, false, -1, 3 },
	{ "VPN disconnects every few minutes",
	  "The VPN connection drops "
	  "every 5-10 minutes when working from home.",
	  "VPN", "Network and Connectivity", "NetworkOperations",
	  "Configuration Error",
	  "Updated the VPN client and switched the "
	  "profile to TCP.",
	  CI_PC, false, 5, 5 },
	{ "Cannot connect to VPN from home",
	  "VPN client reports "
	  "'authentication failed' although the password is correct.",
	  "VPN", "Network and Connectivity", "NetworkOperations", "User Error",
	  "The hardware token had expired; re-enrolled MFA.", CI_PC, false, -1,
	  4 },
	{ "Wi-Fi very slow on 3rd floor",
	  "Web pages take ages to load on "
	  "the corporate Wi-Fi near the east meeting rooms.",
	  "Wi-Fi", "Network and Connectivity", "NetworkOperations", "Capacity",
	  "Added an access point and rebalanced channels on floor 3.", CI_NONE,
	  false, 6, 3 },
	{ "No network connection at desk",
	  "Wired network shows 'unidentified "
	  "network' at hot desk 4.12.",
	  "Network", "Network and Connectivity", "NetworkOperations",
	  "Hardware Failure",
	  "Patched the floor port to the correct VLAN and replaced the "
	  "cable.",
	  CI_PC, false, -1, 2 },
	{ "Account locked out",
	  "Cannot log in: 'your account has been "
	  "locked'.",
	  "Password Reset", "Identity and Access", "ServiceDesk", "User Error",
	  "Verified identity, unlocked the account and reset "
	  "the password.",
	  CI_NONE, false, -1, 12 },
	{ "Forgot password for the HR portal",
	  "Password for the HR portal "
	  "is not accepted after the holidays.",
	  "Password Reset", "Identity and Access", "ServiceDesk", "User Error",
	  "Reset the "
	  "password and sent a self-service enrolment link.",
	  CI_NONE, false, -1, 6 },
	{ "MFA prompt not arriving on new phone",
	  "Authenticator app on the "
	  "new phone does not receive sign-in requests.",
	  "Access and Accounts", "Identity and Access", "ServiceDesk",
	  "Configuration Error",
	  "Re-registered the authenticator app on the "
	  "new device.",
	  CI_NONE, false, -1, 4 },
	{ "Access denied to Finance shared drive",
	  "Since moving teams the "
	  "S: drive says 'access denied'.",
	  "Access and Accounts", "Identity and Access", "ServiceDesk",
	  "Configuration Error",
	  "Added the user to the correct security group.", CI_NONE, false, -1,
	  3 },
	{ "Printer on 2nd floor jams constantly",
	  "The large MFP by the "
	  "kitchen jams on almost every job.",
	  "Printer", "Printing", "DesktopSupport", "Hardware Failure",
	  "Replaced the pickup roller; "
	  "test prints OK.",
	  'Q', false, -1, 3 },
	{ "Cannot print to the follow-me queue",
	  "Jobs sent to FollowMe never "
	  "appear at the printer.",
	  "Printer", "Printing", "DesktopSupport", "Configuration Error",
	  "Re-installed the print driver and re-mapped "
	  "the queue.",
	  'Q', false, 7, 4 },
	{ "Excel crashes when opening large workbook",
	  "Excel closes without "
	  "a message when opening the monthly forecast workbook.",
	  "Office Applications", "Business Applications", "ApplicationSupport",
	  "Software Defect",
	  "Disabled the faulty "
	  "add-in and applied the latest Office update.",
	  CI_PC, false, 8, 3 },
	{ "Teams meeting audio drops",
	  "Audio cuts out for several seconds "
	  "in every Teams call.",
	  "Office Applications", "Email and Collaboration",
	  "ApplicationSupport", "Third Party",
	  "Headset firmware issue; firmware updated.", CI_PC, false, 9, 4 },
	{ "SAP transaction times out",
	  "Transaction VA01 times out during "
	  "the morning peak.",
	  "Business Application", "Business Applications", "ApplicationSupport",
	  "Capacity",
	  "Increased work processes on the application server and moved a "
	  "batch job.",
	  'A', false, 10, 3 },
	{ "CRM not loading customer records",
	  "Customer pages in the CRM stay "
	  "blank after search.",
	  "Business Application", "Business Applications", "ApplicationSupport",
	  "Software Defect",
	  "Restarted the CRM service after a memory leak; vendor case "
	  "opened.",
	  'C', false, 11, 3 },
	{ "Expense report stuck in approval",
	  "Expense report submitted two "
	  "weeks ago still shows 'awaiting approval'.",
	  "Business Application", "Business Applications", "ApplicationSupport",
	  "Software Defect",
	  "Re-triggered the approval "
	  "workflow; report approved.",
	  CI_NONE, false, 12, 3 },
	{ "Payroll database running slowly",
	  "Payroll reports take over ten "
	  "minutes instead of one.",
	  "Database", "Hosting and Data Centre", "DatabaseAdministration",
	  "Capacity",
	  "Rebuilt fragmented indexes "
	  "and updated statistics.",
	  'S', false, 13, 2 },
	{ "Nightly database backup failed",
	  "Backup job for lon-sql-01 "
	  "failed: insufficient space on the backup target.",
	  "Database", "Hosting and Data Centre", "DatabaseAdministration",
	  "Configuration Error",
	  "Purged expired backups and re-ran the "
	  "job.",
	  'S', true, 14, 2 },
	{ "File server disk almost full",
	  "Monitoring: volume D: on the file "
	  "server above 95% used.",
	  "Server", "Hosting and Data Centre", "ServerOperations", "Capacity",
	  "Extended the volume by 500 GB and "
	  "enabled quotas.",
	  'F', true, 15, 2 },
	{ "Server unreachable - monitoring alert",
	  "Monitoring: host down, "
	  "no response to ping for 5 minutes.",
	  "Server", "Hosting and Data Centre", "ServerOperations",
	  "Hardware Failure",
	  "Failed power supply replaced; server back online.", 'A', true, 16,
	  2 },
	{ "Website certificate expires in 7 days",
	  "Monitoring: TLS "
	  "certificate of www.acme.example expires soon.",
	  "Server", "Hosting and Data Centre", "ServerOperations",
	  "Configuration Error",
	  "Certificate renewed and deployed to the "
	  "load balancer.",
	  'W', true, 17, 1 },
	{ "Suspicious e-mail with attachment received",
	  "Received an invoice "
	  "e-mail from an unknown sender with a .zip attachment.",
	  "Security", "Information Security", "SecurityOperations", "Unknown",
	  "Phishing confirmed; message purged from all mailboxes and sender "
	  "blocked.",
	  CI_NONE, false, 18, 4 },
	{ "Antivirus reports threat on laptop",
	  "Endpoint protection popup: "
	  "threat quarantined, action required.",
	  "Security", "Information Security", "SecurityOperations", "Unknown",
	  "Full scan clean after quarantine; re-imaged as a precaution.", CI_PC,
	  false, -1, 2 },
	{ "Lost company phone",
	  "Left the company phone in a taxi last "
	  "night.",
	  "Mobile Device", "Workplace Devices", "SecurityOperations",
	  "User Error",
	  "Device remotely wiped and a "
	  "replacement ordered.",
	  CI_NONE, false, -1, 2 },
	{ "Mobile e-mail not syncing on iPhone",
	  "Mail on the iPhone stopped "
	  "updating yesterday.",
	  "Mobile Device", "Email and Collaboration", "ServiceDesk",
	  "Configuration Error",
	  "Removed and re-enrolled the "
	  "device in MDM.",
	  CI_NONE, false, 19, 4 },
	{ "Desk phone shows 'No service'",
	  "Desk phone display reads 'No "
	  "service' and there is no dial tone.",
	  "Telephony", "Telephony", "NetworkOperations", "Configuration Error",
	  "Re-provisioned the "
	  "handset on the call manager.",
	  CI_NONE, false, 20, 2 },
	{ "Meeting room display not working",
	  "The screen in meeting room "
	  "Thames shows 'no signal'.",
	  "Facilities", "Facilities", "Facilities", "Hardware Failure",
	  "HDMI switcher replaced.", CI_NONE, false, 21, 2 },
	{ "Server room temperature alarm",
	  "Temperature alarm from the "
	  "London server room.",
	  "Facilities", "Facilities", "Facilities", "Hardware Failure",
	  "Facilities engineer reset the cooling unit; "
	  "temperature normal.",
	  CI_NONE, true, 22, 1 },
	{ "Monitor flickering",
	  "Second monitor flickers and goes dark "
	  "intermittently.",
	  "Monitor", "Workplace Devices", "DesktopSupport", "Hardware Failure",
	  "Monitor replaced from stock.", CI_NONE, false, -1, 3 },
	{ "New starter cannot log in on first day",
	  "New team member gets "
	  "'account disabled' at first login.",
	  "Access and Accounts", "Identity and Access", "ServiceDesk",
	  "Configuration Error",
	  "Account was created disabled; enabled it and assigned a licence.",
	  CI_NONE, false, 23, 2 },
	{ "Application install blocked by policy",
	  "Installing the project "
	  "planning tool fails: blocked by your administrator.",
	  "Software", "Workplace Devices", "DesktopSupport",
	  "Configuration Error",
	  "Published the application in the company portal.", CI_PC, false, -1,
	  3 },
	{ "Payslip shows wrong tax code",
	  "This month's payslip uses an "
	  "emergency tax code.",
	  "HR Services", "HR Services", "HRServices", "Third Party",
	  "Payroll provider corrected the tax code for the "
	  "next run.",
	  CI_NONE, false, -1, 1 },
	{ "Keyboard keys not responding",
	  "Several keys on the laptop "
	  "keyboard do nothing.",
	  "Desktop", "Workplace Devices", "DesktopSupport", "Hardware Failure",
	  "Keyboard replaced.", CI_PC, false, -1, 2 },
	{ "Slow login to desktop",
	  "Login takes more than five minutes at "
	  "'applying group policy'.",
	  "Operating System", "Workplace Devices", "DesktopSupport",
	  "Configuration Error",
	  "Removed a stale drive "
	  "mapping from the login script.",
	  CI_PC, false, 24, 3 },
};

/* Problems, one per recurring cause; incidents[].problem points here. */
static const struct {
	const char *subject, *category, *team, *root_cause, *workaround;
} problems[DEMO_NPROBLEMS] = {
	{ "Batch of laptop batteries failing early", "Laptop", "DesktopSupport",
	  "A 2022 production batch of batteries loses "
	  "capacity after 300 cycles.",
	  "Replace under warranty; check the "
	  "serial range." },
	{ "Docks lose displays after sleep", "Monitor", "DesktopSupport",
	  "Dock firmware 1.0.3 mishandles DisplayPort wake.",
	  "Undock and re-dock the laptop." },
	{ "Display driver update causes blue screens", "Operating System",
	  "DesktopSupport",
	  "Vendor driver 31.0.101 conflicts with the "
	  "endpoint agent.",
	  "Roll back the driver." },
	{ "Repeated credential prompts in Outlook", "Email and Calendar",
	  "ApplicationSupport",
	  "Modern authentication disabled by a "
	  "registry policy on older builds.",
	  "Clear cached credentials." },
	{ "External mail rejected after certificate renewal",
	  "Email and Calendar", "ApplicationSupport",
	  "Connector still bound "
	  "to the old certificate.",
	  "Route via the backup smart host." },
	{ "VPN drops on some home routers", "VPN", "NetworkOperations",
	  "UDP fragmentation on routers with a low MTU.",
	  "Switch the VPN profile to TCP." },
	{ "Poor Wi-Fi coverage on floor 3", "Wi-Fi", "NetworkOperations",
	  "Too few access points for the new open-plan layout.",
	  "Use the wired docks in the meeting rooms." },
	{ "Follow-me printing loses jobs", "Printer", "DesktopSupport",
	  "Print server spooler crashes on some PCL6 jobs.",
	  "Print with the PostScript driver." },
	{ "Excel add-in crashes on large workbooks", "Office Applications",
	  "ApplicationSupport", "Reporting add-in 5.2 leaks memory.",
	  "Disable the add-in for large files." },
	{ "Headset audio drops in Teams", "Office Applications",
	  "ApplicationSupport", "Headset firmware power saving.",
	  "Use the laptop's built-in audio." },
	{ "SAP performance during morning peak", "Business Application",
	  "ApplicationSupport",
	  "Too few dialog work processes for the new "
	  "users.",
	  "Avoid large reports before 10:00." },
	{ "CRM service memory leak", "Business Application",
	  "ApplicationSupport",
	  "Search cache never released (vendor bug "
	  "CRM-4411).",
	  "Nightly service restart." },
	{ "Expense approvals stuck", "Business Application",
	  "ApplicationSupport",
	  "Approval workflow times out when the "
	  "approver is on leave.",
	  "Re-trigger the workflow." },
	{ "Payroll database slows at month end", "Database",
	  "DatabaseAdministration",
	  "Index fragmentation after bulk "
	  "imports.",
	  "Rebuild indexes before the payroll run." },
	{ "Backup target running out of space", "Database",
	  "DatabaseAdministration",
	  "Retention not applied to copy-only "
	  "backups.",
	  "Purge manually." },
	{ "File server growth outpaces capacity", "Server", "ServerOperations",
	  "No quotas on departmental shares.", "Extend the volume." },
	{ "Application servers losing power", "Server", "ServerOperations",
	  "Ageing power supplies in rack B4.",
	  "Fail over to the standby "
	  "node." },
	{ "Certificates expire without warning", "Server", "ServerOperations",
	  "No inventory of certificates.", "Monitoring checks expiry." },
	{ "Phishing campaign targeting finance", "Security",
	  "SecurityOperations", "Look-alike domain sending fake invoices.",
	  "Block the sender domain." },
	{ "MDM profile expires on iOS devices", "Mobile Device", "ServiceDesk",
	  "Enrolment certificate not renewed automatically.",
	  "Re-enrol the device." },
	{ "Desk phones lose registration", "Telephony", "NetworkOperations",
	  "Call manager rejects phones after DHCP lease renewal.",
	  "Restart the handset." },
	{ "Meeting room AV switchers failing", "Facilities", "Facilities",
	  "A faulty batch of HDMI switchers.",
	  "Connect directly to the "
	  "display." },
	{ "Server room cooling unreliable", "Facilities", "Facilities",
	  "Cooling unit compressor near end of life.",
	  "Portable cooling on standby." },
	{ "New accounts created disabled", "Access and Accounts", "ServiceDesk",
	  "HR feed sends the start date in the wrong time "
	  "zone.",
	  "Enable the account manually." },
	{ "Slow logins from stale drive mappings", "Operating System",
	  "DesktopSupport", "Login script maps retired file shares.",
	  "Remove the mapping by hand." },
};

/* ---- problems and incidents ---------------------------------------------- */

int demo_gen_problems(dg_gen *g, demo_world *w)
{
	static const unsigned level_w[3] = { 20, 50, 30 };
	static const char *const levels[3] = { "High", "Medium", "Low" };
	char key[32];
	int64_t *times;
	unsigned i;

	dg_seed(g, "Problem");
	times = demo_creation_times(g, DEMO_NPROBLEMS, DEMO_YEAR - 20 * DG_DAY);
	if (!times)
		return g->error;
	for (i = 0; i < DEMO_NPROBLEMS; i++) {
		unsigned p = (i * 7) % DEMO_NPROBLEMS; /* spread the causes */
		int64_t created = times[i], age = g->now - created;
		int64_t resolved = created +
				   demo_between(g, 20 * DG_DAY, 90 * DG_DAY);
		int team = demo_team_index(problems[p].team);
		int owner = demo_member(g, w, team);
		unsigned u = dg_pick(g, level_w, 3),
			 im = dg_pick(g, level_w, 3);
		const char *status;
		bool known;

		w->problem_created[p] = created;
		if (age < 30 * DG_DAY)
			status = dg_chance(g, 30) ? "Logged" : "Investigation";
		else if (resolved > g->now - DG_DAY || dg_chance(g, 30))
			status = dg_chance(g, 60) ? "Known Error" :
						    "Investigation";
		else
			status = resolved + 14 * DG_DAY < g->now &&
						 dg_chance(g, 75) ?
					 "Closed" :
					 "Resolved";
		known = strcmp(status, "Logged") &&
			strcmp(status, "Investigation");
		snprintf(key, sizeof(key), "PRB-%u", 5001 + i);
		dg_begin(g, TFS_KIND_DATA, "Problem", "Record", key, "Problem");
		demo_stamps(g, created, w->people[owner].key,
			    known ? demo_min64(resolved, g->now - 60) : created,
			    w->people[owner].key);
		dg_valuef(g, "ProblemNumber", "%u", 5001 + i);
		dg_value(g, "Subject", problems[p].subject);
		dg_valuef(g, "Description", "Recurring incidents in %s. %s",
			  problems[p].category,
			  known ? "Root cause identified." :
				  "Under investigation.");
		dg_value(g, "Status", status);
		dg_valuef(g, "Priority", "%u", 2 + (u + im) / 2);
		dg_value(g, "Urgency", levels[u]);
		dg_value(g, "Impact", levels[im]);
		dg_value(g, "Category", problems[p].category);
		if (known) {
			dg_value(g, "RootCause", problems[p].root_cause);
			dg_value(g, "Workaround", problems[p].workaround);
		}
		dg_value(g, "IsKnownError", known ? "true" : "false");
		if (!strcmp(status, "Resolved") || !strcmp(status, "Closed"))
			dg_value_time(g, "ResolvedDateTime", resolved);
		if (!strcmp(status, "Closed"))
			dg_value_time(g, "ClosedDateTime",
				      resolved + 14 * DG_DAY);
		demo_link_person(g, w, "Owner", owner);
		demo_link_team(g, "OwnerTeam", team);
		if (dg_finish(g, created))
			break;
	}
	free(times);
	return g->error;
}

static const char *const notes[] = {
	"Contacted the customer and gathered more details.",
	"Remote session established; investigating.",
	"Checked the logs; nothing unusual around the reported time.",
	"Asked the customer to restart and test again.",
	"Waiting for the vendor's response to our support case.",
	"Customer confirmed the workaround helps for now.",
	"Reproduced the issue on a test machine.",
	"Escalated to second line with the diagnostics attached.",
};

static void incident_journal(dg_gen *g, demo_world *w, const demo_parent *of,
			     const inc_tmpl *tp, int64_t created, int64_t until,
			     const char *source, int cust, int owner,
			     bool resolved)
{
	demo_journal *j;

	if (!strcmp(source, "Email") &&
	    (j = demo_add_journal(g, w, of, created, "Email Received", cust))) {
		snprintf(j->subject, sizeof(j->subject), "%s", tp->subject);
		snprintf(j->body, sizeof(j->body), "%s", tp->symptom);
		snprintf(j->from, sizeof(j->from), "%s@acme.example",
			 w->people[cust].key);
		snprintf(j->to, sizeof(j->to), "servicedesk@acme.example");
		j->source = "Email";
		j->is_public = true;
	}
	if (owner >= 0 && until - created > 20 * 60 && dg_chance(g, 45) &&
	    (j = demo_add_journal(g, w, of,
				  demo_between(g, created + 600, until), "Note",
				  owner))) {
		snprintf(j->subject, sizeof(j->subject), "Work note");
		snprintf(j->body, sizeof(j->body), "%s",
			 notes[dg_below(g, N(notes))]);
	}
	if (owner >= 0 && until - created > 3600 && dg_chance(g, 15) &&
	    (j = demo_add_journal(g, w, of,
				  demo_between(g, created + 1800, until),
				  "Phone Call", owner))) {
		snprintf(j->subject, sizeof(j->subject), "Call with %s",
			 w->people[cust].display);
		snprintf(j->body, sizeof(j->body),
			 "%s called for an update; "
			 "explained the next steps.",
			 w->people[cust].first);
		j->source = "Phone";
		j->is_public = true;
	}
	if (resolved && owner >= 0 && dg_chance(g, 35) &&
	    (j = demo_add_journal(g, w, of, until, "Resolution", owner))) {
		snprintf(j->subject, sizeof(j->subject), "Resolved: %s",
			 tp->subject);
		snprintf(j->body, sizeof(j->body), "%s", tp->resolution);
		j->is_public = true;
	}
}

/* What an incident's record says, decided before it is written. */
typedef struct inc_plan {
	const inc_tmpl *tp;
	int64_t created, resolved, closed, last, dur;
	int cust, team, owner, logger;
	const char *source, *status;
	unsigned u, im, pri;
	demo_parent of;
} inc_plan;

static const char *const levels[3] = { "High", "Medium", "Low" };

/*
 * Decide incident `i` created at `created`: who, how urgent, and how far
 * it has come by now (its age against its resolution target).
 */
static void incident_plan(dg_gen *g, demo_world *w, inc_plan *p,
			  const inc_tmpl *tp, int64_t created, unsigned i)
{
	static const unsigned src_w[] = { 30, 25, 30, 5, 10 };
	static const char *const sources[] = {
		"Phone", "Email", "Self Service", "Walk-in", "Chat",
	};
	static const unsigned urg_w[3] = { 15, 45, 40 },
			      imp_w[3] = { 10, 35, 55 };
	static const unsigned severe_w[3] = { 50, 40, 10 };
	static const unsigned matrix[3][3] = {
		{ 1, 2, 3 },
		{ 2, 3, 4 },
		{ 3, 4, 5 },
	};

	memset(p, 0, sizeof(*p));
	p->tp = tp;
	p->created = created;
	p->cust = demo_customer(g);
	p->team = demo_team_index(tp->team);
	p->owner = demo_member(g, w, p->team);
	p->logger = -1;
	p->source = sources[dg_pick(g, src_w, 5)];
	p->u = dg_pick(g, tp->monitored ? severe_w : urg_w, 3);
	p->im = dg_pick(g, tp->monitored ? severe_w : imp_w, 3);
	p->pri = matrix[p->u][p->im];
	if (tp->monitored) {
		p->source = "Monitoring";
		p->cust = demo_member(g, w, p->team); /* the service owner */
	}
	if (w->people[p->cust].vip && p->pri > 2)
		p->pri = 2;
	p->dur = (int64_t)demo_resolution_minutes[p->pri - 1] * 60 *
			 (int64_t)(15 + dg_below(g, 125)) / 100 +
		 (int64_t)dg_below(g, 1800) + 600;
	/* some wait for customers, vendors or parts */
	if (dg_chance(g, 20))
		p->dur += demo_between(g, 2 * DG_DAY, 60 * DG_DAY);
	if (dg_chance(g, 2)) {
		p->status = "Cancelled";
		p->closed = created + demo_between(g, 600, 2 * DG_DAY);
		p->closed = demo_min64(p->closed, g->now - 60);
	} else if (created + p->dur < g->now - 60) {
		p->resolved = created + p->dur;
		p->closed = p->resolved + 3 * DG_DAY;
		p->status = p->closed < g->now ? "Closed" : "Resolved";
		if (p->closed >= g->now)
			p->closed = 0;
	} else if (g->now - created < 2 * 3600 && dg_chance(g, 50)) {
		p->status = "Logged";
		p->owner = -1;
	} else {
		static const unsigned open_w[] = { 65, 25, 10 };
		static const char *const open[] = {
			"Active",
			"Waiting for Customer",
			"Waiting for 3rd Party",
		};

		p->status = open[dg_pick(g, open_w, 3)];
	}
	p->last = p->closed   ? p->closed :
		  p->resolved ? p->resolved :
				demo_between(g, created, g->now - 60);
	if (!strcmp(p->source, "Phone") || !strcmp(p->source, "Walk-in") ||
	    !strcmp(p->source, "Chat"))
		p->logger = demo_member(g, w, demo_team_index("ServiceDesk"));
	else if (strcmp(p->source, "Monitoring"))
		p->logger = p->cust;
	p->of.bo = "Incident";
	snprintf(p->of.key, sizeof(p->of.key), "INC-%u", 10001 + i);
}

/* The links of an incident: who, where, which CI, which problem. */
static void incident_links(dg_gen *g, demo_world *w, const inc_plan *p)
{
	const inc_tmpl *tp = p->tp;
	const char *server;

	demo_link_person(g, w, "ProfileLink", p->cust);
	dg_link(g, "OrgUnitLink", "OrgUnit",
		demo_orgunit_keys[w->people[p->cust].orgunit]);
	dg_link(g, "LocationLink", "Location",
		demo_location_keys[w->people[p->cust].location]);
	demo_link_person(g, w, "Owner", p->owner);
	demo_link_team(g, "OwnerTeam", p->team);
	if (tp->ci == CI_PC) {
		char ci[32];

		snprintf(ci, sizeof(ci), "ACME-LT-%04d", p->cust + 1);
		dg_link(g, "CILink", "CI#Computer", ci);
	} else if (tp->ci && (server = demo_server_with(g, tp->ci))) {
		dg_link(g, "CILink", "CI#Server", server);
	}
	if (tp->problem >= 0 &&
	    p->created > w->problem_created[tp->problem] - 30 * DG_DAY &&
	    dg_chance(g, 40)) {
		char prb[32];
		unsigned k;

		for (k = 0; (k * 7) % DEMO_NPROBLEMS != (unsigned)tp->problem;
		     k++)
			;
		snprintf(prb, sizeof(prb), "PRB-%u", 5001 + k);
		dg_link(g, "ProblemLink", "Problem", prb);
	}
}

/* Write the record of incident `i` as planned; returns g->error. */
static int incident_write(dg_gen *g, demo_world *w, const inc_plan *p,
			  unsigned i)
{
	const inc_tmpl *tp = p->tp;
	const char *by = p->logger >= 0 ? w->people[p->logger].key :
					  "svc.monitoring";
	unsigned quarters = 0;

	dg_begin(g, TFS_KIND_DATA, "Incident", "Record", p->of.key, "Incident");
	demo_stamps(g, p->created, by, p->last,
		    p->owner >= 0 ? w->people[p->owner].key : by);
	dg_valuef(g, "IncidentNumber", "%u", 10001 + i);
	dg_value(g, "Subject", tp->subject);
	dg_value(g, "Symptom", tp->symptom);
	dg_value(g, "Status", p->status);
	dg_valuef(g, "Priority", "%u", p->pri);
	dg_value(g, "Urgency", levels[p->u]);
	dg_value(g, "Impact", levels[p->im]);
	dg_value(g, "Category", tp->category);
	dg_value(g, "Service", tp->service);
	dg_value(g, "Source", p->source);
	dg_value_time(g, "ResponseDeadline",
		      p->created +
			      60 * (int64_t)demo_response_minutes[p->pri - 1]);
	dg_value_time(
		g, "ResolutionDeadline",
		p->created + 60 * (int64_t)demo_resolution_minutes[p->pri - 1]);
	if (p->resolved) {
		quarters = 1 +
			   dg_below(g,
				    (unsigned)demo_min64(p->dur / 900, 32) + 1);
		dg_value_time(g, "ResolvedDateTime", p->resolved);
		dg_value(g, "Resolution", tp->resolution);
		dg_value(g, "CauseCode", tp->cause);
	}
	if (p->closed)
		dg_value_time(g, "ClosedDateTime", p->closed);
	dg_valuef(g, "CustomerEmail", "%s@acme.example",
		  w->people[p->cust].key);
	dg_value(g, "IsVIP", w->people[p->cust].vip ? "true" : "false");
	dg_value(g, "FirstCallResolution",
		 p->resolved && p->dur <= 1800 + 600 && p->logger >= 0 &&
				 p->logger != p->cust ?
			 "true" :
			 "false");
	dg_value(g, "ReopenCount", p->resolved && dg_chance(g, 3) ? "1" : "0");
	if (quarters)
		demo_value_hours(g, "TotalTimeSpent", quarters);
	incident_links(g, w, p);
	return dg_finish(g, p->created);
}

int demo_gen_incidents(dg_gen *g, demo_world *w)
{
	unsigned tw[N(incidents)], i;
	int64_t *times;
	inc_plan p;

	dg_seed(g, "Incident");
	for (i = 0; i < N(incidents); i++)
		tw[i] = incidents[i].weight;
	if (!(times = demo_creation_times(g, N_INCIDENTS, DEMO_YEAR)))
		return g->error;
	for (i = 0; i < N_INCIDENTS && !g->error; i++) {
		const inc_tmpl *tp = &incidents[dg_pick(g, tw, N(tw))];

		incident_plan(g, w, &p, tp, times[i], i);
		if (incident_write(g, w, &p, i))
			break;
		incident_journal(g, w, &p.of, tp, p.created,
				 p.resolved ? p.resolved : p.last, p.source,
				 p.cust, p.owner, p.resolved != 0);
	}
	free(times);
	return g->error;
}
