#!/bin/bash
# test_projects.sh: projects/ and active-project: mkdir and rmdir of
# projects, writing active-project routes the next save's transaction set
# into that project, transaction set files are readable XML naming user,
# project, op and path, and bad names or missing projects are refused.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
AP=$STG/active-project
PJ=$STG/projects

p0=$(active_project staging)
check_match "active-project names a project" '^[A-Za-z0-9._#-]+$' "$p0"
check "projects/$p0/ exists" test -d "$PJ/$p0"
check "projects/$p0/transaction-sets/ exists" test -d "$PJ/$p0/transaction-sets"
check_sorted "projects/ lists sorted" "$PJ"

# ---- mkdir / rmdir
check "mkdir projects/tfsP1" mkdir "$PJ/tfsP1"
check "projects/tfsP1/transaction-sets/ exists" test -d "$PJ/tfsP1/transaction-sets"
check_match "ls projects shows tfsP1" '^tfsP1$' "$(ls "$PJ")"
check_err "mkdir of an existing project fails with EEXIST" 'File exists' mkdir "$PJ/tfsP1"
check "mkdir projects/tfsP2" mkdir "$PJ/tfsP2"
check "rmdir of the empty project tfsP2" rmdir "$PJ/tfsP2"
check "tfsP2 is gone" test ! -e "$PJ/tfsP2"
check_nomatch "ls projects no longer shows tfsP2" '^tfsP2$' "$(ls "$PJ")"
check_fails "mkdir of a project named 'bad name' fails" mkdir "$PJ/bad name"
check "... and it does not exist" test ! -e "$PJ/bad name"
check_fails "mkdir in transaction-sets fails" mkdir "$PJ/tfsP1/transaction-sets/x"
check_fails "creating a file directly in projects/ fails" cp "$AP" "$PJ/file.xml"

# ---- active-project
check "echo tfsP1 > active-project (via cat)" bash -c 'echo tfsP1 | cat >"$1"' _ "$AP"
check_eq "active-project reads tfsP1" "tfsP1" "$(active_project staging)"
check_size_matches "active-project: stat -c %s equals cat | wc -c" "$AP"
F=$(obj staging metadata/Form/Incident.Default.xml)
FR=$(rel "$F")
snap staging p1
check "sed -i on a Form" sed -i "$(sed_desc "$F" tfsProj1)" "$F"
expect_one_commit "the save's transaction set is in projects/tfsP1" staging p1 "$FR"
check_eq "no new transaction set in $p0" "$(grep -c "^\./$p0/" "$TFS_TMP/snap/p1/tsets")" \
	"$(tset_list staging | grep -c "^\./$p0/")"
ts=$(ls "$PJ/tfsP1/transaction-sets" | head -n 1)
tsf=$PJ/tfsP1/transaction-sets/$ts
check_match "the transaction set file is named <id>.xml" '^[0-9]+\.xml$' "$ts"
doc=$(cat "$tsf" 2>&1)
check_match "the transaction set is a <transaction-set> with its id" \
	"<transaction-set [^>]*id=\"${ts%.xml}\"" "$doc"
check_match "... by admin, in project tfsP1" 'user="admin"' "$doc"
check_match "... in project tfsP1" 'project="tfsP1"' "$doc"
check_match "... created at a UTC time" 'created="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' "$doc"
check_match "... with one op=U transaction for the Form, with seq and base" \
	"<transaction [^>]*seq=\"[0-9]+\"[^>]*op=\"U\"[^>]*path=\"$FR\"[^>]*base=\"[0-9a-f]{64}\"" "$doc"
check "the transaction set parses as XML" python3 -c \
	'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$tsf"
check_size_matches "the transaction set: stat -c %s equals cat | wc -c" "$tsf"
cp "$tsf" "$W/ts.xml"
check_fails "a transaction set cannot be overwritten (cp)" cp "$F" "$tsf"
check_fails "a transaction set cannot be rewritten" bash -c 'echo x | cat >"$1"' _ "$tsf"
check_fails "a transaction set cannot be removed" rm "$tsf"
check_file_bytes "the transaction set is unchanged" "$tsf" "$W/ts.xml"

# two saves -> two transaction sets with increasing ids
snap staging p1b
check "sed -i on the Form again" sed -i "$(sed_desc "$F" tfsProj2)" "$F"
expect_one_commit "second save: its own transaction set" staging p1b "$FR"
ids=$(ls "$PJ/tfsP1/transaction-sets" | sed 's/\.xml$//' | sort -n | tr '\n' ' ')
check_match "transaction set ids are increasing numbers" '^[0-9]+ [0-9]+ $' "$ids"

# ---- bad active-project writes change nothing
check_fails "writing a missing project to active-project fails" \
	bash -c 'echo nosuchproject | cat >"$1"' _ "$AP"
check_eq "active-project still reads tfsP1" "tfsP1" "$(active_project staging)"
echo 'nosuch project' >"$AP"
check_eq "a builtin echo of garbage changes nothing" "tfsP1" "$(active_project staging)"

# ---- rmdir of a project with transaction sets, or the active one
check_fails "rmdir of the active project fails" rmdir "$PJ/tfsP1"
check "tfsP1 still exists" test -d "$PJ/tfsP1"
check "switch back: echo $p0 > active-project" bash -c 'echo "$2" | cat >"$1"' _ "$AP" "$p0"
check_eq "active-project reads $p0" "$p0" "$(active_project staging)"
check_fails "rmdir of a project holding transaction sets fails" rmdir "$PJ/tfsP1"
check "tfsP1 still exists with its transaction sets" test -f "$tsf"
snap staging p0
check "sed -i on the Form once more" sed -i "$(sed_desc "$F" tfsProj3)" "$F"
expect_one_commit "the save goes to $p0 again" staging p0 "$FR"

# ---- projects are per instance
check_nomatch "production has no tfsP1" '^tfsP1$' "$(ls "$PRD/projects")"

tfs_done
