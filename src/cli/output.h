/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the output files (output.c, table.c, outyaml.c). */
#ifndef BL_CLI_OUTPUT_H
#define BL_CLI_OUTPUT_H

#include "cli/cli.h"

/* A growing string. */
struct bl_cli_sb {
    char *p;
    size_t len, cap;
};

void bl_cli_sb_add(struct bl_cli_sb *b, const char *s);
void bl_cli_sb_addf(struct bl_cli_sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *bl_cli_sb_take(struct bl_cli_sb *b);

void bl_cli_table_one(char **names, json_t *vals, int n);
void bl_cli_table_list(char **names, json_t *rows, int n, bool print_empty);
void bl_cli_sort_rows(const struct bl_cli_parsed *p, const char *cols, json_t *rows);
void bl_cli_project_rows(const char *cols, char **names, int n, json_t *rows);
void bl_cli_csv(const struct bl_cli_parsed *p, char **names, int n, json_t *rows);
void bl_cli_shell_var(const char *prefix, const char *name, const char *value);

#endif
