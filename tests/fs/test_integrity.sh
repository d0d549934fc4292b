#!/bin/bash
# test_integrity.sh: a byte changed inside an object's row of an instance
# database (behind tenantfs's back; SQLite's own integrity_check still
# passes) is never served and never saved again as an edit: reading the
# file fails (EIO), status, the instance's log and events name the object,
# a no-op `sed -i` commits nothing, the other objects and instances serve
# as before, and `tenantctl fsck` finds and names it.
# cat, sed -i, grep and python3's sqlite3 module are the tools under test.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

re_esc() { printf '%s' "$1" | sed 's/[][\.^$*+?(){}|]/\\&/g'; }

F=$(obj staging metadata/Form/Incident.Default.xml)
G=$(obj staging metadata/Grid/Incident.List.xml)
P=$(obj production metadata/Form/Incident.Default.xml)
REL=$(rel "$F")
NAME=$(objname "$F")
cp "$F" "$W/orig.xml"
cp "$G" "$W/grid.xml"
check "the Form has a caption to damage" grep -q 'caption="' "$W/orig.xml"
commits=$(git_count staging)

tfs_umount || bail "unmount before damaging the database"

# One byte of the stored bytes changes; the length, the row and the
# database's structure stay as they were.
DB=$STORE/instances/acme/staging.db
cat >"$W/damage.py" <<'EOF'
import sqlite3, sys
db, name = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=WAL")
row = c.execute("SELECT o.id, o.bytes FROM objects o JOIN dirs d ON d.id = o.dir "
                "WHERE d.type = 'Form' AND o.name = ?", (name,)).fetchone()
b = bytearray(row[1])
i = b.index(b'caption="') + len(b'caption="')
b[i] = ord('Z') if b[i] != ord('Z') else ord('Y')
c.execute("UPDATE objects SET bytes = ? WHERE id = ?", (bytes(b), row[0]))
c.commit()
assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
EOF
check "python3 changes one byte of the object's row" \
	python3 "$W/damage.py" "$DB" "$NAME"

tfs_mount
check_fails "cat of the damaged object fails" cat "$F"
check_err "the error is an I/O error" "Input/output error" cat "$F"
check_eq "nothing of the damaged bytes is served" "" "$(cat "$F" 2>/dev/null)"
check_file_bytes "another object of the instance reads as before" "$G" "$W/grid.xml"
check_file_bytes "the same object in production reads as before" "$P" "$W/orig.xml"
check_match "status names the damaged object" \
	"acme/staging: $(re_esc "$REL") is damaged" "$(cat "$MNT/status")"
check_nomatch "status no longer says problems: 0" "^problems: 0" "$(cat "$MNT/status")"
check_match "the instance's log names it" "$(re_esc "$REL") is damaged" \
	"$(cat "$STG/log")"
check_match "events has an Object/Damaged line naming it" \
	"Object/Damaged.*$(re_esc "$REL")" "$(cat "$MNT/events")"
check_eq "status names it once, however often it is read" 1 \
	"$(grep -c "$(re_esc "$REL") is damaged" "$MNT/status")"
check_fails "a no-op sed -i on it fails" sed -i 's/x/x/' "$F"
check_eq "and commits nothing" "$commits" "$(git_count staging)"
check "an edit of another object still works" \
	sed -i "$(sed_desc "$G" tfsIntegrity)" "$G"
check_eq "one commit for it" "$((commits + 1))" "$(git_count staging)"

# -o noverify (tools/bench's measure of what the check costs) skips it:
# the damaged byte is served, which is what the check is there to stop
tfs_umount || bail "unmount before -o noverify"
tfs_mount -o noverify
check "with -o noverify, cat of the damaged object succeeds" cat "$F"
check_nomatch "and serves the damaged byte" "$(re_esc "$(grep -o 'caption="[^"]*"' "$W/orig.xml" | head -n 1)")" \
	"$(cat "$F" 2>/dev/null)"
tfs_umount || bail "unmount after -o noverify"
tfs_mount
check_fails "without it, cat fails again" cat "$F"

