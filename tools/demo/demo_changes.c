/*
 * Demo content: transactional records, part 3: changes and service
 * requests, with the tasks (implementation, review, approval, fulfilment)
 * and journal entries they collect.  A change's schedule follows its type
 * (standard, normal, major, emergency: different lead times, evening
 * maintenance windows); a request's timeline its offering (approval,
 * delivery target).  Called from demo_gen_records() (demo_data.c).
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_rec.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define N_CHANGES  300
#define N_REQUESTS 800

/* ---- changes ------------------------------------------------------------- */

static const struct {
	const char *subject, *category, *team, *type, *risk;
	unsigned cost; /* estimate, whole currency units */
	unsigned weight;
} changes[] = {
	{ "Monthly security patching - workstations", "Operating System",
	  "DesktopSupport", "Standard", "Low", 0, 12 },
	{ "Monthly security patching - servers", "Server", "ServerOperations",
	  "Standard", "Medium", 0, 12 },
	{ "Upgrade core switch firmware", "Network", "NetworkOperations",
	  "Normal", "High", 0, 3 },
	{ "Replace firewall cluster", "Security", "NetworkOperations", "Major",
	  "Very High", 45000, 1 },
	{ "Renew public TLS certificates", "Server", "ServerOperations",
	  "Standard", "Low", 600, 4 },
	{ "Extend file server volume", "Server", "ServerOperations", "Standard",
	  "Low", 0, 5 },
	{ "SQL Server cumulative update", "Database", "DatabaseAdministration",
	  "Normal", "Medium", 0, 4 },
	{ "Move mailboxes to new database", "Email and Calendar",
	  "ApplicationSupport", "Normal", "Medium", 0, 3 },
	{ "Deploy new VPN client version", "VPN", "NetworkOperations", "Normal",
	  "Medium", 0, 3 },
	{ "Office apps feature update", "Office Applications", "DesktopSupport",
	  "Normal", "Low", 0, 4 },
	{ "SAP kernel upgrade", "Business Application", "ApplicationSupport",
	  "Major", "High", 12000, 1 },
	{ "CRM quarterly release", "Business Application", "ApplicationSupport",
	  "Normal", "Medium", 2500, 3 },
	{ "Add access points on floor 3", "Wi-Fi", "NetworkOperations",
	  "Normal", "Low", 3200, 2 },
	{ "Decommission legacy print server", "Printer", "ServerOperations",
	  "Normal", "Low", 0, 1 },
	{ "Rotate service account passwords", "Security", "SecurityOperations",
	  "Standard", "Medium", 0, 4 },
	{ "Enforce MFA for remote access", "Access and Accounts",
	  "SecurityOperations", "Major", "High", 8000, 1 },
	{ "Increase memory of application servers", "Server",
	  "ServerOperations", "Standard", "Low", 0, 4 },
	{ "Restart hung application service", "Business Application",
	  "ApplicationSupport", "Emergency", "High", 0, 3 },
	{ "Emergency patch for actively exploited vulnerability", "Security",
	  "SecurityOperations", "Emergency", "Very High", 0, 2 },
	{ "Replace failed disk in storage array", "Server", "ServerOperations",
	  "Emergency", "Medium", 900, 2 },
	{ "New VLAN for building management systems", "Network",
	  "NetworkOperations", "Normal", "Medium", 0, 2 },
	{ "Update endpoint protection policy", "Security", "SecurityOperations",
	  "Standard", "Low", 0, 4 },
	{ "Change index maintenance schedule", "Database",
	  "DatabaseAdministration", "Standard", "Low", 0, 3 },
	{ "Call manager upgrade", "Telephony", "NetworkOperations", "Major",
	  "High", 15000, 1 },
	{ "Move Berlin office to new internet provider", "Network",
	  "NetworkOperations", "Normal", "High", 4000, 1 },
	{ "Roll out laptop disk encryption policy", "Security",
	  "DesktopSupport", "Normal", "Medium", 0, 2 },
	{ "Backup retention to 35 days", "Server", "ServerOperations", "Normal",
	  "Low", 0, 2 },
	{ "Refresh meeting room AV equipment", "Facilities", "Facilities",
	  "Normal", "Low", 18000, 1 },
};

