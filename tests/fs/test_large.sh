#!/bin/bash
# test_large.sh: a large object (a 5 MB Image) round-trips: created with cp
# it reads back with its data intact and an exact size, saving the read-back
# bytes again is no change, sed -i on it works and makes one commit, git
# holds it, and it survives a remount byte for byte.
# ls and bash -c are the tools under test here.
# shellcheck disable=SC2010,SC2012,SC2016,SC2317
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1
ID=$STG/metadata/Image
SRC=$ID/$(first_obj "$ID")
BIG=$ID/TfsBigImage.xml
cp "$SRC" "$W/src.xml"

# Builds a new Image like the demo's first one, named TfsBigImage, without
# a guid, with ~5 MB of base64 where the image data lives (an attribute or
# element text named like data/content/base64, else the longest text, else
# the description). Writes the payload to payload.txt, the place to where.txt.
python3 - "$W/src.xml" "$W/big.xml" "$W/payload.txt" "$W/where.txt" <<'EOF'
import base64, os, re, sys
import xml.etree.ElementTree as ET
src, out, pay, where = sys.argv[1:5]
root = ET.parse(src).getroot()
root.set("name", "TfsBigImage")
if "guid" in root.attrib:
    del root.attrib["guid"]
payload = base64.b64encode(os.urandom(3_900_000)).decode()
named = re.compile(r"data|content|base64|bytes", re.I)
place = None
for i, el in enumerate(root.iter()):
    for k in el.attrib:
        if named.search(k):
            place = ("attr", i, k); break
    if place: break
if not place:
    for i, el in enumerate(root.iter()):
        if named.search(el.tag) and (el.text or "").strip():
            place = ("text", i, el.tag); break
if not place:
    best = max(((len((el.text or "").strip()), i) for i, el in enumerate(root.iter())), default=(0, 0))
    if best[0] > 0:
        place = ("text", best[1], "")
if not place:
    place = ("attr", 0, "description")
els = list(root.iter())
if place[0] == "attr":
    els[place[1]].set(place[2], payload)
else:
    els[place[1]].text = payload
ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=False)
with open(out, "a") as f:
    f.write("\n")
open(pay, "w").write(payload)
open(where, "w").write("%s %d %s" % place)
EOF
note "payload goes to: $(cat "$W/where.txt") of a copy of $(basename "$SRC")"

# payload_ok FILE: FILE carries the payload at the same place.
payload_ok()
{
	python3 - "$1" "$W/payload.txt" "$W/where.txt" <<'EOF'
import sys
import xml.etree.ElementTree as ET
kind, i, key = (open(sys.argv[3]).read().split(" ") + [""])[:3]
els = list(ET.parse(sys.argv[1]).getroot().iter())
v = els[int(i)].get(key) if kind == "attr" else els[int(i)].text
want = open(sys.argv[2]).read()
if v != want:
    print("payload differs: got %d chars, expected %d" % (len(v or ""), len(want)))
    sys.exit(1)
EOF
}

size=$(wc -c <"$W/big.xml")
check_true "the document is over 5 MB" "$size bytes" "$size" -gt 5000000
snap staging big
t0=$(date +%s)
check "cp of a 5 MB Image succeeds" cp "$W/big.xml" "$BIG"
note "the 5 MB save took $(($(date +%s) - t0)) s"
check_size_matches "5 MB Image: stat -c %s equals cat | wc -c" "$BIG"
check "5 MB Image: its data reads back intact" payload_ok "$BIG"
check_match "5 MB Image: it got a guid" '^<Image name="TfsBigImage" guid="[^"]+"' "$(head -c 300 "$BIG")"
expect_one_commit "5 MB Image: one history line, one commit, one transaction set" staging big \
	metadata/Image/TfsBigImage.xml
cat "$BIG" >"$W/back1.xml"
cat "$BIG" >"$W/back2.xml"
check "two reads give the same bytes" cmp "$W/back1.xml" "$W/back2.xml"
check_true "the canonical form is still over 5 MB" "" "$(wc -c <"$W/back1.xml")" -gt 5000000
check "dd with a 1 KiB block size reads the same bytes" \
	bash -c 'dd if="$1" bs=1024 status=none | cmp - "$2"' _ "$BIG" "$W/back1.xml"
check "a read from the middle (tail -c) agrees" \
	bash -c 'cmp <(tail -c 1000000 "$1") <(tail -c 1000000 "$2")' _ "$BIG" "$W/back1.xml"
GP=$(tfs_git ls-tree -r --name-only acme/staging | grep -E '(^|/)metadata/Image/TfsBigImage\.xml$')
check "git holds the same bytes" bash -c 'git --git-dir="$1" show "acme/staging:$2" | cmp - "$3"' \
	_ "$STORE/history.git" "$GP" "$W/back1.xml"

snap staging same
check "saving the read-back bytes again succeeds" cp "$W/back1.xml" "$BIG"
expect_unchanged "... and is no change" staging same

snap staging sed
t0=$(date +%s)
check "sed -i on the 5 MB Image succeeds" sed -i "$(sed_desc "$BIG" tfsBig)" "$BIG"
note "sed -i of 5 MB took $(($(date +%s) - t0)) s"
check_match "the change is there" 'description="tfsBig"' "$(head -c 400 "$BIG")"
check "... and the data too" payload_ok "$BIG"
check_size_matches "after sed -i: stat -c %s equals cat | wc -c" "$BIG"
expect_one_commit "sed -i on 5 MB: one commit" staging sed metadata/Image/TfsBigImage.xml
cat "$BIG" >"$W/back3.xml"

tfs_umount || not_ok "unmount"
tfs_mount
check_file_bytes "after a remount the 5 MB Image has the same bytes" "$BIG" "$W/back3.xml"

snap staging rm
check "rm of the 5 MB Image" rm "$BIG"
expect_one_commit "rm: one commit" staging rm metadata/Image/TfsBigImage.xml

tfs_done
