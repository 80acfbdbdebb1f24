/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SQLite back-end of the store. Every sqlite3_* call that can fail goes
 * through check(), which turns the SQLite code into a negative errno and the
 * SQLite message into `err`. Statements are prepared once per handle.
 */
#include "store/store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* Schema migrations, applied in order; PRAGMA user_version counts those done.
 * Never edit one that has shipped: append a new one. */
static const char *const migrations[] = {
    /* 1: objects with cascading ownership, and the store revision. */
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT INTO meta VALUES ('revision', 0);"
    "CREATE TABLE objects ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  id TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  lb_id TEXT REFERENCES objects(id) ON DELETE CASCADE,"
    "  parent_id TEXT REFERENCES objects(id) ON DELETE CASCADE,"
    "  project_id TEXT,"
    "  provisioning_status TEXT NOT NULL,"
    "  operating_status TEXT NOT NULL,"
    "  created_at TEXT NOT NULL,"
    "  updated_at TEXT,"
    "  revision INTEGER NOT NULL,"
    "  body TEXT NOT NULL CHECK (json_valid(body)));"
    "CREATE INDEX objects_kind ON objects(kind, seq);"
    "CREATE INDEX objects_lb ON objects(lb_id);"
    "CREATE INDEX objects_parent ON objects(parent_id);",
    /* 2: listing children in creation order straight from an index. */
    "CREATE INDEX objects_kind_lb ON objects(kind, lb_id, seq);"
    "CREATE INDEX objects_kind_parent ON objects(kind, parent_id, seq);",
    /* 3: what changed since a revision: rows by revision, and the load
     * balancers that lost rows (one tombstone per load balancer, the latest). */
    "CREATE INDEX objects_revision ON objects(revision);"
    "CREATE TABLE tombstones (lb_id TEXT PRIMARY KEY, revision INTEGER NOT NULL);",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

enum stmt_id {
    ST_INSERT = 0,
    ST_UPDATE,
    ST_STATUS,
    ST_DELETE,
    ST_GET,
    ST_LIST,        /* by kind */
    ST_LIST_LB,     /* by kind and owning load balancer */
    ST_LIST_PARENT, /* by kind and parent */
    ST_LIST_BOTH,   /* by kind, load balancer and parent */
    ST_REV_GET,
    ST_REV_SET,
    ST_TOMB,       /* record the load balancer of a row about to be deleted */
    ST_TOMB_PRUNE, /* forget tombstones up to a revision */
    ST_CHANGED,    /* load balancers touched after a revision */
    ST_SINCE,      /* rows written after a revision */
    ST_COUNT,
};

#define COLS                                                                                       \
    "kind, id, lb_id, parent_id, project_id, provisioning_status, operating_status, "              \
    "created_at, updated_at, revision, body"

static const char *const stmt_sql[ST_COUNT] = {
    [ST_INSERT] = "INSERT INTO objects (" COLS ") VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    [ST_UPDATE] = "UPDATE objects SET provisioning_status = ?, operating_status = ?, "
                  "updated_at = ?, body = ?, revision = ? WHERE id = ?",
    [ST_STATUS] = "UPDATE objects SET provisioning_status = coalesce(?, provisioning_status), "
                  "operating_status = coalesce(?, operating_status), revision = ?, "
                  "updated_at = strftime('%Y-%m-%dT%H:%M:%S', 'now') WHERE id = ?",
    [ST_DELETE] = "DELETE FROM objects WHERE id = ?",
    [ST_GET] = "SELECT " COLS " FROM objects WHERE id = ?",
    /* One statement per filter: "(?2 IS NULL OR lb_id = ?2)" would keep SQLite
     * from using an index, and a pool's members would cost a scan of them all. */
    [ST_LIST] = "SELECT " COLS " FROM objects WHERE kind = ?1 ORDER BY seq",
    [ST_LIST_LB] = "SELECT " COLS " FROM objects WHERE kind = ?1 AND lb_id = ?2 ORDER BY seq",
    [ST_LIST_PARENT] = "SELECT " COLS " FROM objects WHERE kind = ?1 AND parent_id = ?3 "
                       "ORDER BY seq",
    [ST_LIST_BOTH] = "SELECT " COLS " FROM objects WHERE kind = ?1 AND lb_id = ?2 AND "
                     "parent_id = ?3 ORDER BY seq",
    [ST_REV_GET] = "SELECT value FROM meta WHERE key = 'revision'",
    [ST_REV_SET] = "UPDATE meta SET value = ? WHERE key = 'revision'",
    [ST_TOMB] = "INSERT OR REPLACE INTO tombstones (lb_id, revision) "
                "SELECT coalesce(lb_id, id), ?2 FROM objects WHERE id = ?1",
    [ST_TOMB_PRUNE] = "DELETE FROM tombstones WHERE revision <= ?",
    [ST_CHANGED] = "SELECT coalesce(lb_id, id) FROM objects WHERE revision > ?1 "
                   "UNION SELECT lb_id FROM tombstones WHERE revision > ?1",
    /* Revision order comes straight from the index; "ORDER BY seq" would scan the table. */
    [ST_SINCE] = "SELECT " COLS " FROM objects WHERE revision > ? ORDER BY revision, seq",
};

struct bl_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT];
    bool in_txn;
    bool dirty;      /* the open transaction wrote something */
    int64_t txn_rev; /* revision the open transaction will publish */
};