static void change_tasks(dg_gen *g, demo_world *w, const demo_parent *of,
			 const char *subject, int64_t approved, int64_t start,
			 int64_t end, const char *status, int team, int owner,
			 const char *type)
{
	bool done = !strcmp(status, "Implemented") || !strcmp(status, "Closed");
	demo_task *t;
	demo_journal *j;
	int cab;

	if ((t = demo_add_task(g, w))) {
		t->t = approved;
		t->of = *of;
		snprintf(t->subject, sizeof(t->subject), "Implement: %s",
			 subject);
		t->type = "Implementation";
		t->priority = "3";
		t->team = team;
		t->owner = owner;
		t->due = start;
		t->planned_q = 4 + dg_below(g, 12);
		if (done) {
			t->status = "Completed";
			t->done = end;
			t->actual_q = t->planned_q + dg_below(g, 6);
		} else {
			t->status = start < g->now ? "In Progress" : "Assigned";
		}
	}
	if (!strcmp(type, "Standard"))
		return;
	cab = demo_member(g, w, demo_team_index("ChangeAdvisoryBoard"));
	if ((j = demo_add_journal(g, w, of, approved, "Note", cab))) {
		snprintf(j->subject, sizeof(j->subject), "CAB decision");
		snprintf(j->body, sizeof(j->body),
			 "Reviewed %s change at the "
			 "%s; approved for the planned window.",
			 type,
			 !strcmp(type, "Emergency") ? "emergency CAB" : "CAB");
	}
	if (done && (t = demo_add_task(g, w))) {
		bool closed = !strcmp(status, "Closed");

		t->t = end;
		t->of = *of;
		snprintf(t->subject, sizeof(t->subject),
			 "Post-implementation review: %s", subject);
		t->type = "Review";
		t->priority = "4";
		t->team = demo_team_index("ChangeAdvisoryBoard");
		t->owner = demo_member(g, w, t->team);
		t->due = end + 5 * DG_DAY;
		t->planned_q = 2;
		t->status = closed ? "Completed" : "Assigned";
		if (closed) {
			t->done = demo_min64(end + demo_between(g, DG_DAY,
								4 * DG_DAY),
					     g->now - 60);
			t->actual_q = 1 + dg_below(g, 4);
		}
	}
}

/* What a change's record says, decided before it is written. */
typedef struct chg_plan {
	unsigned c, r; /* index into changes[], risk level */
	const char *type, *status, *pri;
	int64_t created, start, end, approved, actual, closed;
	int team, owner, requestor;
	demo_parent of;
} chg_plan;

/* When change `p` is scheduled: its lead time by type, the evening
 * maintenance window but for emergencies, its length. */
static void change_schedule(dg_gen *g, chg_plan *p)
{
	const char *type = p->type;
	int64_t lead, len;

	if (!strcmp(type, "Standard"))
		lead = demo_between(g, 2 * DG_DAY, 10 * DG_DAY);
	else if (!strcmp(type, "Normal"))
		lead = demo_between(g, 7 * DG_DAY, 30 * DG_DAY);
	else if (!strcmp(type, "Major"))
		lead = demo_between(g, 21 * DG_DAY, 60 * DG_DAY);
	else
		lead = demo_between(g, DG_HOUR, 12 * DG_HOUR);
	if (!strcmp(type, "Emergency")) {
		p->start = p->created + lead;
	} else {
		p->start = (p->created + lead) / DG_DAY * DG_DAY +
			   20 * DG_HOUR +
			   demo_between(g, 0, 3 * DG_HOUR) / 900 * 900;
	}
	if (!strcmp(type, "Major"))
		len = demo_between(g, 4 * DG_HOUR, 8 * DG_HOUR);
	else
		len = demo_between(g, DG_HOUR, 4 * DG_HOUR);
	p->end = p->start + len / 900 * 900;
	p->approved = p->created + (p->start - p->created) / 3;
}

