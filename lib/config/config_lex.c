/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reader: keepalived.conf text into tokens.
 *
 Each physical line first goes through the preprocessor (config_pp.c:
 * comments, "@ID" lines, "$NAME" definitions, ~SEQ and ~LST), which hands
 * back zero or more logical lines. A logical line is split at blanks; a
 * double-quoted string is one token, quotes removed, nothing inside it
 * special; '{' and '}' are tokens of their own even when glued to a word. CRLF line ends, tabs, a
 UTF-8 byte order mark and UTF-8 anywhere
 * are fine: bytes above 0x7f are just word characters.
 *
 * A line whose first word is "include" is replaced by the tokens of the files
 * its glob pattern matches (relative to the including file's directory,
 * sorted), read recursively. The chain of files being read is kept as real
 * paths so that a file including itself, directly or not, is an error
 * instead of a loop; depth, file size, line length and token count are
 * bounded so that no input can make the reader run away.
 *
 * Token text lives in one growing buffer; tokens hold offsets into it until
 * the whole input is read (cfg_keepalived_parse_ex then sets the pointers).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"

/* All files together, so that offsets fit in 32 bits with room to spare. */
#define CFG_MAX_TEXT (256u << 20)

struct lex_line {
	const char *p;
	size_t len;
	int line;
	uint16_t file;
};

static bool lex_stopped(struct cfg_parser *ps)
{
	return ps->too_many_tokens;
}

static void lex_stop(struct cfg_parser *ps, const struct cfg_tok *where, const char *why)
{
	if (!ps->too_many_tokens)
		cfg_err(ps, where, "%s; the rest of the configuration is not read", why);
	ps->too_many_tokens = true;
}

static bool text_reserve(struct cfg_parser *ps, size_t more, const struct cfg_tok *where)
{
	size_t cap;
	char *t;

	if (ps->n_text + more <= ps->cap_text)
		return true;
	if (ps->n_text + more > CFG_MAX_TEXT) {
		lex_stop(ps, where, "configuration too large");
		return false;
	}
	cap = ps->cap_text ? ps->cap_text : 4096;
	while (cap < ps->n_text + more)
		cap *= 2;
	t = realloc(ps->text, cap);
	if (t == NULL) {
		lex_stop(ps, where, "out of memory");
		return false;
	}
	ps->text = t;
	ps->cap_text = cap;
	return true;
}

/* Appends a token whose text is s[0..len-1]; NULL when the reader stopped. */
static struct cfg_tok *tok_push(struct cfg_parser *ps, const struct lex_line *ln,
				enum cfg_tok_kind kind, const char *s, size_t len, bool quoted)
{
	struct cfg_tok where = { .line = ln->line, .file = ln->file };
	struct cfg_tok *t;

	if (lex_stopped(ps))
		return NULL;
	if (ps->n_tok >= CFG_MAX_TOKENS) {
		lex_stop(ps, &where, "too many words");
		return NULL;
	}
	if (ps->n_tok == ps->cap_tok) {
		size_t cap = ps->cap_tok ? ps->cap_tok * 2 : 1024;
		struct cfg_tok *v = realloc(ps->tok, cap * sizeof(*v));

		if (v == NULL) {
			lex_stop(ps, &where, "out of memory");
			return NULL;
		}
		ps->tok = v;
		ps->cap_tok = cap;
	}
	if (!text_reserve(ps, len + 1, &where))
		return NULL;
	t = &ps->tok[ps->n_tok++];
	*t = (struct cfg_tok){ .off = (uint32_t)ps->n_text,
			       .line = ln->line,
			       .file = ln->file,
			       .kind = (uint8_t)kind,
			       .quoted = quoted };
	memcpy(ps->text + ps->n_text, s, len);
	ps->n_text += len;
	ps->text[ps->n_text++] = '\0';
	return t;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == '\0';
}

static bool ends_word(char c)
{
	return is_blank(c) || c == '"' || c == '{' || c == '}';
}

/* An unquoted word starting at *i (comments are gone already). */
static void lex_word(struct cfg_parser *ps, const struct lex_line *ln, size_t *i)
{
	const char *p = ln->p;
	size_t j = *i;

	while (j < ln->len && !ends_word(p[j]))
		j++;
	tok_push(ps, ln, CFG_TOK_WORD, p + *i, j - *i, false);
	*i = j;
}

