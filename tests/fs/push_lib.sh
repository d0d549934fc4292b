# shellcheck shell=bash
# Reading through cat (and ls) is the point here (they are the user's tools).
# shellcheck disable=SC2002,SC2010
# tests/fs/push_lib.sh: sourced (after lib.sh and tfs_setup) by the push
# and backup tests. Helpers for INTERFACE.md "Push migrations" and
# "Backups and restore": write a request, drop it into push/, read
# push/<name>.result, and check the two outcomes of the contract: pushed
# (cp exits 0, version + 1, one history commit "Push <op> from <source>",
# one Sandbox/* event) or refused (cp fails, "rejected" with an error line,
# and nothing changed: diff -r of every directory against a copy taken
# before, instance.conf, history, git branch, no Sandbox event).
#
# Instances are named "staging" (tenant acme) or "tenant/instance".

ALL_DIRS="metadata validation settings master data"

# qi X: tenant/instance ("acme/X" unless X names its tenant).
qi() { case $1 in */*) echo "$1" ;; *) echo "acme/$1" ;; esac; }
# idir X: the instance's directory under the mount.
idir() { echo "$MNT/tenants/$(qi "$1")"; }
ver() { conf_get "$(idir "$1")/instance.conf" version; }
gcount() { tfs_git rev-list --count "$(qi "$1")" 2>/dev/null || echo 0; }
ghead() { tfs_git rev-parse "$(qi "$1")" 2>/dev/null || echo none; }
gtree() { tfs_git rev-parse "$(qi "$1")^{tree}" 2>/dev/null || echo none; }
htop() { head -n 1 "$(idir "$1")/history/log" 2>/dev/null; }
hcount() { grep -c . "$(idir "$1")/history/log" 2>/dev/null || true; }

# re_esc STRING: STRING as an ERE matching itself.
re_esc() { printf '%s' "$1" | sed 's/[][\.^$*+?(){}|]/\\&/g'; }

# req NAME KEY=VALUE...: writes the request $W/NAME, one "key = value"
# line per argument, in the given order.
req()
{
	local f=$W/$1 kv
	shift
	: >"$f"
	for kv in "$@"; do
		printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$f"
	done
}

# psnap INST LABEL [DIRS]: copies the instance's directories (DIRS, default
# all five; "-" none) and instance.conf to $TFS_TMP/ps/LABEL and records
# its version, history/log, git branch, log and the events, for
# expect_same and the expect_* below.
psnap()
{
	local d=$TFS_TMP/ps/$2 i x dirs=${3:-$ALL_DIRS}
	i=$(idir "$1")
	rm -rf "$d"
	mkdir -p "$d/tree"
	[ "$dirs" = - ] && dirs=
	echo "$dirs" >"$d/dirs"
	for x in $dirs; do
		cp -r "$i/$x" "$d/tree/$x" 2>"$d/cp.err" ||
			note "psnap $1: cp -r $x: $(head -c 300 "$d/cp.err")"
	done
	cat "$i/instance.conf" >"$d/conf" 2>&1
	ver "$1" >"$d/version"
	cat "$i/history/log" >"$d/hlog" 2>/dev/null
	ghead "$1" >"$d/ghead"
	gcount "$1" >"$d/gcount"
	gtree "$1" >"$d/gtree"
	cat "$i/log" >"$d/log" 2>/dev/null
	cat "$MNT/events" >"$d/events" 2>/dev/null
}
snapver() { cat "$TFS_TMP/ps/$1/version"; }

# same_dirs INST LABEL [DIRS]: prints the diff -r of DIRS (default those
# psnap copied)
# between the copy taken by psnap LABEL and the instance now; empty if
# equal.
same_dirs()
{
	local d=$TFS_TMP/ps/$2 i x out
	i=$(idir "$1")
	for x in ${3:-$(cat "$d/dirs")}; do
		out=$(diff -r "$d/tree/$x" "$i/$x" 2>&1) ||
			printf 'diff -r %s (before, now):\n%s\n' "$x" \
				"$(printf '%s\n' "$out" | head -n 15)"
	done
}

# new_events LABEL: events lines added since psnap LABEL.
new_events()
{
	cat "$MNT/events" 2>/dev/null | diff "$TFS_TMP/ps/$1/events" - |
		sed -n 's/^> //p'
}

# sandbox_events LABEL INST [ACTION]: new events whose action matches the
# ERE ACTION as a whole (default any Sandbox/* but Sandbox/Reject, the
# record of a refusal) for that tenant and instance.
sandbox_events()
{
	local q t n
	q=$(qi "$2")
	t=${q%%/*}
	n=${q#*/}
	new_events "$1" | awk -F '\t' -v a="${3:-}" -v t="$t" -v n="$n" \
		'(a == "" ? $3 ~ /^Sandbox\// && $3 != "Sandbox/Reject" : $3 ~ ("^(" a ")$")) &&
		 $5 == t && $6 == n'
}

