#!/bin/bash
# test_concurrency.sh: INTERFACE.md "Concurrency".  While a large package
# (tenantctl generate-package, plus one update of an existing record)
# applies into acme/staging through cp:
#  (a) other instances (production, uat) and console files (dashboard,
#      users/) answer ls, cat and stat rounds, right, each round within a
#      loose bound (TFS_CONC_MAX_MS, 2000 ms: the suite runs under ASan on
#      busy cores; the tight bars are tools/bench's);
#  (b) readers of staging see the state from before the apply or after it,
#      never a part: the count of master/Employee and the bytes of the
#      updated record are always one or the other, and never go back; cat
#      and stat there answer within the same bound; apply/P.xml.result
#      reads "running" with "objects: n/m" at some point, then "applied";
#  (c) two applies into two instances at once (uat, metadata-locked but
#      master records are fine, and production, closed packages) both
#      apply, each instance gets exactly one new commit, git agrees;
#  (d) two sed -i saves in staging while a package applies there are
#      serialized with it: all three are stored, three commits.
#  (e) a push out of staging (copy-master-data into uat) while a package
#      applies there: both succeed, and uat gets staging's records from
#      before the apply or after it, never a part.
# The package's size (TFS_CONC_RECORDS, default 60,000) makes the apply
# take several seconds: with one lock over the whole tree every round of
# (a) would wait that long.
# With TFS_MOUNT_OPTS=clone_fd it also checks that the daemon reads
# /dev/fuse through more than one (cloned) descriptor.
# shellcheck disable=SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

N=${TFS_CONC_RECORDS:-60000}
M=${TFS_CONC_SMALL:-5000}
MAX_MS=${TFS_CONC_MAX_MS:-2000}
EMP=master/Employee

# ms T0 T1: milliseconds between two $EPOCHREALTIME stamps.
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 }'; }

# count_dir DIR: entries in DIR (ls), or "ERR" if ls fails.
count_dir()
{
	local out
	out=$(ls -1 -- "$1" 2>&1) || { echo ERR; return; }
	printf '%s\n' "$out" | grep -c .
}

# pkg_with_update FILE NAME SEED RECORDS [INST REL]: a package of RECORDS
# new master/Employee records; with INST and REL it also updates that
# existing record of INST (its Title), as the last transaction.  The
# update's new bytes go to $W/$NAME.new.
pkg_with_update()
{
	local f=$1 name=$2 seed=$3 n=$4 in=${5:-} rel=${6:-} cur
	"$TFS_TENANTCTL" generate-package "$f" --records "$n" --seed "$seed" \
		--name "$name" >"$W/gen.out" 2>&1 ||
		bail "tenantctl generate-package --records $n" "$(cat "$W/gen.out")"
	[ -n "$in" ] || return 0
	cur=$W/$name.cur
	cat "$(inst "$in")/$rel" >"$cur" || bail "read $in/$rel"
	python3 - "$f" "$cur" "$W/$name.new" "$rel" "$((n + 1))" <<'EOF' ||
import hashlib, re, sys
pkg, cur, new, rel, seq = sys.argv[1:6]
old = open(cur, "rb").read()
text = old.decode("utf-8")
upd, k = re.subn(r'(<Value field="Title">)[^<]*(</Value>)',
                 r'\1Concurrency Tester\2', text, count=1)
if k == 0:
    sys.exit("no Title in " + rel)
open(new, "w", encoding="utf-8").write(upd)
tx = ('    <transaction seq="%s" op="U" path="%s" base="%s">\n%s'
      '    </transaction>\n' % (seq, rel, hashlib.sha256(old).hexdigest(), upd))
with open(pkg, "rb+") as f:
    f.seek(0, 2)
    size = f.tell()
    f.seek(max(0, size - 4096))
    tail = f.read()
    i = tail.rfind(b"  </transaction-set>")
    if i < 0:
        sys.exit("no </transaction-set> near the end of " + pkg)
    pos = size - len(tail) + i
    f.seek(pos)
    rest = f.read()
    f.seek(pos)
    f.write(tx.encode("utf-8") + rest)
EOF
		bail "add an update of $rel to the package"
}

# fuse_fds PID: how many descriptors of PID are open on /dev/fuse.
fuse_fds()
{
	local n=0 f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = /dev/fuse ] && n=$((n + 1))
	done
	echo "$n"
}

# ---------------------------------------------------------------- setup

