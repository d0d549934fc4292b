#!/bin/bash
# test_cache.sh: what the kernel caches never shows stale data. A change
# made through one path reads back at once through another: a
# non-canonical save reads back canonical (bytes and size), a refused save
# reads back the old bytes, revert / revert of a create / of a delete show
# at once even after the object was read or looked up, generated files
# (history/log, log, events, status, dashboard) have exact sizes as they
# grow, readers never see a half-written object, two writers at once both
# land, and an object keeps its inode across in-place and rename saves.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

F=$(obj staging metadata/Form/Incident.Default.xml)
FR=$(rel "$F")
FD=$(dirname "$F")
S=$(obj staging metadata/Search/Incident.MyOpenIncidents.xml)
INO=$(stat -c %i "$F")

snap staging prime
prime staging "$FR" tfsCache0 && expect_one_commit "prime: one commit" staging prime "$FR"
cat "$F" >"$W/c0.xml"

# noncanon IN > OUT: same document, other whitespace: indentation doubled
# plus four, the root's attributes on lines of their own.
noncanon()
{
	sed -E -e 's/^( *)</\1\1    </' -e '0,/^ *<[A-Za-z]/s/" ([A-Za-z])/"\n        \1/g' "$1"
}

# ---- a non-canonical save reads back canonical at once
replace_once "$W/c0.xml" 'description="tfsCache0"' 'description="tfsCacheLonger1"' >"$W/c1.xml"
noncanon "$W/c1.xml" >"$W/n1.xml"
check_ne "(the non-canonical form differs)" "$(cat "$W/c1.xml")" "$(cat "$W/n1.xml")"
ls -l "$F" >/dev/null
cat "$F" >/dev/null
snap staging n1
tfs_run bash -c 'cat "$1" >"$2"' _ "$W/n1.xml" "$F"
check_eq "cat > a non-canonical, changed Form succeeds" 0 "$RC"
check_eq "stat -c %s right after is the canonical size (not the written one)" \
	"$(wc -c <"$W/c1.xml")" "$(stat -c %s "$F")"
check_file_bytes "cat right after gives the canonical bytes" "$F" "$W/c1.xml"
expect_one_commit "non-canonical save: one commit" staging n1 "$FR"
check_eq "the Form keeps its inode across an in-place save" "$INO" "$(stat -c %i "$F")"

noncanon "$W/c1.xml" | sed 's/^/  /' >"$W/n2.xml"
snap staging n2
check "cp of the same document in another layout succeeds" cp "$W/n2.xml" "$F"
check_file_bytes "... and reads back canonical" "$F" "$W/c1.xml"
expect_unchanged "... and is no change: no commit" staging n2

# ---- a refused save reads back the old bytes at once
{ cat "$W/c1.xml"; printf '<Extra>\n'; } >"$W/bad.xml"
cat "$F" >/dev/null
snap staging bad
check_fails "cat > of a longer, malformed Form fails" bash -c 'cat "$1" >"$2"' _ "$W/bad.xml" "$F"
check_eq "stat -c %s right after is the old size" "$(wc -c <"$W/c1.xml")" "$(stat -c %s "$F")"
check_file_bytes "cat right after gives the old bytes" "$F" "$W/c1.xml"
expect_unchanged "refused: no commit" staging bad
echo '<Form' >"$F"
check_eq "after a builtin echo of a short bad document, stat -c %s is the old size" \
	"$(wc -c <"$W/c1.xml")" "$(stat -c %s "$F")"
check_file_bytes "... and cat gives the old bytes" "$F" "$W/c1.xml"

# ---- sed -i (rename over): new bytes and the same inode at once
replace_once "$W/c1.xml" 'tfsCacheLonger1' 'tfsC2' >"$W/c2.xml"
stat "$F" >/dev/null
check "sed -i on the Form" sed -i 's/tfsCacheLonger1/tfsC2/' "$F"
check_file_bytes "sed -i: new bytes at once" "$F" "$W/c2.xml"
check_eq "sed -i: the Form keeps its inode number" "$INO" "$(stat -c %i "$F")"
check_true "sed -i: mtime is now" "mtime $(stat -c %Y "$F")" \
	"$(stat -c %Y "$F")" -ge "$(($(date +%s) - 5))"