/* How far change `p` has come by now, and its priority. */
static void change_state(dg_gen *g, chg_plan *p)
{
	const char *type = p->type;
	int64_t age = g->now - p->created;

	if (dg_chance(g, 3)) {
		p->status = "Cancelled";
		p->closed = p->created + demo_between(g, DG_DAY, 5 * DG_DAY);
		p->closed = demo_min64(p->closed, g->now - 60);
	} else if (strcmp(type, "Standard") && dg_chance(g, 5) &&
		   p->approved < g->now) {
		p->status = "Rejected";
		p->closed = p->approved;
	} else if (p->end < g->now - 60) {
		p->actual = demo_min64(p->end + demo_between(g, -1800, 3600),
				       g->now - 60);
		p->closed = p->actual + demo_between(g, 2 * DG_DAY, 5 * DG_DAY);
		p->status = p->closed < g->now ? "Closed" : "Implemented";
		if (p->closed >= g->now)
			p->closed = 0;
	} else if (p->start < g->now || !strcmp(type, "Standard") ||
		   !strcmp(type, "Emergency")) {
		p->status = age < DG_HOUR ? "Logged" : "Scheduled";
	} else if (age < DG_DAY) {
		p->status = "Logged";
	} else if (age < 3 * DG_DAY) {
		p->status = "Requested";
	} else if (age < 7 * DG_DAY) {
		p->status = "Pending Approval";
	} else {
		p->status = "Scheduled";
	}
	if (!strcmp(type, "Emergency"))
		p->pri = dg_chance(g, 50) ? "1" : "2";
	else if (!strcmp(type, "Major"))
		p->pri = "2";
	else
		p->pri = !strcmp(type, "Normal") ? "3" : "4";
}

/* Whether the change was approved (and so has tasks). */
static bool change_approved(const chg_plan *p)
{
	return !strcmp(p->status, "Scheduled") ||
	       !strcmp(p->status, "Implemented") ||
	       !strcmp(p->status, "Closed");
}

/* Write the record of change `i` as planned; returns g->error. */
static int change_write(dg_gen *g, demo_world *w, const chg_plan *p, unsigned i)
{
	const char *subject = changes[p->c].subject, *type = p->type;

	dg_begin(g, TFS_KIND_DATA, "Change", "Record", p->of.key, "Change");
	demo_stamps(g, p->created, w->people[p->requestor].key,
		    p->closed ? p->closed :
		    p->actual ? p->actual :
				demo_min64(p->approved, g->now - 60),
		    w->people[p->owner].key);
	dg_valuef(g, "ChangeNumber", "%u", 20001 + i);
	dg_value(g, "Subject", subject);
	dg_valuef(g, "Description",
		  "%s. Requested by %s; see the "
		  "implementation and backout plans.",
		  subject, w->people[p->requestor].display);
	dg_value(g, "Status", p->status);
	dg_value(g, "TypeOfChange", type);
	dg_value(g, "Risk", changes[p->c].risk);
	dg_value(g, "Priority", p->pri);
	dg_value(g, "Urgency",
		 !strcmp(type, "Emergency") ? "High" :
		 p->r >= 2                  ? "Medium" :
					      "Low");
	dg_value(g, "Impact", p->r >= 2 ? "High" : p->r ? "Medium" : "Low");
	dg_value(g, "Category", changes[p->c].category);
	dg_value_time(g, "ScheduledStartDate", p->start);
	dg_value_time(g, "ScheduledEndDate", p->end);
	if (p->actual)
		dg_value_time(g, "ActualEndDate", p->actual);
	dg_valuef(g, "ImplementationPlan",
		  "1) Announce the window "
		  "to affected users; 2) take snapshots or backups "
		  "of the affected systems; 3) %s; 4) run the "
		  "smoke tests; 5) update the CMDB.",
		  subject);
	dg_value(g, "BackoutPlan",
		 "Restore from the snapshots "
		 "taken in step 2 and re-run the smoke tests; "
		 "notify the service desk.");
	dg_value(g, "CABApproved", change_approved(p) ? "true" : "false");
	dg_valuef(g, "EstimatedCost", "%u.00", changes[p->c].cost);
	if (p->closed)
		dg_value_time(g, "ClosedDateTime", p->closed);
	demo_link_person(g, w, "Owner", p->owner);
	demo_link_team(g, "OwnerTeam", p->team);
	demo_link_person(g, w, "RequestorLink", p->requestor);
	return dg_finish(g, p->created);
}

