/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ballast command-line client: shared types. One command table
 * (cmdtab.c) describes every command, its positional arguments and options;
 * the parser (args.c), the runner (run.c), `--help`, the man page and the
 * bash completion (docs.c) all read that table, so they cannot drift apart.
 */
#ifndef BL_CLI_CLI_H
#define BL_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses (also in the man page). */
enum {
    BL_CLI_OK = 0,
    BL_CLI_API = 1,   /* the API refused, a name did not resolve, a wait ended in ERROR */
    BL_CLI_USAGE = 2, /* bad command line: nothing was sent */
};

/* Which service an object lives in: the load-balancer endpoint or Neutron's. */
enum bl_cli_svc {
    BL_SVC_LB = 0,
    BL_SVC_NET,
};

struct bl_cli_res {
    const char *key;  /* JSON key of one object: "loadbalancer" */
    const char *keys; /* JSON key of a list; also in "Unable to locate X in <keys>" */
    const char *path; /* collection; "%s" stands for the parent's id */
    const struct bl_cli_res *parent;
    const char *rows;  /* space-separated fields of `show`, in the OpenStack client's order */
    const char *cols;  /* space-separated default columns of `list` */
    const char *idkey; /* "id", or "name" for availability zones */
    enum bl_cli_svc svc;
    bool waitable; /* has provisioning_status */
};

enum bl_cli_kind {
    BL_ARG_STR = 0, /* "field": "value" */
    BL_ARG_INT,     /* "field": integer */
    BL_ARG_FLOAT,   /* "field": number (http_version) */
    BL_ARG_TRUE,    /* no value: "field": true */
    BL_ARG_FALSE,   /* no value: "field": false */
    BL_ARG_NULL,    /* no value (unset): "field": null */
    BL_ARG_LIST,    /* repeatable: "field": [values] */
    BL_ARG_NARGS,   /* takes every following word up to the next option: "field": [words] */
    BL_ARG_KV,      /* "k=v,k2=v2": "field": {"k": "v", ...} */
    BL_ARG_REFSTR,  /* string where none/null/void mean null (container refs) */
    BL_ARG_REF,     /* name or id of `res`: "field": its id */
    BL_ARG_VIP,     /* repeatable "subnet-id=X[,ip-address=Y]": additional_vips */
    BL_ARG_CSV,     /* list filter "a,b": query field=a,b */
    BL_ARG_TAG,     /* repeatable --tag: create sets, set adds, unset removes */
    BL_ARG_NOTAG,   /* --no-tag / --all-tag: start from no tags */
    BL_ARG_SWITCH,  /* no value; read by the command itself (--wait, --long, ...) */
    BL_ARG_FMT,     /* output option with a value (-f, -c, --sort-column, --prefix, ...) */
};

/* Flags of an argument. */
enum {
    BL_REQ = 1 << 0,    /* required */
    BL_POS = 1 << 1,    /* positional */
    BL_SELF = 1 << 2,   /* positional naming the object the command acts on */
    BL_PARENT = 1 << 3, /* positional naming the parent (members' pool, rules' policy) */
    BL_RAW = 1 << 4,    /* SELF taken as given, not resolved (quota's project) */
    BL_QUERY = 1 << 5,  /* goes to the query string even outside `list` */
};

struct bl_cli_arg {
    const char *name;    /* "--name", "-f/--format", or a positional's name */
    const char *metavar; /* "<name>"; NULL for switches */
    enum bl_cli_kind kind;
    const char *field;            /* JSON field or query parameter */
    const struct bl_cli_res *res; /* REF: what the value names */
    const char *choices;          /* "TCP|HTTP|..." or NULL */
    unsigned flags;
    const char *help;
};

enum bl_cli_verb {
    BL_VERB_CREATE = 0,
    BL_VERB_LIST,
    BL_VERB_SHOW,
    BL_VERB_SET,
    BL_VERB_UNSET,
    BL_VERB_DELETE,
    BL_VERB_STATS,
    BL_VERB_STATUS,
    BL_VERB_FAILOVER,
    BL_VERB_CAPS,  /* provider capability list */
    BL_VERB_FIXED, /* show of a fixed path (quota defaults) */
    BL_VERB_QSET,  /* quota set: PUT, then show */
};

