/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Everything written for people from the command table: `ballast --help`,
 * `ballast help <command>`, the man page (--gen-man) and the bash completion
 * (--gen-bash-completion). The parser reads the same table, so what these
 * describe is what the parser accepts.
 */
#include <string.h>

#include "cli/cli.h"

static const char *const intro =
    "ballast is the command-line client of ballastd's load-balancer API. It has the commands,\n"
    "arguments and output of `openstack loadbalancer`: any object may be named by name or id,\n"
    "and the leading word `loadbalancer` may be left out for the other nouns\n"
    "(`ballast listener list`).";

static const char *const exits =
    "0 success; 1 the API refused (its message and HTTP code are printed), a name matched\n"
    "no object or several, or a --wait ended in ERROR; 2 usage error (nothing was sent).";

static const char *const env_text[][2] = {
    {"BALLAST_URL", "load-balancer endpoint (default http://127.0.0.1:9876)"},
    {"BALLAST_TOKEN", "token sent as X-Auth-Token"},
    {"BALLAST_WAIT_TIMEOUT", "seconds --wait waits at most (default 600)"},
    {"OS_CLOUD", "cloud of clouds.yaml (./, ~/.config/openstack/, /etc/openstack/)"},
    {"OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, OS_PROJECT_ID, "
     "OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME, OS_REGION_NAME, OS_INTERFACE",
     "Keystone v3 authentication; the catalog gives the load-balancer endpoint"},
    {"OS_AUTH_TYPE=none with OS_ENDPOINT", "no authentication, this endpoint"},
    {"OS_TOKEN", "an existing token (with OS_AUTH_TYPE=token and OS_AUTH_URL)"},
};

static bool is_pos(const struct bl_cli_arg *a)
{
    return a->flags & BL_POS;
}

static void arg_spec(FILE *f, const struct bl_cli_arg *a)
{
    if (is_pos(a)) {
        fprintf(f, "%s", a->metavar);
        return;
    }
    fprintf(f, "%s", a->name);
    if (a->choices && a->kind != BL_ARG_SWITCH) {
        fputs(" {", f);
        for (const char *c = a->choices; *c; c++)
            fputc(*c == '|' ? ',' : *c, f);
        fputc('}', f);
    } else if (a->metavar) {
        fprintf(f, " %s", a->metavar);
    }
}

#define FOREACH_ARG(cmd, a)                                                                        \
    for (const struct bl_cli_arg *const *g_ = (cmd)->groups; g_ && *g_; g_++)                      \
        for (const struct bl_cli_arg *a = *g_; a->name; a++)

void bl_cli_usage_line(FILE *f, const struct bl_cli_cmd *cmd)
{
    fprintf(f, "usage: ballast %s [options]", cmd->words);
    FOREACH_ARG(cmd, a)
    {
        if (!is_pos(a) && (a->flags & BL_REQ)) {
            fputc(' ', f);
            arg_spec(f, a);
        }
    }
    FOREACH_ARG(cmd, a)
    {
        if (is_pos(a)) {
            fputc(' ', f);
            arg_spec(f, a);
        }
    }
    fputc('\n', f);
}

static void help_arg(const struct bl_cli_arg *a)
{
    char spec[200];
    FILE *m = fmemopen(spec, sizeof(spec), "w");

    arg_spec(m, a);
    fclose(m);
    if (strlen(spec) <= 26)
        printf("  %-26s %s", spec, a->help);
    else
        printf("  %s\n  %-26s %s", spec, "", a->help);
    printf("%s\n", (a->flags & BL_REQ) && !is_pos(a) ? " (required)" : "");
}

