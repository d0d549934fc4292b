#!/bin/bash
# test_packages.sh: packages, from staging to uat and production.
#
# The whole flow first (edit in staging with sed -i, mkdir a package, assign
# the transaction set, close it, cat package.xml > P.xml, cp P.xml into
# uat/apply/, diff staging and uat, revert), then each rule of INTERFACE.md
# "Packages" with its exact outcome: package.conf, transaction-sets,
# aspects, sub-packages, the export and its compacted form (secrets only as
# ***), impact and dependencies; the drop directories apply/, validate/,
# apply-unvalidated/, preview/ and their P.xml.result; references that must
# resolve in the target or in the package; base conflicts (and the target
# already holding the new bytes); a same-path object with another guid;
# locked uat and production taking low and medium impact but only
# validating high impact; only closed packages into production;
# already-applied; master packages in order; revert of a whole package and
# its refusal. Every applied package is one commit "Apply package <name>",
# one transaction set, version + 1, a Package/Apply event and a log line;
# every rejection leaves diff -r of the versioned directories empty, the
# history, the git branch and the version as they were.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2002,SC2010,SC2012,SC2016,SC2317
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
PK=$STG/packages
VERSIONED="metadata validation settings master"

# ------------------------------------------------------------- helpers

# pkq CMD FILE ...: reads a package file.
#   check FILE              problems with the documented format (none: silent)
#   root FILE ATTR...       the root element's attributes, space-separated
#   list FILE               "seq op path base" per transaction (base - if empty)
#   seq FILE PATH           the seq of each transaction of PATH
#   sets FILE               "id project user created" per transaction-set
#   subs FILE               "order name" per sub-package, document order
#   aspects FILE            "id version vendor-id uninstall" per aspect
#   body FILE SEQ OBJFILE   transaction SEQ carries OBJFILE's document
cat >"$W/pkq.py" <<'EOF'
import copy, os, re, sys
import xml.etree.ElementTree as ET

def canon(el):
    el = copy.deepcopy(el)
    el.tail = None
    return ET.canonicalize(ET.tostring(el, encoding="unicode"), strip_text=True)

cmd, f = sys.argv[1], sys.argv[2]
try:
    root = ET.parse(f).getroot()
except (ET.ParseError, OSError) as e:
    print("%s: %s" % (f, e))
    sys.exit(1)
args = sys.argv[3:]
txs = list(root.iter("transaction"))
if cmd == "root":
    print(" ".join(root.get(a, "") for a in args))
elif cmd == "list":
    for t in txs:
        print(t.get("seq", ""), t.get("op", ""), t.get("path", ""), t.get("base", "") or "-")
elif cmd == "seq":
    print(" ".join(t.get("seq", "") for t in txs if t.get("path") == args[0]))
elif cmd == "sets":
    for s in root.iter("transaction-set"):
        print(s.get("id", ""), s.get("project", ""), s.get("user", ""), s.get("created", ""))
elif cmd == "subs":
    for s in root.findall("sub-package"):
        p = s.find("package")
        print(s.get("order", ""), p.get("name", "") if p is not None else "-")
elif cmd == "aspects":
    for a in root.findall("aspect"):
        print(a.get("id", ""), a.get("version", ""), a.get("vendor-id", ""), a.get("uninstall", ""))
elif cmd == "body":
    t = [t for t in txs if t.get("seq") == args[0]]
    if len(t) != 1:
        sys.exit("%d transactions with seq=%s" % (len(t), args[0]))
    kids = list(t[0])
    obj = ET.parse(args[1]).getroot()
    if len(kids) != 1:
        sys.exit("transaction seq=%s has %d child elements" % (args[0], len(kids)))
    a, b = canon(kids[0]), canon(obj)
    if a != b:
        sys.exit("the transaction carries:\n%s\nthe object is:\n%s" % (a[:1500], b[:1500]))
elif cmd == "check":
    bad = []
    hexre = re.compile(r"^[0-9a-f]{64}$")
    pathre = re.compile(r"^((metadata|settings|master|data)/[A-Za-z]+|validation)/[A-Za-z0-9._#-]+\.xml$")
    timere = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    nested = [s.find("package") for s in root.iter("sub-package")]
    for p in [root] + nested:
        if p is None or p.tag != "package":
            bad.append("root (or sub-package child) is not <package>"); continue
        need = ("name", "type", "state") if p is not root else \
            ("format", "name", "type", "state", "source-tenant", "source-instance", "source-commit")
        for a in need:
            if not p.get(a):
                bad.append("<package name=%r> has no %s" % (p.get("name"), a))
        if p.get("format") not in (None, "1"):
            bad.append("format=%r, expected 1" % p.get("format"))
        if p.get("type") not in ("incremental", "master", "file"):
            bad.append("type=%r" % p.get("type"))
        if p.get("state") not in ("open", "closed"):
            bad.append("state=%r" % p.get("state"))
    for s in root.iter("transaction-set"):
        if not (s.get("id") or "").isdigit() or not s.get("project") or not s.get("user") \
                or not timere.match(s.get("created") or ""):
            bad.append("transaction-set %s: id, project, user, created: %r" % (s.get("id"), s.attrib))
    seqs = set()
    for t in txs:
        seq, op, path, base = t.get("seq", ""), t.get("op"), t.get("path", ""), t.get("base")
        kids = list(t)
        w = "transaction seq=%s" % seq
        if not seq.isdigit():
            bad.append("%s: seq is not a number" % w)
        if seq in seqs:
            bad.append("%s: seq used twice" % w)
        seqs.add(seq)
        if op not in ("C", "U", "D"):
            bad.append("%s: op=%r" % (w, op))
        if not pathre.match(path):
            bad.append("%s: path=%r" % (w, path))
        if base is None:
            bad.append("%s: no base attribute" % w)
        elif op == "C" and base != "":
            bad.append("%s: op C with base=%r (expected empty)" % (w, base))
        elif op in ("U", "D") and not hexre.match(base):
            bad.append("%s: op %s with base=%r (expected a SHA-256)" % (w, op, base))
        if op == "D" and kids:
            bad.append("%s: op D carries %d elements" % (w, len(kids)))
        if op in ("C", "U"):
            if len(kids) != 1:
                bad.append("%s: carries %d elements, expected the object" % (w, len(kids)))
            else:
                k = kids[0]
                top = path.split("/")[0]
                want = {"validation": "ValidationList", "master": "Record", "data": "Record"}.get(top, path.split("/")[1] if "/" in path else "")
                if k.tag != want:
                    bad.append("%s: carries <%s>, expected <%s>" % (w, k.tag, want))
                if k.get("name") != os.path.basename(path)[:-4]:
                    bad.append("%s: carries name=%r for %s" % (w, k.get("name"), path))
                if not k.get("guid"):
                    bad.append("%s: the object has no guid" % w)
    for b in bad[:20]:
        print(b)
    sys.exit(1 if bad else 0)
else:
    sys.exit("pkq: unknown command " + cmd)
EOF
pkq() { python3 "$W/pkq.py" "$@"; }

sha() { sha256sum <"$1" | cut -d ' ' -f 1; }

# re_esc STRING: STRING as an ERE matching itself.
re_esc() { printf '%s' "$1" | sed 's/[][\.^$*+?(){}|]/\\&/g'; }

# version INST: the instance's version (instance.conf).
version() { conf_get "$(inst "$1")/instance.conf" version; }

# vsnap INST LABEL: snap, plus a copy of the versioned directories and the
# version, for expect_same.
vsnap()
{
	local d=$TFS_TMP/snap/$2 i x
	snap "$1" "$2"
	i=$(inst "$1")
	mkdir -p "$d/tree"
	for x in $VERSIONED; do
		cp -r "$i/$x" "$d/tree/$x" 2>"$d/cp.err" || note "vsnap: cp -r $x: $(cat "$d/cp.err")"
	done
	version "$1" >"$d/version"
}

# expect_same DESC INST LABEL: nothing changed since vsnap LABEL: diff -r
# of metadata, validation, settings and master is empty, the version is the
# same, no history line, commit or transaction set.
expect_same()
{
	local desc=$1 in=$2 d=$TFS_TMP/snap/$3 i x out bad=''
	i=$(inst "$in")
	for x in $VERSIONED; do
		out=$(diff -r "$d/tree/$x" "$i/$x" 2>&1) || bad="$bad
diff -r $x (before, now): $(printf '%s\n' "$out" | head -n 20)"
	done
	if [ "$(version "$in")" != "$(cat "$d/version")" ]; then
		bad="$bad
version changed: $(cat "$d/version") -> $(version "$in")"
	fi
	if [ -z "$bad" ]; then
		ok "$desc: diff -r of $in's versioned directories is empty, same version"
	else
		not_ok "$desc: diff -r of $in's versioned directories is empty, same version" "${bad#$'\n'}"
	fi
	expect_unchanged "$desc: no history line, commit or transaction set in $in" "$in" "$3"
}

# new_events LABEL: the events lines added since snap LABEL.
new_events() { cat "$MNT/events" 2>/dev/null | diff "$TFS_TMP/snap/$1/events" - | sed -n 's/^> //p'; }

# event_hits LABEL ACTION INST: new events with that action for acme/INST.
event_hits()
{
	new_events "$1" | awk -F '\t' -v a="$2" -v i="$3" '$3 == a && $5 == "acme" && $6 == i'
}

