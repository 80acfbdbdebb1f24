/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/store/store.c on real SQLite files in a temporary directory. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "tap.h"

static char dir[] = "/tmp/bl-store-XXXXXX";
static char path[256];

static struct bl_store_row row(const char *kind, const char *id, const char *lb, const char *parent,
                               const char *body)
{
    return (struct bl_store_row){.kind = kind,
                                 .id = id,
                                 .lb_id = lb,
                                 .parent_id = parent,
                                 .project_id = "p1",
                                 .provisioning_status = "PENDING_CREATE",
                                 .operating_status = "OFFLINE",
                                 .created_at = "2026-11-22T08:00:00",
                                 .body = body};
}

static int count_cb(void *ctx, const struct bl_store_row *r)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static int count(struct bl_store *st, const char *kind, const char *lb, const char *parent)
{
    int n = 0;
    bl_store_list(st, kind, lb, parent, count_cb, &n, NULL);
    return n;
}

/* An LB with a listener, a pool and two members, in one transaction. */
static void populate(struct bl_store *st)
{
    struct bl_store_row r;
    struct bl_err err = {0};
    int rc = bl_store_begin(st, &err);

    r = row("loadbalancer", "lb1", NULL, NULL, "{\"name\":\"lb\"}");
    rc = rc ?: bl_store_insert(st, &r, &err);
    r = row("listener", "l1", "lb1", NULL, "{\"protocol\":\"TCP\",\"protocol_port\":22}");
    rc = rc ?: bl_store_insert(st, &r, &err);
    r = row("pool", "p1", "lb1", NULL, "{\"lb_algorithm\":\"ROUND_ROBIN\"}");
    rc = rc ?: bl_store_insert(st, &r, &err);
    r = row("member", "m1", "lb1", "p1", "{\"address\":\"10.0.0.1\"}");
    rc = rc ?: bl_store_insert(st, &r, &err);
    r = row("member", "m2", "lb1", "p1", "{\"address\":\"10.0.0.2\"}");
    rc = rc ?: bl_store_insert(st, &r, &err);
    rc = rc ?: bl_store_commit(st, &err);
    if (!ok(rc == 0, "one transaction creates an LB, a listener, a pool and two members"))
        diag("%s", err.msg);
}

static void test_basics(void)
{
    struct bl_store *st;
    struct bl_err err = {0};
    struct bl_arena *a = bl_arena_create();
    struct bl_store_row r;

    is_int(bl_store_open(path, &st, &err), 0, "open creates the database");
    is_int(bl_store_schema_version(st), 3, "migrated to the latest schema (3)");
    is_int(bl_store_revision(st), 0, "a new store is at revision 0");
    populate(st);
    is_int(bl_store_revision(st), 1, "one commit = one revision");
    is_int(bl_store_get(st, "member", "m2", a, &r, &err), 0, "get a member");
    is_str(r.body, "{\"address\":\"10.0.0.2\"}", "body round-trips");
    is_str(r.parent_id, "p1", "parent kept");
    is_int(r.revision, 1, "stamped with the commit's revision");
    ok(r.updated_at == NULL, "updated_at NULL until updated");
    is_int(bl_store_get(st, "pool", "m2", a, &r, &err), -ENOENT, "get with the wrong kind");
    is_int(bl_store_get(st, NULL, "nope", a, &r, &err), -ENOENT, "get an unknown id");
    is_int(count(st, "member", NULL, "p1"), 2, "list members of the pool");
    is_int(count(st, "listener", "lb1", NULL), 1, "list listeners of the LB");
    is_int(count(st, "listener", "lb2", NULL), 0, "no listener on another LB");

    bl_store_begin(st, &err);
    r = row("member", "m3", "lb1", "nope", "{}");
    is_int(bl_store_insert(st, &r, &err), -ENOENT, "a member of an unknown pool is refused (FK)");
    r = row("member", "m1", "lb1", "p1", "{}");
    is_int(bl_store_insert(st, &r, &err), -EEXIST, "a duplicate id is refused");
    r = row("member", "m4", "lb1", "p1", "not json");
    is_int(bl_store_insert(st, &r, &err), -EIO, "a body that is not JSON is refused");
    bl_store_rollback(st);
    is_int(bl_store_revision(st), 1, "a rolled-back transaction publishes nothing");

    bl_store_begin(st, &err);
    r = row("member", "m1", NULL, NULL, "{\"address\":\"10.0.0.1\",\"weight\":5}");
    r.provisioning_status = "PENDING_UPDATE";
    r.updated_at = "2026-11-22T08:01:00";
    is_int(bl_store_update(st, &r, &err), 0, "update a member");
    is_int(bl_store_set_status(st, "lb1", "PENDING_UPDATE", NULL, &err), 0, "lock the LB");
    is_int(bl_store_set_status(st, "zz", "ACTIVE", NULL, &err), -ENOENT, "status of unknown id");
    is_int(bl_store_commit(st, &err), 0, "commit");
    is_int(bl_store_revision(st), 2, "revision 2");
    bl_store_get(st, NULL, "lb1", a, &r, &err);
    is_str(r.provisioning_status, "PENDING_UPDATE", "provisioning status set");
    is_str(r.operating_status, "OFFLINE", "operating status untouched when NULL");
    bl_store_get(st, NULL, "m1", a, &r, &err);
    is_str(r.body, "{\"address\":\"10.0.0.1\",\"weight\":5}", "updated body");
    is_str(r.updated_at, "2026-11-22T08:01:00", "updated_at set");

    is_int(bl_store_insert(st, &r, &err), -EINVAL, "writes outside a transaction are refused");
    bl_store_begin(st, &err);
    is_int(bl_store_delete(st, "lb1", &err), 0, "delete the LB");
    bl_store_commit(st, &err);
    is_int(count(st, "member", NULL, NULL) + count(st, "pool", NULL, NULL) +
               count(st, "listener", NULL, NULL),
           0, "cascade removed listener, pool and members");
    bl_store_close(st);

    is_int(bl_store_open(path, &st, &err), 0, "reopen");
    is_int(bl_store_schema_version(st), 3, "migrations are not re-applied");
    is_int(bl_store_revision(st), 3, "the revision survived the restart");
    bl_store_close(st);
    bl_arena_destroy(a);
}

