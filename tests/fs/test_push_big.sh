#!/bin/bash
# test_push_big.sh: a large copy-to-replace (INTERFACE.md v2 "Push
# migrations": all or nothing, crash-safe, progress; "Concurrency").
#
# tenantctl generate adds tenant big (staging and production,
# TFS_PUSH_OBJECTS objects each, default 60,000; production differs in
# ~1%) to the demo store; a no-op opens production -> staging. Then:
#  (crash) a copy-to-replace production -> staging is copied into push/;
#      once push/<name>.result reads running with objects: n/m (n > 0) the
#      daemon gets kill -9. After remounting, staging is exactly as
#      before: diff -r of data/ against a copy taken before and of the
#      versioned directories against git's tree from before,
#      instance.conf (version), history/log, the git branch; production
#      too; git fsck is clean;
#  (concurrency) the same push again, to its end, while (a) acme's
#      production and uat and the console answer ls, cat, stat rounds
#      right and each within TFS_CONC_MAX_MS (2000 ms) and (b) readers of
#      big/staging see, for objects that differ between the two, either
#      all old or all new bytes, never a mix, never back to old; the result
#      reads running with objects: n/m at some point, then pushed;
#      afterwards staging's tree is production's (git trees equal, diff -r
#      of the versioned directories against it and of data/ empty).
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=push_lib.sh
. "$(dirname "$0")/push_lib.sh"
tfs_setup
cd "$W" || exit 1
N=${TFS_PUSH_OBJECTS:-60000}
MAX_MS=${TFS_CONC_MAX_MS:-2000}
BS=$MNT/tenants/big/staging

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 }'; }

tfs_umount || bail "unmount before tenantctl generate"
t0=$(date +%s)
"$TFS_TENANTCTL" generate "$STORE" --tenant big --objects "$N" >"$W/gen.out" 2>&1 ||
	bail "tenantctl generate --tenant big --objects $N" "$(cat "$W/gen.out")"
note "generated tenant big ($N objects per instance) in $(($(date +%s) - t0)) s: $(tail -n 1 "$W/gen.out")"
tfs_mount

# ------------------------------------------------------ open the path
if [ "$(ver big/production)" = "$(ver big/staging)" ]; then
	psnap big/staging noop
	req noop.conf source=production operation=no-op backup=none
	push big/staging noop.conf
	expect_pushed "big: no-op production -> staging" big/staging noop no-op \
		production Sandbox/NoOp
fi
check_ne "big: production and staging differ in version" "$(ver big/production)" \
	"$(ver big/staging)"

# Objects that differ between the two (from git), for the readers of (b):
# "path before-sha after-sha" (- for absent).
tfs_git diff --name-status big/staging big/production >"$W/differ"
note "big: $(grep -c . "$W/differ") versioned paths differ between staging and production"
{
	grep '^M' "$W/differ" | head -n 6
	grep '^A' "$W/differ" | head -n 2
	grep '^D' "$W/differ" | head -n 2
} | while read -r st path; do
	b=$(tfs_git show "big/staging:$path" 2>/dev/null | sha256sum | cut -d ' ' -f 1)
	a=$(tfs_git show "big/production:$path" 2>/dev/null | sha256sum | cut -d ' ' -f 1)
	[ "$st" = A ] && b=-
	[ "$st" = D ] && a=-
	echo "$path $b $a"
done >"$W/watch"
check_true "big: some objects differ between staging and production" \
	"git diff --name-status: $(head -n 3 "$W/differ")" -s "$W/watch"

# state_of: one letter per watched path: B (staging's old bytes), A
# (production's bytes), X (anything else).
state_of()
{
	local path b a s out=
	while read -r path b a; do
		if [ -e "$BS/$path" ]; then
			s=$(sha256sum <"$BS/$path" 2>/dev/null | cut -d ' ' -f 1)
		else
			s=-
		fi
		if [ "$s" = "$b" ]; then out="${out}B"
		elif [ "$s" = "$a" ]; then out="${out}A"
		else out="${out}X"
		fi
	done <"$W/watch"
	echo "$out"
}
ALLB=$(sed 's/.*/B/' "$W/watch" | tr -d '\n')
ALLA=$(sed 's/.*/A/' "$W/watch" | tr -d '\n')
check_eq "big: staging reads its own bytes before the push" "$ALLB" "$(state_of)"