# ---- validate/ and preview/ leave nothing behind in history.git
# (a package of this size streams its blobs into packs while applied)
objects() { tfs_git count-objects -v | awk '/^(count|in-pack):/ {n += $2} END {print n}'; }
check "tenantctl generate-package of 30,000 records" \
	"$TFS_TENANTCTL" generate-package "$W/big.xml" --records 30000
before=$(objects)
check "cp into validate/ succeeds" cp "$W/big.xml" "$STG/validate/"
check_match "it was validated" "^validated" "$(head -n 1 "$STG/validate/big.xml.result")"
check "cp into preview/ succeeds" cp "$W/big.xml" "$STG/preview/"
check_eq "history.git holds no more objects than before" "$before" "$(objects)"
check_eq "and no new commit" "$((commits + 1))" "$(git_count staging)"

# ---- an element of 100,000 attributes is refused before libxml2 sees it
# (libxml2 compares each attribute with every earlier one: minutes)
cat >"$W/wide.py" <<'EOF'
import sys
attrs = " ".join('a%d="v"' % i for i in range(100000))
obj = '<Search name="Wide" businessObject="Incident" %s/>\n' % attrs
open(sys.argv[1], "w").write(obj)
open(sys.argv[2], "w").write(
    '<package format="1" name="wide" type="incremental" state="closed">\n'
    '<transaction-set id="1" project="default" user="admin" '
    'created="2026-11-22T10:00:00Z">\n'
    '<transaction seq="1" op="C" path="metadata/Search/Wide.xml" base="">\n'
    + obj + '</transaction>\n</transaction-set>\n</package>\n')
EOF
check "python3 writes the wide object and package" \
	python3 "$W/wide.py" "$W/wide.xml" "$W/wide-pkg.xml"
t0=$(date +%s%N)
check_fails "cp of an object with 100,000 attributes fails" \
	cp "$W/wide.xml" "$STG/metadata/Search/Wide.xml"
t1=$(date +%s%N)
note "refused in $(((t1 - t0) / 1000000)) ms"
check_true "and fails within 5 s (it took minutes)" "" $(((t1 - t0) / 1000000)) -lt 5000
check_match "the log says why" "more than 256 attributes" "$(tail -n 1 "$STG/log")"
check "nothing was created" test ! -e "$STG/metadata/Search/Wide.xml"
t0=$(date +%s%N)
check_fails "a package holding it is refused by validate/" \
	cp "$W/wide-pkg.xml" "$STG/validate/"
t1=$(date +%s%N)
check_true "within 5 s" "" $(((t1 - t0) / 1000000)) -lt 5000
check_match "its result says why" "more than 256 attributes" \
	"$(cat "$STG/validate/wide-pkg.xml.result")"

# ---- a bad write to revert is refused, logged, and rewrites revert.result
n=$(hist_top_n staging)
check "echo $n > revert (the Grid edit) succeeds" bash -c 'echo "$2" >"$1"' _ "$STG/revert" "$n"
check_match "revert.result says reverted" "^reverted" "$(cat "$STG/revert.result")"
# (through cat: shells ignore close errors after builtins like echo)
check_fails "writing abc into revert fails" bash -c 'echo abc | cat >"$1"' _ "$STG/revert"
check_match "revert.result now says rejected" "^rejected" "$(cat "$STG/revert.result")"
check_match "with the reason" "'abc' is not a commit number" "$(cat "$STG/revert.result")"
check_match "the log says so" "'abc' is not a commit number" "$(tail -n 1 "$STG/log")"
check_match "and events" "History/RevertReject.*'abc' is not a commit number" \
	"$(tail -n 1 "$MNT/events")"
check_fails "writing 1 (the initial configuration) fails" bash -c 'echo 1 | cat >"$1"' _ "$STG/revert"
check_match "and is logged too" "commit 1 is the initial configuration" "$(tail -n 1 "$STG/log")"

# ---- a write far past the end is refused before anything is allocated
hwm() { awk '/^VmHWM/ {print $2}' "/proc/$TFS_DAEMON_PID/status" 2>/dev/null || echo 0; }
S=$(obj staging metadata/Search/Incident.MyOpenIncidents.xml)
cp "$S" "$W/search.xml"
hwm0=$(hwm)
check_err "dd of one byte at offset 3 GiB fails: File too large" "File too large" \
	dd if=/dev/zero of="$S" bs=1 count=1 seek=3G conv=notrunc status=none