# expect_event DESC LABEL ACTION INST
expect_event()
{
	if [ -n "$(event_hits "$2" "$3" "$4")" ]; then
		ok "$1"
	else
		not_ok "$1" "expected a new events line: <time> <user> $3 <message> acme $4 ..." \
			"new lines: $(new_events "$2")"
	fi
	return 0
}

# expect_no_event DESC LABEL ACTION INST
expect_no_event()
{
	local hits
	hits=$(event_hits "$2" "$3" "$4")
	if [ -z "$hits" ]; then
		ok "$1"
	else
		not_ok "$1" "unexpected new event: $hits"
	fi
	return 0
}

# expect_log_line DESC INST LABEL: the instance's log got a line since snap.
expect_log_line()
{
	local nl
	nl=$(cat "$(inst "$2")/log" 2>/dev/null | diff "$TFS_TMP/snap/$3/log" - | sed -n 's/^> //p')
	if [ -n "$nl" ]; then
		ok "$1"
	else
		not_ok "$1" "no new line in $2/log; it ends: $(tail -n 3 "$(inst "$2")/log" 2>&1)"
	fi
	return 0
}

# drop INST DIR FILE: cp FILE into INST's DIR/ (RC, OUT, ERR as tfs_run),
# then RESULT is DIR/<file>.result and DROPPED the dropped file's path.
RESULT=
DROPPED=
drop()
{
	local d
	d=$(inst "$1")/$2
	DROPPED=$d/$(basename "$3")
	tfs_run cp "$3" "$d/"
	RESULT=$(cat "$DROPPED.result" 2>&1)
}

result_head() { printf '%s\n' "$RESULT" | sed -n 1p; }

# result_format DESC: RESULT's first line is one word; every error,
# conflict and warning line that names a seq is "<kind> seq=N: <path>: <message>".
result_format()
{
	local bad
	bad=$(printf '%s\n' "$RESULT" | grep -E '^(error|conflict|warning) seq=' |
		grep -vE '^(error|conflict|warning) seq=[0-9]+: [a-z]+/[^: ]+\.xml: .+$')
	if ! result_head | grep -qxE 'applied|rejected|failed|validated|already-applied|running'; then
		not_ok "$1: the result's first line is one word" "result: $RESULT"
	elif [ -n "$bad" ]; then
		not_ok "$1: error/conflict/warning lines read '<kind> seq=N: <path>: <message>'" \
			"malformed: $bad"
	else
		ok "$1: the result's format is right"
	fi
	return 0
}

# dropped_gone DESC: the dropped file itself is not left in the directory,
# nor anything else but *.result files.
dropped_gone()
{
	local left
	left=$(ls -A "$(dirname "$DROPPED")" 2>&1 | grep -v '\.result$')
	if [ ! -e "$DROPPED" ] && [ -z "$left" ]; then
		ok "$1: the dropped file does not stay"
	else
		not_ok "$1: the dropped file does not stay" "ls -A: $(ls -A "$(dirname "$DROPPED")" 2>&1)"
	fi
	return 0
}

# expect_applied DESC INST LABEL PKG [PATH]: the drop was applied: cp
# exited 0, the result reads applied / impact / commit: <the new top
# number>, one history line "Apply package PKG", one commit (touching only
# PATH if given), one transaction set, version + 1, a Package/Apply event,
# a line in the instance's log. If it was not applied, only that nothing
# changed is checked further.
expect_applied()
{
	local desc=$1 in=$2 lab=$3 pkg=$4 path=${5:-} v0 n
	if [ "$RC" -eq 0 ]; then
		ok "$desc: cp exits 0"
	else
		not_ok "$desc: cp exits 0" "exit $RC, stderr: $ERR" "result: $RESULT"
	fi
	check_eq "$desc: the result's first line is applied" applied "$(result_head)"
	if [ "$(result_head)" != applied ]; then
		# the rest would only repeat this failure; all or nothing still holds
		expect_same "$desc: not applied, so nothing may have changed" "$in" "$lab"
		return 0
	fi
	check_match "$desc: the result's second line is impact: <level>" \
		'^impact: (high|medium|low)$' "$(printf '%s\n' "$RESULT" | sed -n 2p)"
	result_format "$desc"
	check_nomatch "$desc: the result lists no error or conflict" '^(error|conflict)' "$RESULT"
	expect_one_commit "$desc: one history line by admin, one commit, one transaction set" \
		"$in" "$lab" "$path"
	n=$(hist_top_n "$in")
	check_match "$desc: the result says commit: $n" "^commit: $n\$" "$RESULT"
	check_match "$desc: the history message starts 'Apply package $pkg'" \
		"^Apply package $(re_esc "$pkg")( |\$)" "$(hist_top "$in" | cut -d ' ' -f 5-)"
	v0=$(cat "$TFS_TMP/snap/$lab/version")
	check_eq "$desc: $in's version goes from $v0 to $((v0 + 1))" "$((v0 + 1))" "$(version "$in")"
	expect_event "$desc: a Package/Apply event for acme/$in" "$lab" Package/Apply "$in"
	expect_log_line "$desc: a line in $in's log" "$in" "$lab"
	dropped_gone "$desc"
}

# expect_rejected DESC INST DIR LABEL [ERE]: cp exited non-zero, the result
# reads rejected / impact: <level>, has a line matching ERE, nothing changed
# since vsnap LABEL, no Package/Apply event; a Package/Reject event for
# apply/ and apply-unvalidated/.
expect_rejected()
{
	local desc=$1 in=$2 dir=$3 lab=$4 re=${5:-}
	if [ "$RC" -ne 0 ]; then
		ok "$desc: cp exits non-zero"
	else
		not_ok "$desc: cp exits non-zero" "exit 0; result: $RESULT"
	fi
	check_eq "$desc: the result's first line is rejected" rejected "$(result_head)"
	check_match "$desc: the result's second line is impact: <level>" \
		'^impact: (high|medium|low)$' "$(printf '%s\n' "$RESULT" | sed -n 2p)"
	result_format "$desc"
	check_nomatch "$desc: the result names no commit" '^commit:' "$RESULT"
	[ -n "$re" ] && check_match "$desc: the result has a line /$re/" "$re" "$RESULT"
	expect_same "$desc" "$in" "$lab"
	expect_no_event "$desc: no Package/Apply event" "$lab" Package/Apply "$in"
	case $dir in
	apply | apply-unvalidated)
		expect_event "$desc: a Package/Reject event for acme/$in" "$lab" Package/Reject "$in" ;;
	esac
	dropped_gone "$desc"
}

# expect_validated DESC INST LABEL: cp into validate/ exited 0, the result
# reads validated, nothing changed, a Package/Validate event.
expect_validated()
{
	local desc=$1 in=$2 lab=$3
	if [ "$RC" -eq 0 ]; then
		ok "$desc: cp exits 0"
	else
		not_ok "$desc: cp exits 0" "exit $RC, stderr: $ERR" "result: $RESULT"
	fi
	check_eq "$desc: the result's first line is validated" validated "$(result_head)"
	result_format "$desc"
	check_nomatch "$desc: the result lists no error or conflict" '^(error|conflict)' "$RESULT"
	expect_same "$desc" "$in" "$lab"
	expect_event "$desc: a Package/Validate event for acme/$in" "$lab" Package/Validate "$in"
	expect_no_event "$desc: no Package/Apply event" "$lab" Package/Apply "$in"
	dropped_gone "$desc"
}

# new_ts INST LABEL: the ids of the transaction sets made since snap LABEL.
new_ts()
{
	tset_list "$1" | comm -13 "$TFS_TMP/snap/$2/tsets" - |
		sed -E 's#.*/([0-9]+)\.xml$#\1#'
}

# sed_ts FILE SCRIPT WHAT / cp_ts SRC DEST WHAT: one save in staging (sed -i
# SCRIPT on FILE, or cp SRC to DEST); TS is the id of its transaction set.
TS=
TS_N=0
sed_ts()
{
	TS_N=$((TS_N + 1))
	snap staging "ts$TS_N"
	check "staging: $3 (sed -i $(rel "$1"))" sed -i "$2" "$1"
	TS=$(new_ts staging "ts$TS_N")
	check_match "staging: $3: one new transaction set" '^[0-9]+$' "$TS"
}
cp_ts()
{
	TS_N=$((TS_N + 1))
	snap staging "ts$TS_N"
	check "staging: $3 (cp to $(rel "$2"))" cp "$1" "$2"
	TS=$(new_ts staging "ts$TS_N")
	check_match "staging: $3: one new transaction set" '^[0-9]+$' "$TS"
}

# mkpkg NAME TS...: mkdir packages/NAME, echo each TS >> transaction-sets.
mkpkg()
{
	local n=$1 t
	shift
	check "mkdir packages/$n" mkdir "$PK/$n"
	for t in "$@"; do
		echo "$t" >>"$PK/$n/transaction-sets"
	done
	check_eq "packages/$n/transaction-sets lists $* (ascending)" \
		"$(printf '%s\n' "$@" | sort -n)" "$(cat "$PK/$n/transaction-sets" 2>&1)"
}

# set_conf NAME KEY VALUE: sed -i the key in packages/NAME/package.conf.
set_conf()
{
	sed -i -E "s/^$2[[:space:]]*=.*/$2 = $3/" "$PK/$1/package.conf"
}
pkg_get() { conf_get "$PK/$1/package.conf" "$2"; }