/* Maps a SQLite result to 0 or a negative errno, filling `err` on failure. */
static int check(struct bl_store *st, int rc, const char *what, struct bl_err *err)
{
    int ext;

    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    ext = sqlite3_extended_errcode(st->db);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return bl_err_set(err, -EEXIST, "%s: already exists", what);
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return bl_err_set(err, -ENOENT, "%s: the owning object does not exist", what);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return bl_err_set(err, -EBUSY, "%s: database busy: %s", what, sqlite3_errmsg(st->db));
    return bl_err_set(err, -EIO, "%s: %s", what, sqlite3_errmsg(st->db));
}

static int exec(struct bl_store *st, const char *sql, struct bl_err *err)
{
    return check(st, sqlite3_exec(st->db, sql, NULL, NULL, NULL), sql, err);
}

static int migrate(struct bl_store *st, struct bl_err *err)
{
    int version = bl_store_schema_version(st), rc = 0;
    char pragma[64];

    for (int v = version; v < NMIGRATIONS && rc == 0; v++) {
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        rc = exec(st, "BEGIN IMMEDIATE", err);
        if (rc == 0)
            rc = exec(st, migrations[v], err);
        if (rc == 0)
            rc = exec(st, pragma, err);
        if (rc == 0)
            rc = exec(st, "COMMIT", err);
        else
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

int bl_store_open(const char *path, struct bl_store **out, struct bl_err *err)
{
    struct bl_store *st = bl_xcalloc(1, sizeof(*st));
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

    if (rc != SQLITE_OK) {
        bl_err_set(err, -EIO, "cannot open %s: %s", path, sqlite3_errstr(rc));
        bl_store_close(st);
        return -EIO;
    }
    /* Another process (a second ballastd, sqlite3 CLI) may hold the lock briefly. */
    sqlite3_busy_timeout(st->db, 5000);
    rc = exec(st, "PRAGMA journal_mode = WAL", err);
    if (rc == 0)
        rc = exec(st, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", err);
    if (rc == 0)
        rc = migrate(st, err);
    for (int i = 0; rc == 0 && i < ST_COUNT; i++)
        rc = check(st, sqlite3_prepare_v2(st->db, stmt_sql[i], -1, &st->stmt[i], NULL), stmt_sql[i],
                   err);
    if (rc < 0) {
        bl_store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

void bl_store_close(struct bl_store *st)
{
    if (st == NULL)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st);
}

int bl_store_schema_version(struct bl_store *st)
{
    sqlite3_stmt *s;
    int v = 0;

    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -EIO;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

int64_t bl_store_revision(struct bl_store *st)
{
    sqlite3_stmt *s = st->stmt[ST_REV_GET];
    int64_t rev = -EIO;

    if (sqlite3_step(s) == SQLITE_ROW)
        rev = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rev;
}

/* ---- transactions ---------------------------------------------------------------------- */

int bl_store_begin(struct bl_store *st, struct bl_err *err)
{
    int64_t rev;
    int rc;

    if (st->in_txn)
        return bl_err_set(err, -EINVAL, "a transaction is already open");
    rc = exec(st, "BEGIN IMMEDIATE", err);
    if (rc < 0)
        return rc;
    rev = bl_store_revision(st);
    if (rev < 0) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return bl_err_set(err, -EIO, "cannot read the store revision");
    }
    st->in_txn = true;
    st->dirty = false;
    st->txn_rev = rev + 1;
    return 0;
}

int bl_store_commit(struct bl_store *st, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_REV_SET];
    int rc = 0;

    if (!st->in_txn)
        return bl_err_set(err, -EINVAL, "no transaction is open");
    if (st->dirty) {
        sqlite3_bind_int64(s, 1, st->txn_rev);
        rc = check(st, sqlite3_step(s), "publishing the revision", err);
        sqlite3_reset(s);
    }
    if (rc == 0)
        rc = exec(st, "COMMIT", err);
    if (rc < 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_txn = false;
    return rc;
}

void bl_store_rollback(struct bl_store *st)
{
    if (!st->in_txn)
        return;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_txn = false;
}

/* ---- writes ------------------------------------------------------------------------------ */

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/* Runs a bound write statement; -ENOENT when it touched no row and `must_hit`. */
static int run_write(struct bl_store *st, sqlite3_stmt *s, const char *what, bool must_hit,
                     struct bl_err *err)
{
    int rc = check(st, sqlite3_step(s), what, err);

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc == 0 && must_hit && sqlite3_changes(st->db) == 0)
        rc = bl_err_set(err, -ENOENT, "%s: no such object", what);
    if (rc == 0)
        st->dirty = true;
    return rc;
}

static int need_txn(struct bl_store *st, struct bl_err *err)
{
    return st->in_txn ? 0 : bl_err_set(err, -EINVAL, "writes need bl_store_begin()");
}

int bl_store_insert(struct bl_store *st, const struct bl_store_row *r, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_INSERT];
    int rc = need_txn(st, err);

    if (rc < 0)
        return rc;
    bind_text(s, 1, r->kind);
    bind_text(s, 2, r->id);
    bind_text(s, 3, r->lb_id);
    bind_text(s, 4, r->parent_id);
    bind_text(s, 5, r->project_id);
    bind_text(s, 6, r->provisioning_status);
    bind_text(s, 7, r->operating_status);
    bind_text(s, 8, r->created_at);
    bind_text(s, 9, r->updated_at);
    sqlite3_bind_int64(s, 10, st->txn_rev);
    bind_text(s, 11, r->body);
    return run_write(st, s, r->id, false, err);
}

int bl_store_update(struct bl_store *st, const struct bl_store_row *r, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_UPDATE];
    int rc = need_txn(st, err);

    if (rc < 0)
        return rc;
    bind_text(s, 1, r->provisioning_status);
    bind_text(s, 2, r->operating_status);
    bind_text(s, 3, r->updated_at);
    bind_text(s, 4, r->body);
    sqlite3_bind_int64(s, 5, st->txn_rev);
    bind_text(s, 6, r->id);
    return run_write(st, s, r->id, true, err);
}

int bl_store_set_status(struct bl_store *st, const char *id, const char *provisioning,
                        const char *operating, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_STATUS];
    int rc = need_txn(st, err);

    if (rc < 0)
        return rc;
    bind_text(s, 1, provisioning);
    bind_text(s, 2, operating);
    sqlite3_bind_int64(s, 3, st->txn_rev);
    bind_text(s, 4, id);
    return run_write(st, s, id, true, err);
}