# ============================================================== crash
# the versioned directories are compared with git's tree from before
# (one read of the mount instead of two); data/ with a copy
psnap big/staging crash data
TREE0=$(gtree big/staging)
PHEAD=$(ghead big/production)
req big.conf source=production operation=copy-to-replace backup=none
RES=$BS/push/big.conf.result
cp "$W/big.conf" "$BS/push/" 2>"$W/cp.err" &
CP=$!
seen='' r=''
for _ in $(seq 1200); do
	r=$(cat "$RES" 2>/dev/null || cat "$BS/push/big.result" 2>/dev/null)
	if [ "$(printf '%s\n' "$r" | head -n 1)" = running ] &&
		printf '%s\n' "$r" | grep -qE '^objects: [1-9][0-9]*/[0-9]+$'; then
		seen=$r
		break
	fi
	tfs_alive "$CP" || break
	sleep 0.05
done
if [ -n "$seen" ]; then
	ok "crash: the result reads running with objects: n/m, n > 0 ($(printf '%s\n' "$seen" | grep '^objects:'))"
else
	not_ok "crash: the result reads running with objects: n/m, n > 0, before the push ends" \
		"last read: $r" "cp $(tfs_alive "$CP" && echo 'still runs' || echo 'has ended')" \
		"(a push that ends first cannot be killed midway: raise TFS_PUSH_OBJECTS)"
fi
if [ -n "$TFS_DAEMON_PID" ] && tfs_alive "$TFS_DAEMON_PID"; then
	kill -9 "$TFS_DAEMON_PID"
	for _ in $(seq 100); do
		tfs_alive "$TFS_DAEMON_PID" || break
		sleep 0.1
	done
	if tfs_alive "$TFS_DAEMON_PID"; then
		not_ok "crash: kill -9 ends the daemon" "pid $TFS_DAEMON_PID still runs 10 s later"
	else
		ok "crash: kill -9 ends the daemon"
	fi
	[ -n "$TFS_FG_PID" ] && { wait "$TFS_FG_PID" 2>/dev/null; TFS_FG_PID=; }
	TFS_DAEMON_PID=
else
	not_ok "crash: the daemon's pid is known and it runs" "TFS_DAEMON_PID='$TFS_DAEMON_PID'"
fi
wait "$CP"
note "crash: the killed cp exited $?: $(head -c 200 "$W/cp.err")"
if tfs_umount; then
	ok "crash: the dead mount is unmounted"
else
	not_ok "crash: the dead mount is unmounted" "$(grep -F " $MNT " /proc/self/mounts)"
fi
# generations of staging.db (engine/inst_file.c): the half-built one
gens() { ls "$STORE/instances/big" | grep -cE '^staging\.db\.[0-9]+$'; }
note "crash: new databases left half-built by the kill: $(gens)"
tfs_mount
check_eq "crash: the remount removed the half-built database" 0 "$(gens)"
expect_same "crash: after the remount big/staging is exactly as before" big/staging crash
check_eq "crash: the version is as before" "$(snapver crash)" "$(ver big/staging)"
same_as_git "crash: diff -r of staging's versioned directories against git's tree from before is empty" \
	big/staging "$TREE0"
check_eq "crash: big/production's branch did not move" "$PHEAD" "$(ghead big/production)"
check_eq "crash: staging reads its own bytes" "$ALLB" "$(state_of)"
tfs_run tfs_git fsck --full
bad=$(printf '%s\n%s\n' "$OUT" "$ERR" | grep -Ei 'error|missing|broken|corrupt|bad |invalid')
if [ "$RC" -eq 0 ] && [ -z "$bad" ]; then
	ok "crash: git fsck --full is clean"
else
	not_ok "crash: git fsck --full is clean" "exit $RC" "$bad" "$ERR"
fi
note "crash: push/ after the remount: $(ls "$BS/push" 2>&1 | tr '\n' ' ')"

# ======================================================== concurrency
mapfile -t FORMS < <(ls "$PRD/metadata/Form" | head -n 20)
declare -A BASE_N
for i in production uat; do
	BASE_N[$i]=$(ls "$TEN/$i/master/Employee" | grep -c .)
done
USERS_N=$(ls "$MNT/users" | grep -c .)
STOP=$W/stop

