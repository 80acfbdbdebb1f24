# SPDX-License-Identifier: Apache-2.0
"""--help, `help <command>`, the man page and the bash completion are all
generated from the command table the parser uses: every command and option
the parser accepts appears in each, and nothing else. Start-up is fast."""
import os
import re
import subprocess
import time

from cliutil import BALLAST, ballast, clean_env

BUILD = os.path.dirname(BALLAST)


def commands():
    out = ballast(None, "--help").out
    block = out.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.splitlines()]


def help_options(words):
    out = ballast(None, "help", *words.split()).out
    opts = set()
    for line in out.split("\noptions:\n", 1)[1].splitlines() if "\noptions:\n" in out else []:
        m = re.match(r"  (-[-\w/]+)", line)
        if m:
            opts.update(m.group(1).split("/"))
    return opts


def bash(script):
    return subprocess.run(["bash", "-c", f"source {BUILD}/ballast.bash\n{script}"],
                          capture_output=True, text=True, timeout=30).stdout


def test_every_command_in_help_man_and_completion():
    cmds = commands()
    assert len(cmds) > 60 and "loadbalancer member create" in cmds and \
        "loadbalancer listener stats show" in cmds
    man = open(os.path.join(BUILD, "ballast.1")).read()
    assert man.startswith(".TH BALLAST 1")
    sections = re.findall(r'^\.SS "(.*)"$', man, re.M)
    assert [s.replace("\\-", "-") for s in sections] == cmds
    for words in cmds:
        opts = help_options(words)
        section = man.split(f'.SS "{words}"', 1)[1].split(".SS", 1)[0].replace("\\-", "-")
        man_opts = set()
        for m in re.finditer(r"^\.B (-[-\w/]+)", section, re.M):
            man_opts.update(m.group(1).split("/"))
        assert man_opts == opts, words
        comp = set(bash(f'_ballast_opts "{words}"').split()) - {"--help"}
        assert comp == opts, words
        # and the parser accepts each of them: --help after any option still gives help
        r = ballast(None, *words.split(), "--help")
        assert r.out.startswith(f"usage: ballast {words} [options]")


def test_help_and_errors():
    r = ballast(None, "help", "loadbalancer", "listener", "create")
    assert "--protocol-port <port>" in r.out and "(required)" in r.out
    assert ballast(None, "loadbalancer", "listener", "create", "-h").out == r.out
    r = ballast(None, "help", "nope", ok=False)
    assert (r.rc, r.err) == (2, "ballast: unknown command 'nope'; see ballast --help\n")
    assert ballast(None, "--version").out.startswith("ballast ")
    # other nouns without the leading "loadbalancer"
    assert ballast(None, "member", "create", "--help").out.startswith(
        "usage: ballast loadbalancer member create")


def test_bash_completion():
    def complete(*words):
        line = " ".join(f'"{w}"' for w in words)
        return bash(f'COMP_WORDS=(ballast {line}); COMP_CWORD={len(words)}; _ballast; '
                    'echo "${COMPREPLY[@]}"').split()

    assert complete("") == ["help", "loadbalancer"]
    assert "listener" in complete("loadbalancer", "") and "create" in complete("loadbalancer", "")
    assert complete("loadbalancer", "listener", "cr") == ["create"]
    assert complete("loadbalancer", "list", "--sort-") == [
        "--sort-column", "--sort-ascending", "--sort-descending"]
    assert complete("loadbalancer", "pool", "create", "--lb-algorithm", "") == [
        "SOURCE_IP", "ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP_PORT"]


def test_start_up_is_milliseconds():
    env = clean_env(BALLAST_URL="http://127.0.0.1:1")
    best = 1e9
    for _ in range(5):
        t = time.monotonic()
        subprocess.run([BALLAST, "loadbalancer", "list", "--help"], env=env,
                       capture_output=True, timeout=10)
        best = min(best, time.monotonic() - t)
    assert best < 0.1, f"ballast took {best * 1000:.0f} ms to print help"