hwm1=$(hwm)
note "daemon VmHWM $hwm0 KB before, $hwm1 KB after"
check_true "the daemon's peak memory grew by less than 16 MB" "" $((hwm1 - hwm0)) -lt 16384
check_file_bytes "the object is unchanged" "$S" "$W/search.xml"
check_err "truncate -s 1G fails too" "File too large" truncate -s 1G "$S"
check_file_bytes "and leaves it unchanged" "$S" "$W/search.xml"

# ---- memory is returned after a large save (issue 15's bar: VmRSS 10 s
# after the save <= 1.5x before; a 40 MB Image here: its pages stayed in
# a reader's SQLite cache, up to 16 MB, until the next commit)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$TFS_DAEMON_PID/status" 2>/dev/null || echo 0; }
IMG=$STG/metadata/Image/$(first_obj "$STG/metadata/Image")
cat >"$W/bigimg.py" <<'EOF'
import base64, os, re, sys
s = open(sys.argv[1]).read()
s = re.sub(r' guid="[^"]*"', "", s, count=1)
s = re.sub(r'name="[^"]*"', 'name="TfsMemImage"', s, count=1)
data = base64.b64encode(os.urandom(30 << 20)).decode()
t = re.sub(r"<Data>[^<]*</Data>", lambda m: "<Data>" + data + "</Data>", s, count=1)
assert t != s, "no <Data> in " + sys.argv[1]
open(sys.argv[2], "w").write(t)
EOF
check "python3 writes a 40 MB Image" python3 "$W/bigimg.py" "$IMG" "$W/bigimg.xml"
ls -lR "$STG/metadata" >/dev/null
sleep 1
rss0=$(rss)
check "cp of the 40 MB Image succeeds" cp "$W/bigimg.xml" "$STG/metadata/Image/TfsMemImage.xml"
data() { grep -o '<Data>[^<]*</Data>' "$1" | sha256sum; }
check_eq "it reads back with its data whole" "$(data "$W/bigimg.xml")" \
	"$(data "$STG/metadata/Image/TfsMemImage.xml")"
sleep 10
rss1=$(rss)
note "daemon VmRSS $rss0 KB before, $rss1 KB 10 s after"
check_true "VmRSS 10 s after is at most 1.5x before" "" $((rss1 * 2)) -le $((rss0 * 3))
rm -f "$W/bigimg.xml"
check "rm of the 40 MB Image" rm "$STG/metadata/Image/TfsMemImage.xml"

# ---- a .conf value of a megabyte is refused, not copied into events
cp "$UAT/instance.conf" "$W/uat.conf"
ev_before=$(stat -c %s "$MNT/events")
big=$(head -c 1048576 /dev/zero | tr '\0' x)
check_fails "instance.conf: a contact of 1 MB is refused" \
	bash -c 'printf "contact = %s\n" "$2" >>"$1"' _ "$UAT/instance.conf" "$big"
check_file_bytes "instance.conf is unchanged" "$UAT/instance.conf" "$W/uat.conf"
check_true "events grew by less than 4 KB" "" \
	$(($(stat -c %s "$MNT/events") - ev_before)) -lt 4096

# ---- links between master and data records are references
T=$UAT/master/Team/NetworkOperations.xml
check "uat has the team NetworkOperations" test -f "$T"
uat_commits=$(git_count uat)
check_fails "rm of a team that records link to fails" rm "$T"
check "the team is still there" test -f "$T"
check_eq "and no commit was made" "$uat_commits" "$(git_count uat)"
check_match "the log counts its referrers" \
	"Team/NetworkOperations is still used by [0-9]+ objects" "$(tail -n 1 "$UAT/log")"