# expect_same DESC INST LABEL: nothing changed since psnap LABEL: diff -r
# of the directories it copied, instance.conf, history/log, the git
# branch; no new Sandbox event for the instance.
expect_same()
{
	local desc=$1 in=$2 d=$TFS_TMP/ps/$3 bad hits
	bad=$(same_dirs "$in" "$3")
	if ! cat "$(idir "$in")/instance.conf" 2>&1 | cmp -s - "$d/conf"; then
		bad="$bad
instance.conf changed: $(cat "$(idir "$in")/instance.conf" 2>&1 | diff "$d/conf" -)"
	fi
	if ! cat "$(idir "$in")/history/log" 2>/dev/null | cmp -s - "$d/hlog"; then
		bad="$bad
history/log changed: $(cat "$(idir "$in")/history/log" | diff "$d/hlog" - | head -n 5)"
	fi
	if [ "$(ghead "$in")" != "$(cat "$d/ghead")" ]; then
		bad="$bad
git $(qi "$in") moved: $(cat "$d/ghead") -> $(ghead "$in") ($(tfs_git log -1 --format=%s "$(qi "$in")"))"
	fi
	if [ -z "$bad" ]; then
		ok "$desc: $in unchanged (diff -r, instance.conf, history, git)"
	else
		not_ok "$desc: $in unchanged (diff -r, instance.conf, history, git)" "${bad#$'\n'}"
	fi
	hits=$(sandbox_events "$3" "$in")
	check_eq "$desc: no Sandbox event for $(qi "$in")" "" "$hits"
}

# push INST NAME: cp $W/NAME into INST's push/ (RC, OUT, ERR as tfs_run);
# RESFILE is push/NAME.result (or push/<NAME without .conf>.result if only
# that exists) and RESULT its text.
RESULT=
RESFILE=
push()
{
	local d
	d=$(idir "$1")/push
	tfs_run cp "$W/$2" "$d/"
	RESFILE=$d/$2.result
	if [ ! -e "$RESFILE" ] && [ -e "$d/${2%.conf}.result" ]; then
		RESFILE=$d/${2%.conf}.result
	fi
	RESULT=$(cat "$RESFILE" 2>&1)
}

result_head() { printf '%s\n' "$RESULT" | sed -n 1p; }
# rfield KEY: the value of the result's "KEY: value" line.
rfield() { printf '%s\n' "$RESULT" | sed -n "s/^$1: //p" | head -n 1; }

