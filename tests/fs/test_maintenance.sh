#!/bin/bash
# test_maintenance.sh: git maintenance on history.git while the store is
# mounted (README, "git maintenance"), and history that git lost anyway.
#   1. `git gc --prune=now`, `git repack -a -d` and `git prune
#      --expire=now` in a loop while saves run in two instances and a
#      package of 20,000 records applies (its blobs stream into packs
#      under temporary names, which git's prune removes if they start
#      with tmp_): every save succeeds, and afterwards `git fsck`
#      finds history.git whole and each branch holds what the mount shows.
#   2. The newest commit removed from git behind tenantfs's back: the next
#      save succeeds, committing the whole instance, and says so in the log.
#   3. Unmounted, a branch's newest commits gone: the store mounts, the
#      history is repaired from the database, the log names what was lost.
#   4. A blob of the newest commit gone: `tenantctl fsck` finds it, repairs
#      and says so (exit 1); a second fsck is clean (exit 0).
#   5. A commit pruned just after its branch moved, then kill -9: the next
#      mount links it back from the staging directory (no history lost);
#      a torn file left there is never linked.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

F=$(obj staging metadata/BusinessObject/Incident.xml)
GLX=$MNT/tenants/globex/staging
G=$GLX/metadata/BusinessObject/Incident.xml
set_desc() { sed -i "s/description=\"[^\"]*\"/description=\"$2\"/" "$1"; }
# What branch $1 holds at path $2 equals file $3 of the mount.
branch_has() { diff <(tfs_git show "$1:$2") "$3" >/dev/null; }
BO=metadata/BusinessObject/Incident.xml
git_whole() { tfs_git fsck --no-dangling --no-progress >"$W/fsck.out" 2>&1; }

# ---- 1. maintenance in a loop while saves and an apply run
check "tenantctl generate-package of 20,000 records" \
	"$TFS_TENANTCTL" generate-package "$W/pkg.xml" --records 20000
before=$(git_count staging)
(
	while [ ! -e "$W/stop" ]; do
		tfs_git gc --prune=now -q
		tfs_git repack -a -d -q
		tfs_git prune --expire=now
	done
) >"$W/gc.out" 2>&1 &
gc_pid=$!
cp "$W/pkg.xml" "$STG/apply/" 2>"$W/apply.err" &
cp_pid=$!
failed=0
for i in $(seq 1 120); do
	set_desc "$F" "gc$i" 2>>"$W/saves.err" || failed=$((failed + 1))
	[ $((i % 4)) -eq 0 ] &&
		{ set_desc "$G" "glx$i" 2>>"$W/saves.err" || failed=$((failed + 1)); }
done
wait "$cp_pid"
cp_rc=$?
touch "$W/stop"
wait "$gc_pid"
check_eq "every save while git gc, repack and prune ran succeeded" 0 "$failed"
[ "$failed" = 0 ] || note "$(head -n 5 "$W/saves.err"; grep -h reject "$STG/log" "$G/../../log" | tail -n 3)"
check_eq "the package applied meanwhile" 0 "$cp_rc"
[ "$cp_rc" = 0 ] || note "$(cat "$W/apply.err" "$STG/apply/pkg.xml.result" 2>&1 | head -n 8)"
check_match "its result says applied" "^applied" \
	"$(head -n 1 "$STG/apply/pkg.xml.result" 2>/dev/null)"
# What a prune removed after a branch moved is linked again within
# seconds (history.c, "git maintenance while mounted"); until then git
# may find a hole.
sleep 3
check_eq "one commit per save and for the package in staging" \
	"$((before + 121))" \
	"$(git_count staging)"
tfs_git gc --prune=now -q
check "git fsck finds history.git whole" git_whole
check "staging's branch holds the last save" branch_has acme/staging "$BO" "$F"
check "globex/staging's branch holds its last save" \
	branch_has globex/staging "$BO" "$G"
check_nomatch "no .keep of ours is left" "tenantfs" \
	"$(cat "$STORE"/history.git/objects/pack/*.keep 2>/dev/null)"

# ---- 2. the newest commit taken from git while mounted
set_desc "$F" "lost1"
head=$(git_head staging)
n=$(git_count staging)
# Gone from objects/ and from where tenantfs keeps its links (what a
# prune running for minutes could do at worst).
rm -f "$STORE/history.git/objects/${head:0:2}/${head:2}" \
	"$STORE/history.git/objects/tfs-stage/${head:0:2}/${head:2}"