# other_rounds: ls, cat, stat in acme's production and uat, the console;
# line per round: START END INSTANCE STATUS.
other_rounds()
{
	local k=0 in d t0 t1 st n
	while [ ! -e "$STOP" ] && [ "$k" -lt 100000 ]; do
		if [ $((k % 2)) = 0 ]; then in=production; else in=uat; fi
		d=$TEN/$in
		t0=$EPOCHREALTIME
		st=ok
		n=$(ls "$d/master/Employee" 2>/dev/null | grep -c .)
		[ "$n" = "${BASE_N[$in]}" ] || st="ls:$n"
		cat "$d/metadata/Form/${FORMS[k % ${#FORMS[@]}]}" >/dev/null 2>&1 || st="$st,cat"
		stat "$d/instance.conf" "$d/history/log" >/dev/null 2>&1 || st="$st,stat"
		cat "$TEN/dashboard" >/dev/null 2>&1 || st="$st,dashboard"
		n=$(ls "$MNT/users" 2>/dev/null | grep -c .)
		[ "$n" = "$USERS_N" ] || st="$st,users:$n"
		t1=$EPOCHREALTIME
		echo "$t0 $t1 $in $st"
		k=$((k + 1))
		sleep 0.05
	done
}

# other_writes: saves (sed -i of a Form's description) in acme's staging,
# another instance's writer, while the push runs; line per save: START
# END STATUS.
WFORM=$TEN/staging/metadata/Form/${FORMS[0]}
other_writes()
{
	local k=0 t0 t1 st
	while [ ! -e "$STOP" ] && [ "$k" -lt 100000 ]; do
		t0=$EPOCHREALTIME
		st=ok
		edit_desc "$WFORM" "tfsBusy$k" 2>/dev/null || st=failed
		t1=$EPOCHREALTIME
		echo "$t0 $t1 $st"
		k=$((k + 1))
		sleep 0.2
	done
}

# busy_reads: big/staging's watched objects and the result's first two
# lines; line: START END STATE RESULT-WORD RESULT-LINE2 SPAN, SPAN "span"
# if history/log's top moved while the objects were read (one after the
# other: such a reading may see the commit between two of them) else "-".
busy_reads()
{
	local k=0 t0 t1 s r w l2 h0 h1
	while [ ! -e "$STOP" ] && [ "$k" -lt 100000 ]; do
		t0=$EPOCHREALTIME
		h0=$(head -n 1 "$BS/history/log" 2>/dev/null | cut -d ' ' -f 1)
		s=$(state_of)
		h1=$(head -n 1 "$BS/history/log" 2>/dev/null | cut -d ' ' -f 1)
		t1=$EPOCHREALTIME
		if r=$(head -n 2 "$RES" 2>/dev/null) && [ -n "$r" ]; then
			w=$(printf '%s\n' "$r" | head -n 1)
			l2=$(printf '%s\n' "$r" | grep '^objects:' | tr ' ' '_')
		else
			w=- l2=-
		fi
		if [ "$h0" = "$h1" ]; then h0=-; else h0=span; fi
		echo "$t0 $t1 $s $w ${l2:--} $h0"
		k=$((k + 1))
		sleep 0.05
	done
}

psnap big/staging conc -
rm -f "$STOP" "$RES"
other_rounds >"$W/other.log" 2>&1 &
P_OTHER=$!
busy_reads >"$W/busy.log" 2>&1 &
P_BUSY=$!
W_H0=$(hcount staging)
other_writes >"$W/writes.log" 2>&1 &
P_WRITE=$!
sleep 0.5
T_CP0=$EPOCHREALTIME
push big/staging big.conf
T_CP1=$EPOCHREALTIME
sleep 0.5
touch "$STOP"
wait_bg "$P_OTHER" "$P_BUSY" "$P_WRITE"
note "the copy-to-replace of $N objects took $(ms "$T_CP0" "$T_CP1") ms"
if expect_pushed "big: copy-to-replace production -> staging" big/staging conc \
	copy-to-replace production Sandbox/Replace; then
	check_eq "big: staging's git tree is production's" "$(gtree big/production)" \
		"$(gtree big/staging)"
	same_as_git "big: diff -r of staging's versioned directories against production's git tree is empty" \
		big/staging big/production
	dir_equal "big: diff -r production/data staging/data is empty" \
		big/production big/staging data
fi
check_eq "big: staging reads production's bytes now" "$ALLA" "$(state_of)"
check_eq "big: one database file for staging (the replaced one unlinked)" 1 "$(gens)"
check "big: staging.db links to it" test -L "$STORE/instances/big/staging.db"

