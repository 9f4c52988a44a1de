/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command lines as keepalived.conf writes them, turned into something execve()
 * takes. A line either needs a shell (it has shell syntax, or starts with a
 * shell keyword or builtin) and runs as "bash -c LINE", with appended
 * arguments single-quoted onto the line; or it is split into words (blanks
 * separate them, quotes group them) and exec'd directly, a bare first word
 * being looked up in PATH as execvp does. The same first-word rules tell the
 * security check which file a line runs.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc_int.h"

#define PROC_DEFAULT_PATH "/bin:/usr/bin"

/* Characters that only mean something to a shell. */
static const char proc_shell_chars[] = "|&;<>()$`\\\"'*?[]#~=%\n";

/* First words that are shell syntax or builtins with no program behind them. */
static const char *const proc_shell_words[] = {
	"!",      "{",      "}",       "[[",     "]]",       "case",    "coproc",   "do",
	"done",   "elif",   "else",    "esac",   "fi",       "for",     "function", "if",
	"in",     "select", "then",    "time",   "until",    "while",   ".",        ":",
	"alias",  "break",  "builtin", "cd",     "continue", "declare", "eval",     "exec",
	"exit",   "export", "let",     "local",  "readonly", "return",  "set",      "shift",
	"source", "trap",   "typeset", "ulimit", "umask",    "unset",   "wait",
};

static bool proc_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool proc_is_shell_word(const char *w, size_t len)
{
	for (size_t i = 0; i < sizeof(proc_shell_words) / sizeof(proc_shell_words[0]); i++)
		if (strlen(proc_shell_words[i]) == len && memcmp(proc_shell_words[i], w, len) == 0)
			return true;
	return false;
}

bool proc_needs_shell(const char *cmdline)
{
	const char *p;
	size_t len;

	if (cmdline == NULL)
		return false;
	if (strpbrk(cmdline, proc_shell_chars) != NULL)
		return true;
	p = cmdline;
	while (proc_is_blank(*p))
		p++;
	len = strcspn(p, " \t");
	return proc_is_shell_word(p, len);
}

const char *proc_shell_path(void)
{
	return access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
}

/*
 * Splits line into words: blanks separate, '...' and "..." group (the quotes
 * are dropped), a backslash outside single quotes takes the next character
 * literally. On success *words holds *n strings and a NULL, all malloc'd.
 */
static int proc_split(const char *line, char ***words, size_t *n)
{
	size_t cap = 8, cnt = 0, len = strlen(line);
	char **v = calloc(cap, sizeof(*v));
	char *w = NULL;
	const char *p = line;

	if (v == NULL)
		return ENOMEM;
	while (*p != '\0') {
		size_t wl = 0;
		char quote = 0;

		while (proc_is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		w = malloc(len + 1);
		if (w == NULL)
			goto nomem;
		for (; *p != '\0'; p++) {
			if (quote == 0 && proc_is_blank(*p))
				break;
			if (quote == 0 && (*p == '\'' || *p == '"')) {
				quote = *p;
				continue;
			}
			if (quote != 0 && *p == quote) {
				quote = 0;
				continue;
			}
			if (quote != '\'' && *p == '\\' && p[1] != '\0')
				p++;
			w[wl++] = *p;
		}
		w[wl] = '\0';
		if (cnt + 2 > cap) {
			char **nv = realloc(v, 2 * cap * sizeof(*v));

			if (nv == NULL)
				goto nomem;
			v = nv;
			cap *= 2;
		}
		v[cnt++] = w;
		w = NULL;
	}
	v[cnt] = NULL;
	*words = v;
	*n = cnt;
	return 0;
nomem:
	free(w);
	for (size_t i = 0; i < cnt; i++)
		free(v[i]);
	free(v);
	return ENOMEM;
}

int proc_path_lookup(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	int err = ENOENT;

	if (path == NULL || *path == '\0')
		path = PROC_DEFAULT_PATH;
	while (*path != '\0') {
		size_t dl = strcspn(path, ":");
		struct stat st;
		int r;

		if (dl == 0)
			r = snprintf(buf, len, "./%s", name);
		else
			r = snprintf(buf, len, "%.*s/%s", (int)dl, path, name);
		if (r > 0 && (size_t)r < len && stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(buf, X_OK) == 0)
				return 0;
			err = EACCES;
		}
		path += dl;
		if (*path == ':')
			path++;
	}
	return err;
}

/* Appends s to the line in single quotes, every ' written as '\''. */
static char *proc_append_quoted(char *line, size_t *len, const char *s)
{
	size_t need = *len + 3 + 4 * strlen(s) + 1;
	char *nl = realloc(line, need);
	char *o;

	if (nl == NULL)
		return NULL;
	o = nl + *len;
	*o++ = ' ';
	*o++ = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	*len = (size_t)(o - nl);
	return nl;
}