# a package that links to a record neither the target nor it holds
pkg_of()
{
	printf '<package format="1" name="%s" type="incremental" state="closed">\n' "$1"
	printf '<transaction-set id="1" project="default" user="admin" created="2026-11-22T10:00:00Z">\n'
	shift
	printf '%s\n' "$@"
	printf '</transaction-set>\n</package>\n'
}
emp='<Record name="tfs.link" guid="7c1d0000-0000-4000-8000-000000000001" businessObject="Employee">
<Value field="LoginID">tfs.link</Value>
<Link businessObject="OrgUnit" field="OrgUnitLink" key="%s"/>
</Record>'
# shellcheck disable=SC2059
pkg_of tfsLinkBad "<transaction seq=\"7\" op=\"C\" path=\"master/Employee/tfs.link.xml\" base=\"\">
$(printf "$emp" Nowhere)
</transaction>" >"$W/tfsLinkBad.xml"
check_fails "a package linking to OrgUnit Nowhere is refused" cp "$W/tfsLinkBad.xml" "$STG/apply/"
check_match "its result names the seq and the missing record" \
	"error seq=7: master/Employee/tfs.link.xml: record OrgUnit/Nowhere not found" \
	"$(cat "$STG/apply/tfsLinkBad.xml.result")"
check "and nothing was created" test ! -e "$STG/master/Employee/tfs.link.xml"
# a team and a record linking to it: created together, deleted together
team='<Record name="tfsTeam" guid="7c1d0000-0000-4000-8000-000000000002" businessObject="Team">
<Value field="TeamName">tfs</Value>
</Record>'
# shellcheck disable=SC2059
pkg_of tfsLinkPair "<transaction seq=\"1\" op=\"C\" path=\"master/Employee/tfs.link.xml\" base=\"\">
$(printf "$emp" Legal | sed 's/businessObject="OrgUnit" field="OrgUnitLink" key="Legal"/businessObject="Team" field="PrimaryTeam" key="tfsTeam"/')
</transaction>
<transaction seq=\"2\" op=\"C\" path=\"master/Team/tfsTeam.xml\" base=\"\">
$team
</transaction>" >"$W/tfsLinkPair.xml"
check "a package of a record and the team it links to applies" cp "$W/tfsLinkPair.xml" "$STG/apply/"
check_fails "the team alone cannot be removed" rm "$STG/master/Team/tfsTeam.xml"
base_e=$(sha256sum <"$STG/master/Employee/tfs.link.xml" | cut -d' ' -f1)
base_t=$(sha256sum <"$STG/master/Team/tfsTeam.xml" | cut -d' ' -f1)
pkg_of tfsLinkGone "<transaction seq=\"1\" op=\"D\" path=\"master/Team/tfsTeam.xml\" base=\"$base_t\"/>
<transaction seq=\"2\" op=\"D\" path=\"master/Employee/tfs.link.xml\" base=\"$base_e\"/>" >"$W/tfsLinkGone.xml"
check "a package deleting both together applies" cp "$W/tfsLinkGone.xml" "$STG/apply/"
check "both are gone" test ! -e "$STG/master/Team/tfsTeam.xml" -a ! -e "$STG/master/Employee/tfs.link.xml"

# ---- one damaged instance database: the others mount and serve
tfs_umount || bail "unmount before truncating uat's database"
check "truncate uat's database to 8 KB" \
	truncate -s 8192 "$STORE/instances/acme/uat.db"
tfs_mount
check_file_bytes "production still serves" "$P" "$W/orig.xml"
check_match "status names uat as not served" "acme/uat: not served" \
	"$(cat "$MNT/status")"
check_fails "uat's files are not served" cat "$UAT/instance.conf"
check_err "ls of uat fails with an I/O error" "Input/output error" ls "$UAT"
check_match "tenants/acme still lists uat" "^uat\$" "$(ls "$TEN")"
check "an edit in production's searches still works" \
	sed -i "$(sed_desc "$(obj production metadata/Search/Incident.MyOpenIncidents.xml)" tfsIntegrity)" \
	"$(obj production metadata/Search/Incident.MyOpenIncidents.xml)"

tfs_umount || bail "unmount before fsck"
out=$("$TFS_TENANTCTL" fsck "$STORE" 2>&1)
rc=$?
check_ne "tenantctl fsck fails on the damaged store" 0 "$rc"
check_match "fsck names the damaged object" \
	"acme/staging: $(re_esc "$REL") is damaged" "$out"
check_match "fsck finds production sound" "acme/production: .*ok" "$out"

