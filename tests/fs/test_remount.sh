#!/bin/bash
# test_remount.sh: what was saved survives an unmount: after fusermount3 -u
# and a new mount the tree shows the same bytes, sizes, mtimes, history,
# events, active project and inode numbers (ls -li, stat -c %i). A second
# tenantfs on a mounted store is refused with a message. Another SQLite
# client of a mounted store's databases sees what the daemon commits.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

F=$(obj staging metadata/Form/Incident.Default.xml)
S=$(obj production metadata/Search/Incident.MyOpenIncidents.xml)
NEW=$STG/metadata/BusinessObject/MyNewBO#.xml

# some changes first, so there is more than the demo to keep
snap staging e1
check "sed -i on a staging Form" sed -i "$(sed_desc "$F" tfsRemount)" "$F"
expect_one_commit "sed -i: one commit" staging e1 "$(rel "$F")"
check "sed -i on a production Search" sed -i "$(sed_desc "$S" tfsRemount)" "$S"
printf '<BusinessObject name="MyNewBO#">\n  <Field name="Title" type="Text" length="100" nullable="true" unique="false" indexed="false"/>\n</BusinessObject>\n' >"$W/bo.xml"
check "create business object MyNewBO#" cp "$W/bo.xml" "$NEW"
check "mkdir a project" mkdir "$STG/projects/tfsremount"
check "make it the active project" bash -c 'printf "tfsremount\n" >"$1"' _ "$STG/active-project"

# state FILE: everything a user could compare, written to FILE.
state()
{
	(
		cd "$MNT" || exit 1
		echo "== checksums"
		find . -path '*/history/[0-9]*' -prune -o -type f \
			! -name events ! -name status ! -name log ! -name dashboard \
			-print0 | sort -z | xargs -0 md5sum
		echo "== history snapshots"
		find tenants -path '*/history/[0-9]*' -type f -print0 | sort -z |
			xargs -0 md5sum
	) >"$1" 2>&1
	# sizes, mtimes, modes of the tenants' files (README and the other
	# generated top-level files may carry the mount time)
	find "$TEN" -path '*/history/[0-9]*' -prune -o -type f \
		! -name log ! -name dashboard -printf '%s %T@ %m %p\n' | sort -k 4 >"$1.stat"
	cat "$STG/history/log" >"$1.hlog"
	find "$TEN" -path '*/history/[0-9]*' -prune -o -type f -printf '%i %p\n' |
		sort -k 2 >"$1.ino"
	(cd "$STG/metadata/Form" && ls -li) >"$1.lsli"
	cat "$MNT/events" >"$1.events"
	cat "$STG/log" >"$1.log"
}

state "$W/before"
check_true "the state has objects" "" "$(grep -c . "$W/before")" -gt 100
git_before=$(tfs_git for-each-ref --format='%(refname) %(objectname)')
ino_f=$(stat -c %i "$F")
ino_new=$(stat -c %i "$NEW")

# ---- a second mount of the same store is refused
mkdir -p "$TFS_TMP/mnt2"
tfs_run "$TFS_TENANTFS" -o "store=$STORE" "$TFS_TMP/mnt2"
check_true "a second tenantfs on the same store exits non-zero" "exit $RC" "$RC" -ne 0
check_true "... with a message" "stderr empty" -n "$ERR"
if mountpoint -q "$TFS_TMP/mnt2"; then
	not_ok "... and does not mount" "$TFS_TMP/mnt2 is a mount point"
	fusermount3 -u "$TFS_TMP/mnt2"
else
	ok "... and does not mount"
fi
check "the first mount still works" test -f "$F"

# ---- unmount, remount
if tfs_umount; then
	ok "fusermount3 -u unmounts (and tenantfs exits)"
else
	not_ok "fusermount3 -u unmounts (and tenantfs exits)"
fi
check "the store is plain files while unmounted" test -d "$STORE/history.git"
check_eq "git branches are unchanged by the unmount" "$git_before" \
	"$(tfs_git for-each-ref --format='%(refname) %(objectname)')"
tfs_mount
check_eq "the remount is there when tenantfs returns" 1 "$TFS_MOUNT_IMMEDIATE"
state "$W/after"
check_eq "same bytes for every file after the remount" "" \
	"$(diff "$W/before" "$W/after" | head -n 20)"
check_eq "same sizes, mtimes and modes of the tenants' files after the remount" "" \
	"$(diff "$W/before.stat" "$W/after.stat" | head -n 20)"
check_eq "same history/log after the remount" "" \
	"$(diff "$W/before.hlog" "$W/after.hlog")"
check_eq "same inode numbers after the remount (find -printf %i)" "" \
	"$(diff "$W/before.ino" "$W/after.ino" | head -n 20)"
check_eq "same ls -li of metadata/Form after the remount" "" \
	"$(diff "$W/before.lsli" "$W/after.lsli" | head -n 20)"
check_eq "stat -c %i of the edited Form is the same" "$ino_f" "$(stat -c %i "$F")"
check_eq "stat -c %i of the new business object is the same" "$ino_new" "$(stat -c %i "$NEW")"
check_eq "the events of before are still there, first" "$(cat "$W/before.events")" \
	"$(head -n "$(grep -c '' "$W/before.events")" "$MNT/events")"
check_eq "the instance log of before is still there" "" \
	"$(diff "$W/before.log" "$STG/log" | grep '^<' | head -n 5)"
check_eq "the active project is kept" "tfsremount" "$(active_project staging)"
check_eq "git branches are unchanged by the remount" "$git_before" \
	"$(tfs_git for-each-ref --format='%(refname) %(objectname)')"

# ---- and it still works
snap staging e2
check "sed -i after the remount" sed -i "$(sed_desc "$F" tfsRemount2)" "$F"
expect_one_commit "sed -i after the remount: one commit" staging e2 "$(rel "$F")"
check_eq "the edited Form keeps its inode number" "$ino_f" "$(stat -c %i "$F")"

# ---- another SQLite client of a mounted store
# The daemon holds its databases' locks itself (it opened them after it
# forked): a client closing staging.db must not take it for the last one
# and remove the write-ahead log under it, and sees what it commits next.
DB=$STORE/instances/acme/staging.db
commits() { python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); print(c.execute("SELECT count(*) FROM commits").fetchone()[0]); c.close()' "$DB"; }
N1=$(commits)
check_true "a client reads staging.db's commits while mounted" "got '$N1'" -n "$N1"
check "staging.db's write-ahead log is still there after it closes" test -e "$DB-wal"
check "sed -i after that" sed -i "$(sed_desc "$F" tfsRemount3)" "$F"
check_eq "the client sees the new commit" "$((N1 + 1))" "$(commits)"
check "a client reads console.db's users while mounted" python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("SELECT count(*) FROM users").fetchone(); c.close()' "$STORE/console.db"
check "console.db's write-ahead log is still there after it closes" test -e "$STORE/console.db-wal"

# ---- a second cycle, right away
tfs_umount || not_ok "unmount again"
tfs_mount
check_match "the remounted Form has the last change" 'tfsRemount3' "$(root_line "$F")"
check_eq "the history is there after a second remount" \
	"$(tfs_git rev-list --count acme/staging)" "$(hist_lines staging)"

tfs_done