# ---- revert right after a read shows the old bytes
N2=$(hist_top_n staging)
cat "$F" >/dev/null
echo "$N2" >"$STG/revert"
check_file_bytes "cat f; echo N > revert; cat f: the reverted bytes" "$F" "$W/c1.xml"
check_eq "... and stat -c %s agrees at once" "$(wc -c <"$W/c1.xml")" "$(stat -c %s "$F")"

# ---- revert of a create / of a delete against cached lookups
NEW=$FD/Incident.TfsCache.xml
printf '<Form name="Incident.TfsCache" businessObject="Incident">\n  <FieldRef name="Priority"/>\n</Form>\n' >"$W/new.xml"
stat "$NEW" >/dev/null 2>&1
check "create a Form right after a failed lookup of its name" cp "$W/new.xml" "$NEW"
check "stat of the new Form works at once" stat "$NEW"
cp "$NEW" "$W/created.xml"
NC=$(hist_top_n staging)
ls "$FD" >/dev/null
stat "$NEW" >/dev/null
cat "$NEW" >/dev/null
echo "$NC" >"$STG/revert"
check "revert of the create: stat fails at once" test ! -e "$NEW"
check_nomatch "revert of the create: ls no longer shows it" 'TfsCache' "$(ls "$FD")"
NR=$(hist_top_n staging)
stat "$NEW" >/dev/null 2>&1
ls "$FD" >/dev/null
echo "$NR" >"$STG/revert"
check_file_bytes "revert of that: the Form is back at once (after a failed lookup)" "$NEW" "$W/created.xml"
check_match "revert of that: ls (its listing kept by the kernel) shows it at once" \
	'^Incident\.TfsCache\.xml$' "$(ls "$FD")"
check "rm it" rm "$NEW"
check "rm: stat fails at once" test ! -e "$NEW"
check "create it again" cp "$W/new.xml" "$NEW"
check_match "the new incarnation reads back" 'name="Incident.TfsCache"' "$(root_line "$NEW")"

# ---- listings the kernel keeps change with every way a name comes and goes
ls "$FD" >/dev/null
printf '<Form name="Incident.TfsBadNew" businessObject="NoSuchBO">\n</Form>\n' >"$W/badnew.xml"
# (python lists the directory itself: a shell's redirections, or a child
# process, would close a duplicate of the descriptor, and a close commits)
check_eq "a Form with a dangling business object: ls shows it while written, not once refused" \
	"while written: 1, refused: True, after: 0" \
	"$(python3 - "$W/badnew.xml" "$FD" <<'EOF'
import os, sys
src, d = sys.argv[1], sys.argv[2]
def count():
    return os.listdir(d).count("Incident.TfsBadNew.xml")
f = open(d + "/Incident.TfsBadNew.xml", "wb", buffering=0)
f.write(open(src, "rb").read())
n = count()
try:
    f.close()
    refused = False
except OSError:
    refused = True
print("while written: %d, refused: %s, after: %d" % (n, refused, count()))
EOF
)"
cat "$NEW" >"$W/cur.xml"
check "mv of the Form aside (an editor's backup)" mv "$NEW" "$FD/Incident.TfsCache.xml~"
check_eq "ls shows the backup name only" "Incident.TfsCache.xml~" "$(ls "$FD" | grep TfsCache)"
check "cp of the same bytes to the name (saved again)" cp "$W/cur.xml" "$NEW"
check "rm of the backup" rm "$FD/Incident.TfsCache.xml~"
check_eq "ls shows the name again, no backup" "Incident.TfsCache.xml" "$(ls "$FD" | grep TfsCache)"
check_eq "find -type f in the directory agrees with ls" "$(ls "$FD" | grep -c .)" \
	"$(find "$FD" -type f | grep -c .)"

# ---- generated files have exact sizes as they change
for f in "$STG/history/log" "$STG/log" "$MNT/events" "$MNT/status" "$TEN/dashboard" \
	"$STG/instance.conf" "$STG/active-project" "$STG/revert.result"; do
	[ -e "$f" ] || continue
	check_size_matches "${f#"$MNT"/}: stat -c %s equals cat | wc -c" "$f"
done
check_eq "history/log has one line per commit right away" \
	"$(tfs_git rev-list --count acme/staging)" "$(hist_lines staging)"