int bl_store_delete(struct bl_store *st, const char *id, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_DELETE];
    int rc = need_txn(st, err);

    if (rc < 0)
        return rc;
    /* The row's load balancer remembers that it lost something (a reader
     * of changes since a revision cannot see a row that is gone). */
    bind_text(st->stmt[ST_TOMB], 1, id);
    sqlite3_bind_int64(st->stmt[ST_TOMB], 2, st->txn_rev);
    rc = run_write(st, st->stmt[ST_TOMB], id, false, err);
    if (rc < 0)
        return rc;
    bind_text(s, 1, id);
    return run_write(st, s, id, true, err);
}

int bl_store_forget_deleted(struct bl_store *st, int64_t upto, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_TOMB_PRUNE];
    int rc = need_txn(st, err);

    if (rc < 0)
        return rc;
    sqlite3_bind_int64(s, 1, upto);
    return run_write(st, s, "tombstones", false, err);
}

/* ---- reads ---------------------------------------------------------------------------------- */

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static void read_row(sqlite3_stmt *s, struct bl_store_row *r)
{
    r->kind = col_text(s, 0);
    r->id = col_text(s, 1);
    r->lb_id = col_text(s, 2);
    r->parent_id = col_text(s, 3);
    r->project_id = col_text(s, 4);
    r->provisioning_status = col_text(s, 5);
    r->operating_status = col_text(s, 6);
    r->created_at = col_text(s, 7);
    r->updated_at = col_text(s, 8);
    r->revision = sqlite3_column_int64(s, 9);
    r->body = col_text(s, 10);
}