# expect_pushed DESC INST LABEL OP SRC ACTION: the push was carried out:
# cp exited 0; the result reads pushed, operation: OP, source: SRC (the
# tenant may be named), version: v -> v+1, commit: <the new history
# number>, counts as numbers, no error line; instance.conf's version is
# v+1; one history line and one git commit by admin, "Push OP from SRC";
# one ACTION event for the instance; a new line in its log. Returns 1 if
# it was not pushed (after checking that nothing changed).
expect_pushed()
{
	local desc=$1 in=$2 lab=$3 op=$4 src=$5 action=$6
	local d=$TFS_TMP/ps/$3 v0 n top msg k bad srcre tq
	v0=$(cat "$d/version")
	if [ "$RC" -eq 0 ]; then
		ok "$desc: cp exits 0"
	else
		not_ok "$desc: cp exits 0" "exit $RC, stderr: $ERR" "result: $RESULT"
	fi
	check_eq "$desc: the result's first line is pushed" pushed "$(result_head)"
	if [ "$(result_head)" != pushed ]; then
		not_ok "$desc: (not pushed; the result reads)" "$RESULT"
		expect_same "$desc: not pushed, so nothing may have changed" "$in" "$lab"
		return 1
	fi
	# an unqualified source is an instance of the target's tenant
	tq=$(qi "$in")
	[ "${src#*/}" = "$src" ] && src=${tq%%/*}/$src
	srcre="^($(re_esc "${src%%/*}")/)?$(re_esc "${src#*/}")\$"
	check_eq "$desc: the result says operation: $op" "$op" "$(rfield operation)"
	check_match "$desc: the result says source: $src" "$srcre" "$(rfield source)"
	check_eq "$desc: the result says version: $v0 -> $((v0 + 1))" \
		"$v0 -> $((v0 + 1))" "$(rfield version)"
	check_eq "$desc: instance.conf version is $((v0 + 1))" "$((v0 + 1))" "$(ver "$in")"
	check_nomatch "$desc: the result has no error line" '^error' "$RESULT"
	bad=
	for k in created updated deleted; do
		[ "$op" = no-op ] && ! printf '%s\n' "$RESULT" | grep -q "^$k:" && continue
		[[ $(rfield "$k") =~ ^[0-9]+$ ]] || bad="$bad $k='$(rfield "$k")'"
	done
	check_eq "$desc: the result's counts (created, updated, deleted) are numbers" "" "$bad"
	# history and git
	top=$(htop "$in")
	n=$(printf '%s\n' "$top" | awk '{print $1}')
	msg=$(printf '%s\n' "$top" | cut -d ' ' -f 5-)
	check_eq "$desc: one more history/log line" "$(($(grep -c . "$d/hlog") + 1))" "$(hcount "$in")"
	check_eq "$desc: one more commit on $(qi "$in")" "$(($(cat "$d/gcount") + 1))" "$(gcount "$in")"
	check_eq "$desc: the result says commit: $n (history/log's top)" "$n" "$(rfield commit)"
	check_match "$desc: the history message is 'Push $op from $src'" \
		"^Push $(re_esc "$op") from ($(re_esc "${src%%/*}")/)?$(re_esc "${src#*/}")\$" "$msg"
	check_eq "$desc: git's message agrees" "$msg" \
		"$(tfs_git log -1 --format=%s "$(qi "$in")" 2>&1)"
	check_eq "$desc: the commit's author is admin" admin \
		"$(tfs_git log -1 --format=%an "$(qi "$in")" 2>&1)"
	case $(ghead "$in") in
	"$(printf '%s\n' "$top" | awk '{print $2}')"*) ok "$desc: history/log's top is git's head" ;;
	*) not_ok "$desc: history/log's top is git's head" "top: $top" "git: $(ghead "$in")" ;;
	esac
	k=$(sandbox_events "$lab" "$in" "$action" | grep -c .)
	if [ "$k" = 1 ]; then
		ok "$desc: one $action event for $(qi "$in")"
	else
		not_ok "$desc: one $action event for $(qi "$in")" "got $k; new events:" \
			"$(new_events "$lab")"
	fi
	k=$(cat "$(idir "$in")/log" 2>/dev/null | diff "$d/log" - | grep -c '^>')
	check_true "$desc: a new line in $in/log" "got $k new lines" "$k" -gt 0
	return 0
}

# expect_refused DESC INST LABEL [ERE]: cp failed; the result reads
# rejected with an error line (matching ERE, case-insensitive, if given)
# and no commit line; nothing changed since psnap LABEL; the request did
# not stay in push/.
expect_refused()
{
	local desc=$1 in=$2 lab=$3 re=${4:-} left
	if [ "$RC" -ne 0 ]; then
		ok "$desc: cp exits non-zero"
	else
		not_ok "$desc: cp exits non-zero" "exit 0; result: $RESULT"
	fi
	check_eq "$desc: the result's first line is rejected" rejected "$(result_head)"
	check_match "$desc: the result has an error line" '^error .+' "$RESULT"
	if [ -n "$re" ]; then
		if printf '%s\n' "$RESULT" | grep -E '^error' | grep -Eiq -- "$re"; then
			ok "$desc: an error line says /$re/"
		else
			not_ok "$desc: an error line says /$re/" "result: $RESULT"
		fi
	fi
	check_nomatch "$desc: the result names no commit" '^commit:' "$RESULT"
	expect_same "$desc" "$in" "$lab"
	left=$(ls -A "$(idir "$in")/push" 2>&1 | grep -vE '\.(result|diff)$')
	check_eq "$desc: the request did not stay in push/" "" "$left"
}