REC=$(cd "$STG/$EMP" && ls | head -n 1)
REL=$EMP/$REC
check_true "staging has master/Employee records" "got: '$REC'" -n "$REC"
# Objects the other-instance rounds read, one after the other.
mapfile -t FORMS < <(cd "$PRD/metadata/Form" && ls | head -n 20)
check_true "production has forms to read" "got ${#FORMS[@]}" "${#FORMS[@]}" -gt 0
declare -A BASE_N
for i in production uat; do
	BASE_N[$i]=$(count_dir "$(inst "$i")/$EMP")
done
USERS_N=$(count_dir "$MNT/users")

t0=$(date +%s)
pkg_with_update "$W/big.xml" big 1 "$N" staging "$REL"
note "generated a package of $N records (+1 update) in $(($(date +%s) - t0)) s: $(du -h "$W/big.xml" | cut -f1)"
BEFORE_N=$(count_dir "$STG/$EMP")
BEFORE_SHA=$(sha256sum <"$STG/$REL" | cut -d' ' -f1)
NEW_SHA=$(sha256sum <"$W/big.new" | cut -d' ' -f1)
check_ne "the package's update changes the record" "$BEFORE_SHA" "$NEW_SHA"
snap staging big
PRD_HEAD=$(git_head production)
UAT_HEAD=$(git_head uat)

# ------------------------------------------------ (a) and (b): the loops

STOP=$W/stop
# other_rounds OUT: until $STOP exists, one round after the other in
# production, then uat, then production ...: ls of master/Employee
# (counted), cat of a form, stat of a few files, cat of the tenant's
# dashboard, ls of users/.  Line per round: START END INSTANCE STATUS.
other_rounds()
{
	local k=0 in d t0 t1 st n
	while [ ! -e "$STOP" ] && [ "$k" -lt 100000 ]; do
		if [ $((k % 2)) = 0 ]; then in=production; else in=uat; fi
		d=$(inst "$in")
		t0=$EPOCHREALTIME
		st=ok
		n=$(count_dir "$d/$EMP")
		[ "$n" = "${BASE_N[$in]}" ] || st="ls-$EMP:$n"
		cat "$d/metadata/Form/${FORMS[k % ${#FORMS[@]}]}" >/dev/null 2>&1 || st="$st,cat-form"
		stat "$d/instance.conf" "$d/history/log" "$d/$REL" "$TEN/tenant.conf" \
			>/dev/null 2>&1 || st="$st,stat"
		cat "$TEN/dashboard" >/dev/null 2>&1 || st="$st,cat-dashboard"
		n=$(count_dir "$MNT/users")
		[ "$n" = "$USERS_N" ] || st="$st,ls-users:$n"
		t1=$EPOCHREALTIME
		echo "$t0 $t1 $in $st"
		k=$((k + 1))
		sleep 0.05
	done
}

# busy_reads OUT: until $STOP exists, in staging: the count of
# master/Employee, the sha256 of the updated record, the result file's
# first two lines, and the time a cat + stat there takes.
# Line: START END COUNT SHA RESULT-WORD RESULT-LINE2 (RESULT "-" if none).
busy_reads()
{
	local k=0 t0 t1 n sha r w l2 res=$STG/apply/big.xml.result
	while [ ! -e "$STOP" ] && [ "$k" -lt 100000 ]; do
		t0=$EPOCHREALTIME
		sha=$(sha256sum <"$STG/$REL" 2>/dev/null | cut -d' ' -f1)
		stat "$STG/$REL" "$STG/instance.conf" >/dev/null 2>&1 || sha="$sha,stat"
		t1=$EPOCHREALTIME
		n=$(count_dir "$STG/$EMP")
		if r=$(head -n 2 "$res" 2>/dev/null) && [ -n "$r" ]; then
			w=$(printf '%s\n' "$r" | head -n 1)
			l2=$(printf '%s\n' "$r" | sed -n 2p | tr ' ' '_')
		else
			w=- l2=-
		fi
		echo "$t0 $t1 ${n:-none} ${sha:-none} $w ${l2:--}"
		k=$((k + 1))
		sleep 0.05
	done
}