# ---- a change in staging shows in diff -r against production at once
check_eq "diff -rq staging production lists the changed Form at once" \
	"$(printf 'Files %s and %s differ\nOnly in %s: Incident.TfsCache.xml' \
		"$STG/metadata/${FR#metadata/}" "$PRD/metadata/${FR#metadata/}" "$FD")" \
	"$(diff -rq "$STG/metadata" "$PRD/metadata" | sort)"

# ---- readers never see a half-written object
mkdir -p "$W/reads"
rm -f "$W/writer-done"
readers=
for r in 1 2 3; do
	(
		i=0
		while [ ! -e "$W/writer-done" ] && [ "$i" -lt 5000 ]; do
			i=$((i + 1))
			cat "$F" >"$W/reads/$r-$i" 2>/dev/null ||
				echo "cat failed" >"$W/reads/$r-$i"
		done
	) &
	readers="$readers $!"
done
for i in $(seq 1 20); do
	sed -i "s/description=\"[^\"]*\"/description=\"tfsRace$i\"/" "$F" 2>/dev/null
	cat "$W/c1.xml" >"$F" 2>/dev/null
	cp "$W/c1.xml" "$F" 2>/dev/null
done
touch "$W/writer-done"
# shellcheck disable=SC2086
wait_bg $readers
nreads=$(ls "$W/reads" | wc -l)
bad=$(python3 - "$W/reads" <<'EOF'
import os, sys
import xml.etree.ElementTree as ET
d = sys.argv[1]
for n in sorted(os.listdir(d)):
    b = open(os.path.join(d, n), "rb").read()
    try:
        r = ET.fromstring(b)
        assert r.tag == "Form", r.tag
    except Exception as e:
        print("read %s: %s: %r" % (n, e, b[:80]))
        break
EOF
)
check_eq "$nreads reads during 60 saves (sed -i, cat >, cp) all see a whole document" "" "$bad"
cat "$W/c1.xml" >"$F"

# ---- two writers at once
cp "$S" "$W/s0.xml"
cat "$F" >"$W/f0.xml"
snap staging two
sed -i "$(sed_desc "$F" tfsTwoF)" "$F" 2>"$W/e1" &
p1=$!
sed -i "$(sed_desc "$S" tfsTwoS)" "$S" 2>"$W/e2" &
p2=$!
wait_bg $p1 $p2
check_eq "two sed -i at once on different objects both exit 0" "0 0" "$WAIT_RCS"
check_match "the Form has its change" 'description="tfsTwoF"' "$(root_line "$F")"
check_match "the Search has its change" 'description="tfsTwoS"' "$(root_line "$S")"
check_eq "history/log has two new lines" $(($(grep -c . "$TFS_TMP/snap/two/hlog") + 2)) \
	"$(hist_lines staging)"
check_eq "git log acme/staging has two new commits" $(($(cat "$TFS_TMP/snap/two/gcount") + 2)) \
	"$(git_count staging)"
check_eq "two new transaction sets" 2 \
	"$(tset_list staging | comm -13 "$TFS_TMP/snap/two/tsets" - | grep -c .)"
check_eq "both commits are by admin" "admin admin" \
	"$(tfs_git log -2 --format=%an acme/staging | tr '\n' ' ' | sed 's/ $//')"

# five creates at once
snap staging five
pids=
for i in 1 2 3 4 5; do
	sed "s/Incident\\.TfsCache/Incident.TfsPar$i/" "$W/new.xml" >"$W/par$i.xml"
	cp "$W/par$i.xml" "$FD/Incident.TfsPar$i.xml" &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait_bg $pids
check_eq "five cp at once creating five Forms all exit 0" "0 0 0 0 0" "$WAIT_RCS"
check_eq "all five exist" 5 "$(ls "$FD" | grep -c '^Incident\.TfsPar[1-5]\.xml$')"
check_eq "five new history lines" $(($(grep -c . "$TFS_TMP/snap/five/hlog") + 5)) \
	"$(hist_lines staging)"
check_eq "five new commits" $(($(cat "$TFS_TMP/snap/five/gcount") + 5)) "$(git_count staging)"
check_eq "the five are distinct objects (five guids)" 5 \
	"$(for i in 1 2 3 4 5; do attr guid "$FD/Incident.TfsPar$i.xml"; done | sort -u | grep -c .)"

# ---- a file held open sees consistent data; a new open sees the new bytes
exec 3<"$F"
check "cp changes the Form while a reader holds it open" cp "$W/c1.xml" "$F"
check_file_bytes "a new open reads the new bytes" "$F" "$W/c1.xml"
held=$(cat <&3)
exec 3<&-
check_match "the held descriptor read a whole document" '</Form>$' "$held"

tfs_done
