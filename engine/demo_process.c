/*
 * Demo content: the process metadata of the demo tenant.  Workflow types
 * and workflows (steps and transitions), quick actions, rules and rule
 * overrides, triggers and business rules, all on the business objects of
 * demo_bo.c.
 *
 * Tables use compact specs (steps "Name:Kind", transitions "From>To",
 * params "name=value|...").  Workflow names here are what triggers, quick
 * actions and request offerings (demo_master.c) refer to.  Called from
 * demo_gen_metadata() through demo_gen_processes().
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "demo_int.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void begin(demo_gen *g, const char *type, const char *name,
		  const char *bo)
{
	demo_begin(g, TFS_KIND_METADATA, type, type, name, bo);
}

/* ---- workflows ----------------------------------------------------------- */

static const struct {
	const char *name, *category, *description;
} workflow_types[] = {
	{ "Approval", "Process", "Collects approvals before work starts" },
	{ "Fulfillment", "Process", "Delivers a catalogue item" },
	{ "Notification", "Communication", "Sends e-mails and alerts" },
	{ "Escalation", "Service Level", "Acts on service level targets" },
	{ "Scheduled", "System", "Runs on a timer" },
	{ "Lifecycle", "Process", "Moves a record through its states" },
};

/*
 * Steps are "Name:Kind", transitions "From>To"; the first step is the
 * start, the last the end.
 */
static const struct {
	const char *name, *bo, *type, *steps, *transitions;
} workflows[] = {
	{ "Incident.Notification", "Incident", "Notification",
	  "Start:Start NotifyCustomer:Email NotifyTeam:Email End:End",
	  "Start>NotifyCustomer NotifyCustomer>NotifyTeam NotifyTeam>End" },
	{ "Incident.Resolution", "Incident", "Notification",
	  "Start:Start SendSurvey:Email WaitForReopen:Wait AutoClose:Update "
	  "End:End",
	  "Start>SendSurvey SendSurvey>WaitForReopen WaitForReopen>AutoClose "
	  "AutoClose>End" },
	{ "Incident.Escalation", "Incident", "Escalation",
	  "Start:Start CheckTarget:Decision NotifyManager:Email "
	  "Reassign:Update End:End",
	  "Start>CheckTarget CheckTarget>NotifyManager CheckTarget>End "
	  "NotifyManager>Reassign Reassign>End" },
	{ "Incident.AutoClose", "Incident", "Scheduled",
	  "Start:Start FindResolved:Search CloseEach:Update End:End",
	  "Start>FindResolved FindResolved>CloseEach CloseEach>End" },
	{ "Problem.RootCause", "Problem", "Lifecycle",
	  "Start:Start Investigate:Task KnownError:Update CreateChange:Create "
	  "End:End",
	  "Start>Investigate Investigate>KnownError Investigate>CreateChange "
	  "KnownError>CreateChange CreateChange>End" },
	{ "Change.Approval", "Change", "Approval",
	  "Start:Start Assess:Task CABReview:Approval Approved:Update "
	  "Rejected:Update End:End",
	  "Start>Assess Assess>CABReview CABReview>Approved "
	  "CABReview>Rejected Approved>End Rejected>End" },
	{ "Change.Emergency", "Change", "Approval",
	  "Start:Start ECABApproval:Approval Implement:Task Review:Task "
	  "End:End",
	  "Start>ECABApproval ECABApproval>Implement Implement>Review "
	  "Review>End ECABApproval>End" },
	{ "ServiceReq.Fulfillment", "ServiceReq", "Fulfillment",
	  "Start:Start ManagerApproval:Approval Fulfil:Task "
	  "NotifyRequester:Email End:End",
	  "Start>ManagerApproval ManagerApproval>Fulfil "
	  "ManagerApproval>NotifyRequester Fulfil>NotifyRequester "
	  "NotifyRequester>End" },
	{ "ServiceReq.NewHire", "ServiceReq", "Fulfillment",
	  "Start:Start HRApproval:Approval CreateAccount:Task "
	  "PrepareLaptop:Task Orientation:Task Join:Join End:End",
	  "Start>HRApproval HRApproval>CreateAccount HRApproval>PrepareLaptop "
	  "CreateAccount>Join PrepareLaptop>Join Join>Orientation "
	  "Orientation>End" },
	{ "ServiceReq.Offboarding", "ServiceReq", "Fulfillment",
	  "Start:Start DisableAccount:Task CollectHardware:Task End:End",
	  "Start>DisableAccount DisableAccount>CollectHardware "
	  "CollectHardware>End" },
	{ "ServiceReq.PasswordReset", "ServiceReq", "Fulfillment",
	  "Start:Start VerifyIdentity:Decision ResetPassword:Script "
	  "NotifyRequester:Email End:End",
	  "Start>VerifyIdentity VerifyIdentity>ResetPassword "
	  "VerifyIdentity>End ResetPassword>NotifyRequester "
	  "NotifyRequester>End" },
	{ "ServiceReq.HardwareRequest", "ServiceReq", "Fulfillment",
	  "Start:Start ManagerApproval:Approval Procure:Task Deliver:Task "
	  "End:End",
	  "Start>ManagerApproval ManagerApproval>Procure Procure>Deliver "
	  "Deliver>End ManagerApproval>End" },
	{ "ServiceReq.SoftwareRequest", "ServiceReq", "Fulfillment",
	  "Start:Start LicenseCheck:Decision Install:Task End:End",
	  "Start>LicenseCheck LicenseCheck>Install Install>End" },
	{ "ServiceReq.AccessRequest", "ServiceReq", "Approval",
	  "Start:Start OwnerApproval:Approval Grant:Task End:End",
	  "Start>OwnerApproval OwnerApproval>Grant OwnerApproval>End "
	  "Grant>End" },
	{ "Task.Reminder", "Task", "Scheduled",
	  "Start:Start WaitForDue:Wait RemindOwner:Email End:End",
	  "Start>WaitForDue WaitForDue>RemindOwner RemindOwner>End" },
	{ "FRS_Knowledge.Publish", "FRS_Knowledge", "Approval",
	  "Start:Start Review:Approval Publish:Update End:End",
	  "Start>Review Review>Publish Review>End Publish>End" },
	{ "Employee.Offboard", "Employee", "Lifecycle",
	  "Start:Start DisableLogin:Update ReassignRecords:Script End:End",
	  "Start>DisableLogin DisableLogin>ReassignRecords "
	  "ReassignRecords>End" },
};