/* A child commits and is killed with SIGKILL at once; the parent must find
 * the acknowledged write. */
static void test_kill9(void)
{
    char p2[300];
    pid_t pid;
    int status, n;
    struct bl_store *st;
    struct bl_err err = {0};

    snprintf(p2, sizeof(p2), "%s/kill9.db", dir);
    pid = fork();
    if (pid == 0) {
        if (bl_store_open(p2, &st, &err) < 0)
            _exit(2);
        populate(st);
        kill(getpid(), SIGKILL); /* no close, no checkpoint */
        _exit(3);
    }
    waitpid(pid, &status, 0);
    ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the writer died by SIGKILL");
    is_int(bl_store_open(p2, &st, &err), 0, "reopen after kill -9");
    n = count(st, "member", NULL, "p1");
    is_int(n, 2, "the acknowledged write is there");
    is_int(bl_store_revision(st), 1, "and its revision");
    bl_store_close(st);
}

static int collect_id_cb(void *ctx, const char *id)
{
    char *buf = ctx;

    strcat(buf, id);
    strcat(buf, " ");
    return 0;
}

/* The ids bl_store_changed_lbs reports after `since`, sorted, space-separated. */
static const char *changed(struct bl_store *st, int64_t since)
{
    static char buf[256];
    char *words[16], tmp[256];
    int n = 0;

    buf[0] = '\0';
    bl_store_changed_lbs(st, since, collect_id_cb, buf, NULL);
    snprintf(tmp, sizeof(tmp), "%s", buf);
    for (char *w = strtok(tmp, " "); w && n < 16; w = strtok(NULL, " "))
        words[n++] = w;
    for (int i = 1; i < n; i++) /* insertion sort: the store's order is unspecified */
        for (int k = i; k > 0 && strcmp(words[k - 1], words[k]) > 0; k--) {
            char *t = words[k];
            words[k] = words[k - 1];
            words[k - 1] = t;
        }
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        strcat(buf, i ? " " : "");
        strcat(buf, words[i]);
    }
    return buf;
}

static int since_cb(void *ctx, const struct bl_store_row *r)
{
    strcat(ctx, r->id);
    strcat(ctx, " ");
    return 0;
}

/* What the agent asks: which load balancers changed after a revision, deletes included. */
static void test_changes(void)
{
    char p2[300], rows[256] = "";
    struct bl_store *st;
    struct bl_err err = {0};
    struct bl_store_row r;

    snprintf(p2, sizeof(p2), "%s/changes.db", dir);
    bl_store_open(p2, &st, &err);
    populate(st); /* revision 1: lb1 */
    bl_store_begin(st, &err);
    r = row("loadbalancer", "lb2", NULL, NULL, "{}");
    bl_store_insert(st, &r, &err);
    r = row("pool", "p2", "lb2", NULL, "{}");
    bl_store_insert(st, &r, &err);
    bl_store_commit(st, &err); /* 2: lb2 */
    is_str(changed(st, 0), "lb1 lb2", "everything is new after revision 0");
    is_str(changed(st, 1), "lb2", "after revision 1 only lb2 changed");
    is_str(changed(st, 2), "", "nothing after the last revision");

    bl_store_begin(st, &err);
    bl_store_set_status(st, "m2", NULL, "ERROR", &err);
    bl_store_commit(st, &err); /* 3: a member's status names its load balancer */
    is_str(changed(st, 2), "lb1", "a member's write names its load balancer");
    bl_store_list_since(st, 2, since_cb, rows, &err);
    is_str(rows, "m2 ", "rows since revision 2: the member");

    bl_store_begin(st, &err);
    bl_store_delete(st, "m1", &err);
    bl_store_commit(st, &err); /* 4: a deleted row leaves its load balancer's tombstone */
    is_str(changed(st, 3), "lb1", "a delete names the load balancer that lost the row");
    bl_store_begin(st, &err);
    bl_store_delete(st, "lb2", &err);
    bl_store_commit(st, &err); /* 5: the load balancer itself, with its pool by cascade */
    is_str(changed(st, 4), "lb2", "a deleted load balancer is named");
    is_str(changed(st, 3), "lb1 lb2", "both deletes after revision 3");

    bl_store_begin(st, &err);
    is_int(bl_store_forget_deleted(st, 4, &err), 0, "forget deletions up to revision 4");
    bl_store_commit(st, &err);
    is_str(changed(st, 3), "lb2", "lb1's tombstone is gone, lb2's (revision 5) stays");
    bl_store_close(st);
    bl_store_open(p2, &st, &err);
    is_str(changed(st, 4), "lb2", "tombstones survive a restart");
    bl_store_close(st);
}

static void test_bad_path(void)
{
    struct bl_store *st = NULL;
    struct bl_err err = {0};

    is_int(bl_store_open("/nonexistent-dir/x.db", &st, &err), -EIO, "open in a missing directory");
    ok(strstr(err.msg, "/nonexistent-dir/x.db") != NULL, "the message names the path");
}

int main(void)
{
    char cmd[300];

    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(path, sizeof(path), "%s/ballast.db", dir);
    test_basics();
    test_kill9();
    test_changes();
    test_bad_path();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    (void)!system(cmd);
    return done_testing();
}