# (a) the other instances
awk -v c0="$T_CP0" -v c1="$T_CP1" '$1 < c1 && $2 > c0' "$W/other.log" >"$W/other.during"
ROUNDS=$(grep -c . "$W/other.during")
MAX=$(awk '{ print int(($2 - $1) * 1000) }' "$W/other.during" | sort -n | tail -n 1)
note "other instances during the push: $ROUNDS rounds, slowest ${MAX:-0} ms"
check_true "other instances: at least 3 rounds during the push" "got $ROUNDS" "$ROUNDS" -ge 3
check_eq "other instances: every round answered right" "" \
	"$(awk '$4 != "ok"' "$W/other.during" | head -n 5)"
check_true "other instances: every round within $MAX_MS ms" "slowest: ${MAX:-none} ms" \
	"${MAX:-999999}" -le "$MAX_MS"

# (a') another instance's writer: its saves neither wait for the push
# nor fail, and each is a commit of its own
awk -v c0="$T_CP0" -v c1="$T_CP1" '$1 < c1 && $2 > c0' "$W/writes.log" >"$W/writes.during"
WN=$(grep -c . "$W/writes.during")
WMAX=$(awk '{ print int(($2 - $1) * 1000) }' "$W/writes.during" | sort -n | tail -n 1)
note "acme/staging saves during the push: $WN, slowest ${WMAX:-0} ms"
check_true "acme/staging: at least 1 save during the push" "got $WN" "$WN" -ge 1
check_eq "acme/staging: every save succeeded" "" \
	"$(awk '$3 != "ok"' "$W/writes.log" | head -n 5)"
check_true "acme/staging: every save during the push within $MAX_MS ms" \
	"slowest: ${WMAX:-none} ms" "${WMAX:-999999}" -le "$MAX_MS"
check_eq "acme/staging: one commit per save" \
	"$((W_H0 + $(grep -c . "$W/writes.log")))" "$(hcount staging)"

# (b) the busy instance
OBS=$(awk -v c0="$T_CP0" -v c1="$T_CP1" '$1 < c1 && $2 > c0' "$W/busy.log" | grep -c .)
check_true "big/staging: at least 3 observations during the push" "got $OBS" "$OBS" -ge 3
note "big/staging: $(awk '$6 == "span"' "$W/busy.log" | grep -c .) observations spanned the commit (not judged): $(awk '$6 == "span" { print $3 }' "$W/busy.log" | tr '\n' ' ')"
check_eq "big/staging: every observation (history top unchanged while it read) is all old or all new bytes" "" \
	"$(awk -v b="$ALLB" -v a="$ALLA" '$6 != "span" && $3 != b && $3 != a { print "state " $3 " at " $1 }' "$W/busy.log" | head -n 5)"
check_eq "big/staging: no observation reads new bytes before old ones" "" \
	"$(awk '$3 ~ /A.*B/ || $3 ~ /X/ { print "state " $3 " at " $1 }' "$W/busy.log" | head -n 5)"
check_eq "big/staging: once new, never old again" "" \
	"$(awk -v a="$ALLA" -v b="$ALLB" '$3 == a { n = 1; next } n && $3 == b { print "old again at " $1 }' "$W/busy.log" | head -n 5)"
check_eq "big/staging: the result only ever reads running or pushed" "" \
	"$(awk '$4 != "-" && $4 != "running" && $4 != "pushed" { print $4 " at " $1 }' "$W/busy.log" | head -n 5)"
RUN=$(awk '$4 == "running" && $5 ~ /^objects:_[0-9]+\/[0-9]+$/' "$W/busy.log" | head -n 1)
check_true "big/staging: the result read running with objects: n/m during the push" \
	"observed: $(awk '{ print $4, $5 }' "$W/busy.log" | uniq | head -n 8 | tr '\n' ';')" -n "$RUN"
BMAX=$(awk -v c0="$T_CP0" -v c1="$T_CP1" '$1 < c1 && $2 > c0 { print int(($2 - $1) * 1000) }' "$W/busy.log" | sort -n | tail -n 1)
check_true "big/staging: reading the watched objects took at most $MAX_MS ms" \
	"slowest: ${BMAX:-none} ms" "${BMAX:-999999}" -le "$MAX_MS"

tfs_done
