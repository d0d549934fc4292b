#!/bin/bash
# test_translations.sh: translations/<locale>/<Type>/<Name>.xml behave like
# metadata objects: the demo's two locales list, read and diff between
# instances (staging's translators changed a few strings); sed -i, cp and
# rm save, each as one commit at its path on the instance's branch, shown
# in history/<n>/translations and undone by revert; mkdir makes a locale,
# rmdir removes an empty one; bad documents, bad locale names and deleting
# a translated object are refused and change nothing.
# shellcheck disable=SC2012
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
tfs_setup
cd "$W" || exit 1

T=$STG/translations
INC=$T/de-DE/Form/Incident.Default.xml
INCR=translations/de-DE/Form/Incident.Default.xml

# ---- browsing
check_eq "ls staging/translations lists the demo's locales" \
	"$(printf 'de-DE\nfr-FR')" "$(ls "$T")"
for l in de-DE fr-FR; do
	check_eq "translations/$l/ holds the 23 metadata type directories" \
		"$(sorted_words "$METADATA_TYPES")" "$(ls "$T/$l")"
done
check_sorted "ls -U translations/de-DE/Form is sorted" "$T/de-DE/Form"
check_eq "ls translations/de-DE/Form: the translated forms" \
	"$(printf '%s\n' Incident.Default.xml Incident.SelfService.xml \
		Problem.Default.xml ServiceReq.SelfService.xml)" \
	"$(ls "$T/de-DE/Form")"
check_eq "ls translations/fr-FR/ValidationListDefinition: the pick lists" \
	"$(printf '%s\n' Impact.xml Priority.xml Status.xml Urgency.xml)" \
	"$(ls "$T/fr-FR/ValidationListDefinition")"
check_documents "staging/translations: canonical documents" "$T"
check_documents "production/translations: canonical documents" \
	"$PRD/translations"
bad=
for f in "$T"/*/*/*.xml; do
	[ "$(stat -c %s "$f")" = "$(cat "$f" | wc -c)" ] || bad="$bad $f"
done
check_eq "stat -c %s equals cat | wc -c for every translation" "" "$bad"
check_match "a translation names its locale and type" \
	'^<Translation name="Incident.Default" guid="[0-9a-f-]{36}" locale="de-DE" type="Form">$' \
	"$(head -n 1 "$INC")"
check_match "... and holds the localized strings" \
	'^  <String key="Field\[Subject\]@label">Betreff</String>$' "$(cat "$INC")"

# ---- instances differ where the staging translators worked
check "diff -r uat/translations production/translations is empty" \
	diff -r "$UAT/translations" "$PRD/translations"
tfs_run diff -rq "$T" "$PRD/translations"
check_eq "diff -r staging production: four changed files, one only in staging" \
	"$(printf '%s\n' \
	"Files $T/de-DE/Form/Incident.Default.xml and $PRD/translations/de-DE/Form/Incident.Default.xml differ" \
	"Files $T/de-DE/Form/Incident.SelfService.xml and $PRD/translations/de-DE/Form/Incident.SelfService.xml differ" \
	"Files $T/fr-FR/ValidationListDefinition/Priority.xml and $PRD/translations/fr-FR/ValidationListDefinition/Priority.xml differ" \
	"Files $T/fr-FR/ValidationListDefinition/Status.xml and $PRD/translations/fr-FR/ValidationListDefinition/Status.xml differ" \
	"Only in $T/de-DE/Form: Problem.Default.xml" | sort)" \
	"$(printf '%s\n' "$OUT" | sort)"
check_match "staging's changed strings carry modified=" \
	'<String key="Field\[Owner\]@label" modified="[0-9T:-]+Z">Verantwortlich</String>' \
	"$(cat "$INC")"

# ---- sed -i: one commit at the translation's path
cat "$INC" >"$W/orig.xml"
sed 's#>Betreff<#>Betreffzeile<#' "$W/orig.xml" >"$W/exp.xml"
snap staging sed
check "sed -i on a translation succeeds" sed -i 's#>Betreff<#>Betreffzeile<#' "$INC"
check_file_bytes "sed -i: the translation reads back with the new bytes" "$INC" "$W/exp.xml"
expect_one_commit "sed -i: one history line, one commit, one transaction set" \
	staging sed "$INCR"
N=$(hist_top_n staging)
check_match "git log of the branch shows the commit at the path" \
	"^Update $INCR\$" \
	"$(tfs_git log -1 --format=%s acme/staging -- "$INCR")"
check_eq "git show of the branch has the new bytes" "$(cat "$W/exp.xml")" \
	"$(tfs_git show "acme/staging:$INCR")"
# (git holds no empty directory: the empty type directories of a locale
# are not in history)
for d in de-DE/Form de-DE/ValidationListDefinition fr-FR/Form \
	fr-FR/ValidationListDefinition; do
	check "diff -r history/$N/translations/$d translations/$d is empty" \
		diff -r "$STG/history/$N/translations/$d" "$T/$d"
