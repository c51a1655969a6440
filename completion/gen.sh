#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gen.sh BINARY [COMMAND]: print a bash completion file for one tool,
# generated from the Options: section of BINARY --help, so it never goes
# stale. COMMAND is the name the tool is installed as (default: the
# binary's name; with make install SUFFIX=-x, NAME-x). The file defines
# _cotrace_NAME and registers it for COMMAND; bash-completion loads it on
# demand from share/bash-completion/completions/COMMAND.
set -eu
bin=$1
name=$(basename "$bin")
cmd=${2:-$name}
fn=_cotrace_${name//-/_}
help=$("$bin" --help)

# Options: "  -p, --pid PID   text", "      --svg FILE   text". Print
# "word ARG" per option spelling; ARG is empty when it takes no argument.
opts=$(awk '/^Options:/ { on = 1; next } on && /^[^ ]/ { on = 0 }
	on && /^ +-/ {
		# The spelling ends at the first run of two blanks.
		spec = $0; sub(/^ +/, "", spec); sub(/  .*/, "", spec)
		m = split(spec, w, / /); n = 0; arg = ""
		for (i = 1; i <= m; i++) {
			sub(/,$/, "", w[i])
			if (w[i] ~ /^--?[A-Za-z0-9][-A-Za-z0-9]*$/) o[++n] = w[i]
			else { if (w[i] ~ /^[A-Z][A-Z_]*(\[[^ ]*\])?$/) arg = w[i]; break }
		}
		for (j = 1; j <= n; j++) print o[j], arg
	}' <<<"$help")
[ -n "$opts" ] || { echo "gen.sh: no options in $bin --help" >&2; exit 1; }

words=$(awk '{ print $1 }' <<<"$opts" | tr '\n' ' ')
# Group options by the kind of argument they take.
with() { awk -v re="$1" '$2 ~ re { print $1 }' <<<"$opts" | tr '\n' '|' | sed 's/|$//'; }
pid_opts=$(with '^(PID|TID)')
cmd_opts=$(with '^CMD$')
file_opts=$(with '^FILE$')
mode_opts=$(with '^MODE$')
comm_opts=$(with '^(COMM|NAME)$')
errno_opts=$(with '^ERRNO$')
other_opts=$(awk '$2 != "" && $2 !~ /^(PID|TID|CMD|FILE|MODE|COMM|NAME|ERRNO)/ { print $1 }' <<<"$opts" | tr '\n' '|' | sed 's/|$//')

cat <<OUT
# SPDX-License-Identifier: GPL-2.0-only
# bash completion for $cmd (cotrace), generated from '$name --help'
# by completion/gen.sh: do not edit.
$fn()
{
	local cur=\${COMP_WORDS[COMP_CWORD]}
	local prev=\${COMP_WORDS[COMP_CWORD-1]}
	COMPREPLY=()
	case \$prev in
OUT
[ -z "$pid_opts" ] || printf '\t%s)\n\t\tCOMPREPLY=($(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur")); return;;\n' "$pid_opts"
[ -z "$cmd_opts" ] || printf '\t%s)\n\t\tCOMPREPLY=($(compgen -c -- "$cur")); return;;\n' "$cmd_opts"
[ -z "$file_opts" ] || printf '\t%s)\n\t\tCOMPREPLY=($(compgen -f -- "$cur")); return;;\n' "$file_opts"
[ -z "$mode_opts" ] || printf '\t%s)\n\t\tCOMPREPLY=($(compgen -W "auto multi single" -- "$cur")); return;;\n' "$mode_opts"
if [ -n "$comm_opts" ]; then
	# syscount --syscall NAME: the syscalls the tool knows (syscount -l).
	case " $words " in
	*" --syscall "*)
		printf '\t--syscall)\n\t\tCOMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" -l 2>/dev/null | awk '"'"'NR > 1 { print $2 }'"'"')" -- "$cur")); return;;\n'
		comm_opts=$(tr '|' '\n' <<<"$comm_opts" | grep -vx -- --syscall | tr '\n' '|' | sed 's/|$//')
		;;
	esac
	[ -z "$comm_opts" ] || printf '\t%s)\n\t\tCOMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur")); return;;\n' "$comm_opts"
fi
[ -z "$errno_opts" ] || printf '\t%s)\n\t\tCOMPREPLY=($(compgen -W "EPERM ENOENT ESRCH EINTR EIO EBADF EAGAIN ENOMEM EACCES EFAULT EBUSY EEXIST EINVAL ENOSPC EPIPE ENOSYS ETIMEDOUT ECONNREFUSED" -- "$cur")); return;;\n' "$errno_opts"
[ -z "$other_opts" ] || printf '\t%s)\n\t\treturn;;\n' "$other_opts"
cat <<OUT
	esac
	if [[ \$cur == -* ]]; then
		COMPREPLY=(\$(compgen -W "$words" -- "\$cur"))
	else
		# Patterns and probes start with a library or a path.
		compopt -o filenames 2>/dev/null
		COMPREPLY=(\$(compgen -f -- "\$cur"))
	fi
}
complete -F $fn $cmd
OUT