void bl_cli_help_cmd(const struct bl_cli_cmd *cmd)
{
    bool any = false;

    bl_cli_usage_line(stdout, cmd);
    printf("\n%s\n", cmd->help);
    FOREACH_ARG(cmd, a)
    {
        if (is_pos(a)) {
            printf("%s", any ? "" : "\npositional arguments:\n");
            any = true;
            help_arg(a);
        }
    }
    any = false;
    FOREACH_ARG(cmd, a)
    {
        if (!is_pos(a)) {
            printf("%s", any ? "" : "\noptions:\n");
            any = true;
            help_arg(a);
        }
    }
    printf("\nGlobal options (ballast --help) may appear anywhere.\n");
}

void bl_cli_help_all(void)
{
    printf("usage: ballast [global options] <command> [arguments]\n\n%s\n\nglobal options:\n",
           intro);
    printf("  %-26s %s\n  %-26s %s\n  %-26s %s\n", "--help", "This help", "--version",
           "Print the version", "help <command>", "Help on one command");
    for (const struct bl_cli_arg *a = bl_cli_globals; a->name; a++)
        help_arg(a);
    printf("\ncommands:\n");
    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++)
        printf("  %-44s %s\n", c->words, c->help);
    printf("\nexit status: %s\n", exits);
}

/* ---- man page -------------------------------------------------------------------------------- */

/* Text with troff's special characters escaped. */
static void roff(const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", stdout);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-')
            fputs("\\-", stdout);
        else
            putchar(*s);
    }
}

static void man_arg(const struct bl_cli_arg *a)
{
    char spec[200];
    FILE *m = fmemopen(spec, sizeof(spec), "w");

    arg_spec(m, a);
    fclose(m);
    printf(".TP\n.B ");
    roff(spec);
    printf("\n");
    roff(a->help);
    printf("%s\n", (a->flags & BL_REQ) && !is_pos(a) ? " (required)." : ".");
}

void bl_cli_gen_man(void)
{
    printf(".TH BALLAST 1 \"\" \"ballast %s\" \"User Commands\"\n.SH NAME\n"
           "ballast \\- command-line client of the ballast load balancer\n.SH SYNOPSIS\n"
           ".B ballast\n[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIarguments\\fR]\n"
           ".SH DESCRIPTION\n",
           BL_VERSION);
    roff(intro);
    printf("\n.SH GLOBAL OPTIONS\n");
    for (const struct bl_cli_arg *a = bl_cli_globals; a->name; a++)
        man_arg(a);
    printf(".SH COMMANDS\n");
    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++) {
        printf(".SS \"");
        roff(c->words);
        printf("\"\n");
        roff(c->help);
        printf(".\n.PP\n.nf\n");
        char line[4096];
        FILE *m = fmemopen(line, sizeof(line), "w");
        bl_cli_usage_line(m, c);
        fclose(m);
        roff(line);
        printf(".fi\n");
        FOREACH_ARG(c, a) man_arg(a);
    }
    printf(".SH EXIT STATUS\n");
    roff(exits);
    printf("\n.SH ENVIRONMENT\n");
    for (size_t i = 0; i < sizeof(env_text) / sizeof(*env_text); i++) {
        printf(".TP\n.B ");
        roff(env_text[i][0]);
        printf("\n");
        roff(env_text[i][1]);
        printf(".\n");
    }
    printf(".SH EXAMPLES\n.nf\n");
    roff("ballast loadbalancer create --name lb --vip-subnet-id loopback --wait\n"
         "ballast loadbalancer listener create --name lb-ssh --protocol TCP --protocol-port 22 "
         "--wait lb\n"
         "ballast loadbalancer pool create --name lb-ssh-pool --lb-algorithm ROUND_ROBIN "
         "--listener lb-ssh --protocol TCP --wait\n"
         "ballast loadbalancer member create --address 10.0.0.2 --protocol-port 22 --wait "
         "lb-ssh-pool\n"
         "ballast loadbalancer show lb -c vip_address -f value\n");
    printf(".fi\n.SH SEE ALSO\n.BR ballastd (8),\n.BR openstack (1)\n");
}

/* ---- bash completion ------------------------------------------------------------------------- */