# restore_file FILE SAVED: puts SAVED's bytes back into FILE if a refused
# write changed it, so that one failure does not spoil the checks after it.
restore_file()
{
	if ! cmp -s "$1" "$2"; then
		note "restoring $(rel "$1") after a refused write changed it"
		cat "$2" >"$1" || note "... and could not"
	fi
}

# close_pkg NAME: state = closed with sed -i (if that fails, through cat >,
# so that the checks after it still mean something).
close_pkg()
{
	check "packages/$1: sed -i state = closed" set_conf "$1" state closed
	if [ "$(pkg_get "$1" state)" != closed ]; then
		note "packages/$1: closing with sed -i failed; trying sed | cat >"
		sed -E 's/^state[[:space:]]*=.*/state = closed/' "$PK/$1/package.conf" >"$W/close.conf"
		cat "$W/close.conf" >"$PK/$1/package.conf"
	fi
	check_eq "packages/$1 is closed" closed "$(pkg_get "$1" state)"
}

# export_pkg NAME: cat package.xml > $W/NAME.xml, which must be well-formed
# in the documented format.
export_pkg()
{
	check "cat packages/$1/package.xml > $1.xml" \
		bash -c 'cat "$1" >"$2"' _ "$PK/$1/package.xml" "$W/$1.xml"
	check_eq "$1.xml is a package in the documented format" "" "$(pkq check "$W/$1.xml" 2>&1)"
}

# ==================================================== the drop directories
for in in production staging uat; do
	I=$(inst "$in")
	for d in packages apply validate apply-unvalidated preview push; do
		check "$in/$d/ is a directory" test -d "$I/$d"
	done
	for d in apply validate apply-unvalidated preview push; do
		check_eq "$in/$d/ is empty" "" "$(ls -A "$I/$d" 2>&1)"
	done
done
check_eq "a fresh staging has no packages" "" "$(ls -A "$PK" 2>&1)"

# ===================================================== 1. the whole flow
note "---- the whole flow: staging -> package -> uat/apply -> revert"
F=$(obj staging metadata/Form/Incident.Default.xml)
FR=$(rel "$F")
cp "$F" "$W/flow-orig.xml"
diff0=$(diff -rq "$STG/metadata" "$UAT/metadata" 2>&1)
lock0=$(conf_get "$UAT/instance.conf" metadata_locked)
snap staging flow
check "staging: sed -i on $FR" sed -i "$(sed_desc "$F" tfsFlow)" "$F"
expect_one_commit "staging: the edit is one commit" staging flow "$FR"
TS_FLOW=$(new_ts staging flow)
check_match "staging: the edit made one transaction set" '^[0-9]+$' "$TS_FLOW"
check_match "ls projects/*/transaction-sets/ shows it" "^$TS_FLOW\\.xml\$" \
	"$(ls "$STG"/projects/*/transaction-sets/)"

P=$PK/tfsFlow
check "mkdir packages/tfsFlow" mkdir "$P"
check_match "ls packages shows tfsFlow" '^tfsFlow$' "$(ls "$PK")"
for f in package.conf transaction-sets aspects package.xml package.compact.xml impact dependencies; do
	check "packages/tfsFlow/$f is a file" test -f "$P/$f"
done
check_eq "package.conf: keys type, description, state, in that order" \
	"$(lines "type description state")" "$(conf_keys "$P/package.conf")"
check_eq "a new package is incremental" incremental "$(pkg_get tfsFlow type)"
check_eq "a new package is open" open "$(pkg_get tfsFlow state)"
check_eq "a new package has no transaction sets" "" "$(cat "$P/transaction-sets" 2>&1)"
echo "$TS_FLOW" >>"$P/transaction-sets"
check_eq "echo $TS_FLOW >> transaction-sets assigns it" "$TS_FLOW" "$(cat "$P/transaction-sets" 2>&1)"
check_size_matches "transaction-sets: stat -c %s equals cat | wc -c" "$P/transaction-sets"

imp=$(cat "$P/impact" 2>&1)
check_eq "impact of a changed Form: the first line is medium" medium "$(printf '%s\n' "$imp" | head -n 1)"
check_match "impact: a reason line names the Form" "^medium: $(re_esc "$FR"): ." "$imp"
check_size_matches "impact: stat -c %s equals cat | wc -c" "$P/impact"
deps=$(cat "$P/dependencies" 2>&1)
check_match "dependencies lists metadata/BusinessObject/Incident.xml (the Form's business object)" \
	'^metadata/BusinessObject/Incident\.xml$' "$deps"
check_nomatch "dependencies does not list the Form the package holds" "^$(re_esc "$FR")\$" "$deps"
check_eq "dependencies is sorted and unique" "$(printf '%s\n' "$deps" | LC_ALL=C sort -u)" "$deps"
check_eq "every dependency is an object path that exists in staging" "" \
	"$(printf '%s\n' "$deps" | while read -r x; do [ -f "$STG/$x" ] || echo "$x"; done)"

close_pkg tfsFlow
export_pkg tfsFlow
check_eq "package.xml: root name, type, state, source tenant and instance" \
	"1 tfsFlow incremental closed acme staging" \
	"$(pkq root "$W/tfsFlow.xml" format name type state source-tenant source-instance)"
sc=$(pkq root "$W/tfsFlow.xml" source-commit)
check "package.xml: source-commit ($sc) is a commit of acme/staging" \
	tfs_git merge-base --is-ancestor "$sc" acme/staging
sets=$(pkq sets "$W/tfsFlow.xml")
check_match "package.xml: <transaction-set id=$TS_FLOW project=$(active_project staging) user=admin created=<UTC>>" \
	"^$TS_FLOW $(active_project staging) admin [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\$" "$sets"
check_eq "package.xml: exactly one transaction set" 1 "$(printf '%s\n' "$sets" | grep -c .)"
tl=$(pkq list "$W/tfsFlow.xml")
check_match "package.xml: op U of $FR, base the SHA-256 of the old bytes" \
	"^[0-9]+ U $(re_esc "$FR") $(sha "$W/flow-orig.xml")\$" "$tl"
check_eq "package.xml: exactly one transaction" 1 "$(printf '%s\n' "$tl" | grep -c .)"
SEQ=$(pkq seq "$W/tfsFlow.xml" "$FR")
check "package.xml: the transaction carries the whole new Form" pkq body "$W/tfsFlow.xml" "$SEQ" "$F"
check_size_matches "package.xml: stat -c %s equals cat | wc -c" "$P/package.xml"

# closed: every change is refused, nothing changes
for f in package.conf transaction-sets aspects; do cp "$P/$f" "$W/flow.$f"; done
check_fails "closed: sed -i state = open fails" set_conf tfsFlow state open
check_fails "closed: sed -i description fails" set_conf tfsFlow description tfsChanged
check_fails "closed: type = master fails" set_conf tfsFlow type master
check_fails "closed: assigning a transaction set fails (| cat >>)" \
	bash -c 'printf "%s\n" "$2" | cat >>"$1"' _ "$P/transaction-sets" "$TS_FLOW"
check_fails "closed: removing the transaction set fails (: | cat >)" \
	bash -c ': | cat >"$1"' _ "$P/transaction-sets"
check_fails "closed: writing aspects fails" \
	bash -c 'printf "tfs.a 1 acme no\n" | cat >"$1"' _ "$P/aspects"
echo "state = open" >"$P/package.conf"
echo "$TS_FLOW" >>"$P/transaction-sets"
for f in package.conf transaction-sets aspects; do
	check_file_bytes "closed: $f is unchanged after the refused writes" "$P/$f" "$W/flow.$f"
done
check_fails "closed: rmdir packages/tfsFlow fails" rmdir "$P"
check "closed: packages/tfsFlow still exists" test -d "$P"

# apply to uat (metadata-locked; a Form change is medium impact)
vsnap uat flow
drop uat apply "$W/tfsFlow.xml"
expect_applied "cp tfsFlow.xml uat/apply/" uat flow tfsFlow "$FR"
check_eq "the result reads impact: medium" "impact: medium" "$(printf '%s\n' "$RESULT" | sed -n 2p)"
check_file_bytes "uat's Form now has staging's bytes" "$UAT/$FR" "$F"
check "diff staging/$FR uat/$FR is empty" diff "$F" "$UAT/$FR"
check_eq "diff -rq staging/metadata uat/metadata shows what it showed before the edit" \
	"$diff0" "$(diff -rq "$STG/metadata" "$UAT/metadata" 2>&1)"
check_eq "uat is still metadata-locked after the apply" "$lock0" \
	"$(conf_get "$UAT/instance.conf" metadata_locked)"
check_err "uat: sed -i on the Form still fails with EROFS" 'Read-only file system' \
	sed -i "$(sed_desc "$UAT/$FR" tfsLockedAfter)" "$UAT/$FR"
check_size_matches "apply/tfsFlow.xml.result: stat -c %s equals cat | wc -c" \
	"$UAT/apply/tfsFlow.xml.result"
NFLOW=$(hist_top_n uat)
# the imported package is remembered in uat: closed, with its source
check_match "uat's packages/ lists the imported tfsFlow" '^tfsFlow$' "$(ls "$UAT/packages")"
check_eq "uat's tfsFlow is closed" closed "$(conf_get "$UAT/packages/tfsFlow/package.conf" state)"
check_eq "uat's tfsFlow names its source" acme/staging \
	"$(conf_get "$UAT/packages/tfsFlow/package.conf" source)"