/* A double-quoted string starting at *i (on the quote). */
static void lex_quoted(struct cfg_parser *ps, const struct lex_line *ln, size_t *i)
{
	const char *start = ln->p + *i + 1;
	const char *end = memchr(start, '"', ln->len - *i - 1);

	if (end == NULL) {
		struct cfg_tok where = { .line = ln->line, .file = ln->file };

		cfg_err(ps, &where, "unterminated quoted string");
		end = ln->p + ln->len;
		*i = ln->len;
	} else {
		*i = (size_t)(end - ln->p) + 1;
	}
	tok_push(ps, ln, CFG_TOK_WORD, start, (size_t)(end - start), true);
}

static void lex_include(struct cfg_parser *ps, size_t first, const char *dir);

static void lex_line(struct cfg_parser *ps, const struct lex_line *ln, const char *dir)
{
	size_t first = ps->n_tok, i = 0;

	while (i < ln->len && !lex_stopped(ps)) {
		char c = ln->p[i];

		if (is_blank(c)) {
			i++;
		} else if (c == '{' || c == '}') {
			tok_push(ps, ln, c == '{' ? CFG_TOK_OPEN : CFG_TOK_CLOSE, &c, 1, false);
			i++;
		} else if (c == '"') {
			lex_quoted(ps, ln, &i);
		} else {
			lex_word(ps, ln, &i);
		}
	}
	if (ps->n_tok == first)
		return;
	ps->tok[first].bol = true;
	if (ps->tok[first].kind == CFG_TOK_WORD && !ps->tok[first].quoted &&
	    strcmp(ps->text + ps->tok[first].off, "include") == 0)
		lex_include(ps, first, dir);
}

void cfg_lex_logical(struct cfg_parser *ps, const char *text, size_t len, int line, uint16_t file,
		     const char *dir)
{
	struct lex_line ln = { .p = text, .len = len, .line = line, .file = file };

	lex_line(ps, &ln, dir);
}

void cfg_lex_text(struct cfg_parser *ps, const char *text, size_t len, uint16_t file)
{
	struct lex_line ln = { .file = file };
	char *dircopy = strdup(ps->k->files[file]);
	char *absdir = dircopy != NULL ? realpath(dirname(dircopy), NULL) : NULL;
	const char *dir = absdir != NULL ? absdir : dircopy != NULL ? dircopy : ".";
	size_t pos = 0;
	bool nul_seen = false;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && !lex_stopped(ps)) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;

		ln.line++;
		ln.p = text + pos;
		ln.len = end - pos;
		if (!nul_seen && memchr(ln.p, '\0', ln.len) != NULL) {
			struct cfg_tok where = { .line = ln.line, .file = file };

			cfg_err(ps, &where, "NUL byte in the file (read as a blank)");
			nul_seen = true;
		}
		if (ln.len > CFG_MAX_LINE) {
			struct cfg_tok where = { .line = ln.line, .file = file };

			cfg_err(ps, &where, "line longer than %u bytes; ignored", CFG_MAX_LINE);
		} else {
			cfg_pp_line(ps, ln.p, ln.len, ln.line, file, dir);
		}
		pos = end + 1;
	}
	free(absdir);
	free(dircopy);
}

char *cfg_read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		/* not a FIFO to block on nor a device to read forever */
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if (st.st_size > (off_t)CFG_MAX_FILE_SIZE) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break; /* the file shrank: take what is there */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
fail:
	free(buf);
	{
		int e = errno;

		close(fd);
		errno = e;
	}
	return NULL;
}

const char *cfg_read_strerror(int e)
{
	return e == EINVAL ? "not a regular file" : e == EFBIG ? "file too large" : strerror(e);
}

int cfg_add_file(struct cfg_parser *ps, const char *path, const struct cfg_tok *where)
{
	struct cfg_keepalived *k = ps->k;
	char *copy;
	char **v;

	if (k->n_files >= CFG_MAX_FILES) {
		cfg_err(ps, where, "more than %u files included", CFG_MAX_FILES);
		return -1;
	}
	copy = strdup(path);
	v = realloc(k->files, (k->n_files + 1) * sizeof(*v));
	if (copy == NULL || v == NULL) {
		free(copy);
		if (v != NULL)
			k->files = v;
		cfg_err(ps, where, "out of memory");
		return -1;
	}
	k->files = v;
	k->files[k->n_files] = copy;
	return (int)k->n_files++;
}