# ---- tenantctl init that runs out of space leaves nothing behind
if [ "$(id -u)" = 0 ] && mkdir -p "$TFS_TMP/small" &&
	mount -t tmpfs -o size=16m tmpfs "$TFS_TMP/small" 2>/dev/null; then
	check_fails "tenantctl init --demo on a 16 MB filesystem fails" \
		"$TFS_TENANTCTL" init --demo "$TFS_TMP/small/store"
	check_eq "and leaves nothing there" "" "$(ls -A "$TFS_TMP/small")"
	umount "$TFS_TMP/small"
else
	note "SKIP: init on a full filesystem (needs root to mount a small tmpfs)"
fi

# ---- an apply into a full store fails with ENOSPC and changes nothing:
# a demo store on a tmpfs filled to 4 MB short (the package cannot even
# be spooled), then to 8 MB more than the package (it is spooled, and
# its records do not fit)
if [ "$(id -u)" = 0 ] && mkdir -p "$TFS_TMP/full" &&
	mount -t tmpfs -o size=256m tmpfs "$TFS_TMP/full" 2>/dev/null; then
	home=$STORE
	STORE=$TFS_TMP/full/store
	"$TFS_TENANTCTL" init --demo "$STORE" >/dev/null ||
		bail "tenantctl init --demo on a 256 MB tmpfs"
	tfs_mount
	before=$(hist_lines staging)
	employees=$(ls "$STG/master/Employee" | wc -l)
	pkg_kb=$(($(stat -c %s "$W/big.xml") / 1024))
	for spare in 4096 $((pkg_kb + 8192)); do
		avail=$(df --output=avail -k "$TFS_TMP/full" | tail -n 1)
		fallocate -l "$(((avail - spare) * 1024))" "$TFS_TMP/full/filler" ||
			bail "fill the tmpfs"
		out=$(cp "$W/big.xml" "$STG/apply/" 2>&1)
		check_match "cp of 30,000 records with $spare KB free fails with ENOSPC" \
			"No space left on device" "$out"
		rm -f "$TFS_TMP/full/filler"
		check_eq "staging's history is as before" "$before" \
			"$(hist_lines staging)"
		check_eq "no record of the package arrived" "$employees" \
			"$(ls "$STG/master/Employee" | wc -l)"
	done
	# a package small enough for one write, with no room at all: its
	# write and its close both fail with ENOSPC
	"$TFS_TENANTCTL" generate-package "$W/one.xml" --records 1 >/dev/null ||
		bail "tenantctl generate-package --records 1"
	avail=$(df --output=avail -k "$TFS_TMP/full" | tail -n 1)
	fallocate -l "$((avail * 1024))" "$TFS_TMP/full/filler" ||
		fallocate -l "$(((avail - 64) * 1024))" "$TFS_TMP/full/filler" ||
		bail "fill the tmpfs"
	out=$(python3 - "$W/one.xml" "$STG/apply/one.xml" <<'PY'
import errno, os, sys
data = open(sys.argv[1], 'rb').read()
fd = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
said = []
for what, call in (('write', lambda: os.write(fd, data)),
                   ('close', lambda: os.close(fd))):
    try:
        call()
        said.append(what + ' ok')
    except OSError as e:
        said.append(what + ' ' + errno.errorcode[e.errno])
print(' '.join(said))
PY
)
	rm -f "$TFS_TMP/full/filler"
	check_eq "a one-write package with no room: write and close are ENOSPC" \
		"write ENOSPC close ENOSPC" "$out"
	check_eq "and staging's history is as before" "$before" \
		"$(hist_lines staging)"
	# with the package spooled, the result was stored before the space ran
	# out or says why it is missing; it never says rejected
	r=$(cat "$STG/apply/big.xml.result" 2>/dev/null)
	check_match "the result says failed (no space), not rejected" \
		"^failed|^$" "$(printf '%s\n' "$r" | head -n 1)"
	check "staging takes a save again" sed -i \
		"$(sed_desc "$(obj staging metadata/Form/Incident.Default.xml)" afterFull)" \
		"$(obj staging metadata/Form/Incident.Default.xml)"
	tfs_umount || bail "unmount the full store"
	umount "$TFS_TMP/full"
	STORE=$home
else
	note "SKIP: an apply into a full store (needs root to mount a tmpfs)"
fi
tfs_mount
tfs_done