check_file_bytes "uat's tfsFlow has staging's aspects" "$UAT/packages/tfsFlow/aspects" "$P/aspects"
check_eq "uat's tfsFlow holds the transaction set the apply made" 1 \
	"$(grep -c . "$UAT/packages/tfsFlow/transaction-sets")"
check_fails "uat's tfsFlow: source is read-only" \
	bash -c 'printf "source = acme/uat\n" >>"$1"' _ "$UAT/packages/tfsFlow/package.conf"

# the same package again
vsnap uat again
drop uat apply "$W/tfsFlow.xml"
check_eq "the same package again: cp exits 0" 0 "$RC"
check_eq "the same package again: the result reads already-applied" already-applied "$(result_head)"
result_format "the same package again"
expect_same "the same package again" uat again

# revert the package in uat
vsnap uat flowrev
echo "$NFLOW" >"$UAT/revert"
RESULT=$(cat "$UAT/revert.result" 2>&1)
check_nomatch "echo $NFLOW > uat/revert: revert.result does not refuse" \
	'^(rejected|failed)$' "$(result_head)"
check_file_bytes "revert: uat's Form has its old bytes again" "$UAT/$FR" "$W/flow-orig.xml"
expect_one_commit "revert: one commit" uat flowrev "$FR"
check_match "revert.result names the new commit" "^commit: $(hist_top_n uat)\$" "$RESULT"
check_match "diff -rq staging/metadata uat/metadata shows the Form again" \
	"$(re_esc "${FR#metadata/}")" "$(diff -rq "$STG/metadata" "$UAT/metadata" 2>&1)"

# ============================================ 2. package.conf and friends
note "---- package.conf, transaction-sets, aspects, mkdir and rmdir"
SK=$(obj staging metadata/Search/Problem.KnownErrors.xml)
sed_ts "$SK" "$(sed_desc "$SK" tfsMgmt1)" "Search tfsMgmt1"
TSA=$TS
sed_ts "$SK" "$(sed_desc "$SK" tfsMgmt2)" "Search tfsMgmt2"
TSB=$TS
M=$PK/tfsMgmt
check "mkdir packages/tfsMgmt" mkdir "$M"
check_err "mkdir packages/tfsMgmt again fails with EEXIST" 'File exists' mkdir "$M"
check "sed -i description" set_conf tfsMgmt description "Known errors search, twice"
check_eq "description reads back" "Known errors search, twice" "$(pkg_get tfsMgmt description)"
check_eq "package.conf keeps its key order" "$(lines "type description state")" \
	"$(conf_keys "$M/package.conf")"
check_size_matches "package.conf: stat -c %s equals cat | wc -c" "$M/package.conf"
check "empty: type = master" set_conf tfsMgmt type master
check_eq "type reads master" master "$(pkg_get tfsMgmt type)"
check "empty: type = incremental again" set_conf tfsMgmt type incremental
check_eq "type reads incremental" incremental "$(pkg_get tfsMgmt type)"
cp "$M/package.conf" "$W/mgmt.conf"
check_fails "type = bogus fails" set_conf tfsMgmt type bogus
check_fails "state = bogus fails" set_conf tfsMgmt state bogus
check_fails "an unknown key fails" bash -c 'printf "colour = red\n" | cat >>"$1"' _ "$M/package.conf"
check_fails "rewriting package.conf with type = bogus fails (| cat >)" \
	bash -c 'sed "s/^type[[:space:]]*=.*/type = bogus/" "$1" | cat >"$2"' _ "$W/mgmt.conf" "$M/package.conf"
check_file_bytes "package.conf is unchanged after the refused writes" "$M/package.conf" "$W/mgmt.conf"
restore_file "$M/package.conf" "$W/mgmt.conf"

echo "$TSB" >>"$M/transaction-sets"
echo "$TSA" >>"$M/transaction-sets"
check_eq "two ids assigned out of order read back ascending" "$(printf '%s\n%s\n' "$TSA" "$TSB")" \
	"$(cat "$M/transaction-sets" 2>&1)"
check_eq "package.xml has both transaction sets, ascending" "$TSA $TSB" \
	"$(pkq sets "$M/package.xml" | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')"
check_eq "package.xml: the transactions are U, U of the Search" \
	"U $(rel "$SK")
U $(rel "$SK")" "$(pkq list "$M/package.xml" | awk '{print $2, $3}')"
cp "$M/transaction-sets" "$W/mgmt.ts"
check_fails "assigning an unknown id (99999) fails" \
	bash -c 'printf "99999\n" | cat >>"$1"' _ "$M/transaction-sets"
echo 99999 >>"$M/transaction-sets"
check_fails "assigning garbage fails" bash -c 'printf "x1\n" | cat >>"$1"' _ "$M/transaction-sets"
check_fails "rewriting transaction-sets with an unknown id fails (| cat >)" \
	bash -c 'printf "%s\n99999\n" "$2" | cat >"$1"' _ "$M/transaction-sets" "$TSA"
check_file_bytes "transaction-sets is unchanged after the refused writes" "$M/transaction-sets" "$W/mgmt.ts"
restore_file "$M/transaction-sets" "$W/mgmt.ts"
check_fails "non-empty: type = master fails" set_conf tfsMgmt type master
check_eq "type still reads incremental" incremental "$(pkg_get tfsMgmt type)"
check_fails "incremental: writing sub-packages fails" \
	bash -c 'printf "1 tfsFlow\n" | cat >"$1"' _ "$M/sub-packages"
check "rewriting transaction-sets with one id removes the other" \
	bash -c 'printf "%s\n" "$2" | cat >"$1"' _ "$M/transaction-sets" "$TSA"
check_eq "transaction-sets reads $TSA" "$TSA" "$(cat "$M/transaction-sets" 2>&1)"
check_eq "package.xml has only transaction set $TSA" "$TSA" \
	"$(pkq sets "$M/package.xml" | awk '{print $1}')"

check_eq "aspects of a new package are empty" "" "$(cat "$M/aspects" 2>&1)"
check "write aspects: two lines" bash -c 'printf "tfs.aspect.one 1 acme.vendor no\ntfs.aspect.two 3 acme.vendor yes\n" | cat >"$1"' _ "$M/aspects"
check_eq "aspects read back" "tfs.aspect.one 1 acme.vendor no
tfs.aspect.two 3 acme.vendor yes" "$(cat "$M/aspects" 2>&1)"
check_eq "package.xml carries <aspect id version vendor-id uninstall>" "tfs.aspect.one 1 acme.vendor no
tfs.aspect.two 3 acme.vendor yes" "$(pkq aspects "$M/package.xml")"
check "rewrite aspects: the uninstall flag of the first to yes" \
	bash -c 'printf "tfs.aspect.one 1 acme.vendor yes\n" | cat >"$1"' _ "$M/aspects"
check_eq "aspects read back the change" "tfs.aspect.one 1 acme.vendor yes" "$(cat "$M/aspects" 2>&1)"
cp "$M/aspects" "$W/mgmt.aspects"
check_fails "an aspect with uninstall flag 'maybe' fails" \
	bash -c 'printf "tfs.aspect.one 1 acme.vendor maybe\n" | cat >"$1"' _ "$M/aspects"
check_fails "an aspect line with two fields fails" \
	bash -c 'printf "tfs.aspect.one 1\n" | cat >"$1"' _ "$M/aspects"
check_fails "an aspect line with five fields fails" \
	bash -c 'printf "tfs.aspect.one 1 acme.vendor yes extra\n" | cat >"$1"' _ "$M/aspects"
check_file_bytes "aspects are unchanged after the refused writes" "$M/aspects" "$W/mgmt.aspects"
restore_file "$M/aspects" "$W/mgmt.aspects"

check "mkdir packages/tfsEmpty" mkdir "$PK/tfsEmpty"
check "rmdir of an open package succeeds" rmdir "$PK/tfsEmpty"
check "... and it is gone" test ! -e "$PK/tfsEmpty"
check_nomatch "... from ls too" '^tfsEmpty$' "$(ls "$PK")"
check "rmdir of an open package with transaction sets succeeds" rmdir "$M"
check "... and it is gone" test ! -e "$M"
check_eq "its transaction sets stay in the project" \
	"$(printf '%s\n%s\n' "$TSA" "$TSB")" \
	"$(tset_list staging | sed -E 's#.*/([0-9]+)\.xml$#\1#' | grep -xE "$TSA|$TSB" | sort -n)"
check_nomatch "production has no packages of staging's" 'tfsFlow' "$(ls "$PRD/packages" 2>&1)"

# ===================================================== 3. missing references
note "---- references must resolve in the target or in the package"
SM=$(obj staging metadata/Search/Incident.Unassigned.xml)
SMR=$(rel "$SM")
cp "$SM" "$W/miss-search-orig.xml"
sed_ts "$SM" "$(sed_desc "$SM" tfsMissing)" "Search tfsMissing"
TS_SM=$TS
printf '<BusinessObject name="MyNewBO#">\n  <Field name="Title" type="Text" length="100" nullable="true" unique="false" indexed="false"/>\n</BusinessObject>\n' >"$W/newbo.xml"
BOR='metadata/BusinessObject/MyNewBO#.xml'
MFR=metadata/Form/MyNewBO.Default.xml
cp_ts "$W/newbo.xml" "$STG/$BOR" "create business object MyNewBO#"
TS_BO=$TS
printf '<Form name="MyNewBO.Default" businessObject="MyNewBO#">\n  <FieldRef name="Title"/>\n</Form>\n' >"$W/newform.xml"
cp_ts "$W/newform.xml" "$STG/$MFR" "create Form MyNewBO.Default on it"
TS_MF=$TS
mkpkg tfsMissing "$TS_SM" "$TS_MF"
deps=$(cat "$PK/tfsMissing/dependencies" 2>&1)
check_match "dependencies of a Form without its business object lists $BOR" "^$(re_esc "$BOR")\$" "$deps"
check_nomatch "... but not the Form" "^$(re_esc "$MFR")\$" "$deps"
close_pkg tfsMissing
export_pkg tfsMissing
SEQ_MF=$(pkq seq "$W/tfsMissing.xml" "$MFR")
SEQ_SM=$(pkq seq "$W/tfsMissing.xml" "$SMR")
MISS_RE="^error seq=$SEQ_MF: $(re_esc "$MFR"): business object MyNewBO# not found in target or package\$"

vsnap uat miss1
drop uat validate "$W/tfsMissing.xml"
check_true "validate/: the package with a dangling reference: cp exits non-zero" "exit $RC" "$RC" -ne 0
check_eq "validate/: the result's first line is rejected" rejected "$(result_head)"
check_match "validate/: the result names seq $SEQ_MF, the Form and the missing business object" \
	"$MISS_RE" "$RESULT"
expect_same "validate/ of the dangling package" uat miss1

vsnap uat miss2
drop uat apply "$W/tfsMissing.xml"
expect_rejected "apply/ of the dangling package" uat apply miss2 "$MISS_RE"
check_nomatch "the rejection does not blame the Search (seq $SEQ_SM)" "seq=$SEQ_SM:" "$RESULT"
check_file_bytes "all or nothing: uat's Search (the valid half) is unchanged" "$UAT/$SMR" "$W/miss-search-orig.xml"
check "the Form does not exist in uat" test ! -e "$UAT/$MFR"

vsnap uat miss3
drop uat apply-unvalidated "$W/tfsMissing.xml"
expect_applied "apply-unvalidated/ of the dangling package" uat miss3 tfsMissing "$SMR"
check_match "apply-unvalidated/: the Form is reported as a warning naming seq $SEQ_MF and MyNewBO#" \
	"^warning seq=$SEQ_MF: $(re_esc "$MFR"): .*MyNewBO#" "$RESULT"
check_file_bytes "apply-unvalidated/: the Search is applied" "$UAT/$SMR" "$SM"
check "apply-unvalidated/: the Form is not" test ! -e "$UAT/$MFR"

# a transaction set of its own for the second package, so that nothing
# depends on whether one set may be in two packages
MF2R=metadata/Form/MyNewBO.Second.xml
sed 's/MyNewBO\.Default/MyNewBO.Second/' "$W/newform.xml" >"$W/newform2.xml"
cp_ts "$W/newform2.xml" "$STG/$MF2R" "create Form MyNewBO.Second on it"
mkpkg tfsMissingFull "$TS_BO" "$TS"
deps=$(cat "$PK/tfsMissingFull/dependencies" 2>&1)
check_nomatch "dependencies of the package with the business object: not $BOR" "^$(re_esc "$BOR")\$" "$deps"
check_eq "impact of a new business object and its form: medium (other business-object metadata)" \
	medium "$(head -n 1 "$PK/tfsMissingFull/impact" 2>&1)"
close_pkg tfsMissingFull
export_pkg tfsMissingFull
vsnap uat full1
drop uat validate "$W/tfsMissingFull.xml"
expect_validated "validate/ of the package with the business object" uat full1
vsnap uat full2
drop uat apply "$W/tfsMissingFull.xml"
expect_applied "apply/ of the package with the business object" uat full2 tfsMissingFull
check_file_bytes "uat has the business object" "$UAT/$BOR" "$STG/$BOR"
check_file_bytes "uat has the Form" "$UAT/$MF2R" "$STG/$MF2R"

note "---- apply-unvalidated/: a conflict is a warning and is skipped"
SU=$(obj staging metadata/Search/Incident.ResolvedThisWeek.xml)
SUR=$(rel "$SU")
RS=$(obj staging metadata/Report/Incident.SLACompliance.xml)
RSR=$(rel "$RS")
sed_ts "$SU" "$(sed_desc "$SU" tfsUnvS)" "Search tfsUnvS"
t1=$TS
sed_ts "$RS" "$(sed_desc "$RS" tfsUnvR)" "Report tfsUnvR"
t2=$TS
mkpkg tfsUnv "$t1" "$t2"
close_pkg tfsUnv
export_pkg tfsUnv
SEQ_U=$(pkq seq "$W/tfsUnv.xml" "$SUR")
check "uat: sed -i the same Search (a local change)" sed -i "$(sed_desc "$UAT/$SUR" tfsUnvLocal)" "$UAT/$SUR"
cp "$UAT/$SUR" "$W/unv-uat.xml"
vsnap uat unv
drop uat apply-unvalidated "$W/tfsUnv.xml"
expect_applied "apply-unvalidated/ with one conflicting object" uat unv tfsUnv "$RSR"
check_match "apply-unvalidated/: the conflict is a warning naming seq $SEQ_U and the Search" \
	"^warning seq=$SEQ_U: $(re_esc "$SUR"): ." "$RESULT"
check_file_bytes "apply-unvalidated/: uat's Search keeps its local change" "$UAT/$SUR" "$W/unv-uat.xml"
check_file_bytes "apply-unvalidated/: uat's Report is applied" "$UAT/$RSR" "$RS"

note "---- every kind of reference must resolve (hand-made packages, validate/)"
# craft OUT NAME PATH OBJFILE BASEFILE: a closed incremental package NAME
# with one transaction set holding one transaction, seq 1, op U of PATH,
# carrying OBJFILE's document, base the SHA-256 of BASEFILE.
craft()
{
	python3 - "$@" "$(git_head staging)" <<'PYEOF'
import hashlib, re, sys, time
out, name, path, objf, basef, commit = sys.argv[1:7]
doc = open(objf, encoding="utf-8").read()
doc = re.sub(r"^<\?xml[^>]*\?>\s*", "", doc)
base = hashlib.sha256(open(basef, "rb").read()).hexdigest()
now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
body = "".join("      " + l + "\n" for l in doc.splitlines())
open(out, "w", encoding="utf-8").write(
    '<package format="1" name="%s" type="incremental" state="closed" '
    'source-tenant="acme" source-instance="staging" source-commit="%s">\n'
    '  <transaction-set id="1" project="default" user="admin" created="%s">\n'
    '    <transaction seq="1" op="U" path="%s" base="%s">\n%s'
    '    </transaction>\n  </transaction-set>\n</package>\n'
    % (name, commit, now, path, base, body))
PYEOF
}
vsnap uat refs
while IFS='|' read -r kind path script missing; do
	[ -n "$kind" ] || continue
	sed "$script" "$UAT/$path" >"$W/ref-$kind.obj"
	if cmp -s "$W/ref-$kind.obj" "$UAT/$path"; then
		not_ok "$kind: the test could break the reference in $path" "sed $script changed nothing"
		continue
	fi
	craft "$W/tfsRef$kind.xml" "tfsRef$kind" "$path" "$W/ref-$kind.obj" "$UAT/$path"
	drop uat validate "$W/tfsRef$kind.xml"
	check_true "$kind to the missing $missing: validate/ exits non-zero" "exit $RC; result: $RESULT" "$RC" -ne 0
	check_eq "$kind to the missing $missing: the result's first line is rejected" rejected "$(result_head)"
	check_match "$kind to the missing $missing: an error names seq 1, $path and $missing" \
		"^error seq=1: $(re_esc "$path"): .*$missing" "$RESULT"
done <<'REFS'
FieldRef|metadata/Form/Problem.Default.xml|s/<FieldRef name="ProblemNumber"/<FieldRef name="NoSuchField"/|NoSuchField
validationList|metadata/BusinessObject/Problem.xml|0,/validationList="ProblemStatus"/s//validationList="NoSuchList"/|NoSuchList
FormRef|metadata/Layout/Problem.Default.xml|s/<FormRef name="Problem.Default"/<FormRef name="NoSuchForm"/|NoSuchForm
GridRef|metadata/Layout/Problem.Default.xml|s/<GridRef name="Problem.List"/<GridRef name="NoSuchGrid"/|NoSuchGrid
PartRef|metadata/Dashboard/Change.Management.xml|s/<PartRef name="Change.ByRisk"/<PartRef name="NoSuchPart"/|NoSuchPart
WorkflowRef|metadata/Trigger/Change.OnSubmit.xml|s/<WorkflowRef name="Change.Approval"/<WorkflowRef name="NoSuchFlow"/|NoSuchFlow
Permission|metadata/Role/Administrator.xml|0,/<Permission businessObject="[^"]*"/s//<Permission businessObject="NoSuchBO"/|NoSuchBO
businessObject|metadata/Grid/Problem.List.xml|0,/businessObject="Problem"/s//businessObject="NoSuchBO"/|NoSuchBO
REFS
expect_same "validate/ of the packages with dangling references" uat refs