done
check_eq "history/$N/translations holds the files of translations" \
	"$(cd "$T" && find . -type f | sort)" \
	"$(cd "$STG/history/$N/translations" && find . -type f | sort)"
check_file_bytes "history/$((N - 1))/$INCR has the bytes before" \
	"$STG/history/$((N - 1))/$INCR" "$W/orig.xml"

# ---- revert
snap staging revert
echo "$N" >"$STG/revert"
check_match "echo $N > revert: reverted" '^reverted' "$(cat "$STG/revert.result")"
check_file_bytes "revert: the translation has its old bytes again" "$INC" "$W/orig.xml"
expect_one_commit "revert: one commit" staging revert "$INCR"

# ---- mkdir of a locale, cp of a new translation, rmdir
check "mkdir translations/es-ES makes a locale" mkdir "$T/es-ES"
check_eq "ls translations lists it" "$(printf 'de-DE\nes-ES\nfr-FR')" "$(ls "$T")"
check_eq "es-ES/ holds the 23 type directories, empty" \
	"$(sorted_words "$METADATA_TYPES")" "$(ls "$T/es-ES")"
check_eq "... all empty" "" "$(find "$T/es-ES" -type f)"
check_err "mkdir of an existing locale: File exists" 'File exists' mkdir "$T/de-DE"
check_err "mkdir of a bad locale name: Invalid argument" 'Invalid argument' \
	mkdir "$T/es ES"
check_fails "no mkdir inside a locale" mkdir "$T/es-ES/Forms"
ES=$T/es-ES/Form/Incident.Default.xml
cat >"$W/es.xml" <<'EOF'
<Translation name="Incident.Default" locale="es-ES" type="Form">
  <String key="@caption">Incidente</String>
  <String key="Field[Subject]@label" modified="2026-01-02T03:04:05Z">Asunto</String>
</Translation>
EOF
snap staging cp
check "cp of a new translation into es-ES/Form succeeds" cp "$W/es.xml" "$ES"
expect_one_commit "cp: one commit" staging cp translations/es-ES/Form/Incident.Default.xml
check_eq "cp: stored canonical, with a guid added" \
	"$(sed '1s/ locale=/ guid="G" locale=/' "$W/es.xml")" \
	"$(sed -E '1s/ guid="[0-9a-f-]{36}"/ guid="G"/' "$ES")"
check_size_matches "cp: stat -c %s equals cat | wc -c" "$ES"
check_err "rmdir of a locale with translations: not empty" 'not empty' rmdir "$T/es-ES"

# ---- refusals change nothing
snap staging bad
sed 's#<String key="@caption">#<Label key="@caption">#; s#Incidente</String>#Incidente</Label>#; s#Incident.Default#Incident.Mobile#' \
	"$W/es.xml" >"$W/bad.xml"
check_fails "cp of a translation with an unknown element fails" \
	cp "$W/bad.xml" "$T/es-ES/Form/Incident.Mobile.xml"
check_match "log says why" 'unknown element in Translation' "$(tail -n 3 "$STG/log")"
sed 's/locale="es-ES"/locale="fr-FR"/; s/Incident.Default/Incident.Mobile/' \
	"$W/es.xml" >"$W/bad.xml"
check_fails "cp of a translation naming another locale fails" \
	cp "$W/bad.xml" "$T/es-ES/Form/Incident.Mobile.xml"
sed 's/Incident.Default/No.Such.Form/' "$W/es.xml" >"$W/bad.xml"
check_fails "cp of a translation of a missing form fails" \
	cp "$W/bad.xml" "$T/es-ES/Form/No.Such.Form.xml"
check_match "log says why" 'Form No.Such.Form not found' "$(tail -n 3 "$STG/log")"
check_err "rm of a translated object: busy" 'busy' \
	rm "$STG/metadata/ValidationListDefinition/Urgency.xml"
check_match "log names the translation" 'still used by 2 objects, such as translations/' \
	"$(tail -n 3 "$STG/log")"
check "metadata/ValidationListDefinition/Urgency.xml is still there" \
	test -f "$STG/metadata/ValidationListDefinition/Urgency.xml"
expect_unchanged "the refusals committed nothing" staging bad
check_eq "and left no file behind" "Incident.Default.xml" "$(ls "$T/es-ES/Form")"

# ---- rm, then rmdir
snap staging rm
check "rm of the translation" rm "$ES"
expect_one_commit "rm: one commit" staging rm translations/es-ES/Form/Incident.Default.xml
check "rmdir of the empty locale" rmdir "$T/es-ES"
check_eq "ls translations: es-ES is gone" "$(printf 'de-DE\nfr-FR')" "$(ls "$T")"
check_fails "es-ES cannot be looked up" test -e "$T/es-ES"
check "history/$((N + 2))/translations/es-ES still has it" \
	test -f "$STG/history/$((N + 2))/translations/es-ES/Form/Incident.Default.xml"

tfs_done