int demo_gen_changes(dg_gen *g, demo_world *w)
{
	static const char *const risk_level[] = {
		"Low",
		"Medium",
		"High",
		"Very High",
	};
	unsigned tw[N(changes)], i;
	int64_t *times;
	chg_plan p;

	dg_seed(g, "Change");
	for (i = 0; i < N(changes); i++)
		tw[i] = changes[i].weight;
	if (!(times = demo_creation_times(g, N_CHANGES, DEMO_YEAR)))
		return g->error;
	for (i = 0; i < N_CHANGES && !g->error; i++) {
		memset(&p, 0, sizeof(p));
		p.c = dg_pick(g, tw, N(tw));
		p.type = changes[p.c].type;
		p.created = times[i];
		p.team = demo_team_index(changes[p.c].team);
		p.owner = demo_member(g, w, p.team);
		p.requestor = (int)dg_below(g, DEMO_P_STAFF_END);
		for (p.r = 0; strcmp(risk_level[p.r], changes[p.c].risk); p.r++)
			;
		p.of.bo = "Change";
		snprintf(p.of.key, sizeof(p.of.key), "CHG-%u", 20001 + i);
		change_schedule(g, &p);
		change_state(g, &p);
		if (change_write(g, w, &p, i))
			break;
		if (change_approved(&p))
			change_tasks(g, w, &p.of, changes[p.c].subject,
				     demo_min64(p.approved, g->now - 60),
				     p.start, p.actual ? p.actual : p.end,
				     p.status, p.team, p.owner, p.type);
	}
	free(times);
	return g->error;
}

/* ---- service requests ---------------------------------------------------- */

static const char *const request_notes[] = {
	"Please process as soon as possible.",
	"Needed for a project starting next week.",
	"Replacing equipment that broke yesterday.",
	"My manager has agreed to this.",
	"Required for the quarter-end close.",
	"For a new member of my team.",
};

static void request_followups(dg_gen *g, demo_world *w, const demo_parent *of,
			      const demo_offering *o, const char *subject,
			      int cust, int owner, int team, int64_t created,
			      int64_t approved, int64_t fulfilled,
			      const char *approval)
{
	int mgr = w->people[cust].manager;
	demo_task *t;
	demo_journal *j;

	if (o->approval && mgr >= 0) {
		if ((j = demo_add_journal(g, w, of, created + 60, "Email Sent",
					  -1))) {
			snprintf(j->subject, sizeof(j->subject),
				 "Approval required: %s", subject);
			snprintf(j->body, sizeof(j->body),
				 "An approval "
				 "request was sent to %s.",
				 w->people[mgr].display);
			snprintf(j->from, sizeof(j->from),
				 "servicedesk@acme.example");
			snprintf(j->to, sizeof(j->to), "%s@acme.example",
				 w->people[mgr].key);
			j->source = "Email";
		}
		if ((t = demo_add_task(g, w))) {
			t->t = created + 60;
			t->of = *of;
			snprintf(t->subject, sizeof(t->subject), "Approve: %s",
				 subject);
			t->type = "Approval";
			t->priority = "3";
			t->team = w->people[mgr].team;
			t->owner = mgr;
			t->due = created + 2 * DG_DAY;
			t->planned_q = 1;
			if (strcmp(approval, "Pending")) {
				t->status = "Completed";
				t->done = approved;
				t->actual_q = 1;
			} else {
				t->status = "Assigned";
			}
		}
	}
	if (!strcmp(o->key, "PasswordReset") || !strcmp(approval, "Denied") ||
	    !strcmp(approval, "Pending"))
		return;
	if ((t = demo_add_task(g, w))) {
		t->t = approved;
		t->of = *of;
		snprintf(t->subject, sizeof(t->subject), "Fulfil: %s", subject);
		t->type = o->price_cents ? "Procurement" : "Assignment";
		t->priority = "4";
		t->team = team;
		t->owner = owner;
		t->due = created + (int64_t)o->days * 7 / 5 * DG_DAY;
		t->planned_q = 2 + dg_below(g, 8);
		if (fulfilled) {
			t->status = "Completed";
			t->done = fulfilled;
			t->actual_q = t->planned_q + dg_below(g, 4);
		} else {
			t->status = dg_chance(g, 60) ? "In Progress" :
						       "Assigned";
		}
	}
}

/* A request's way through approval and fulfilment: when it was approved,
 * fulfilled and closed (0: not yet), its status and approval status; a
 * request pending approval or denied has no owner (*owner -1). */
struct req_timeline {
	int64_t approved, fulfilled, closed;
	const char *status, *approval;
};

