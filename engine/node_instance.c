/*
 * An instance directory and its fixed files: instance.conf,
 * active-project, revert, revert.result, log and events (the console's
 * events about this instance, events_scope.c).  The directory's other
 * entries are kinds of their own (tree.c's inst_kinds): metadata/ and the
 * like in node_objects.c, projects/ in node_projects.c, packages/ in
 * node_packages.c, the drop directories in node_drops.c, history/ in
 * node_history.c, translations/ in node_translations.c.
 *
 * Called by the dispatch in tree.c, without the tree's lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tree_internal.h"
#include "tenantfs/error.h"
#include "tenantfs/push.h"

static const struct name_ino inst_names[] = {
	{ "active-project", I_ACTIVE },
	{ "apply", I_APPLY },
	{ "apply-unvalidated", I_APPLY_UNVAL },
	{ "backups", I_BACKUPS },
	{ "data", I_DATA },
	{ "events", I_EVENTS },
	{ "history", I_HISTORY },
	{ "instance.conf", I_CONF },
	{ "log", I_LOG },
	{ "master", I_MASTER },
	{ "metadata", I_METADATA },
	{ "packages", I_PACKAGES },
	{ "preview", I_PREVIEW },
	{ "projects", I_PROJECTS },
	{ "push", I_PUSH },
	{ "restore", I_RESTORE },
	{ "restore.result", I_RESTORE_RESULT },
	{ "revert", I_REVERT },
	{ "revert.result", I_REVERT_RESULT },
	{ "settings", I_SETTINGS },
	{ "translations", I_TRANSLATIONS },
	{ "validate", I_VALIDATE },
	{ "validation", I_VALIDATION },
	{ NULL, 0 },
};

/* Why instance `ino` gives nothing: a damaged instance (not served, its
 * reason set: EIO), or none (ENOENT). */
static int no_instance(tfs_tree *t, uint64_t ino)
{
	const char *why = store_broken(t->st, INO_A(ino));

	if (why)
		return tfs_error_set(TFS_ERROR, "instance not served: %s", why);
	return TFS_ENOTFOUND;
}

int inst_dir_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);

	if (!in && store_broken(t->st, INO_A(ino))) {
		/* listed, so that ls shows it; everything in it is EIO */
		dir_attr(out, ino, 0, false);
		return 0;
	}
	if (!in)
		return TFS_ENOTFOUND;
	dir_attr(out, ino, tfs_inst_mtime(in), false);
	return 0;
}

/* ---- the directory ----------------------------------------------------------- */

static int dir_lookup(tfs_attr *out, tfs_tree *t, uint64_t parent,
		      const char *name)
{
	tfs_inst *in = owner(t, parent);
	int code;

	if (!in)
		return no_instance(t, parent);
	if ((code = find_name(inst_names, name)) < 0)
		return TFS_ENOTFOUND;
	if (code == I_REVERT_RESULT || code == I_RESTORE_RESULT) {
		/* present once a revert (restore) has left a result */
		tfs_buf r = TFS_BUF_INIT;
		if (code == I_REVERT_RESULT)
			tfs_inst_revert_result(&r, in);
		else
			tfs_restore_result(&r, in);
		code = r.size ? code : -1;
		tfs_buf_free(&r);
		if (code < 0)
			return TFS_ENOTFOUND;
	}
	return tree_getattr(out, t, INO(C_INST, INO_A(parent), code));
}

static int dir_readdir(struct listing *l, uint64_t ino)
{
	size_t i;
	int error;

	if (!owner(l->t, ino))
		return no_instance(l->t, ino);
	l->inst = INO_A(ino);
	for (i = 0; inst_names[i].name; i++)
		if ((error = add_child(l, inst_names[i].name)))
			return error;
	return 0;
}

/* Its writable files are stored; other names are temporary files. */
static void dir_target(struct target *tg, tfs_tree *t, uint64_t parent,
		       const char *name)
{
	tfs_attr a;

	if (strcmp(name, "instance.conf") == 0 ||
	    strcmp(name, "active-project") == 0 ||
	    strcmp(name, "revert") == 0 || strcmp(name, "restore") == 0) {
		if (tree_lookup(&a, t, parent, name) == 0) {
			tg->kind = TG_STORED;
			tg->ino = a.ino;
		}
		return;
	}
	target_plain_dir(tg, t, parent, name);
}