static int proc_cmd_build_shell(const struct proc_spec *spec, struct proc_cmd *cmd)
{
	const char *sh = proc_shell_path();
	size_t len = strlen(spec->cmdline);
	char *line = strdup(spec->cmdline);

	if (line == NULL)
		return ENOMEM;
	for (size_t i = 0; i < spec->n_args; i++) {
		char *nl = proc_append_quoted(line, &len, spec->args[i] ? spec->args[i] : "");

		if (nl == NULL) {
			free(line);
			return ENOMEM;
		}
		line = nl;
	}
	cmd->shell = true;
	cmd->argc = 3;
	cmd->argv = calloc(4, sizeof(char *));
	cmd->path = strdup(sh);
	if (cmd->argv == NULL || cmd->path == NULL) {
		free(line);
		return ENOMEM;
	}
	cmd->argv[0] = strdup(strrchr(sh, '/') + 1);
	cmd->argv[1] = strdup("-c");
	cmd->argv[2] = line;
	if (cmd->argv[0] == NULL || cmd->argv[1] == NULL)
		return ENOMEM;
	return 0;
}

static int proc_cmd_build_direct(const struct proc_spec *spec, struct proc_cmd *cmd, char *why,
				 size_t whylen)
{
	char path[PATH_MAX];
	char **words, **v;
	size_t n;
	int err = proc_split(spec->cmdline, &words, &n);

	if (err != 0)
		return err;
	cmd->argv = words;
	cmd->argc = n;
	if (n == 0) {
		snprintf(why, whylen, "empty command line");
		return EINVAL;
	}
	if (strchr(words[0], '/') == NULL) {
		err = proc_path_lookup(words[0], path, sizeof(path));
		if (err != 0) {
			snprintf(why, whylen, "'%s' %s", words[0],
				 err == EACCES ? "is not executable" : "not found in PATH");
			return err;
		}
		cmd->path = strdup(path);
	} else {
		cmd->path = strdup(words[0]);
	}
	if (cmd->path == NULL)
		return ENOMEM;
	v = realloc(cmd->argv, (n + spec->n_args + 1) * sizeof(char *));
	if (v == NULL)
		return ENOMEM;
	cmd->argv = v;
	for (size_t i = 0; i < spec->n_args; i++) {
		v[n + i] = strdup(spec->args[i] ? spec->args[i] : "");
		v[n + i + 1] = NULL;
		if (v[n + i] == NULL)
			return ENOMEM;
		cmd->argc++;
	}
	return 0;
}

int proc_cmd_build(const struct proc_spec *spec, struct proc_cmd *cmd, char *why, size_t whylen)
{
	int err;

	memset(cmd, 0, sizeof(*cmd));
	if (spec->cmdline == NULL || spec->cmdline[strspn(spec->cmdline, " \t")] == '\0') {
		snprintf(why, whylen, "empty command line");
		return EINVAL;
	}
	if (proc_needs_shell(spec->cmdline))
		err = proc_cmd_build_shell(spec, cmd);
	else
		err = proc_cmd_build_direct(spec, cmd, why, whylen);
	if (err == ENOMEM)
		snprintf(why, whylen, "out of memory");
	if (err != 0)
		proc_cmd_free(cmd);
	return err;
}

void proc_cmd_free(struct proc_cmd *cmd)
{
	if (cmd->argv != NULL)
		for (size_t i = 0; i < cmd->argc; i++)
			free(cmd->argv[i]);
	free(cmd->argv);
	free(cmd->path);
	memset(cmd, 0, sizeof(*cmd));
}

/* The leading run of w that can be a file name: up to the first character
 * that only a shell gives meaning to (">/dev/null" glued to a path). */
static size_t proc_file_part(const char *w)
{
	return strcspn(w, "|&;<>()$`*?[]#~%");
}

/* Is w a NAME=VALUE assignment that a shell line may start with? */
static bool proc_is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');

	return eq != NULL && eq != w && memchr(w, '/', (size_t)(eq - w)) == NULL;
}