/* The words that may follow `prefix` (space-separated command words). */
static void next_words(const char *prefix)
{
    size_t n = strlen(prefix);
    const char *seen[256];
    int nseen = 0;

    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++) {
        const char *rest = c->words;
        if (n) {
            if (strncmp(c->words, prefix, n) != 0 || c->words[n] != ' ')
                continue;
            rest = c->words + n + 1;
        }
        size_t len = strcspn(rest, " ");
        bool dup = false;
        for (int i = 0; i < nseen; i++)
            dup |= strncmp(seen[i], rest, len) == 0 && strcspn(seen[i], " ") == len;
        if (!dup && nseen < 256) {
            seen[nseen++] = rest;
            printf(" %.*s", (int)len, rest);
        }
    }
}

static void bash_words(void)
{
    printf("_ballast_words() {\n  case \"$1\" in\n    \"\") echo \"help");
    next_words("");
    printf("\" ;;\n");
    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++) {
        /* every proper prefix of c->words that ends a word, once */
        for (const char *sp = strchr(c->words, ' '); sp; sp = strchr(sp + 1, ' ')) {
            size_t n = (size_t)(sp - c->words);
            bool first = true;
            for (const struct bl_cli_cmd *d = bl_cli_cmds; d < c; d++)
                first &= !(strncmp(d->words, c->words, n) == 0 && d->words[n] == ' ');
            if (!first)
                continue;
            char prefix[256];
            snprintf(prefix, sizeof(prefix), "%.*s", (int)n, c->words);
            printf("    \"%s\") echo \"", prefix);
            next_words(prefix);
            printf("\" ;;\n");
        }
    }
    printf("  esac\n}\n");
}

static void bash_opts(void)
{
    printf("_ballast_opts() {\n  case \"$1\" in\n");
    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++) {
        printf("    \"%s\") echo \"", c->words);
        FOREACH_ARG(c, a)
        {
            if (is_pos(a))
                continue;
            for (const char *s = a->name; *s; s++)
                putchar(*s == '/' ? ' ' : *s);
            putchar(' ');
        }
        printf("--help\" ;;\n");
    }
    printf("  esac\n}\n_ballast_choices() {\n  case \"$1\" in\n");
    for (const struct bl_cli_cmd *c = bl_cli_cmds; c->words; c++)
        FOREACH_ARG(c, a)
        {
            if (is_pos(a) || !a->choices)
                continue;
            printf("    \"%s|%s\") echo \"", c->words, a->name);
            for (const char *s = a->choices; *s; s++)
                putchar(*s == '|' ? ' ' : *s);
            printf("\" ;;\n");
        }
    printf("  esac\n}\n");
}

void bl_cli_gen_bash(void)
{
    printf("# bash completion for ballast (generated by ballast --gen-bash-completion)\n");
    bash_words();
    bash_opts();
    printf("_ballast() {\n"
           "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path= w i\n"
           "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "    w=${COMP_WORDS[i]}\n"
           "    [[ $w == -* ]] && continue\n"
           "    [[ \" $(_ballast_words \"$path\") \" == *\" $w \"* ]] || continue\n"
           "    path=${path:+$path }$w\n"
           "  done\n"
           "  [[ -n $path && $path != loadbalancer* && $path != help* ]] && "
           "path=\"loadbalancer $path\"\n"
           "  local choices=$(_ballast_choices \"$path|$prev\")\n"
           "  if [[ -n $choices ]]; then\n"
           "    COMPREPLY=($(compgen -W \"$choices\" -- \"$cur\"))\n"
           "  elif [[ $cur == -* ]]; then\n"
           "    COMPREPLY=($(compgen -W \"$(_ballast_opts \"$path\") --help --version --debug "
           "--os-url --os-token --os-cloud\" -- \"$cur\"))\n"
           "  else\n"
           "    COMPREPLY=($(compgen -W \"$(_ballast_words \"$path\")\" -- \"$cur\"))\n"
           "  fi\n"
           "}\n"
           "complete -F _ballast ballast\n");
}