# ===================================================== 4. base conflicts
note "---- a base that is not the target's object is a conflict"
SC=$(obj staging metadata/Search/Incident.BreachingSLA.xml)
SCR=$(rel "$SC")
cp "$SC" "$W/conf-orig.xml"
sed_ts "$SC" "$(sed_desc "$SC" tfsConfStg)" "Search tfsConfStg"
mkpkg tfsConflict "$TS"
close_pkg tfsConflict
export_pkg tfsConflict
SEQ_C=$(pkq seq "$W/tfsConflict.xml" "$SCR")
snap uat c0
check "uat: sed -i on the same Search (searches stay editable when locked)" \
	sed -i "$(sed_desc "$UAT/$SCR" tfsConfUat)" "$UAT/$SCR"
expect_one_commit "uat: the local change is one commit" uat c0 "$SCR"
cp "$UAT/$SCR" "$W/conf-uat.xml"
vsnap uat conf1
drop uat apply "$W/tfsConflict.xml"
expect_rejected "apply/ over a Search changed in uat" uat apply conf1 \
	"^conflict seq=$SEQ_C: $(re_esc "$SCR"): ."
check_file_bytes "uat's Search keeps its local change" "$UAT/$SCR" "$W/conf-uat.xml"
check "uat: cp the Search's old bytes back" cp "$W/conf-orig.xml" "$UAT/$SCR"
check_file_bytes "uat's Search is at the package's base again" "$UAT/$SCR" "$W/conf-orig.xml"
vsnap uat conf2
drop uat apply "$W/tfsConflict.xml"
expect_applied "apply/ once the target matches the base" uat conf2 tfsConflict "$SCR"
check_file_bytes "uat's Search has staging's bytes" "$UAT/$SCR" "$SC"