int proc_cmd_file(const char *cmdline, char *buf, size_t len, char *why, size_t whylen)
{
	bool shell = proc_needs_shell(cmdline);
	char **words;
	size_t n, i = 0, fl;
	int err;

	if (cmdline == NULL || (err = proc_split(cmdline, &words, &n)) != 0) {
		snprintf(why, whylen, cmdline == NULL ? "empty command line" : "out of memory");
		return cmdline == NULL ? EINVAL : ENOMEM;
	}
	while (shell && i < n && proc_is_assignment(words[i]))
		i++;
	err = 0;
	fl = i < n ? proc_file_part(words[i]) : 0;
	if (i < n && fl > 0)
		words[i][fl] = '\0';
	if (i >= n || fl == 0 || (shell && proc_is_shell_word(words[i], strlen(words[i])))) {
		if (!shell) {
			snprintf(why, whylen, "empty command line");
			err = EINVAL;
		} else {
			snprintf(buf, len, "%s", proc_shell_path());
		}
	} else if (strchr(words[i], '/') != NULL) {
		if ((size_t)snprintf(buf, len, "%s", words[i]) >= len) {
			snprintf(why, whylen, "path too long");
			err = ENAMETOOLONG;
		}
	} else if (proc_path_lookup(words[i], buf, len) != 0) {
		/* A shell line may start with a builtin or function of the shell. */
		if (shell) {
			snprintf(buf, len, "%s", proc_shell_path());
		} else {
			snprintf(why, whylen, "'%s' not found in PATH", words[i]);
			err = ENOENT;
		}
	}
	for (size_t k = 0; k < n; k++)
		free(words[k]);
	free(words);
	return err;
}

/* ------------------------------------------------- every program of a line */

static const char *const proc_reserved[] = { "if",    "then", "else", "elif", "do",  "while",
					     "until", "!",    "{",    "time", "exec" };

static bool proc_is_reserved(const char *w)
{
	for (size_t i = 0; i < sizeof(proc_reserved) / sizeof(proc_reserved[0]); i++)
		if (strcmp(w, proc_reserved[i]) == 0)
			return true;
	return false;
}

/* The simple commands of a shell line, split at unquoted separators; each
 * is handed to one_cmd with its words (quotes kept as written). */
struct proc_walk {
	int (*fn)(const char *file, void *ctx);
	void *ctx;
	char *why;
	size_t whylen;
};

/* The program of one simple command (words[0..n-1]). */
static int proc_walk_cmd(struct proc_walk *w, char **words, size_t n)
{
	char path[PATH_MAX];
	size_t i = 0;

	while (i < n && (proc_is_reserved(words[i]) || proc_is_assignment(words[i]) ||
			 strchr("<>", words[i][0]) != NULL || strchr(words[i], '>') != NULL))
		i++;
	if (i >= n)
		return 0;
	if (strpbrk(words[i], "$`") != NULL) {
		snprintf(
		    w->why, w->whylen,
		    "'%s': the program a shell line runs is made by $ or `: no check can follow "
		    "it",
		    words[i]);
		return EINVAL;
	}
	if (proc_is_shell_word(words[i], strlen(words[i])))
		return 0;
	if (strchr(words[i], '/') != NULL)
		return w->fn(words[i], w->ctx);
	if (proc_path_lookup(words[i], path, sizeof(path)) != 0)
		return 0; /* not found: the shell fails to run it */
	return w->fn(path, w->ctx);
}

static bool proc_is_sep(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '\n';
}

/* Splits line into simple commands of words and walks each. */
static int proc_walk_shell(struct proc_walk *w, const char *line)
{
	size_t len = strlen(line), nw = 0;
	char *buf = malloc(len + 1), **words = calloc(len + 1, sizeof(*words));
	char *o = buf;
	int err = 0;

	if (buf == NULL || words == NULL) {
		free(buf);
		free(words);
		snprintf(w->why, w->whylen, "out of memory");
		return ENOMEM;
	}
	for (const char *p = line;; p++) {
		bool end = *p == '\0' || proc_is_sep(*p);

		if (!end && !proc_is_blank(*p)) {
			char q = 0;

			words[nw++] = o;
			for (; *p != '\0' && (q != 0 || (!proc_is_blank(*p) && !proc_is_sep(*p)));
			     p++) {
				if (q == 0 && (*p == '\'' || *p == '"'))
					q = *p;
				else if (q != 0 && *p == q)
					q = 0;
				else
					*o++ = *p;
			}
			*o++ = '\0';
			p--;
			continue;
		}
		if (end && nw > 0) {
			err = proc_walk_cmd(w, words, nw);
			nw = 0;
			if (err != 0)
				break;
		}
		if (*p == '\0')
			break;
	}
	free(buf);
	free(words);
	return err;
}

int proc_cmd_each_file(const char *cmdline, int (*fn)(const char *file, void *ctx), void *ctx,
		       char *why, size_t whylen)
{
	struct proc_walk w = { fn, ctx, why, whylen };
	char file[PATH_MAX];
	int err;

	if (!proc_needs_shell(cmdline)) {
		err = proc_cmd_file(cmdline, file, sizeof(file), why, whylen);
		return err != 0 ? err : fn(file, ctx);
	}
	err = fn(proc_shell_path(), ctx);
	return err != 0 ? err : proc_walk_shell(&w, cmdline);
}