const struct node_ops inst_dir_ops = {
	.lookup = dir_lookup,
	.getattr = inst_dir_getattr,
	.readdir = dir_readdir,
	.target = dir_target,
	.per_instance = true,
};

/* ---- its files ------------------------------------------------------------------ */

static int file_getattr(tfs_attr *out, tfs_tree *t, uint64_t ino)
{
	tfs_inst *in = owner(t, ino);
	int64_t b = INO_B(ino);

	if (!in)
		return TFS_ENOTFOUND;
	if (b == I_EVENTS)
		return scoped_events_attr(out, t, ino, 0, INO_A(ino));
	return text_attr(out, t, ino,
			 b == I_CONF || b == I_ACTIVE || b == I_REVERT ||
					 b == I_RESTORE ?
				 0644 :
				 0444,
			 tfs_inst_mtime(in));
}

static int file_content(tfs_buf *out, tfs_tree *t, uint64_t ino, bool *direct)
{
	tfs_inst *in = owner(t, ino);
	tfs_row row;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	switch (INO_B(ino)) {
	case I_CONF:
		return tfs_store_conf_render(out, t->st, TFS_ENT_INSTANCE,
					     INO_A(ino));
	case I_ACTIVE:
		if ((error = tfs_inst_active_project(&row, in)) < 0)
			return error;
		return tfs_buf_printf(out, "%s\n", row.name);
	case I_REVERT:
	case I_RESTORE:
		return 0;
	case I_REVERT_RESULT:
		return tfs_inst_revert_result(out, in);
	case I_RESTORE_RESULT:
		return tfs_restore_result(out, in);
	case I_LOG:
		return tfs_inst_log_render(out, in);
	case I_EVENTS:
		return tfs_store_events_scope_read(out, t->st, 0, INO_A(ino));
	}
	return tfs_error_set(TFS_ENOTFOUND, "not a file");
}

static int file_store(tfs_tree *t, uint64_t ino, const char *user,
		      const char *bytes, size_t len)
{
	tfs_inst *in = owner(t, ino);
	int64_t b = INO_B(ino);
	char *text;
	int error;

	if (!in)
		return TFS_ENOTFOUND;
	if (b == I_CONF)
		return tfs_store_conf_update(t->st, TFS_ENT_INSTANCE,
					     INO_A(ino), user, bytes, len);
	if (b != I_ACTIVE && b != I_REVERT && b != I_RESTORE)
		return tfs_error_set(TFS_EACCESS, "read-only file");
	if (!(text = strndup(bytes, len)))
		return tfs_error_set(TFS_ERROR, "out of memory");
	text[strcspn(text, "\r\n")] = '\0';
	if (b == I_ACTIVE) {
		error = tfs_inst_set_active_project(in, user, text);
	} else if (b == I_RESTORE) {
		tfs_buf r = TFS_BUF_INIT;

		error = tfs_restore_request(&r, in, user, text);
		tfs_buf_free(&r);
	} else {
		error = tfs_inst_revert_request(NULL, in, user, text);
	}
	free(text);
	return error;
}

/* A refused revert is reported in revert.result, not as a rejected
 * save: no path. */
static void file_describe(char *out, size_t size, tfs_tree *t, uint64_t ino)
{
	switch (INO_B(ino)) {
	case I_CONF:
		snprintf(out, size, "instance.conf");
		return;
	case I_ACTIVE:
		snprintf(out, size, "active-project");
		return;
	case I_REVERT:
		snprintf(out, size, "%s", "");
		return;
	case I_RESTORE:
		snprintf(out, size, "%s", "");
		return;
	}
	snprintf(out, size, "landscapes/*.conf");
}

const struct node_ops inst_file_ops = {
	.getattr = file_getattr,
	.content = file_content,
	.store = file_store,
	.describe = file_describe,
	.per_instance = true,
};