note "---- the target already holding the new bytes is no conflict"
Q=$(obj staging metadata/QuickAction/Incident.Close.xml)
QR=$(rel "$Q")
R=$(obj staging metadata/Report/Incident.Aging.xml)
RR=$(rel "$R")
sed_ts "$Q" "$(sed_desc "$Q" tfsSameQ)" "QuickAction tfsSameQ"
TS_Q=$TS
sed_ts "$R" "$(sed_desc "$R" tfsSameR)" "Report tfsSameR"
TS_R=$TS
mkpkg tfsSame "$TS_Q" "$TS_R"
close_pkg tfsSame
export_pkg tfsSame
check "uat: sed -i the QuickAction the same way (quick actions stay editable)" \
	sed -i "$(sed_desc "$UAT/$QR" tfsSameQ)" "$UAT/$QR"
check "uat's QuickAction has staging's new bytes already" cmp "$Q" "$UAT/$QR"
vsnap uat same
drop uat apply "$W/tfsSame.xml"
expect_applied "apply/ when the target already holds one object's new bytes" uat same tfsSame
check_file_bytes "uat's Report has staging's bytes" "$UAT/$RR" "$R"
check_file_bytes "uat's QuickAction has staging's bytes" "$UAT/$QR" "$Q"
check_match "the commit changes the Report" "(^|/)$(re_esc "$RR")\$" \
	"$(tfs_git diff-tree --no-commit-id --name-only -r acme/uat)"

# ============================================ 5. same path, another guid
note "---- matched by guid, then by path: never duplicated"
DR=metadata/Report/Incident.TfsDup.xml
printf '<Report name="Incident.TfsDup" businessObject="Incident" format="Pdf" description="tfsDup"/>\n' >"$W/dup.xml"
cp_ts "$W/dup.xml" "$STG/$DR" "create Report Incident.TfsDup"
mkpkg tfsDup "$TS"
close_pkg tfsDup
export_pkg tfsDup
SEQ_D=$(pkq seq "$W/tfsDup.xml" "$DR")
check "uat: create a Report at the same path (it gets its own guid)" cp "$W/dup.xml" "$UAT/$DR"
gs=$(attr guid "$STG/$DR")
gu=$(attr guid "$UAT/$DR")
check_ne "the two Reports have different guids" "$gs" "$gu"
vsnap uat dup
drop uat apply "$W/tfsDup.xml"
expect_rejected "apply/ of a create whose path holds another guid" uat apply dup \
	"^conflict seq=$SEQ_D: $(re_esc "$DR"): ."
check_eq "uat's Report keeps its guid" "$gu" "$(attr guid "$UAT/$DR")"
check_eq "there is one Incident.TfsDup in uat's metadata/Report" 1 \
	"$(ls "$UAT/metadata/Report" | grep -c 'TfsDup')"
check_eq "no other object in uat carries the package's guid" "" \
	"$(grep -rl "guid=\"$gs\"" "$UAT/metadata" 2>/dev/null)"

# ===================================================== 6. impact and locks
note "---- high impact: only validated on locked instances"
BO=$STG/metadata/BusinessObject/Incident.xml
BOR2=$(rel "$BO")
sed_ts "$BO" '/<Field name="Subject"/s/length="[0-9]*"/length="300"/' "Incident field Subject length 300"
check_match "staging: Subject has length 300" '<Field name="Subject"[^>]* length="300"' "$(cat "$BO")"
mkpkg tfsHigh "$TS"
imp=$(cat "$PK/tfsHigh/impact" 2>&1)
check_eq "impact of a field length change: the first line is high" high "$(printf '%s\n' "$imp" | head -n 1)"
check_match "impact: the reason names the business object, the field and the length" \
	"^high: $(re_esc "$BOR2"): .*Subject.*length" "$imp"
close_pkg tfsHigh
export_pkg tfsHigh
vsnap uat high1
drop uat apply "$W/tfsHigh.xml"
expect_rejected "apply/ of a high impact package into locked uat" uat apply high1 '[Vv]alidat'
check_eq "the result reads impact: high" "impact: high" "$(printf '%s\n' "$RESULT" | sed -n 2p)"
vsnap uat high2
drop uat validate "$W/tfsHigh.xml"
expect_validated "validate/ of the high impact package in uat" uat high2
vsnap production high3
drop production apply "$W/tfsHigh.xml"
expect_rejected "apply/ of the high impact package into locked production" production apply high3 '[Vv]alidat'

note "---- low impact into locked uat"
LR=metadata/Form/Incident.TfsLow.xml
printf '<Form name="Incident.TfsLow" businessObject="Incident">\n  <FieldRef name="Subject"/>\n</Form>\n' >"$W/low.xml"
cp_ts "$W/low.xml" "$STG/$LR" "create Form Incident.TfsLow"
mkpkg tfsLow "$TS"
imp=$(cat "$PK/tfsLow/impact" 2>&1)
check_eq "impact of a new Form: the first line is low" low "$(printf '%s\n' "$imp" | head -n 1)"
check_nomatch "impact: no medium or high reason for a new Form" '^(high|medium):' "$imp"
close_pkg tfsLow
export_pkg tfsLow
vsnap uat low
drop uat apply "$W/tfsLow.xml"
expect_applied "apply/ of a low impact package into locked uat" uat low tfsLow "$LR"
check_eq "the result reads impact: low" "impact: low" "$(printf '%s\n' "$RESULT" | sed -n 2p)"
check_file_bytes "uat has the new Form" "$UAT/$LR" "$STG/$LR"
check_eq "uat is still metadata-locked" "$lock0" "$(conf_get "$UAT/instance.conf" metadata_locked)"
check_err "uat: rm of the applied Form fails with EROFS (locked again)" 'Read-only file system' rm "$UAT/$LR"

note "---- only closed packages into production"
DB=$(obj staging metadata/Dashboard/MyWork.xml)
DBR=$(rel "$DB")
sed_ts "$DB" "$(sed_desc "$DB" tfsOpen)" "Dashboard tfsOpen"
mkpkg tfsOpen "$TS"
export_pkg tfsOpen
check_eq "an open package exports with state=\"open\"" open "$(pkq root "$W/tfsOpen.xml" state)"
vsnap production open1
drop production apply "$W/tfsOpen.xml"
expect_rejected "apply/ of an open package into production" production apply open1 '[Cc]losed'
vsnap uat open2
drop uat apply "$W/tfsOpen.xml"
expect_applied "the same open package into uat" uat open2 tfsOpen "$DBR"

# ========================================================= 7. revert
note "---- revert of a whole package, and its refusal"
SR=$(obj staging metadata/Search/Incident.MyTeamIncidents.xml)
SRR=$(rel "$SR")
cp "$SR" "$W/rev-search-orig.xml"
NR=metadata/Form/Incident.TfsPkgNew.xml
sed_ts "$SR" "$(sed_desc "$SR" tfsRev)" "Search tfsRev"
TS1=$TS
printf '<Form name="Incident.TfsPkgNew" businessObject="Incident">\n  <FieldRef name="Priority"/>\n</Form>\n' >"$W/pkgnew.xml"
cp_ts "$W/pkgnew.xml" "$STG/$NR" "create Form Incident.TfsPkgNew"
TS2=$TS
mkpkg tfsRev "$TS1" "$TS2"
close_pkg tfsRev
export_pkg tfsRev
vsnap uat rev1
drop uat apply "$W/tfsRev.xml"
expect_applied "apply/ of a two-object package into uat" uat rev1 tfsRev
check_file_bytes "uat has the Search's new bytes" "$UAT/$SRR" "$SR"
check_file_bytes "uat has the new Form" "$UAT/$NR" "$STG/$NR"
NREV=$(hist_top_n uat)
vsnap uat rev2
echo "$NREV" >"$UAT/revert"
RESULT=$(cat "$UAT/revert.result" 2>&1)
check_nomatch "echo $NREV > uat/revert: not refused" '^(rejected|failed)$' "$(result_head)"
expect_one_commit "revert of the package: one commit" uat rev2
check_eq "the revert commit touches both objects" \
	"$(printf '%s\n%s\n' "$NR" "$SRR" | LC_ALL=C sort)" \
	"$(tfs_git diff-tree --no-commit-id --name-only -r acme/uat | sed -E 's#^.*(metadata/)#\1#' | LC_ALL=C sort)"