static void request_timeline(dg_gen *g, const demo_offering *o, int64_t created,
			     struct req_timeline *r, int *owner)
{
	r->approved = created;
	r->fulfilled = 0;
	r->closed = 0;
	r->approval = "Not Required";
	if (o->approval) {
		r->approved = created +
			      demo_between(g, 2 * DG_HOUR, 3 * DG_DAY);
		r->approval = r->approved >= g->now ? "Pending" :
			      dg_chance(g, 5)       ? "Denied" :
						      "Approved";
	}
	if (!strcmp(r->approval, "Pending")) {
		r->status = "Pending Approval";
		*owner = -1;
	} else if (!strcmp(r->approval, "Denied")) {
		r->status = "Rejected";
		r->closed = r->approved;
		*owner = -1;
	} else if (dg_chance(g, 3)) {
		r->status = "Cancelled";
		r->closed = r->approved + demo_between(g, DG_HOUR, DG_DAY);
		r->closed = demo_min64(r->closed, g->now - 60);
	} else {
		r->fulfilled = r->approved +
			       (int64_t)o->days * DG_DAY *
				       (int64_t)(30 + dg_below(g, 130)) / 100 +
			       demo_between(g, 600, 4 * DG_HOUR);
		/* back orders, waiting for the requester */
		if (dg_chance(g, 10))
			r->fulfilled += demo_between(g, 3 * DG_DAY,
						     40 * DG_DAY);
		if (r->fulfilled >= g->now - 60) {
			r->fulfilled = 0;
			r->status = g->now - created < DG_HOUR ? "Submitted" :
								 "Active";
		} else {
			r->closed = r->fulfilled + 5 * DG_DAY;
			r->status = r->closed < g->now ? "Closed" : "Fulfilled";
			if (r->closed >= g->now)
				r->closed = 0;
		}
	}
}

int demo_gen_requests(dg_gen *g, demo_world *w)
{
	unsigned ow[32], i;
	int64_t *times;

	assert(demo_nofferings <= N(ow));
	dg_seed(g, "ServiceReq");
	for (i = 0; i < demo_nofferings; i++)
		ow[i] = demo_offerings[i].weight;
	if (!(times = demo_creation_times(g, N_REQUESTS, DEMO_YEAR)))
		return g->error;
	for (i = 0; i < N_REQUESTS && !g->error; i++) {
		const demo_offering *o =
			&demo_offerings[dg_pick(g, ow, demo_nofferings)];
		int64_t created = times[i], last;
		int cust = demo_customer(g), team = demo_team_index(o->team);
		int owner = demo_member(g, w, team);
		struct req_timeline r;
		const char *urgency;
		unsigned qty = 1;
		char subject[200];
		demo_parent of = { "ServiceReq", "" };

		if (!strcmp(o->key, "NewMonitor") && dg_chance(g, 30))
			qty = 2;
		urgency = dg_chance(g, 10) ? "High" :
			  dg_chance(g, 45) ? "Medium" :
					     "Low";
		request_timeline(g, o, created, &r, &owner);
		last = r.closed    ? r.closed :
		       r.fulfilled ? r.fulfilled :
				     demo_min64(r.approved, g->now - 60);
		snprintf(subject, sizeof(subject), "%s for %s", o->name,
			 w->people[cust].display);
		snprintf(of.key, sizeof(of.key), "SR-%u", 30001 + i);

		dg_begin(g, TFS_KIND_DATA, "ServiceReq", "Record", of.key,
			 "ServiceReq");
		demo_stamps(g, created, w->people[cust].key, last,
			    owner >= 0 ? w->people[owner].key :
					 w->people[cust].key);
		dg_valuef(g, "ServiceReqNumber", "%u", 30001 + i);
		dg_value(g, "Subject", subject);
		dg_value(g, "Description",
			 request_notes[dg_below(g, N(request_notes))]);
		dg_value(g, "Status", r.status);
		dg_value(g, "Urgency", urgency);
		dg_value(g, "Category", o->category);
		dg_value(g, "ApprovalStatus", r.approval);
		dg_valuef(g, "Quantity", "%u", qty);
		dg_valuef(g, "TotalCost", "%u.%02u", o->price_cents * qty / 100,
			  o->price_cents * qty % 100);
		demo_value_date(g, "ExpectedDate",
				created + (int64_t)o->days * 7 / 5 * DG_DAY);
		if (r.fulfilled)
			dg_value_time(g, "FulfilledDateTime", r.fulfilled);
		if (r.closed)
			dg_value_time(g, "ClosedDateTime", r.closed);
		dg_link(g, "RequestOfferingLink", "RequestOffering", o->key);
		demo_link_person(g, w, "ProfileLink", cust);
		demo_link_person(g, w, "Owner", owner);
		demo_link_team(g, "OwnerTeam", team);
		if (dg_finish(g, created))
			break;
		request_followups(g, w, &of, o, subject, cust,
				  owner >= 0 ? owner : demo_member(g, w, team),
				  team, created, r.approved, r.fulfilled,
				  r.approval);
	}
	free(times);
	return g->error;
}