check_fails "the commit is gone from git" tfs_git cat-file -e "$head"
check "the next save succeeds" set_desc "$F" "after-loss"
check_match "the log says history was repaired" \
	"history.git had lost 1 commit of acme/staging" \
	"$(tail -n 3 "$(inst staging)/log")"
check "the branch holds the save" branch_has acme/staging "$BO" "$F"
check "git fsck finds history.git whole" git_whole
check "and history goes on from the commit before the lost one" \
	tfs_git merge-base --is-ancestor "acme/staging~1" "$(git_head staging)"
check_ne "the branch moved" "$head" "$(git_head staging)"
check_eq "the branch is one commit longer than before the loss" \
	"$n" "$(git_count staging)"

# ---- 3. unmounted: the branch's newest commits gone
set_desc "$F" "u1"
set_desc "$F" "u2"
tfs_umount || bail "unmount"
tfs_git update-ref refs/heads/acme/staging acme/staging~2
tfs_git reflog expire --expire=now --all
tfs_git gc --prune=now -q
tfs_mount
check "the store mounts" test -d "$(inst staging)/metadata"
check_match "the log names the two lost commits" \
	"history.git had lost 2 commits of acme/staging" \
	"$(tail -n 3 "$(inst staging)/log")"
check_match "the file is the database's" 'description="u2"' "$(cat "$F")"
check "the branch holds it again" branch_has acme/staging "$BO" "$F"
check "git fsck finds history.git whole" git_whole

# ---- 4. fsck repairs a blob git lost
tfs_umount || bail "unmount before fsck"
tfs_git gc --prune=now -q
blob=$(tfs_git rev-parse acme/staging:metadata/BusinessObject/Incident.xml)
tfs_git cat-file --batch-all-objects --batch-check='%(objectname)' |
	grep -v "$blob" | tfs_git pack-objects -q "$STORE/history.git/objects/pack/cut" >/dev/null
for f in "$STORE"/history.git/objects/pack/pack-*; do rm -f "$f"; done
check_fails "the blob is gone from git" tfs_git cat-file -e "$blob"
"$TFS_TENANTCTL" fsck "$STORE" >"$W/fsck1" 2>&1
check_eq "tenantctl fsck reports it (exit 1)" 1 "$?"
check_match "and says it repaired staging" \
	"acme/staging: history.git lacked part of the last commit; repaired" \
	"$(cat "$W/fsck1")"
check "a second fsck is clean" "$TFS_TENANTCTL" fsck "$STORE"
check "git fsck finds history.git whole" git_whole
tfs_mount
check_match "the mount serves the file" 'description="u2"' "$(cat "$F")"

# ---- 5. pruned after its branch moved, then kill -9
set_desc "$F" "k1"
head=$(git_head staging)
n=$(git_count staging)
stage=$STORE/history.git/objects/tfs-stage
check "its commit is still staged a moment after the move" \
	test -f "$stage/${head:0:2}/${head:2}"
rm -f "$STORE/history.git/objects/${head:0:2}/${head:2}"
# A torn object of an unsettled commit: its name is an id, its bytes are
# not that object's.
torn=0123456789abcdef0123456789abcdef01234567
mkdir -p "$stage/01" && printf 'torn' >"$stage/01/${torn:2}"
for p in $(pgrep -f -- "tenantfs.*store=$STORE( |,|\$)"); do kill -9 "$p"; done
sleep 0.5
if [ -n "${TFS_FG_PID:-}" ]; then
	{ wait "$TFS_FG_PID"; } 2>/dev/null
	TFS_FG_PID=
fi
TFS_DAEMON_PID=
tfs_umount || bail "unmount the killed mount"
tfs_mount
check "the commit is back in objects/" \
	test -f "$STORE/history.git/objects/${head:0:2}/${head:2}"
check_eq "no history was lost" "$n" "$(git_count staging)"
check_nomatch "nor repaired" "history.git had lost" \
	"$(tail -n 1 "$(inst staging)/log")"
check_fails "the torn object was not linked" \
	test -e "$STORE/history.git/objects/01/${torn:2}"
check_fails "nothing is left staged" test -e "$stage/01/${torn:2}"
check "git fsck finds history.git whole" git_whole
tfs_done