check_file_bytes "revert: uat's Search has its old bytes" "$UAT/$SRR" "$W/rev-search-orig.xml"
check "revert: the package's new Form is gone" test ! -e "$UAT/$NR"
check_nomatch "revert: ls no longer shows it" 'TfsPkgNew' "$(ls "$UAT/metadata/Form")"

vsnap production rev3
drop production apply "$W/tfsRev.xml"
expect_applied "apply/ of the closed package into production" production rev3 tfsRev
NPRD=$(hist_top_n production)
snap production rev4
check "production: sed -i on the Search afterwards" sed -i "$(sed_desc "$PRD/$SRR" tfsRevLater)" "$PRD/$SRR"
expect_one_commit "production: the later change is one commit" production rev4 "$SRR"
NLATER=$(hist_top_n production)
vsnap production rev5
echo "$NPRD" >"$PRD/revert"
RESULT=$(cat "$PRD/revert.result" 2>&1)
check_eq "echo $NPRD > production/revert: revert.result's first line is rejected" rejected "$(result_head)"
check_match "revert.result: conflict commit=$NLATER names the Search" \
	"^conflict commit=$NLATER: $(re_esc "$SRR"): ." "$RESULT"
expect_same "refused revert" production rev5
check "refused revert: the package's Form is still in production" test -f "$PRD/$NR"

# ================================================================ 8. master
note "---- a master package applies its sub-packages in order"
OR=metadata/Form/Incident.TfsOrder.xml
printf '<Form name="Incident.TfsOrder" businessObject="Incident" description="tfsOrderA">\n  <FieldRef name="Subject"/>\n</Form>\n' >"$W/order.xml"
cp_ts "$W/order.xml" "$STG/$OR" "create Form Incident.TfsOrder (A)"
mkpkg tfsSubA "$TS"
sed_ts "$STG/$OR" "$(sed_desc "$STG/$OR" tfsOrderB)" "Form Incident.TfsOrder (B)"
mkpkg tfsSubB "$TS"
close_pkg tfsSubA
close_pkg tfsSubB
for m in tfsMaster tfsMasterRev; do
	check "mkdir packages/$m" mkdir "$PK/$m"
	check "$m: type = master while empty" set_conf "$m" type master
	check_eq "$m: type reads master" master "$(pkg_get "$m" type)"
done
check "tfsMaster: write sub-packages '2 tfsSubB', '1 tfsSubA'" \
	bash -c 'printf "2 tfsSubB\n1 tfsSubA\n" | cat >"$1"' _ "$PK/tfsMaster/sub-packages"
check_eq "tfsMaster: sub-packages reads both, by order" "1 tfsSubA
2 tfsSubB" "$(sort -n "$PK/tfsMaster/sub-packages" 2>&1)"
check "tfsMasterRev: write sub-packages '1 tfsSubB', '2 tfsSubA'" \
	bash -c 'printf "1 tfsSubB\n2 tfsSubA\n" | cat >"$1"' _ "$PK/tfsMasterRev/sub-packages"
cp "$PK/tfsMaster/sub-packages" "$W/subs"
check_fails "sub-packages naming a package that does not exist fails" \
	bash -c 'printf "1 tfsSubA\n3 tfsNoSuchPackage\n" | cat >"$1"' _ "$PK/tfsMaster/sub-packages"
check_file_bytes "sub-packages is unchanged after the refused write" "$PK/tfsMaster/sub-packages" "$W/subs"
restore_file "$PK/tfsMaster/sub-packages" "$W/subs"
check_fails "a master package with sub-packages cannot become incremental" \
	set_conf tfsMaster type incremental
check_match "impact of the master package: a level" '^(high|medium|low)$' \
	"$(head -n 1 "$PK/tfsMaster/impact" 2>&1)"
close_pkg tfsMaster
close_pkg tfsMasterRev
export_pkg tfsMaster
export_pkg tfsMasterRev
check_eq "tfsMaster.xml: type master" master "$(pkq root "$W/tfsMaster.xml" type)"
check_eq "tfsMaster.xml: <sub-package order=1> tfsSubA, then order=2 tfsSubB" "1 tfsSubA
2 tfsSubB" "$(pkq subs "$W/tfsMaster.xml")"
check_eq "tfsMaster.xml: the sub-packages carry C then U of the Form" "C $OR
U $OR" "$(pkq list "$W/tfsMaster.xml" | awk '{print $2, $3}')"
vsnap uat mrev
drop uat apply "$W/tfsMasterRev.xml"
expect_rejected "apply/ of the master package in the wrong order" uat apply mrev \
	"^(conflict|error) seq=[0-9]+: $(re_esc "$OR"): ."
check "wrong order: the Form does not exist in uat" test ! -e "$UAT/$OR"
vsnap uat master
drop uat apply "$W/tfsMaster.xml"
expect_applied "apply/ of the master package" uat master tfsMaster "$OR"
check_file_bytes "uat's Form is B, the second sub-package's" "$UAT/$OR" "$STG/$OR"

check "mkdir packages/tfsSubC (open)" mkdir "$PK/tfsSubC"
check "mkdir packages/tfsMaster2" mkdir "$PK/tfsMaster2"
check "tfsMaster2: type = master" set_conf tfsMaster2 type master
check "tfsMaster2: sub-packages '1 tfsSubC'" \
	bash -c 'printf "1 tfsSubC\n" | cat >"$1"' _ "$PK/tfsMaster2/sub-packages"
check_fails "rmdir of an open package a master package uses fails" rmdir "$PK/tfsSubC"
check "... it still exists" test -d "$PK/tfsSubC"
check "rmdir of the open master package succeeds" rmdir "$PK/tfsMaster2"
check "then rmdir of the package succeeds" rmdir "$PK/tfsSubC"
check_fails "rmdir of a closed sub-package fails" rmdir "$PK/tfsSubA"

# ================================================ 9. the compacted export
note "---- package.compact.xml folds consecutive updates"
CF=metadata/Form/Incident.TfsCompact.xml
printf '<Form name="Incident.TfsCompact" businessObject="Incident" description="tfsCompact0">\n  <FieldRef name="Subject"/>\n</Form>\n' >"$W/compact.xml"
cp_ts "$W/compact.xml" "$STG/$CF" "create Form Incident.TfsCompact"
c1=$TS
sed_ts "$STG/$CF" "$(sed_desc "$STG/$CF" tfsCompact1)" "Form tfsCompact1"
c2=$TS
sed_ts "$STG/$CF" "$(sed_desc "$STG/$CF" tfsCompact2)" "Form tfsCompact2"
c3=$TS
SJ=$(obj staging metadata/Search/Incident.MajorIncidents.xml)
SJR=$(rel "$SJ")
SJBASE=$(sha "$SJ")
sed_ts "$SJ" "$(sed_desc "$SJ" tfsCompactS1)" "Search tfsCompactS1"
c4=$TS
sed_ts "$SJ" "$(sed_desc "$SJ" tfsCompactS2)" "Search tfsCompactS2"
c5=$TS
mkpkg tfsCompact "$c1" "$c2" "$c3" "$c4" "$c5"
close_pkg tfsCompact
export_pkg tfsCompact
check_eq "package.xml: all five transactions" "C $CF
U $CF
U $CF
U $SJR
U $SJR" "$(pkq list "$W/tfsCompact.xml" | awk '{print $2, $3}')"
check "cat package.compact.xml > tfsCompact.compact.xml" \
	bash -c 'cat "$1" >"$2"' _ "$PK/tfsCompact/package.compact.xml" "$W/tfsCompact.compact.xml"
check_eq "package.compact.xml is a package in the documented format" "" \
	"$(pkq check "$W/tfsCompact.compact.xml" 2>&1)"
cl=$(pkq list "$W/tfsCompact.compact.xml")
check_eq "compact: two transactions: C of the Form (base empty), U of the Search (the first base)" \
	"C $CF -
U $SJR $SJBASE" "$(printf '%s\n' "$cl" | awk '{print $2, $3, $4}')"
check "compact: the Form's create carries the last bytes" \
	pkq body "$W/tfsCompact.compact.xml" "$(pkq seq "$W/tfsCompact.compact.xml" "$CF")" "$STG/$CF"
check "compact: the Search's update carries the last bytes" \
	pkq body "$W/tfsCompact.compact.xml" "$(pkq seq "$W/tfsCompact.compact.xml" "$SJR")" "$SJ"
check_size_matches "package.compact.xml: stat -c %s equals cat | wc -c" "$PK/tfsCompact/package.compact.xml"
vsnap uat compact
drop uat apply "$W/tfsCompact.compact.xml"
expect_applied "apply/ of the compacted package" uat compact tfsCompact
check_file_bytes "uat has the Form's last bytes" "$UAT/$CF" "$STG/$CF"
check_file_bytes "uat has the Search's last bytes" "$UAT/$SJR" "$SJ"
vsnap production full
drop production apply "$W/tfsCompact.xml"
expect_applied "apply/ of the uncompacted package (C U U of the Form, U U of the Search) into production" \
	production full tfsCompact