static bool has_glob_chars(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool chain_has(const struct cfg_parser *ps, const char *real)
{
	for (unsigned int i = 0; i < ps->depth; i++)
		if (ps->chain[i] != NULL && strcmp(ps->chain[i], real) == 0)
			return true;
	return false;
}

/* Reads one file an include matched, between the tokens around it. */
static void include_file(struct cfg_parser *ps, const struct cfg_tok *inc, const char *path)
{
	char *real = realpath(path, NULL);
	char *text = NULL;
	size_t len = 0;
	int idx;

	if (real == NULL) {
		cfg_err(ps, inc, "include %s: %s", path, strerror(errno));
		return;
	}
	if (chain_has(ps, real)) {
		cfg_err(ps, inc, "include cycle: %s is already being read", path);
		goto out;
	}
	text = cfg_read_file(path, &len);
	if (text == NULL) {
		cfg_err(ps, inc, "include %s: %s", path, cfg_read_strerror(errno));
		goto out;
	}
	idx = cfg_add_file(ps, path, inc);
	if (idx < 0)
		goto out;
	ps->chain[ps->depth++] = real;
	cfg_lex_text(ps, text, len, (uint16_t)idx);
	ps->depth--;
	ps->chain[ps->depth] = NULL;
out:
	free(text);
	free(real);
}

static void include_pattern(struct cfg_parser *ps, const struct cfg_tok *inc, const char *pattern,
			    const char *dir)
{
	char *full = NULL;
	glob_t g;
	int rc;

	if (pattern[0] == '/')
		full = strdup(pattern);
	else if (asprintf(&full, "%s/%s", dir, pattern) < 0)
		full = NULL;
	if (full == NULL) {
		cfg_err(ps, inc, "out of memory");
		return;
	}
	rc = glob(full, GLOB_MARK, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		if (has_glob_chars(pattern))
			cfg_warn(ps, inc, "include %s matches no file", pattern);
		else
			cfg_err(ps, inc, "include %s: no such file", pattern);
	} else if (rc != 0) {
		cfg_err(ps, inc, "include %s: cannot read the directory", pattern);
	} else {
		for (size_t i = 0; i < g.gl_pathc && !lex_stopped(ps); i++) {
			const char *m = g.gl_pathv[i];

			if (m[0] != '\0' && m[strlen(m) - 1] == '/')
				cfg_warn(ps, inc, "include: %s is a directory: not read", m);
			else
				include_file(ps, inc, m);
		}
	}
	if (rc == 0 || rc == GLOB_NOMATCH)
		globfree(&g);
	free(full);
}

/* The line starting at token first is "include PATTERN": drop its tokens
 * and read what the pattern matches in their place. */
static void lex_include(struct cfg_parser *ps, size_t first, const char *dir)
{
	struct cfg_tok inc = ps->tok[first];
	size_t n = ps->n_tok - first;
	bool word = n >= 2 && ps->tok[first + 1].kind == CFG_TOK_WORD;
	char *pattern = word ? strdup(ps->text + ps->tok[first + 1].off) : NULL;

	ps->n_tok = first;
	ps->n_text = inc.off;
	if (n < 2)
		cfg_err(ps, &inc, "include: missing file name");
	else if (!word)
		cfg_err(ps, &inc, "include: a brace is not a file name");
	else if (pattern == NULL)
		cfg_err(ps, &inc, "out of memory");
	else if (ps->opts.no_include)
		cfg_err(ps, &inc, "include is not allowed here");
	else if (ps->depth > CFG_MAX_INCLUDE_DEPTH)
		cfg_err(ps, &inc, "include nested more than %d deep", CFG_MAX_INCLUDE_DEPTH);
	else
		include_pattern(ps, &inc, pattern, dir);
	if (n >= 3 && word)
		cfg_warn(ps, &inc, "include: extra arguments ignored (one pattern per include)");
	free(pattern);
}
