/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store: where the control plane keeps the Octavia objects. This is the
 * only code that knows SQL (SQLite here; an etcd back-end will implement the
 * same calls). It is a small typed object store, not an ORM:
 *
 *   - every object is one row: its kind, id, owning load balancer, parent
 *     object, project, the two statuses, timestamps, the revision that last
 *     wrote it, and its Octavia fields as a JSON document;
 *   - `lb_id` and `parent_id` are foreign keys with ON DELETE CASCADE, so
 *     deleting a load balancer (or a pool) removes everything under it;
 *   - the store keeps a revision that grows by one per committed write
 *     transaction: the agent rebuilds the data plane when it moves.
 *
 * One `struct bl_store` per thread (SQLite connections are not shared). WAL
 * mode with synchronous=FULL: a write acknowledged by bl_store_commit()
 * survives kill -9 and power loss.
 */
#ifndef BL_STORE_STORE_H
#define BL_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct bl_store;

/* One object as stored. Strings are NULL when the column is NULL. */
struct bl_store_row {
    const char *kind;      /* "loadbalancer", "listener", "pool", "member", ... */
    const char *id;        /* UUID, primary key */
    const char *lb_id;     /* owning load balancer; NULL for a load balancer itself */
    const char *parent_id; /* listener of an l7policy, pool of a member, ...; may be NULL */
    const char *project_id;
    const char *provisioning_status; /* ACTIVE, PENDING_CREATE, ... */
    const char *operating_status;    /* ONLINE, OFFLINE, ... */
    const char *created_at;          /* ISO-8601, no zone (Octavia's format) */
    const char *updated_at;          /* NULL until the first update */
    int64_t revision;                /* store revision of the last write (read-only) */
    const char *body;                /* the object's Octavia fields, a JSON object */
};

/* Called for each row of a listing; return non-zero to stop early. */
typedef int bl_store_row_cb(void *ctx, const struct bl_store_row *row);

/*
 * Opens (creating if needed) the database at `path` (":memory:" for tests),
 * enables WAL and foreign keys, and applies pending schema migrations.
 * Returns 0, or -EIO with `err` naming the SQLite error.
 */
int bl_store_open(const char *path, struct bl_store **out, struct bl_err *err);

void bl_store_close(struct bl_store *st);

/* The schema version after migrations (tests and `ballastd --version` use it). */
int bl_store_schema_version(struct bl_store *st);

/* The revision of the last committed write transaction (0 for a new store). */
int64_t bl_store_revision(struct bl_store *st);

/*
 * Write transactions. bl_store_begin() takes the write lock (BEGIN IMMEDIATE)
 * so a transaction never fails half-way for lack of it; every put/delete
 * inside is stamped with the revision the commit will publish. One API
 * request = one transaction.
 */
int bl_store_begin(struct bl_store *st, struct bl_err *err);
int bl_store_commit(struct bl_store *st, struct bl_err *err);
void bl_store_rollback(struct bl_store *st);

/* Inserts `row` (all of it but `revision`). -EEXIST if the id is taken,
 * -ENOENT if lb_id/parent_id name no object. Inside a transaction only. */
int bl_store_insert(struct bl_store *st, const struct bl_store_row *row, struct bl_err *err);

/* Replaces the statuses, updated_at and body of an existing object. -ENOENT if absent. */
int bl_store_update(struct bl_store *st, const struct bl_store_row *row, struct bl_err *err);

/* Sets the statuses (either may be NULL: unchanged) and stamps updated_at with
 * the current UTC time. -ENOENT if absent. */
int bl_store_set_status(struct bl_store *st, const char *id, const char *provisioning,
                        const char *operating, struct bl_err *err);

/* Deletes the object and, by cascade, everything under it. -ENOENT if absent. */
int bl_store_delete(struct bl_store *st, const char *id, struct bl_err *err);

/* Reads one object; strings are copied into `arena`. -ENOENT if absent (or
 * of another kind when `kind` is not NULL). */
int bl_store_get(struct bl_store *st, const char *kind, const char *id, struct bl_arena *arena,
                 struct bl_store_row *out, struct bl_err *err);

/*
 * Lists objects of `kind` in creation order, optionally only those whose
 * lb_id (`by_lb`) and/or parent_id (`by_parent`) match. Rows passed to `cb`
 * are valid only during the call. Returns 0, the callback's non-zero value,
 * or a negative errno.
 */
int bl_store_list(struct bl_store *st, const char *kind, const char *by_lb, const char *by_parent,
                  bl_store_row_cb *cb, void *ctx, struct bl_err *err);

/* ---- changes, for the agent: what to re-apply after a revision ---- */

/* Called with one id; return non-zero to stop early. */
typedef int bl_store_id_cb(void *ctx, const char *id);

/*
 * Calls `cb` once with the id of each object owning rows written after
 * revision `since` (a row's lb_id, or its own id when it has none: a load
 * balancer, a flavor...), including those that lost rows by deletion after
 * it. Order unspecified. Returns 0, the callback's value, or a negative errno.
 */
int bl_store_changed_lbs(struct bl_store *st, int64_t since, bl_store_id_cb *cb, void *ctx,
                         struct bl_err *err);

/* Lists the rows written after revision `since`, oldest write first (as bl_store_list). */
int bl_store_list_since(struct bl_store *st, int64_t since, bl_store_row_cb *cb, void *ctx,
                        struct bl_err *err);

/* Forgets the deletions recorded up to revision `upto` (once they have been
 * applied). Inside a transaction only. */
int bl_store_forget_deleted(struct bl_store *st, int64_t upto, struct bl_err *err);

#endif