static const char *dup(struct bl_arena *a, const char *s)
{
    return s ? bl_arena_strdup(a, s) : NULL;
}

int bl_store_get(struct bl_store *st, const char *kind, const char *id, struct bl_arena *arena,
                 struct bl_store_row *out, struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_GET];
    struct bl_store_row r;
    int step, rc = 0;

    bind_text(s, 1, id);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        read_row(s, &r);
        if (kind && strcmp(kind, r.kind) != 0) {
            rc = bl_err_set(err, -ENOENT, "%s: not a %s", id, kind);
        } else {
            *out = (struct bl_store_row){dup(arena, r.kind),
                                         dup(arena, r.id),
                                         dup(arena, r.lb_id),
                                         dup(arena, r.parent_id),
                                         dup(arena, r.project_id),
                                         dup(arena, r.provisioning_status),
                                         dup(arena, r.operating_status),
                                         dup(arena, r.created_at),
                                         dup(arena, r.updated_at),
                                         r.revision,
                                         dup(arena, r.body)};
        }
    } else if (step == SQLITE_DONE) {
        rc = bl_err_set(err, -ENOENT, "%s: no such object", id);
    } else {
        rc = check(st, step, id, err);
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

/* Steps a bound listing statement, handing each row to `cb`. */
static int each_row(struct bl_store *st, sqlite3_stmt *s, bl_store_row_cb *cb, void *ctx,
                    const char *what, struct bl_err *err)
{
    struct bl_store_row r;
    int step, rc = 0;

    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        read_row(s, &r);
        rc = cb(ctx, &r);
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = check(st, step, what, err);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

int bl_store_list(struct bl_store *st, const char *kind, const char *by_lb, const char *by_parent,
                  bl_store_row_cb *cb, void *ctx, struct bl_err *err)
{
    enum stmt_id which = by_lb && by_parent ? ST_LIST_BOTH
                         : by_lb            ? ST_LIST_LB
                         : by_parent        ? ST_LIST_PARENT
                                            : ST_LIST;
    sqlite3_stmt *s = st->stmt[which];

    bind_text(s, 1, kind);
    bind_text(s, 2, by_lb);
    bind_text(s, 3, by_parent);
    return each_row(st, s, cb, ctx, kind, err);
}

int bl_store_changed_lbs(struct bl_store *st, int64_t since, bl_store_id_cb *cb, void *ctx,
                         struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_CHANGED];
    int step, rc = 0;

    sqlite3_bind_int64(s, 1, since);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        rc = cb(ctx, col_text(s, 0));
        if (rc != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = check(st, step, "changes", err);
    sqlite3_reset(s);
    return rc;
}

int bl_store_list_since(struct bl_store *st, int64_t since, bl_store_row_cb *cb, void *ctx,
                        struct bl_err *err)
{
    sqlite3_stmt *s = st->stmt[ST_SINCE];

    sqlite3_bind_int64(s, 1, since);
    return each_row(st, s, cb, ctx, "changes", err);
}
