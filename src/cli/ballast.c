/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ballast: the command-line client. Global options are taken out of argv
 * wherever they are, the remaining words name a command of the table
 * (cmdtab.c), its arguments are parsed and checked, and only then is the
 * endpoint resolved (clouds.yaml, OS_*, Keystone) and the command run.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/xalloc.h"

static const struct bl_cli_arg *global_of(const char *word)
{
    char name[128];
    size_t n = strcspn(word, "=");

    if (strncmp(word, "--", 2) != 0 || n >= sizeof(name))
        return NULL;
    snprintf(name, sizeof(name), "%.*s", (int)n, word);
    for (const struct bl_cli_arg *a = bl_cli_globals; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* Moves the global options out of argv into `flags`; returns the words left. */
static int take_globals(int argc, char **argv, json_t *flags, char **rest)
{
    int n = 0;

    for (int i = 1; i < argc; i++) {
        const struct bl_cli_arg *a = global_of(argv[i]);
        const char *eq = strchr(argv[i], '=');
        if (strcmp(argv[i], "--") == 0) {
            while (i < argc)
                rest[n++] = argv[i++];
            break;
        }
        if (!a) {
            rest[n++] = argv[i];
        } else if (a->kind == BL_ARG_SWITCH) {
            json_object_set_new(flags, a->field, json_true());
        } else if (eq) {
            json_object_set_new(flags, a->field, json_string(eq + 1));
        } else if (i + 1 < argc) {
            json_object_set_new(flags, a->field, json_string(argv[++i]));
        } else {
            bl_cli_usage_error(NULL, "argument %s: expected one argument", a->name);
            return -1;
        }
    }
    return n;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

/* help [command words] */
static int help(int argc, char **argv)
{
    int used;
    const struct bl_cli_cmd *cmd = argc ? bl_cli_find(argc, argv, &used) : NULL;

    if (argc == 0) {
        bl_cli_help_all();
        return BL_CLI_OK;
    }
    if (!cmd || used != argc) {
        fprintf(stderr, "ballast: unknown command '");
        for (int i = 0; i < argc; i++)
            fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fprintf(stderr, "'; see ballast --help\n");
        return BL_CLI_USAGE;
    }
    bl_cli_help_cmd(cmd);
    return BL_CLI_OK;
}

/* A command word that is not one: name the command prefix and what may follow. */
static int unknown(int argc, char **argv)
{
    fprintf(stderr, "ballast: unknown command '");
    for (int i = 0; i < argc && argv[i][0] != '-'; i++)
        fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
    fprintf(stderr, "'; see ballast --help\n");
    return BL_CLI_USAGE;
}

static int run(int argc, char **argv, json_t *flags)
{
    int used, rc;
    const struct bl_cli_cmd *cmd;
    struct bl_cli_parsed p;
    struct bl_cli_conn conn = {0};

    if (argc == 0 || (argc == 1 && (strcmp(argv[0], "--help") == 0 || !strcmp(argv[0], "-h"))))
        return help(0, NULL);
    if (strcmp(argv[0], "help") == 0)
        return help(argc - 1, argv + 1);
    if (!(cmd = bl_cli_find(argc, argv, &used)))
        return unknown(argc, argv);
    if (wants_help(argc - used, argv + used)) {
        bl_cli_help_cmd(cmd);
        return BL_CLI_OK;
    }
    if (bl_cli_parse(cmd, argc - used, argv + used, &p) < 0) {
        bl_cli_parsed_free(&p);
        return BL_CLI_USAGE;
    }
    conn.debug = json_is_true(json_object_get(flags, "debug"));
    json_object_del(flags, "debug");
    if (bl_cli_conn_open(&conn) < 0)
        rc = BL_CLI_API;
    else if ((rc = bl_cli_auth(&conn, flags)) == BL_CLI_OK)
        rc = bl_cli_run(&conn, &p);
    bl_cli_conn_close(&conn);
    bl_cli_parsed_free(&p);
    return rc;
}

int main(int argc, char **argv)
{
    char **rest = bl_xcalloc((size_t)argc + 1, sizeof(*rest));
    json_t *flags = json_object();
    int n, rc;

    if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
        printf("ballast %s\n", BL_VERSION);
        rc = BL_CLI_OK;
    } else if (argc == 2 && strcmp(argv[1], "--gen-man") == 0) {
        bl_cli_gen_man();
        rc = BL_CLI_OK;
    } else if (argc == 2 && strcmp(argv[1], "--gen-bash-completion") == 0) {
        bl_cli_gen_bash();
        rc = BL_CLI_OK;
    } else if ((n = take_globals(argc, argv, flags, rest)) < 0) {
        rc = BL_CLI_USAGE;
    } else {
        rc = run(n, rest, flags);
    }
    fflush(stdout);
    json_decref(flags);
    free(rest);
    return rc;
}