rm -f "$STOP"
other_rounds >"$W/other.log" 2>&1 &
P_OTHER=$!
busy_reads >"$W/busy.log" 2>&1 &
P_BUSY=$!
sleep 0.5
T_CP0=$EPOCHREALTIME
cp "$W/big.xml" "$STG/apply/" 2>"$W/cp.err" &
P_CP=$!
wait_bg "$P_CP"
CP_RC=$WAIT_RCS
T_CP1=$EPOCHREALTIME
sleep 0.5
touch "$STOP"
wait_bg "$P_OTHER" "$P_BUSY"
note "cp into staging/apply/ took $(ms "$T_CP0" "$T_CP1") ms"

check_eq "cp of the $N-record package into staging/apply/ exits 0" 0 "$CP_RC"
[ "$CP_RC" = 0 ] || note "cp: $(cat "$W/cp.err")"
RES=$(cat "$STG/apply/big.xml.result" 2>&1)
check_eq "the result says applied" applied "$(printf '%s\n' "$RES" | head -n 1)"
check_match "the result names the commit" '^commit: [0-9]+$' "$RES"
check_match "the result counts the objects" "^objects: $((N + 1))/$((N + 1))" "$RES"
AFTER_N=$(count_dir "$STG/$EMP")
check_eq "staging has $N more Employee records" "$((BEFORE_N + N))" "$AFTER_N"
check_file_bytes "the updated record has the package's bytes" "$STG/$REL" "$W/big.new"
expect_one_commit "the apply is one history commit" staging big
check_eq "production's branch did not move" "$PRD_HEAD" "$(git_head production)"
check_eq "uat's branch did not move" "$UAT_HEAD" "$(git_head uat)"

# (a) the other instances' rounds
awk -v c0="$T_CP0" -v c1="$T_CP1" '$1 < c1 && $2 > c0' "$W/other.log" >"$W/other.during"
ROUNDS=$(grep -c . "$W/other.during")
BAD=$(awk '$4 != "ok"' "$W/other.during")
STATS=$(awk '{ print int(($2 - $1) * 1000) }' "$W/other.during" | sort -n |
	awk '{ v[NR] = $1 } END { if (NR) printf "%d %d %d\n", v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR] }')
read -r P50 P99 MAX <<<"${STATS:-0 0 0}"
note "other instances during the apply: $ROUNDS rounds, median $P50 ms, p99 $P99 ms, max $MAX ms"
check_true "other instances: at least 3 rounds during the apply" "got $ROUNDS" \
	"$ROUNDS" -ge 3
check_eq "other instances: every round answered right (counts, cat, stat)" "" "$BAD"
check_true "other instances: every round within $MAX_MS ms" \
	"slowest round: $MAX ms ($(sort -k1,1 "$W/other.during" | awk '{ printf "%s %d ms\n", $3, ($2 - $1) * 1000 }' | sort -k2 -n | tail -n 3 | tr '\n' ';'))" \
	"$MAX" -le "$MAX_MS"

# (b) the applying instance's reads
awk -v c0="$T_CP0" -v c1="$T_CP1" '$1 < c1 && $2 > c0' "$W/busy.log" >"$W/busy.during"
OBS=$(grep -c . "$W/busy.during")
note "staging during the apply: $OBS observations"
check_true "staging: at least 3 observations during the apply" "got $OBS" "$OBS" -ge 3
BAD=$(awk -v b="$BEFORE_N" -v a="$AFTER_N" '$3 != b && $3 != a { print "count " $3 " at " $1 }' "$W/busy.log")
check_eq "staging: master/Employee lists $BEFORE_N or $AFTER_N entries, nothing between" "" "$BAD"
BAD=$(awk -v b="$BEFORE_SHA" -v a="$NEW_SHA" '$4 != b && $4 != a { print "sha " $4 " at " $1 }' "$W/busy.log")
check_eq "staging: the updated record reads its old or its new bytes, nothing else" "" "$BAD"
BAD=$(awk -v b="$BEFORE_N" -v bs="$BEFORE_SHA" '
	($3 != b || $4 != bs) { after = 1; next }
	after { print "back to the old state at " $1 }' "$W/busy.log")
check_eq "staging: once the new state shows, the old one never comes back" "" "$BAD"
BMAX=$(awk '{ print int(($2 - $1) * 1000) }' "$W/busy.during" | sort -n | tail -n 1)
note "staging: cat + stat of a record took at most ${BMAX:-0} ms"
check_true "staging: cat + stat answer within $MAX_MS ms during the apply" \
	"slowest: ${BMAX:-none} ms" "${BMAX:-999999}" -le "$MAX_MS"
BAD=$(awk '$5 != "-" && $5 != "running" && $5 != "applied" { print $5 " at " $1 }' "$W/busy.log")
check_eq "staging: the result only ever reads running or applied" "" "$BAD"
RUN=$(awk '$5 == "running" && $6 ~ /^objects:_[0-9]+\/[0-9]+/' "$W/busy.log" | head -n 1)
check_true "staging: the result read running with objects: n/m during the apply" \
	"observed results: $(awk '{ print $5, $6 }' "$W/busy.log" | uniq | head -n 8 | tr '\n' ';')" \
	-n "$RUN"

if [ -n "$TFS_DAEMON_PID" ]; then
	NFD=$(fuse_fds "$TFS_DAEMON_PID")
	case ",${TFS_MOUNT_OPTS:-}," in
	*,clone_fd,*)
		check_true "-o clone_fd: the daemon reads through cloned /dev/fuse descriptors" \
			"it has $NFD descriptor(s) on /dev/fuse" "$NFD" -ge 2 ;;
	*) note "the daemon has $NFD descriptor(s) on /dev/fuse" ;;
	esac