check_file_bytes "production has the Form's last bytes" "$PRD/$CF" "$STG/$CF"
check_file_bytes "production has the Search's last bytes" "$PRD/$SJR" "$SJ"

# =============================================================== 10. secrets
note "---- secrets appear only as ***"
SEC=$(grep -rlE '[A-Za-z]*([Pp]assword|[Aa]pi[Kk]ey)="\*\*\*"' "$STG/settings" | head -n 1)
if [ -z "$SEC" ]; then
	not_ok "staging's settings hold a secret that reads ***" "none found"
else
	a=$(grep -oE '[A-Za-z]*([Pp]assword|[Aa]pi[Kk]ey)="\*\*\*"' "$SEC" | head -n 1)
	a=${a%%=*}
	sed_ts "$SEC" "s/$a=\"\\*\\*\\*\"/$a=\"tfsS3cretPkg\"/" "$(rel "$SEC"): a new $a"
	mkpkg tfsSecret "$TS"
	export_pkg tfsSecret
	check_nomatch "package.xml never holds the secret in clear" 'tfsS3cretPkg' "$(cat "$W/tfsSecret.xml")"
	check_match "package.xml shows it as ***" "$a=\"\\*\\*\\*\"" "$(cat "$W/tfsSecret.xml")"
	check_nomatch "package.compact.xml never holds the secret in clear" 'tfsS3cretPkg' \
		"$(cat "$PK/tfsSecret/package.compact.xml" 2>&1)"
	check_eq "no file of the package holds the secret" "" "$(grep -rl tfsS3cretPkg "$PK/tfsSecret" 2>&1)"
fi

# =============================================================== 11. preview
note "---- preview/ shows the diff and changes nothing"
GL=$(obj staging metadata/Grid/Incident.List.xml)
GLR=$(rel "$GL")
GN=metadata/Grid/Incident.TfsPrev.xml
cp "$GL" "$W/grid-orig.xml"
sed_ts "$GL" "$(sed_desc "$GL" tfsPrev)" "Grid tfsPrev"
p1=$TS
printf '<Grid name="Incident.TfsPrev" businessObject="Incident">\n  <Column field="Subject" width="100"/>\n</Grid>\n' >"$W/grid.xml"
cp_ts "$W/grid.xml" "$STG/$GN" "create Grid Incident.TfsPrev"
p2=$TS
DEL=$(obj staging metadata/Report/Management.MonthlyServiceReview.xml)
DELR=$(rel "$DEL")
cp "$DEL" "$W/del-orig.xml"
TS_N=$((TS_N + 1))
snap staging "ts$TS_N"
check "staging: rm $DELR" rm "$DEL"
p3=$(new_ts staging "ts$TS_N")
check_match "staging: the rm made one transaction set" '^[0-9]+$' "$p3"
mkpkg tfsPrev "$p1" "$p2" "$p3"
close_pkg tfsPrev
export_pkg tfsPrev
check_match "package.xml: the rm is op D with base the SHA-256 of the deleted bytes" \
	"^[0-9]+ D $(re_esc "$DELR") $(sha "$W/del-orig.xml")\$" "$(pkq list "$W/tfsPrev.xml")"
vsnap uat prev
drop uat preview "$W/tfsPrev.xml"
note "preview/: cp exited $RC; tfsPrev.xml.result reads: $(result_head)"
check "preview/tfsPrev.xml.result exists" test -f "$UAT/preview/tfsPrev.xml.result"
check_nomatch "preview/: the result does not say applied" '^applied$' "$(result_head)"
D=$(cat "$UAT/preview/tfsPrev.xml.diff" 2>&1)
check_match "preview/tfsPrev.xml.diff: --- a/$GLR" "^--- a/$(re_esc "$GLR")([[:space:]]|\$)" "$D"
check_match "preview/tfsPrev.xml.diff: +++ b/$GLR" "^\\+\\+\\+ b/$(re_esc "$GLR")([[:space:]]|\$)" "$D"
check_match "preview/tfsPrev.xml.diff: +++ b/$GN (the new Grid)" "^\\+\\+\\+ b/$(re_esc "$GN")([[:space:]]|\$)" "$D"
check_match "preview/tfsPrev.xml.diff: --- a/$DELR (the deleted Report)" "^--- a/$(re_esc "$DELR")([[:space:]]|\$)" "$D"
check_eq "preview/tfsPrev.xml.diff: three files" 3 "$(printf '%s\n' "$D" | grep -c '^+++ ')"
check_eq "preview/tfsPrev.xml.diff: the Report's lines are all - lines" \
	"$(sed 's/^/-/' "$W/del-orig.xml")" \
	"$(printf '%s\n' "$D" | grep -F -x -f <(sed 's/^/-/' "$W/del-orig.xml"))"
check_match "preview/tfsPrev.xml.diff: the Grid's new root line is a + line" \
	'^\+<Grid name="Incident\.List".*description="tfsPrev"' "$D"
check_match "preview/tfsPrev.xml.diff: its old root line is a - line" \
	"^-$(re_esc "$(root_line "$W/grid-orig.xml")")\$" "$D"
check_size_matches "preview/tfsPrev.xml.diff: stat -c %s equals cat | wc -c" "$UAT/preview/tfsPrev.xml.diff"
expect_same "preview/" uat prev
expect_no_event "preview/: no Package/Apply event" prev Package/Apply uat
rm -rf "$W/patched"
cp -r "$TFS_TMP/snap/prev/tree" "$W/patched"
check "patch -p1 applies the preview's diff to a copy of uat" \
	bash -c 'cd "$1" && patch -p1 -E --batch --forward --quiet <"$2"' _ "$W/patched" "$UAT/preview/tfsPrev.xml.diff"
vsnap uat prev2
drop uat apply "$W/tfsPrev.xml"
expect_applied "apply/ of the previewed package" uat prev2 tfsPrev
check "the applied package deleted uat's Report" test ! -e "$UAT/$DELR"
for x in $VERSIONED; do
	check "diff -r of the patched copy and uat/$x is empty: the preview showed what apply did" \
		diff -r "$W/patched/$x" "$UAT/$x"
done

# ===================================================== 12. bad package files
note "---- malformed packages change nothing"
head -c 300 "$W/tfsFlow.xml" >"$W/tfsBroken.xml"
vsnap uat broken
drop uat apply "$W/tfsBroken.xml"
check_true "a truncated package: cp exits non-zero" "exit $RC" "$RC" -ne 0
check_match "a truncated package: the result's first line is rejected or failed" \
	'^(rejected|failed)$' "$(result_head)"
expect_same "a truncated package" uat broken
dropped_gone "a truncated package"
python3 - "$W/tfsLow.xml" "$W/tfsXxe.xml" <<'EOF'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
t = t.replace('name="tfsLow"', 'name="tfsXxe"', 1)
t = t.replace('<Form name="Incident.TfsLow"', '<Form name="Incident.TfsLow" description="&x;"', 1)
open(sys.argv[2], "w", encoding="utf-8").write(
    '<?xml version="1.0"?>\n<!DOCTYPE package [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + t)
EOF
vsnap uat xxe
drop uat validate "$W/tfsXxe.xml"
note "a package with an external entity: validate/ exited $RC, result: $(result_head)"
check_nomatch "an external entity is never expanded into the result" 'root:' "$RESULT"
expect_same "validate/ of a package with an external entity" uat xxe

note "---- a package written out of order is read whole"
# cp writes in order; a writer that writes the second half first, or over
# a start it truncated (one open each), gets the same result as cp.
vsnap uat order
drop uat validate "$W/tfsLow.xml"
INORDER=$RESULT
python3 - "$W/tfsLow.xml" "$UAT/validate/tfsLow.xml" <<'EOF'
import os, sys
data = open(sys.argv[1], "rb").read()
half = len(data) // 2
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.pwrite(fd, data[half:], half)
os.pwrite(fd, data[:half], 0)
os.close(fd)
EOF
check_eq "validate/ of a package written second half first: the same result as cp's" \
	"$INORDER" "$(cat "$UAT/validate/tfsLow.xml.result" 2>&1)"
python3 - "$W/tfsBroken.xml" "$W/tfsLow.xml" "$UAT/validate/tfsLow.xml" <<'EOF'
import os, sys
bad, good = (open(p, "rb").read() for p in sys.argv[1:3])
fd = os.open(sys.argv[3], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, bad)
os.ftruncate(fd, 0)
os.pwrite(fd, good, 0)
os.close(fd)
EOF
check_eq "validate/ of a package written over a truncated start: the same result as cp's" \
	"$INORDER" "$(cat "$UAT/validate/tfsLow.xml.result" 2>&1)"
expect_same "validate/ of packages written out of order" uat order

# ============================================================= at the end
for in in production uat; do
	check_eq "$in: history/log has one line per commit of git log acme/$in" \
		"$(git_count "$in")" "$(hist_lines "$in")"
done
check_documents "uat's metadata is canonical after all the packages" "$UAT/metadata" metadata
check_sorted "staging's packages/ lists sorted" "$PK"

tfs_done