static int gen_workflows(demo_gen *g)
{
	char tok[96];
	unsigned i;

	for (i = 0; i < N(workflow_types); i++) {
		begin(g, "WorkflowType", workflow_types[i].name, NULL);
		demo_attr(g, "description", workflow_types[i].description);
		demo_attr(g, "category", workflow_types[i].category);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(workflows); i++) {
		const char *s = workflows[i].steps;

		begin(g, "Workflow", workflows[i].name, workflows[i].bo);
		demo_attr(g, "workflowType", workflows[i].type);
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *colon = strchr(tok, ':');

			assert(colon);
			*colon = '\0';
			demo_el(g, "Step");
			demo_attr(g, "name", tok);
			demo_attr(g, "kind", colon + 1);
			demo_end(g);
		}
		s = workflows[i].transitions;
		while (demo_next_token(&s, ' ', tok, sizeof(tok))) {
			char *gt = strchr(tok, '>');

			assert(gt);
			*gt = '\0';
			demo_el(g, "Transition");
			demo_attr(g, "from", tok);
			demo_attr(g, "to", gt + 1);
			demo_end(g);
		}
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

/* ---- quick actions, rules, triggers ------------------------------------- */

/* Params are "name=value" separated by '|'. */
static const struct {
	const char *name, *bo, *action, *params, *workflow;
} quick_actions[] = {
	{ "Incident.TakeOwnership", "Incident", "UpdateObject",
	  "Owner=$(CurrentLoginId())|Status=Active", NULL },
	{ "Incident.Resolve", "Incident", "UpdateObject",
	  "Status=Resolved|ResolvedDateTime=$(CurrentDateTime())", NULL },
	{ "Incident.Close", "Incident", "UpdateObject",
	  "Status=Closed|ClosedDateTime=$(CurrentDateTime())", NULL },
	{ "Incident.Reopen", "Incident", "UpdateObject",
	  "Status=Active|ReopenCount=$(ReopenCount + 1)", NULL },
	{ "Incident.CreateProblem", "Incident", "CreateObject",
	  "businessObject=Problem|Subject=$(Subject)|Category=$(Category)",
	  NULL },
	{ "Incident.EmailCustomer", "Incident", "SendEmail",
	  "to=$(ProfileLink.PrimaryEmail)|template=IncidentUpdate", NULL },
	{ "Incident.SearchKnowledge", "Incident", "OpenUrl",
	  "url=https://kb.acme.example/search?q=$(Subject)&lang=en", NULL },
	{ "Incident.Escalate", "Incident", "RunWorkflow", NULL,
	  "Incident.Escalation" },
	{ "Problem.CreateChange", "Problem", "CreateObject",
	  "businessObject=Change|Subject=$(Subject)|TypeOfChange=Normal",
	  NULL },
	{ "Change.SubmitForApproval", "Change", "RunWorkflow",
	  "comment=Submitted from the change form", "Change.Approval" },
	{ "Change.CreateTask", "Change", "CreateObject",
	  "businessObject=Task|TaskType=Implementation", NULL },
	{ "ServiceReq.Cancel", "ServiceReq", "UpdateObject",
	  "Status=Cancelled", NULL },
	{ "ServiceReq.Resubmit", "ServiceReq", "RunWorkflow", NULL,
	  "ServiceReq.Fulfillment" },
	{ "Task.Complete", "Task", "UpdateObject",
	  "Status=Completed|CompletedDateTime=$(CurrentDateTime())", NULL },
	{ "FRS_Knowledge.SubmitForReview", "FRS_Knowledge", "RunWorkflow",
	  NULL, "FRS_Knowledge.Publish" },
	{ "Employee.SendWelcome", "Employee", "SendEmail",
	  "to=$(PrimaryEmail)|template=Welcome", NULL },
};

static int gen_quick_actions(demo_gen *g)
{
	char tok[128];
	unsigned i;

	for (i = 0; i < N(quick_actions); i++) {
		const char *s = quick_actions[i].params;

		begin(g, "QuickAction", quick_actions[i].name,
		      quick_actions[i].bo);
		demo_attr(g, "action", quick_actions[i].action);
		while (s && demo_next_token(&s, '|', tok, sizeof(tok))) {
			char *eq = strchr(tok, '=');

			assert(eq);
			*eq = '\0';
			demo_el(g, "Param");
			demo_attr(g, "name", tok);
			demo_attr(g, "value", eq + 1);
			demo_end(g);
		}
		if (quick_actions[i].workflow)
			demo_ref(g, "WorkflowRef", quick_actions[i].workflow);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

static const struct {
	const char *name, *bo, *event, *expression;
} rules[] = {
	{ "Incident.DefaultStatus", "Incident", "Load",
	  "IF(IsEmpty(Status), \"Logged\", Status)" },
	{ "Incident.PriorityMatrix", "Incident", "Change",
	  "Lookup(\"PriorityMatrix\", Urgency, Impact)" },
	{ "Incident.RequireResolution", "Incident", "Save",
	  "Status != \"Resolved\" || (Len(Resolution) > 0 && "
	  "!IsEmpty(CauseCode))" },
	{ "Incident.ResponseDeadline", "Incident", "Change",
	  "AddBusinessMinutes(CreatedDateTime, "
	  "EscalationSchedule(Priority).ResponseMinutes)" },
	{ "Problem.KnownErrorNeedsWorkaround", "Problem", "Save",
	  "!IsKnownError || Len(Workaround) > 0" },
	{ "Change.RequireBackoutPlan", "Change", "Save",
	  "TypeOfChange == \"Standard\" || Len(BackoutPlan) > 0" },
	{ "Change.ScheduleOrder", "Change", "Save",
	  "IsEmpty(ScheduledEndDate) || ScheduledEndDate > "
	  "ScheduledStartDate" },
	{ "ServiceReq.ExpectedDate", "ServiceReq", "Load",
	  "AddBusinessDays(CreatedDateTime, "
	  "RequestOfferingLink.DeliveryTargetDays)" },
	{ "Task.DefaultOwnerTeam", "Task", "Load",
	  "IF(IsEmpty(OwnerTeam), $(CurrentUserTeam()), OwnerTeam)" },
	{ "Employee.DisplayName", "Employee", "Change",
	  "FirstName & \" \" & LastName" },
	{ "FRS_Knowledge.ExpiryDate", "FRS_Knowledge", NULL,
	  "AddDays(PublishedDateTime, 365)" },
};

static const struct {
	const char *name, *bo, *rule, *expression;
} rule_overrides[] = {
	{ "Incident.PriorityMatrix.VIP", "Incident", "Incident.PriorityMatrix",
	  "IF(IsVIP, Min(Lookup(\"PriorityMatrix\", Urgency, Impact), 2), "
	  "Lookup(\"PriorityMatrix\", Urgency, Impact))" },
	{ "Change.RequireBackoutPlan.Emergency", "Change",
	  "Change.RequireBackoutPlan", NULL },
	{ "Incident.DefaultStatus.Monitoring", "Incident",
	  "Incident.DefaultStatus",
	  "IF(Source == \"Monitoring\", \"Active\", \"Logged\")" },
};

static const struct {
	const char *name, *bo, *event, *workflow, *condition;
} triggers[] = {
	{ "Incident.OnCreate", "Incident", "Insert", "Incident.Notification",
	  NULL },
	{ "Incident.OnResolve", "Incident", "Update", "Incident.Resolution",
	  "Status == \"Resolved\" && $(Original(Status)) != \"Resolved\"" },
	{ "Incident.OnCritical", "Incident", "Save", "Incident.Escalation",
	  "Priority == \"1\"" },
	{ "Problem.OnCreate", "Problem", "Insert", "Problem.RootCause",
	  NULL },
	{ "Change.OnSubmit", "Change", "Update", "Change.Approval",
	  "Status == \"Requested\"" },
	{ "Change.OnEmergency", "Change", "Insert", "Change.Emergency",
	  "TypeOfChange == \"Emergency\"" },
	{ "ServiceReq.OnSubmit", "ServiceReq", "Insert",
	  "ServiceReq.Fulfillment", NULL },
	{ "Task.OnAssign", "Task", "Update", "Task.Reminder",
	  "!IsEmpty(Owner) && IsEmpty($(Original(Owner)))" },
	{ "FRS_Knowledge.OnSubmit", "FRS_Knowledge", "Update",
	  "FRS_Knowledge.Publish", "Status == \"In Review\"" },
	{ "Employee.OnLeave", "Employee", "Update", "Employee.Offboard",
	  "Status == \"Inactive\"" },
	{ "Journal.OnDelete", "Journal", "Delete", NULL,
	  "ParentBusinessObject == \"Incident\"" },
};

static const struct {
	const char *name, *bo, *kind, *expression;
} business_rules[] = {
	{ "Incident.CalculatePriority", "Incident", "Calculation",
	  "Lookup(\"PriorityMatrix\", Urgency, Impact)" },
	{ "Incident.ValidateResolution", "Incident", "Validation",
	  "Status != \"Closed\" || !IsEmpty(ResolvedDateTime)" },
	{ "Incident.SetResolvedDate", "Incident", "Before",
	  "IF(Status == \"Resolved\" && IsEmpty(ResolvedDateTime), "
	  "CurrentDateTime(), ResolvedDateTime)" },
	{ "Incident.NotifyOwnerChange", "Incident", "After",
	  "IF(Owner <> $(Original(Owner)), SendEmail(Owner, "
	  "\"IncidentAssigned\"))" },
	{ "Change.ValidateSchedule", "Change", "Validation",
	  "TypeOfChange == \"Emergency\" || ScheduledStartDate >= "
	  "AddDays(CreatedDateTime, 2)" },
	{ "ServiceReq.CalculateTotalCost", "ServiceReq", "Calculation",
	  "Quantity * RequestOfferingLink.Price" },
	{ "Employee.ValidateEmail", "Employee", "Validation",
	  "Matches(PrimaryEmail, \"^[^@]+@[^@]+$\")" },
	{ "Task.RollUpEffort", "Task", "After",
	  "UpdateParent(\"TotalTimeSpent\", Sum(ActualEffort))" },
	{ "CI#Computer.WarrantyCheck", "CI#Computer", NULL,
	  "WarrantyExpiry > PurchaseDate" },
};

static int gen_rules(demo_gen *g)
{
	unsigned i;

	for (i = 0; i < N(rules); i++) {
		begin(g, "Rule", rules[i].name, rules[i].bo);
		if (rules[i].event)
			demo_attr(g, "event", rules[i].event);
		demo_text(g, "Expression", rules[i].expression);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(rule_overrides); i++) {
		begin(g, "RuleOverride", rule_overrides[i].name,
		      rule_overrides[i].bo);
		demo_attr(g, "rule", rule_overrides[i].rule);
		if (rule_overrides[i].expression)
			demo_text(g, "Expression",
				  rule_overrides[i].expression);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(triggers); i++) {
		begin(g, "Trigger", triggers[i].name, triggers[i].bo);
		demo_attr(g, "event", triggers[i].event);
		if (triggers[i].workflow)
			demo_ref(g, "WorkflowRef", triggers[i].workflow);
		if (triggers[i].condition)
			demo_text(g, "Condition", triggers[i].condition);
		if (demo_finish_config(g))
			return g->error;
	}
	for (i = 0; i < N(business_rules); i++) {
		begin(g, "BusinessRule", business_rules[i].name,
		      business_rules[i].bo);
		if (business_rules[i].kind)
			demo_attr(g, "kind", business_rules[i].kind);
		demo_text(g, "Expression", business_rules[i].expression);
		if (demo_finish_config(g))
			return g->error;
	}
	return 0;
}

int demo_gen_processes(demo_gen *g)
{
	if (gen_workflows(g) || gen_quick_actions(g) || gen_rules(g))
		return g->error;
	return 0;
}