fi

# ------------------------------------- (c) two applies into two instances

pkg_with_update "$W/u.xml" u 2 "$M"
pkg_with_update "$W/p.xml" p 3 "$M"
snap uat two
snap production two
STG_HEAD=$(git_head staging)
T0=$EPOCHREALTIME
cp "$W/u.xml" "$UAT/apply/" 2>"$W/cpu.err" &
P_U=$!
cp "$W/p.xml" "$PRD/apply/" 2>"$W/cpp.err" &
P_P=$!
wait_bg "$P_U" "$P_P"
note "two $M-record applies at once took $(ms "$T0" "$EPOCHREALTIME") ms"
check_eq "uat and production applies both exit 0" "0 0" "$WAIT_RCS"
[ "$WAIT_RCS" = "0 0" ] || note "cp: $(cat "$W/cpu.err" "$W/cpp.err")"
for i in uat production; do
	case $i in uat) p=u ;; *) p=p ;; esac
	RES=$(cat "$(inst "$i")/apply/$p.xml.result" 2>&1)
	check_eq "$i: the result says applied" applied "$(printf '%s\n' "$RES" | head -n 1)"
	check_match "$i: the result counts $M objects" "^objects: $M/$M" "$RES"
	check_eq "$i: $M more Employee records" "$((BASE_N[$i] + M))" \
		"$(count_dir "$(inst "$i")/$EMP")"
	expect_one_commit "$i: one history commit" "$i" two
	n=$(tfs_git diff --name-only "acme/$i~1" "acme/$i" | grep -c "$EMP/")
	check_eq "$i: the commit adds the $M records in git" "$M" "$n"
	check_eq "$i: history/log's top commit is the branch head" "$(git_head "$i")" \
		"$(hist_top "$i" | awk '{ print $2 }')"
done
check_eq "staging's branch did not move" "$STG_HEAD" "$(git_head staging)"
check "git fsck --connectivity-only of history.git" tfs_git fsck --connectivity-only --no-progress

# -------------------------- (d) two saves in staging during an apply there

F1=metadata/Form/$(first_obj "$STG/metadata/Form")
F2=metadata/Search/$(first_obj "$STG/metadata/Search")
pkg_with_update "$W/d.xml" d 4 "$((M * 4))"
snap staging d
H0=$(hist_lines staging)
G0=$(git_count staging)
N0=$(count_dir "$STG/$EMP")
cp "$W/d.xml" "$STG/apply/" 2>"$W/cpd.err" &
P_D=$!
# start the saves once the apply runs (or after 3 s at most)
for _ in $(seq 30); do
	[ "$(head -n 1 "$STG/apply/d.xml.result" 2>/dev/null)" = running ] && break
	sleep 0.1