# dir_equal DESC A B [DIRS]: diff -r A/x B/x is empty for each x of DIRS
# (default all).
dir_equal()
{
	local desc=$1 a b x out bad=
	a=$(idir "$2")
	b=$(idir "$3")
	for x in ${4:-$ALL_DIRS}; do
		out=$(diff -r "$a/$x" "$b/$x" 2>&1) ||
			bad="$bad
diff -r $2/$x $3/$x:
$(printf '%s\n' "$out" | head -n 15)"
	done
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc" "${bad#$'\n'}"
	fi
	return 0
}

# edit_desc FILE TOKEN: sed -i the root element's description to TOKEN.
edit_desc() { sed -i "$(sed_desc "$1" "$2")" "$1"; }

# new_copy SRC NAME DEST-DIR: writes a copy of object SRC named NAME,
# without a guid, to DEST-DIR/NAME.xml (one cp). Returns cp's status.
new_copy()
{
	python3 - "$1" "$2" "$W/new_copy.xml" <<'EOF' || return 1
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<[A-Za-z][^>]*>", t)
tag = re.sub(r'\sguid="[^"]*"', "", m.group(0))
tag = re.sub(r'(\sname=")[^"]*(")', lambda x: x.group(1) + sys.argv[2] + x.group(2), tag, count=1)
open(sys.argv[3], "w", encoding="utf-8").write(t[:m.start()] + tag + t[m.end():])
EOF
	cp "$W/new_copy.xml" "$3/$2.xml"
}

# git_tree_dir REF DIR: extracts REF's tree (a branch, commit or tree id)
# into DIR with git archive (the versioned directories as git holds them).
git_tree_dir()
{
	rm -rf "$2"
	mkdir -p "$2"
	tfs_git archive --format=tar "$1" | tar -x -C "$2"
}

# same_as_git DESC INST REF: diff -r of the instance's versioned
# directories against REF's tree is empty.
same_as_git()
{
	local desc=$1 i x out bad='' g=$TFS_TMP/gittree
	i=$(idir "$2")
	git_tree_dir "$3" "$g"
	for x in metadata validation settings master; do
		out=$(diff -r "$g/$x" "$i/$x" 2>&1) || bad="$bad
diff -r <git $3>/$x $2/$x:
$(printf '%s\n' "$out" | head -n 15)"
	done
	rm -rf "$g"
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		not_ok "$desc" "${bad#$'\n'}"
	fi
	return 0
}

# open_path SRC TGT: a no-op SRC -> TGT if their versions are equal (a
# push raises the target's version by one, so after one push the two may
# be equal: the guide's "No Op (Increase version only)" opens the path).
open_path()
{
	[ "$(ver "$1")" = "$(ver "$2")" ] || return 0
	psnap "$2" "open-$1-$2" -
	req open.conf source="$1" operation=no-op
	push "$2" open.conf
	expect_pushed "no-op $1 -> $2 to open the path (both at $(ver "$1"))" "$2" \
		"open-$1-$2" no-op "$1" Sandbox/NoOp
}

# master_diff A B: diff -r of two master/ trees, each file without its
# <Value field="Disabled"> line (copy-to-replace may disable users).
master_diff()
{
	python3 - "$1" "$2" <<'EOF2'
import os, sys
def load(top):
    out = {}
    for dp, dns, fns in os.walk(top):
        for fn in fns:
            p = os.path.join(dp, fn)
            out[os.path.relpath(p, top)] = [l for l in open(p, encoding="utf-8").read().split("\n")
                                            if '<Value field="Disabled">' not in l]
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
bad = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
for k in bad[:10]:
    print("differs:", k)
EOF2
}