struct bl_cli_cmd {
    const char *words; /* "loadbalancer listener create" */
    enum bl_cli_verb verb;
    const struct bl_cli_res *res;
    const struct bl_cli_arg *const *groups; /* NULL-terminated; each group ends with {0} */
    const char *help;
};

extern const struct bl_cli_cmd bl_cli_cmds[];    /* ends with {0} */
extern const struct bl_cli_arg bl_cli_globals[]; /* ends with {0} */

/* ---- parsed command line ---------------------------------------------------------------- */

struct bl_cli_vals {
    const char **v; /* the values given, in order */
    int n;          /* how many times given */
};

struct bl_cli_parsed {
    const struct bl_cli_cmd *cmd;
    const struct bl_cli_arg **args; /* the command's arguments, flattened */
    struct bl_cli_vals *vals;       /* one per args[i] */
    int nargs;
};

/* The connection: endpoints, token, one curl handle reused for every request. */
struct bl_cli_conn {
    char *url[2]; /* by enum bl_cli_svc, no trailing slash */
    char *token;  /* X-Auth-Token or NULL */
    void *curl;
    bool debug; /* requests and responses to stderr */
};

struct bl_cli_resp {
    long status; /* HTTP status, 0 when the request could not be made */
    json_t *body;
    char request_id[80];
    char errbuf[256]; /* transport error when status == 0 */
};

/* args.c */
int bl_cli_parse(const struct bl_cli_cmd *cmd, int argc, char **argv, struct bl_cli_parsed *p);
void bl_cli_parsed_free(struct bl_cli_parsed *p);
const struct bl_cli_cmd *bl_cli_find(int argc, char **argv, int *used);
const struct bl_cli_vals *bl_cli_get(const struct bl_cli_parsed *p, const char *name);
const char *bl_cli_last(const struct bl_cli_parsed *p, const char *name);
bool bl_cli_given(const struct bl_cli_parsed *p, const char *name);
const char *bl_cli_positional(const struct bl_cli_parsed *p, unsigned flag);
bool bl_cli_opt_matches(const struct bl_cli_arg *a, const char *word);
int bl_cli_usage_error(const struct bl_cli_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* http.c */
int bl_cli_conn_open(struct bl_cli_conn *c);
void bl_cli_conn_close(struct bl_cli_conn *c);
int bl_cli_call(struct bl_cli_conn *c, const char *method, const char *url, json_t *body,
                struct bl_cli_resp *r, char *hdr_out, size_t hdr_n, const char *hdr_name);
int bl_cli_request(struct bl_cli_conn *c, enum bl_cli_svc svc, const char *method, const char *path,
                   json_t *body, struct bl_cli_resp *r);
int bl_cli_api_error(const struct bl_cli_resp *r);
void bl_cli_resp_free(struct bl_cli_resp *r);
char *bl_cli_escape(const char *s);

/* auth.c: fills conn from flags, BALLAST_*, OS_* and clouds.yaml */
int bl_cli_auth(struct bl_cli_conn *c, json_t *flags);

/* yamlin.c: a YAML document as JSON (mappings, sequences, string scalars) */
json_t *bl_cli_yaml_load(const char *path, char *err, size_t errlen);

/* resolve.c */
int bl_cli_resolve(struct bl_cli_conn *c, const struct bl_cli_res *res, const char *parent_id,
                   const char *name, json_t **obj);
char *bl_cli_path(const struct bl_cli_res *res, const char *parent_id, const char *id);
bool bl_cli_is_uuid(const char *s);

/* output.c, outyaml.c */
int bl_cli_print_one(const struct bl_cli_parsed *p, const char *rows, json_t *obj);
int bl_cli_print_list(const struct bl_cli_parsed *p, const char *cols, json_t *list);
json_t *bl_cli_display(const char *field, json_t *v);
char *bl_cli_pystr(json_t *v);
void bl_cli_yaml_emit(json_t *doc, bool sort_keys);

/* run.c */
int bl_cli_run(struct bl_cli_conn *c, struct bl_cli_parsed *p);

/* docs.c */
void bl_cli_help_all(void);
void bl_cli_help_cmd(const struct bl_cli_cmd *cmd);
void bl_cli_usage_line(FILE *f, const struct bl_cli_cmd *cmd);
void bl_cli_gen_man(void);
void bl_cli_gen_bash(void);

#endif