done
sed -i "$(sed_desc "$STG/$F1" tfsConcOne)" "$STG/$F1" 2>"$W/sed1.err" &
P_S1=$!
sed -i "$(sed_desc "$STG/$F2" tfsConcTwo)" "$STG/$F2" 2>"$W/sed2.err" &
P_S2=$!
wait_bg "$P_D" "$P_S1" "$P_S2"
check_eq "apply and two sed -i saves in staging all exit 0" "0 0 0" "$WAIT_RCS"
[ "$WAIT_RCS" = "0 0 0" ] || note "$(cat "$W/cpd.err" "$W/sed1.err" "$W/sed2.err")"
check_eq "the apply's result says applied" applied "$(head -n 1 "$STG/apply/d.xml.result" 2>&1)"
check_eq "its records are there" "$((N0 + M * 4))" "$(count_dir "$STG/$EMP")"
check_match "the first save is stored" 'description="tfsConcOne"' "$(head -n 3 "$STG/$F1")"
check_match "the second save is stored" 'description="tfsConcTwo"' "$(head -n 3 "$STG/$F2")"
check_eq "three more history lines" "$((H0 + 3))" "$(hist_lines staging)"
check_eq "three more commits on acme/staging" "$((G0 + 3))" "$(git_count staging)"
LOGIDS=$(head -n 3 "$STG/history/log" | awk '{ print $2 }')
GITIDS=$(tfs_git log -3 --format=%H acme/staging)
check_eq "history/log and git list the same three commits" "$GITIDS" "$LOGIDS"
for f in "$F1" "$F2"; do
	n=$(tfs_git log --format=%H acme/staging -- "*$f" | head -n 5 |
		grep -cxF -f <(printf '%s\n' "$GITIDS"))
	check_eq "git: one of the three commits touches $f" 1 "$n"
done


# ------------------- (e) a push out of staging while a package applies there
# The source of a push is only read, from its last commit: while a package
# applies into staging, a copy-master-data staging -> uat (master_delete_missing,
# so uat's Employee records become exactly staging's) carries staging's
# records from before the apply or after it, never a part, and neither waits
# for a lock the other holds for long.

ver_of() { conf_get "$(inst "$1")/instance.conf" version; }
# push_req NAME KEY=VALUE...: a request file $W/NAME.
push_req()
{
	local f=$W/$1 kv
	shift
	: >"$f"
	for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}" >>"$f"; done
}
# Versions must differ for the push, before and after the apply bumps
# staging's: no-op pushes raise uat's until they will.
SV=$(ver_of staging)
for i in 1 2 3; do
	UV=$(ver_of uat)
	[ "$UV" != "$SV" ] && [ "$UV" != "$((SV + 1))" ] && break
	push_req noop$i.conf source=staging operation=no-op
	check "a no-op push staging -> uat opens the path ($i)" cp "$W/noop$i.conf" "$UAT/push/"
done
pkg_with_update "$W/e.xml" e 5 "$((M * 4))"
E_BEFORE=$(count_dir "$STG/$EMP")
E_AFTER=$((E_BEFORE + M * 4))
push_req mst.conf source=staging operation=copy-master-data master=Employee \
	master_delete_missing=true
G_UAT=$(git_count uat)
cp "$W/e.xml" "$STG/apply/" 2>"$W/cpe.err" &
P_E=$!
for _ in $(seq 30); do
	[ "$(head -n 1 "$STG/apply/e.xml.result" 2>/dev/null)" = running ] && break
	sleep 0.1
done
T0=$EPOCHREALTIME
cp "$W/mst.conf" "$UAT/push/" 2>"$W/cpm.err" &
P_M=$!
wait_bg "$P_E" "$P_M"
note "the push took $(ms "$T0" "$EPOCHREALTIME") ms from its start to both done"
check_eq "the apply into staging and the push out of it both exit 0" "0 0" "$WAIT_RCS"
[ "$WAIT_RCS" = "0 0" ] || note "$(cat "$W/cpe.err" "$W/cpm.err")"
check_eq "the apply's result says applied" applied "$(head -n 1 "$STG/apply/e.xml.result" 2>&1)"
check_eq "staging has the package's records" "$E_AFTER" "$(count_dir "$STG/$EMP")"
PRES=$(cat "$UAT/push/mst.conf.result" 2>&1)
check_eq "the push's result says pushed" pushed "$(printf '%s\n' "$PRES" | head -n 1)"
E_UAT=$(count_dir "$UAT/$EMP")
note "uat has $E_UAT Employee records after the push"
check_true "uat's Employee records are staging's before ($E_BEFORE) or after ($E_AFTER) the apply" \
	"got $E_UAT" "$E_UAT" = "$E_BEFORE" -o "$E_UAT" = "$E_AFTER"
check_eq "the push is one commit on acme/uat" "$((G_UAT + 1))" "$(git_count uat)"
check "git fsck --connectivity-only of history.git" tfs_git fsck --connectivity-only --no-progress

tfs_done
