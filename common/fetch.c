// SPDX-License-Identifier: GPL-2.0-only
/*
 * fetch: argument expressions and filters compiled into fetch operations
 * for the generic BPF interpreter (bpf/lib/fetch.bpf.h). Every input is
 * untrusted: the parsers are bounded in depth and length and never read
 * past the string's end.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "bpf/fetch_ops.h"
#include "bpf/regs.h"
#include "common/fetch.h"

#define MAX_DEPTH 16
#define MAX_EXPR_LEN 1024

/* ---- tracepoint formats ---------------------------------------------------- */

static int tp_field_parse(struct tp_field *fl, const char *line)
{
	const char *decl = strstr(line, "field:"), *end, *o, *sz, *sg;
	char buf[256], *name_end, *name;
	size_t n;

	if (!decl)
		return 1;
	decl += 6;
	end = strchr(decl, ';');
	o = strstr(line, "offset:");
	sz = strstr(line, "size:");
	sg = strstr(line, "signed:");
	if (!end || !o || !sz)
		return -EINVAL;
	n = end - decl;
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, decl, n);
	buf[n] = 0;
	fl->offset = strtoul(o + 7, NULL, 10);
	fl->size = strtoul(sz + 5, NULL, 10);
	fl->is_signed = sg && sg[7] == '1';
	fl->data_loc = !strncmp(buf, "__data_loc", 10);
	fl->is_pointer = strchr(buf, '*') != NULL;
	fl->is_string = strstr(buf, "char") && strchr(buf, '[') && !fl->is_pointer;
	/* The name is the last identifier, before a trailing "[N]". */
	name_end = buf + n;
	while (name_end > buf && isspace((unsigned char)name_end[-1]))
		name_end--;
	if (name_end > buf && name_end[-1] == ']') {
		name_end = strrchr(buf, '[');
		if (!name_end)		/* "int x]": a ']' without its '[' */
			return -EINVAL;
	}
	while (name_end > buf && isspace((unsigned char)name_end[-1]))
		name_end--;
	*name_end = 0;
	name = name_end;
	while (name > buf && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
		name--;
	if (!*name)
		return -EINVAL;
	fl->name = strdup(name);
	fl->type = strdup(decl);
	if (fl->type)
		fl->type[n] = 0;
	if (!fl->name || !fl->type) {
		free(fl->name);
		free(fl->type);
		return -ENOMEM;
	}
	return 0;
}

int tp_format__parse(struct tp_format *f, const char *text, char *err, size_t errlen)
{
	const char *line = text;
	int ret;

	memset(f, 0, sizeof(*f));
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[512];
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		struct tp_field fl = {};
		void *p;

		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, line, n);
		buf[n] = 0;
		line = nl ? nl + 1 : NULL;
		ret = tp_field_parse(&fl, buf);
		if (ret > 0)
			continue;
		if (ret < 0) {
			snprintf(err, errlen, "malformed tracepoint format line '%s'", buf);
			goto out_free;
		}
		p = realloc(f->fields, (f->count + 1) * sizeof(*f->fields));
		if (!p) {
			free(fl.name);
			free(fl.type);
			ret = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto out_free;
		}
		f->fields = p;
		f->fields[f->count++] = fl;
	}
	if (!f->count) {
		snprintf(err, errlen, "the tracepoint format has no fields");
		return -EINVAL;
	}
	return 0;
out_free:
	tp_format__fini(f);
	return ret;
}

int tp_format__load(struct tp_format *f, const char *tracefs, const char *cat, const char *event,
		    char *err, size_t errlen)
{
	char path[512], *text = NULL;
	size_t len = 0, cap = 0;
	FILE *fp;
	int ret;

	memset(f, 0, sizeof(*f));
	snprintf(path, sizeof(path), "%s/events/%s/%s/format", tracefs, cat, event);
	fp = fopen(path, "r");
	if (!fp) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return ret;
	}
	for (;;) {
		size_t got;

		if (cap - len < 4097) {
			char *p = realloc(text, cap += 16384);

			if (!p) {
				ret = -ENOMEM;
				snprintf(err, errlen, "out of memory");
				goto out_close;
			}
			text = p;
		}
		got = fread(text + len, 1, cap - len - 1, fp);
		if (!got)
			break;
		len += got;
	}
	text[len] = 0;
	ret = tp_format__parse(f, text, err, errlen);
out_close:
	free(text);
	fclose(fp);
	return ret;
}

const struct tp_field *tp_format__find(const struct tp_format *f, const char *name)
{
	for (size_t i = 0; f && i < f->count; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

void tp_format__fini(struct tp_format *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++) {
		free(f->fields[i].name);
		free(f->fields[i].type);
	}
	free(f->fields);
	memset(f, 0, sizeof(*f));
}

/* ---- types ----------------------------------------------------------------- */

static const struct {
	const char *name;
	enum fetch_vtype vtype;
	unsigned size;
} c_types[] = {
	{ "char", FETCH_T_SIGNED, 1 }, { "signed char", FETCH_T_SIGNED, 1 },
	{ "unsigned char", FETCH_T_UNSIGNED, 1 }, { "bool", FETCH_T_UNSIGNED, 1 },
	{ "_Bool", FETCH_T_UNSIGNED, 1 },
	{ "short", FETCH_T_SIGNED, 2 }, { "short int", FETCH_T_SIGNED, 2 },
	{ "unsigned short", FETCH_T_UNSIGNED, 2 },
	{ "int", FETCH_T_SIGNED, 4 }, { "signed", FETCH_T_SIGNED, 4 },
	{ "signed int", FETCH_T_SIGNED, 4 },
	{ "unsigned", FETCH_T_UNSIGNED, 4 }, { "unsigned int", FETCH_T_UNSIGNED, 4 },
	{ "long", FETCH_T_SIGNED, 8 }, { "long int", FETCH_T_SIGNED, 8 },
	{ "unsigned long", FETCH_T_UNSIGNED, 8 }, { "long long", FETCH_T_SIGNED, 8 },
	{ "unsigned long long", FETCH_T_UNSIGNED, 8 },
	{ "size_t", FETCH_T_UNSIGNED, 8 }, { "ssize_t", FETCH_T_SIGNED, 8 },
	{ "off_t", FETCH_T_SIGNED, 8 }, { "pid_t", FETCH_T_SIGNED, 4 },
	{ "uid_t", FETCH_T_UNSIGNED, 4 }, { "gid_t", FETCH_T_UNSIGNED, 4 },
	{ "u8", FETCH_T_UNSIGNED, 1 }, { "u16", FETCH_T_UNSIGNED, 2 },
	{ "u32", FETCH_T_UNSIGNED, 4 }, { "u64", FETCH_T_UNSIGNED, 8 },
	{ "s8", FETCH_T_SIGNED, 1 }, { "s16", FETCH_T_SIGNED, 2 },
	{ "s32", FETCH_T_SIGNED, 4 }, { "s64", FETCH_T_SIGNED, 8 },
	{ "x8", FETCH_T_HEX, 1 }, { "x16", FETCH_T_HEX, 2 },
	{ "x32", FETCH_T_HEX, 4 }, { "x64", FETCH_T_HEX, 8 },
	{ "uint8_t", FETCH_T_UNSIGNED, 1 }, { "uint16_t", FETCH_T_UNSIGNED, 2 },
	{ "uint32_t", FETCH_T_UNSIGNED, 4 }, { "uint64_t", FETCH_T_UNSIGNED, 8 },
	{ "int8_t", FETCH_T_SIGNED, 1 }, { "int16_t", FETCH_T_SIGNED, 2 },
	{ "int32_t", FETCH_T_SIGNED, 4 }, { "int64_t", FETCH_T_SIGNED, 8 },
	{ "__u8", FETCH_T_UNSIGNED, 1 }, { "__u16", FETCH_T_UNSIGNED, 2 },
	{ "__u32", FETCH_T_UNSIGNED, 4 }, { "__u64", FETCH_T_UNSIGNED, 8 },
	{ "__s8", FETCH_T_SIGNED, 1 }, { "__s16", FETCH_T_SIGNED, 2 },
	{ "__s32", FETCH_T_SIGNED, 4 }, { "__s64", FETCH_T_SIGNED, 8 },
	{ "uintptr_t", FETCH_T_HEX, 8 }, { "intptr_t", FETCH_T_SIGNED, 8 },
};

/* Copy @s into @buf without qualifiers and with single spaces. */
static int normalize_type(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	while (*s) {
		const char *w = s;
		size_t n;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (*s == '*' || *s == '&') {
			n = 1;
		} else {
			while (*s && !isspace((unsigned char)*s) && *s != '*' && *s != '&')
				s++;
			n = s - w;
			s = w;
			if ((n == 5 && !strncmp(w, "const", 5)) ||
			    (n == 8 && !strncmp(w, "volatile", 8)) ||
			    (n == 6 && !strncmp(w, "__user", 6)) ||
			    (n == 6 && !strncmp(w, "struct", 6))) {
				s += n;
				continue;
			}
		}
		if (o + n + 2 > len)
			return -EINVAL;
		if (o && buf[o - 1] != '*' && *w != '*' && *w != '&')
			buf[o++] = ' ';
		memcpy(buf + o, w, n);
		o += n;
		s = w + n;
	}
	buf[o] = 0;
	return o ? 0 : -EINVAL;
}

int fetch_type__parse(const char *s, unsigned str_size, struct fetch_type *t)
{
	char buf[128];
	size_t n;

	if (!s || normalize_type(s, buf, sizeof(buf)))
		return -EINVAL;
	if (!str_size)
		str_size = FETCH_STR_DEFAULT;
	n = strlen(buf);
	if (!strcmp(buf, "string") || !strcmp(buf, "ustring") || !strcmp(buf, "char*") ||
	    !strcmp(buf, "unsigned char*") || !strcmp(buf, "signed char*") ||
	    !strcmp(buf, "std::string") || !strcmp(buf, "std::string&") ||
	    !strcmp(buf, "std::string*")) {
		t->vtype = FETCH_T_STRING;
		t->size = str_size;
		return 0;
	}
	/* Any other pointer or reference: an address. */
	if (buf[n - 1] == '*' || buf[n - 1] == '&') {
		t->vtype = FETCH_T_HEX;
		t->size = 8;
		return 0;
	}
	for (size_t i = 0; i < sizeof(c_types) / sizeof(c_types[0]); i++) {
		if (!strcmp(buf, c_types[i].name)) {
			t->vtype = c_types[i].vtype;
			t->size = c_types[i].size;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- expression compiler --------------------------------------------------- */

struct parser {
	const char *text;	/* the whole input, for messages */
	const char *p;
	const struct fetch_env *env;
	char *err;
	size_t errlen;
	int failed;
	int depth;
	/* ops of the expression being compiled */
	struct fetch_op ops[FETCH_MAX_OPS];
	int nops;
	int last_ftrace_deref;	/* index of a final +OFF(...) load, or -1 */
	bool kernel_mem;	/* the value addresses kernel memory (tracepoint records) */
	bool has_type;		/* the expression fixed its own type */
	struct fetch_type type;
	bool is_comm;
	int string_object_at;	/* ops emitted when a std::string parameter ended, or -1 */
	/* The C type of the value, when known: typed parameters, casts,
	 * members (common/ctype.h). */
	bool has_ctype;
	struct ctype ctype;
	/* The accumulator holds the value's address (a member, an element,
	 * *p), loaded with the type's size where the value is used; a
	 * bit-field is then shifted out of it. */
	bool lvalue;
	unsigned bit_off, bit_size;
	bool user_mem;		/* argN@user: a kernel function's pointer to user memory */
	bool any_mem;		/* a tracepoint's typed pointer: kernel or user memory */
	char ctype_why[192];	/* why the last name used has no C type, or "" */
};

static int perr(struct parser *ps, int err, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return ps->failed;
	va_start(ap, fmt);
	vsnprintf(ps->err, ps->errlen, fmt, ap);
	va_end(ap);
	ps->failed = err;
	return err;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static int emit(struct parser *ps, uint8_t code, uint8_t size, int64_t imm)
{
	struct fetch_op *op;

	if (ps->nops >= FETCH_MAX_OPS)
		return perr(ps, -E2BIG, "expression '%s' is too complex", ps->text);
	op = &ps->ops[ps->nops++];
	memset(op, 0, sizeof(*op));
	op->code = code;
	op->size = size;
	op->imm = imm;
	if (code == FOP_DEREF || code == FOP_STR) {
		/* Kernel objects ($task) are read as kernel memory; a kernel
		 * function's pointers may address either, but argN@user's. */
		if (ps->kernel_mem)
			op->flags = FETCH_F_KERNEL;
		else if ((ps->env->kernel || ps->any_mem) && !ps->user_mem)
			op->flags = FETCH_F_ANY;
	}
	ps->last_ftrace_deref = -1;
	return 0;
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* An identifier at ps->p into @buf; returns its length (0: none). */
static size_t take_ident(struct parser *ps, char *buf, size_t len)
{
	size_t n = 0;

	while (is_ident(ps->p[n]) && n + 1 < len)
		n++;
	if (is_ident(ps->p[n]))
		return 0;
	memcpy(buf, ps->p, n);
	buf[n] = 0;
	ps->p += n;
	return n;
}

/* A number (decimal, 0x hex, leading sign); false if none at ps->p. */
static bool take_number(struct parser *ps, int64_t *v)
{
	const char *s = ps->p;
	bool neg = false;
	unsigned long long u;
	char *end;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	u = strtoull(s, &end, 0);
	if (errno || is_ident(*end)) {
		perr(ps, -EINVAL, "bad number in '%s'", ps->text);
		return false;
	}
	*v = neg ? -(int64_t)u : (int64_t)u;
	ps->p = end;
	return true;
}

static int parse_sum(struct parser *ps);

/* A register name after '%'. */
static int parse_reg(struct parser *ps)
{
	char name[16];
	const char *n = name;

	ps->p++;
	if (!take_ident(ps, name, sizeof(name)))
		return perr(ps, -EINVAL, "missing register name in '%s'", ps->text);
	if (ps->env->kind == FETCH_TRACEPOINT)
		return perr(ps, -EINVAL, "tracepoints have no registers: use args->FIELD in '%s'",
			    ps->text);
	/* %rax and %ax, %rdi and %di; %eflags as flags. */
	if (n[0] == 'r' && strlen(n) == 3 && !isdigit((unsigned char)n[1]))
		n++;
	if (!strcmp(n, "eflags"))
		n = "flags";
	for (int i = 0; i < PT_NREGS; i++)
		if (!strcmp(regs_names[i], n))
			return emit(ps, FOP_REG, 8, i);
	return perr(ps, -EINVAL, "unknown register '%%%s' in '%s'", name, ps->text);
}

/* Why argN or retval cannot be read under @conv, and what to use instead. */
static const char *conv_refusal(enum callconv conv)
{
	if (conv == CALLCONV_GO_STACK)
		return "this Go function was built before Go 1.17 and takes its arguments "
		       "and results on the stack: name a parameter (DWARF) or read the stack "
		       "at entry, as +8(%sp)";
	return "the calling convention of this Go program is unknown (it names no Go "
	       "version or register ABI): name a parameter (DWARF) or read a register, "
	       "as %ax";
}

static int emit_arg(struct parser *ps, long n)
{
	enum callconv conv = ps->env->kernel ? CALLCONV_SYSV : ps->env->conv;
	unsigned max = ps->env->names_later && !ps->env->kernel ? REGS_GO_NARGS :
		       callconv__nargs(conv);
	int reg;

	switch (ps->env->kind) {
	case FETCH_USDT:
		if (n < 1 || n > 6)
			return perr(ps, -EINVAL, "argument number %ld out of range (arg1..arg6) "
				    "in '%s'", n, ps->text);
		return emit(ps, FOP_USDT, 8, n - 1);
	case FETCH_TRACEPOINT:
		return perr(ps, -EINVAL, "tracepoints have no arg%ld: use args->FIELD in '%s'",
			    n, ps->text);
	default:
		break;
	}
	if (!max)
		return perr(ps, -EINVAL, "arg%ld in '%s' cannot be read: %s", n, ps->text,
			    conv_refusal(conv));
	if (n < 1 || n > (long)max)
		return perr(ps, -EINVAL, "argument number %ld out of range (arg1..arg%u%s) in '%s'",
			    n, max, conv == CALLCONV_GO_REGS ? ", Go's register ABI" : "", ps->text);
	reg = ps->env->names_later ? PT_DI : callconv__arg_reg(conv, n);
	return emit(ps, FOP_REG, 8, reg);
}

static int emit_retval(struct parser *ps)
{
	enum callconv conv = ps->env->kernel ? CALLCONV_SYSV : ps->env->conv;

	if (ps->env->kind != FETCH_RETURN)
		return perr(ps, -EINVAL, "retval is only available in return probes (r:), "
			    "not in '%s'", ps->text);
	if (callconv__ret_reg(conv) < 0)
		return perr(ps, -EINVAL, "retval in '%s' cannot be read: %s", ps->text,
			    conv_refusal(conv));
	return emit(ps, FOP_REG, 8, callconv__ret_reg(conv));
}

static int emit_special(struct parser *ps, enum fetch_special s)
{
	return emit(ps, FOP_SPECIAL, 8, s);
}

static void type_from_ctype(struct parser *ps);

/*
 * $task: the current task_struct (bpf_get_current_task()), typed from
 * the kernel's BTF so that its members can be read ($task->tgid), as
 * kernel memory.
 */
static int emit_task(struct parser *ps)
{
	struct ctype t;
	char msg[256];

	if (ctype__parse("struct task_struct *", ps->env->types, ps->env->ntypes, &t, msg,
			 sizeof(msg))) {
		if (!ps->env->names_later)
			return perr(ps, -EINVAL, "$task in '%s' needs the kernel's BTF to describe "
				    "struct task_struct", ps->text);
	} else {
		ps->ctype = t;
		ps->has_ctype = true;
		type_from_ctype(ps);
	}
	ps->kernel_mem = true;
	return emit_special(ps, FETCH_TASK);
}

/* $name; bcc argdist's capitals ($PID, $TID, $COMM) are the same names. */
static int parse_dollar(struct parser *ps)
{
	char name[32];
	char *end;
	bool upper = true;
	long n;

	ps->p++;
	if (!take_ident(ps, name, sizeof(name)))
		return perr(ps, -EINVAL, "missing name after '$' in '%s'", ps->text);
	for (char *c = name; *c; c++)
		upper &= !islower((unsigned char)*c);
	for (char *c = name; upper && *c; c++)
		*c = tolower((unsigned char)*c);
	if (!strcmp(name, "retval"))
		return emit_retval(ps);
	if (!strcmp(name, "comm")) {
		ps->is_comm = true;
		return 0;
	}
	if (!strcmp(name, "pid") || !strcmp(name, "tgid"))
		return emit_special(ps, FETCH_PID);
	if (!strcmp(name, "task"))
		return emit_task(ps);
	if (!strcmp(name, "tid"))
		return emit_special(ps, FETCH_TID);
	if (!strcmp(name, "uid"))
		return emit_special(ps, FETCH_UID);
	if (!strcmp(name, "gid"))
		return emit_special(ps, FETCH_GID);
	if (!strcmp(name, "cpu"))
		return emit_special(ps, FETCH_CPU);
	if (!strcmp(name, "ktime"))
		return emit_special(ps, FETCH_KTIME);
	if (!strncmp(name, "arg", 3) && isdigit((unsigned char)name[3])) {
		n = strtol(name + 3, &end, 10);
		if (*end)
			goto unknown;
		return emit_arg(ps, n);
	}
	if (!strncmp(name, "stack", 5)) {
		if (ps->env->kind == FETCH_TRACEPOINT)
			return perr(ps, -EINVAL, "tracepoints have no user stack in '%s'", ps->text);
		if (emit(ps, FOP_REG, 8, PT_SP))
			return ps->failed;
		if (!name[5])
			return 0;
		n = strtol(name + 5, &end, 10);
		if (*end || !isdigit((unsigned char)name[5]) || n > 4096)
			goto unknown;
		if (n && emit(ps, FOP_ADD, 8, n * 8))
			return ps->failed;
		return emit(ps, FOP_DEREF, 8, 0);
	}
unknown:
	return perr(ps, -EINVAL, "unknown variable '$%s' in '%s'", name, ps->text);
}

/*
 * The C type of a tracepoint's pointer field ("struct __kernel_timespec *
 * rqtp"), so that members can be read through it; what it points to may
 * be kernel or user memory (a syscall's argument): both are tried, by the
 * address.
 */
static void tp_field_ctype(struct parser *ps, const struct tp_field *f)
{
	char decl[256], msg[192];
	size_t n;

	if (ps->env->names_later || strchr(f->type, '['))
		return;
	snprintf(decl, sizeof(decl), "%s", f->type);
	/* The declaration without its name. */
	n = strlen(decl);
	while (n && (is_ident(decl[n - 1]) || isspace((unsigned char)decl[n - 1])) &&
	       decl[n - 1] != '*')
		decl[--n] = 0;
	if (!n || ctype__parse(decl, ps->env->types, ps->env->ntypes, &ps->ctype, msg,
			       sizeof(msg)))
		return;
	ps->has_ctype = true;
	ps->any_mem = true;
}

/* Tracepoint field @f: its value, or for a string the address of its characters. */
static int emit_tp_field(struct parser *ps, const struct tp_field *f)
{
	if (f->is_string) {
		ps->kernel_mem = true;
		ps->type = (struct fetch_type){ FETCH_T_STRING,
			ps->env->str_size ? ps->env->str_size : FETCH_STR_DEFAULT };
		if (f->data_loc) {
			if (emit(ps, FOP_CTX, 4, f->offset))
				return ps->failed;
		} else if (emit(ps, FOP_IMM, 8, f->offset)) {
			return ps->failed;
		}
		return emit(ps, FOP_DATALOC, 8, 0);
	}
	if (f->size == 0 || f->size > 8 || (f->size & (f->size - 1)))
		return perr(ps, -EINVAL, "field '%s' of %u bytes is not a number", f->name,
			    f->size);
	ps->type.vtype = f->is_pointer ? FETCH_T_HEX :
			 f->is_signed ? FETCH_T_SIGNED : FETCH_T_UNSIGNED;
	ps->type.size = f->size;
	if (f->is_pointer)
		tp_field_ctype(ps, f);
	return emit(ps, FOP_CTX, f->size, f->offset);
}

static int parse_ident(struct parser *ps)
{
	const struct tp_field *f;
	char name[128];
	char *end;
	long n;

	if (!take_ident(ps, name, sizeof(name)))
		return perr(ps, -EINVAL, "name too long in '%s'", ps->text);
	if (!strcmp(name, "retval"))
		return emit_retval(ps);
	if (!strncmp(name, "arg", 3) && isdigit((unsigned char)name[3])) {
		n = strtol(name + 3, &end, 10);
		/* bcc's argN@user: a kernel function's pointer to user memory. */
		if (!*end && !strncmp(ps->p, "@user", 5) && !is_ident(ps->p[5])) {
			ps->p += 5;
			ps->user_mem = true;
		}
		if (!*end)
			return emit_arg(ps, n);
	}
	/* bcc's ctx->REG: a saved register by its struct pt_regs name. */
	if (!strcmp(name, "ctx") && ps->p[0] == '-' && ps->p[1] == '>') {
		char reg[16];
		const char *r = reg;

		ps->p += 2;
		if (!take_ident(ps, reg, sizeof(reg)))
			return perr(ps, -EINVAL, "missing register name after 'ctx->' in '%s'",
				    ps->text);
		if (ps->env->kind == FETCH_TRACEPOINT)
			return perr(ps, -EINVAL, "tracepoints have no registers: use args->FIELD in "
				    "'%s'", ps->text);
		if (reg[0] == 'r' && strlen(reg) == 3 && !isdigit((unsigned char)reg[1]))
			r++;
		for (int i = 0; i < PT_NREGS; i++)
			if (!strcmp(regs_names[i], r))
				return emit(ps, FOP_REG, 8, i);
		return perr(ps, -EINVAL, "unknown register 'ctx->%s' in '%s'", reg, ps->text);
	}
	if (!strcmp(name, "args") && ps->p[0] == '-' && ps->p[1] == '>') {
		char field[128];

		ps->p += 2;
		if (!take_ident(ps, field, sizeof(field)))
			return perr(ps, -EINVAL, "missing field name after 'args->' in '%s'",
				    ps->text);
		if (ps->env->kind != FETCH_TRACEPOINT)
			return perr(ps, -EINVAL, "args->%s: only tracepoints have fields", field);
		f = tp_format__find(ps->env->tp, field);
		if (!f)
			return perr(ps, -EINVAL, "the tracepoint has no field '%s'", field);
		return emit_tp_field(ps, f);
	}
	/* A field by its bare name, as bcc's argdist man page writes them. */
	if (ps->env->kind == FETCH_TRACEPOINT && (f = tp_format__find(ps->env->tp, name)))
		return emit_tp_field(ps, f);
	for (size_t i = 0; i < ps->env->nparams; i++) {
		const struct fetch_param *fp = &ps->env->params[i];

		if (strcmp(fp->name, name))
			continue;
		if (fp->unavailable)
			return perr(ps, -EINVAL, "parameter '%s' in '%s' cannot be read: %s", name,
				    ps->text, fp->unavailable);
		ps->ctype_why[0] = 0;
		if (fp->ctype) {
			ps->ctype = *fp->ctype;
			ps->has_ctype = true;
		} else if (fp->type && !ps->env->names_later) {
			/* A signature's type: resolved here, with the site's sources. */
			if (!ctype__parse(fp->type, ps->env->types, ps->env->ntypes, &ps->ctype,
					  ps->ctype_why, sizeof(ps->ctype_why)))
				ps->has_ctype = true;
		}
		if (fp->type && fetch_type__parse(fp->type, ps->env->str_size, &ps->type)) {
			ps->type = (struct fetch_type){ FETCH_T_SIGNED, 8 };
			/* A typedef of the sources (gfp_t): as its type says. */
			if (ps->has_ctype)
				type_from_ctype(ps);
			else if (!ps->env->names_later)
				return perr(ps, -EINVAL, "unknown type '%s' of parameter '%s'%s%s",
					    fp->type, name, ps->ctype_why[0] ? ": " : "",
					    strstr(ps->ctype_why, "not in") ? strstr(ps->ctype_why,
					    "not in") : ps->ctype_why);
		}
		if (fp->in_data) {
			if (emit(ps, FOP_SLOT, 8, 0))
				return ps->failed;
			ps->ops[ps->nops - 1].off = fp->data_off;
		} else if (!fp->on_stack) {
			if (emit(ps, FOP_REG, 8, fp->reg))
				return ps->failed;
		} else if (emit(ps, FOP_REG, 8, PT_SP) || emit(ps, FOP_ADD, 8, fp->stack_off) ||
			   emit(ps, FOP_DEREF, 8, 0)) {
			return ps->failed;
		}
		if (fp->string_object)
			ps->string_object_at = ps->nops;
		return 0;
	}
	if (ps->env->names_later)
		return emit(ps, FOP_REG, 8, PT_DI);
	return perr(ps, -EINVAL, "unknown name '%s' in '%s'", name, ps->text);
}

/* Enter a nesting level: bounded so no input can exhaust the stack. */
static bool nest(struct parser *ps)
{
	if (++ps->depth > MAX_DEPTH) {
		perr(ps, -EINVAL, "expression '%s' is nested too deeply", ps->text);
		return false;
	}
	return true;
}

static int expect_close(struct parser *ps)
{
	skip_ws(ps);
	if (*ps->p != ')')
		return perr(ps, -EINVAL, "unbalanced parentheses in '%s'", ps->text);
	ps->p++;
	ps->depth--;
	return 0;
}

/* The fetch type of a value of C type @c into @t (left alone for types
 * that are not read as one value). */
static void fetch_type_of(const struct ctype *c, unsigned str_size, struct fetch_type *t)
{
	if (ctype__is_string(c))
		*t = (struct fetch_type){ FETCH_T_STRING, str_size };
	else if (c->kind == CTYPE_PTR || c->kind == CTYPE_ARRAY)
		*t = (struct fetch_type){ FETCH_T_HEX, 8 };
	else if ((c->kind == CTYPE_INT || c->kind == CTYPE_ENUM) && c->size >= 1 && c->size <= 8)
		*t = (struct fetch_type){ c->is_signed ? FETCH_T_SIGNED : FETCH_T_UNSIGNED, c->size };
}

/* The default fetch type of a value of the parser's C type. */
static void type_from_ctype(struct parser *ps)
{
	fetch_type_of(&ps->ctype, ps->env->str_size ? ps->env->str_size : FETCH_STR_DEFAULT,
		      &ps->type);
}

/*
 * Type @s into @t: a name fetch_type__parse() knows, else a C type of the
 * sources (a typedef: gfp_t, mode_t), numbers and pointers only.
 */
static int parse_type(struct parser *ps, const char *s, struct fetch_type *t)
{
	unsigned str = ps->env->str_size ? ps->env->str_size : FETCH_STR_DEFAULT;
	struct ctype c;
	char msg[256];
	const char *why;

	if (!fetch_type__parse(s, str, t))
		return 0;
	if (ps->env->names_later) {
		*t = (struct fetch_type){ FETCH_T_SIGNED, 8 };
		return 0;
	}
	if (ctype__parse(s, ps->env->types, ps->env->ntypes, &c, msg, sizeof(msg))) {
		why = strstr(msg, "not in");
		return perr(ps, -EINVAL, "unknown type '%s' for '%s'%s%s", s, ps->text,
			    why ? ": " : "", why ? why : "");
	}
	if (!ctype__is_scalar(&c) || (c.kind != CTYPE_PTR && c.size != 1 && c.size != 2 &&
				      c.size != 4 && c.size != 8))
		return perr(ps, -EINVAL, "type '%s' for '%s' is not a number or a pointer", s,
			    ps->text);
	*t = (struct fetch_type){ FETCH_T_SIGNED, 8 };
	fetch_type_of(&c, str, t);
	return 0;
}

/*
 * Load a pending lvalue: the value at the accumulator's address, with
 * its type's size and sign (a bit-field shifted out). An array stays its
 * address (a char array is read as a string there).
 */
static int load_lvalue(struct parser *ps)
{
	const struct ctype *c = &ps->ctype;
	unsigned size = c->size;

	if (!ps->lvalue)
		return 0;
	ps->lvalue = false;
	switch (c->kind) {
	case CTYPE_ARRAY:
	case CTYPE_FUNC:
		return 0;
	case CTYPE_STRUCT:
	case CTYPE_UNION:
		return perr(ps, -EINVAL, "'%s' in '%s' is a %s: name one of its members", c->name,
			    ps->text, c->kind == CTYPE_STRUCT ? "struct" : "union");
	case CTYPE_FLOAT:
		return perr(ps, -EINVAL, "'%s' in '%s' is a floating-point value, which cannot be "
			    "read", c->name, ps->text);
	case CTYPE_VOID:
		return perr(ps, -EINVAL, "'%s' has no value (void)", ps->text);
	default:
		break;
	}
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return perr(ps, -EINVAL, "'%s' of %u bytes in '%s' is not a number that can be read",
			    c->name, size, ps->text);
	if (emit(ps, FOP_DEREF, size, 0))
		return ps->failed;
	if (ps->bit_size && ps->bit_size < 64 && ps->bit_off + ps->bit_size <= 64) {
		/* Move the field to the top, then back down with its sign. */
		unsigned up = 64 - ps->bit_off - ps->bit_size, down = 64 - ps->bit_size;

		if ((up && emit(ps, FOP_SHL, 8, up)) ||
		    emit(ps, c->is_signed ? FOP_SAR : FOP_SHR, 8, down))
			return ps->failed;
		ps->bit_size = 0;
		return 0;
	}
	if (c->is_signed && size < 8 && emit(ps, FOP_SEXT, size, 0))
		return ps->failed;
	return 0;
}

/* A member after "->" (@arrow) or ".": its address, its type. */
static int parse_member(struct parser *ps, bool arrow)
{
	struct ctype_member m;
	struct ctype rec;
	char name[128];
	const char *op = arrow ? "->" : ".";
	int ret;

	skip_ws(ps);
	if (!take_ident(ps, name, sizeof(name)))
		return perr(ps, -EINVAL, "missing member name after '%s' in '%s'", op, ps->text);
	if (!ps->has_ctype) {
		/* A syntax check before the sites' types are known. */
		if (ps->env->names_later)
			return 0;
		if (ps->ctype_why[0])
			return perr(ps, -EINVAL, "'%s%s' in '%s': %s", op, name, ps->text,
				    ps->ctype_why);
		return perr(ps, -EINVAL, "'%s%s' in '%s' needs a typed pointer: declare it in a "
			    "signature, as in func(struct timespec *ts), or cast it, as in "
			    "((struct timespec *)arg1)%s%s", op, name, ps->text, op, name);
	}
	if (ps->bit_size)
		return perr(ps, -EINVAL, "a bit-field has no members, in '%s'", ps->text);
	if (arrow) {
		if (ps->ctype.kind != CTYPE_PTR)
			return perr(ps, -EINVAL, "'->%s' in '%s': '%s' is not a pointer", name,
				    ps->text, ps->ctype.name);
		if (load_lvalue(ps))
			return ps->failed;
		ret = ctype__target(&ps->ctype, &rec);
		if (ret)
			return perr(ps, -EINVAL, "the type '%s' points to is not described, in '%s'",
				    ps->ctype.name, ps->text);
	} else {
		rec = ps->ctype;
		if (!ps->lvalue && (rec.kind == CTYPE_STRUCT || rec.kind == CTYPE_UNION))
			return perr(ps, -EINVAL, "'.%s' in '%s': a struct passed by value cannot be "
				    "read", name, ps->text);
	}
	if (rec.kind != CTYPE_STRUCT && rec.kind != CTYPE_UNION)
		return perr(ps, -EINVAL, "'%s%s' in '%s': '%s' is not a struct or union%s", op, name,
			    ps->text, rec.name, !arrow && rec.kind == CTYPE_PTR ? " (use '->')" : "");
	ret = ctype__member(&rec, name, &m);
	if (ret == -ENOENT || ret == -EINVAL)
		return perr(ps, -EINVAL, "'%s' has no member '%s', in '%s'", rec.name, name, ps->text);
	if (ret)
		return perr(ps, ret, "cannot read the members of '%s' in '%s'", rec.name, ps->text);
	if (m.off && emit(ps, FOP_ADD, 8, m.off))
		return ps->failed;
	ps->ctype = m.type;
	ps->lvalue = true;
	ps->bit_off = m.bit_off;
	ps->bit_size = m.bit_size;
	type_from_ctype(ps);
	return 0;
}

/* An element "[N]" of a typed pointer or array (N a constant). */
static int parse_index(struct parser *ps)
{
	struct ctype e;
	int64_t n;

	ps->p++;
	skip_ws(ps);
	if (!take_number(ps, &n))
		return perr(ps, -EINVAL, "an index must be a number, in '%s'", ps->text);
	skip_ws(ps);
	if (*ps->p != ']')
		return perr(ps, -EINVAL, "missing ']' in '%s'", ps->text);
	ps->p++;
	if (!ps->has_ctype) {
		if (ps->env->names_later)
			return 0;
		return perr(ps, -EINVAL, "'[%" PRId64 "]' in '%s' needs a typed pointer or array: "
			    "declare it in a signature, or cast it", n, ps->text);
	}
	if (ps->ctype.kind == CTYPE_PTR) {
		if (load_lvalue(ps))
			return ps->failed;
	} else if (ps->ctype.kind == CTYPE_ARRAY) {
		ps->lvalue = false;	/* an array's value is its address */
	} else {
		return perr(ps, -EINVAL, "'%s' in '%s' is not a pointer or an array", ps->ctype.name,
			    ps->text);
	}
	if (ctype__target(&ps->ctype, &e) || !e.size)
		return perr(ps, -EINVAL, "the elements of '%s' have no known size, in '%s'",
			    ps->ctype.name, ps->text);
	if (n > (1 << 24) || n < -(1 << 24))
		return perr(ps, -EINVAL, "index %" PRId64 " out of range in '%s'", n, ps->text);
	if (n && emit(ps, FOP_ADD, 8, n * (int64_t)e.size))
		return ps->failed;
	ps->ctype = e;
	ps->lvalue = true;
	ps->bit_size = 0;
	type_from_ctype(ps);
	return 0;
}

/* Members and elements after a primary: p->a.b[2]. */
static int parse_postfix(struct parser *ps)
{
	for (int i = 0; i < FETCH_MAX_OPS; i++) {
		const char *save = ps->p;

		skip_ws(ps);
		if (ps->p[0] == '-' && ps->p[1] == '>') {
			ps->p += 2;
			if (parse_member(ps, true))
				return ps->failed;
		} else if (ps->p[0] == '.' && (isalpha((unsigned char)ps->p[1]) || ps->p[1] == '_')) {
			ps->p++;
			if (parse_member(ps, false))
				return ps->failed;
		} else if (ps->p[0] == '[') {
			if (parse_index(ps))
				return ps->failed;
		} else {
			ps->p = save;
			return 0;
		}
	}
	return perr(ps, -E2BIG, "expression '%s' is too complex", ps->text);
}

/* Is @name a value, not a type: a parameter, argN, retval...? */
static bool is_value_name(const struct parser *ps, const char *name)
{
	if (!strcmp(name, "retval") || !strcmp(name, "args") || !strcmp(name, "ctx") ||
	    (!strncmp(name, "arg", 3) && isdigit((unsigned char)name[3])))
		return true;
	for (size_t i = 0; i < ps->env->nparams; i++)
		if (!strcmp(ps->env->params[i].name, name))
			return true;
	return false;
}

/*
 * A cast "(TYPE)" at ps->p: 1 with the type in @ct and ps->p after the
 * ')', 0 when the parentheses hold something else, or an error (a type
 * no source describes). A lone name is a type when it is a builtin one
 * or, not being a value's name, when a source knows it (gfp_t).
 */
static int try_cast(struct parser *ps, struct ctype *ct)
{
	const char *open = ps->p, *close = strchr(open + 1, ')');
	char buf[128], msg[256];
	bool lone = true;
	size_t n;

	if (!close || (n = close - open - 1) == 0 || n >= sizeof(buf))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = open[1 + i];

		if (!is_ident(c) && c != ' ' && c != '\t' && c != '*')
			return 0;
		lone &= is_ident(c);
	}
	memcpy(buf, open + 1, n);
	buf[n] = 0;
	if (lone && is_value_name(ps, buf))
		return 0;
	if (!ctype__looks_like_type(buf)) {
		const char *after = close + 1;

		while (isspace((unsigned char)*after))
			after++;
		/* Before the types are known, "(gfp_t)flags" is a cast. */
		if (lone && ps->env->names_later &&
		    (is_ident(*after) || *after == '$' || *after == '(')) {
			memset(ct, 0, sizeof(*ct));
			ct->kind = CTYPE_VOID;
		} else if (!lone || ctype__parse(buf, ps->env->types, ps->env->ntypes, ct, msg,
						 sizeof(msg))) {
			return 0;
		}
	} else if (ctype__parse(buf, ps->env->types, ps->env->ntypes, ct, msg, sizeof(msg))) {
		if (!ps->env->names_later)
			return perr(ps, -EINVAL, "%s, in '%s'", msg, ps->text);
		/* Checked again once the sites' types are known. */
		memset(ct, 0, sizeof(*ct));
		ct->kind = CTYPE_VOID;
	}
	ps->p = close + 1;
	return 1;
}

/* Apply the cast to @ct to the value compiled so far. */
static int apply_cast(struct parser *ps, const struct ctype *ct)
{
	if (ps->is_comm)
		return perr(ps, -EINVAL, "$comm is a string in '%s'", ps->text);
	if (load_lvalue(ps))
		return ps->failed;
	switch (ct->kind) {
	case CTYPE_INT:
	case CTYPE_ENUM:
		if (ct->size != 1 && ct->size != 2 && ct->size != 4 && ct->size != 8)
			return perr(ps, -EINVAL, "cannot cast to '%s' (%u bytes) in '%s'", ct->name,
				    ct->size, ps->text);
		if (ct->size < 8 && emit(ps, ct->is_signed ? FOP_SEXT : FOP_ZEXT, ct->size, 0))
			return ps->failed;
		break;
	case CTYPE_PTR:
		break;
	case CTYPE_VOID:
		if (ps->env->names_later && !ct->name[0]) {
			ps->has_ctype = false;
			return 0;
		}
		/* fallthrough */
	default:
		return perr(ps, -EINVAL, "cannot cast to '%s' in '%s': only to integers and pointers",
			    ct->name, ps->text);
	}
	ps->ctype = *ct;
	ps->has_ctype = true;
	type_from_ctype(ps);
	return 0;
}

/* A primary: a name, a register, a number, a memory reference, (...). */
static int parse_primary(struct parser *ps)
{
	int64_t n;

	/* A primary starts a value: no type until it says one. */
	ps->has_ctype = false;
	ps->lvalue = false;
	ps->bit_size = 0;
	ps->ctype_why[0] = 0;
	if (*ps->p == '+' || *ps->p == '-' || isdigit((unsigned char)*ps->p)) {
		if (!take_number(ps, &n))
			return perr(ps, -EINVAL, "syntax error at '%.20s' in '%s'", ps->p, ps->text);
		skip_ws(ps);
		if (*ps->p != '(')
			return emit(ps, FOP_IMM, 8, n);
		ps->p++;
		if (!nest(ps) || parse_sum(ps) || expect_close(ps))
			return ps->failed;
		if (ps->lvalue && load_lvalue(ps))
			return ps->failed;
		ps->has_ctype = false;
		if (n && emit(ps, FOP_ADD, 8, n))
			return ps->failed;
		if (emit(ps, FOP_DEREF, 8, 0))
			return ps->failed;
		ps->last_ftrace_deref = ps->nops - 1;
		return 0;
	}
	if (*ps->p == '(') {
		ps->p++;
		if (!nest(ps) || parse_sum(ps) || expect_close(ps))
			return ps->failed;
		return 0;
	}
	if (*ps->p == '%')
		return parse_reg(ps);
	if (*ps->p == '$')
		return parse_dollar(ps);
	if (isalpha((unsigned char)*ps->p) || *ps->p == '_')
		return parse_ident(ps);
	if (!*ps->p)
		return perr(ps, -EINVAL, "missing value in '%s'", ps->text);
	return perr(ps, -EINVAL, "syntax error at '%.20s' in '%s'", ps->p, ps->text);
}

/* One term: a primary with its members and elements, under unary *, &
 * and casts. */
static int parse_term(struct parser *ps)
{
	struct ctype ct;
	int ret;

	skip_ws(ps);
	if (ps->failed)
		return ps->failed;
	if (*ps->p == '*') {
		ps->p++;
		if (!nest(ps) || parse_term(ps))
			return ps->failed;
		ps->depth--;
		/* A typed pointer: what it points to, as its type says; a void
		 * pointer as an untyped address (8 bytes, narrowed by the type
		 * asked for). */
		if (ps->has_ctype && (ps->ctype.kind == CTYPE_PTR || ps->ctype.kind == CTYPE_ARRAY) &&
		    !ctype__target(&ps->ctype, &ct) && ct.kind != CTYPE_VOID) {
			if (ps->ctype.kind == CTYPE_ARRAY)
				ps->lvalue = false;	/* an array is its address */
			else if (load_lvalue(ps))
				return ps->failed;
			if (ct.kind == CTYPE_FUNC)
				return perr(ps, -EINVAL, "'%s' cannot be dereferenced in '%s'",
					    ps->ctype.name, ps->text);
			ps->ctype = ct;
			ps->lvalue = true;
			ps->bit_size = 0;
			type_from_ctype(ps);
			return 0;
		}
		if (load_lvalue(ps))
			return ps->failed;
		ps->has_ctype = false;
		return emit(ps, FOP_DEREF, 8, 0);
	}
	if (*ps->p == '&') {
		ps->p++;
		if (!nest(ps) || parse_term(ps))
			return ps->failed;
		ps->depth--;
		if (!ps->lvalue || ps->bit_size)
			return perr(ps, -EINVAL, "'&' needs a member or an element (not a bit-field), "
				    "in '%s'", ps->text);
		ps->lvalue = false;
		if (ctype__pointer_to(&ps->ctype, &ct))
			ctype__int(8, false, &ct);
		ps->ctype = ct;
		type_from_ctype(ps);
		return 0;
	}
	if (*ps->p == '(') {
		ret = try_cast(ps, &ct);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			if (!nest(ps) || parse_term(ps))
				return ps->failed;
			ps->depth--;
			return apply_cast(ps, &ct);
		}
	}
	if (parse_primary(ps))
		return ps->failed;
	return parse_postfix(ps);
}

/* A term plus or minus constants: arg2+16 (a typed pointer moves by
 * elements, as in C). */
static int parse_sum(struct parser *ps)
{
	int64_t n;

	if (parse_term(ps))
		return ps->failed;
	for (;;) {
		unsigned scale = 1;
		bool neg;

		skip_ws(ps);
		if (*ps->p != '+' && *ps->p != '-')
			return 0;
		if (ps->is_comm)
			return perr(ps, -EINVAL, "$comm is a string in '%s'", ps->text);
		if (load_lvalue(ps))
			return ps->failed;
		neg = *ps->p++ == '-';
		skip_ws(ps);
		if (!isdigit((unsigned char)*ps->p) || !take_number(ps, &n))
			return perr(ps, -EINVAL, "only constants can be added in '%s'", ps->text);
		if (neg)
			n = (int64_t)(0 - (uint64_t)n);
		if (ps->has_ctype && ps->ctype.kind == CTYPE_PTR && ctype__target_size(&ps->ctype))
			scale = ctype__target_size(&ps->ctype);
		else if (ps->has_ctype && ps->ctype.kind == CTYPE_ARRAY)
			ps->has_ctype = false;	/* an address, no longer the array */
		if (n && emit(ps, FOP_ADD, 8, n * (int64_t)scale))
			return ps->failed;
	}
}

static void parser_init(struct parser *ps, const char *text, const struct fetch_env *env,
			char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	ps->text = text;
	ps->p = text;
	ps->env = env;
	ps->err = err;
	ps->errlen = errlen;
	ps->last_ftrace_deref = -1;
	ps->string_object_at = -1;
	ps->type = (struct fetch_type){ FETCH_T_SIGNED, 8 };
}

static void parser_reset(struct parser *ps, const char *at)
{
	ps->p = at;
	ps->nops = 0;
	ps->last_ftrace_deref = -1;
	ps->string_object_at = -1;
	ps->kernel_mem = false;
	ps->user_mem = false;
	ps->any_mem = false;
	ps->is_comm = false;
	ps->has_ctype = false;
	ps->lvalue = false;
	ps->bit_size = 0;
	ps->ctype_why[0] = 0;
	ps->type = (struct fetch_type){ FETCH_T_SIGNED, 8 };
}

/* Where a value's slot goes. */
enum slot_kind {
	SLOT_VALUE,	/* a value asked for: the next of plan->values */
	SLOT_HIDDEN,	/* a filter's operand: in plan->values, marked hidden */
	/* An operand of a computed value: taken from the top of the data
	 * area down, out of the values' run (argdist's keys, the events'
	 * bytes), and not listed in plan->values. */
	SLOT_SCRATCH,
};

/* Room for @size bytes of kind @kind in @p, at *@off. */
static int alloc_slot(struct parser *ps, struct fetch_plan *p, unsigned size, enum slot_kind kind,
		      unsigned *off)
{
	unsigned top = p->scratch ? p->scratch : FETCH_DATA_MAX, o;

	if (kind == SLOT_SCRATCH) {
		if (size > top || (o = (top - size) & ~7u) < p->prog.data_size)
			return perr(ps, -E2BIG, "the values need more than %d bytes", FETCH_DATA_MAX);
		p->scratch = o;
	} else {
		o = (p->prog.data_size + 7) & ~7u;
		if (o + size > top)
			return perr(ps, -E2BIG, "the values need more than %d bytes", FETCH_DATA_MAX);
		p->prog.data_size = o + size;
	}
	*off = o;
	return 0;
}

/*
 * Finish an expression with type @t into plan @p: narrow the last load,
 * extend, then store (or read the string) into a new slot of kind
 * @kind, at *@off. Returns the value's index (0 for a scratch slot).
 */
static int finish_value(struct parser *ps, struct fetch_plan *p, const struct fetch_type *t,
			enum slot_kind kind, unsigned *off)
{
	struct fetch_value *v;
	unsigned slot;
	int ftrace_deref = ps->last_ftrace_deref;

	if (kind != SLOT_SCRATCH && p->nvalues >= FETCH_MAX_VALUES)
		return perr(ps, -E2BIG, "too many values (at most %d)", FETCH_MAX_VALUES);
	if (ps->is_comm) {
		if (t->vtype != FETCH_T_STRING)
			return perr(ps, -EINVAL, "$comm is a string in '%s'", ps->text);
		if (ps->nops)
			return perr(ps, -EINVAL, "$comm cannot be dereferenced in '%s'", ps->text);
	}
	if (t->vtype == FETCH_T_STRING) {
		if (t->size < 1 || t->size > FETCH_MAX_STR)
			return perr(ps, -EINVAL, "string size %u out of range (1..%d)", t->size,
				    FETCH_MAX_STR);
		/* ftrace: a string of +OFF(x) is at address x + OFF. */
		if (ftrace_deref >= 0 && ftrace_deref == ps->nops - 1)
			ps->nops--;
		/* A std::string names its characters through its first word. */
		if (ps->string_object_at >= 0 && ps->string_object_at == ps->nops &&
		    emit(ps, FOP_DEREF, 8, 0))
			return ps->failed;
		slot = ps->is_comm ? 16 : t->size;
		if (emit(ps, ps->is_comm ? FOP_COMM : FOP_STR, 0, 0))
			return ps->failed;
		ps->ops[ps->nops - 1].len = slot;
		if (ps->kernel_mem)
			ps->ops[ps->nops - 1].flags = FETCH_F_KERNEL;
	} else {
		slot = 8;
		if (t->size < 8) {
			struct fetch_op *last = ps->nops ? &ps->ops[ps->nops - 1] : NULL;
			uint8_t ext = t->vtype == FETCH_T_SIGNED ? FOP_SEXT : FOP_ZEXT;

			/* Load only the bytes asked for: the rest may be unmapped. */
			if (last && (last->code == FOP_DEREF) && last->size > t->size)
				last->size = t->size;
			/* A cast may have extended it just so already. */
			if ((!last || last->code != ext || last->size != t->size) &&
			    emit(ps, ext, t->size, 0))
				return ps->failed;
		}
		if (emit(ps, FOP_STORE, 8, 0))
			return ps->failed;
	}
	if (p->prog.nops + ps->nops > FETCH_MAX_OPS)
		return perr(ps, -E2BIG, "the expressions are too complex (more than %d operations)",
			    FETCH_MAX_OPS);
	if (alloc_slot(ps, p, slot, kind, off))
		return ps->failed;
	ps->ops[ps->nops - 1].off = *off;
	memcpy(&p->prog.ops[p->prog.nops], ps->ops, ps->nops * sizeof(ps->ops[0]));
	p->prog.nops += ps->nops;
	if (kind == SLOT_SCRATCH)
		return 0;
	v = &p->values[p->nvalues];
	v->type = *t;
	if (t->vtype == FETCH_T_STRING)
		v->type.size = slot;
	v->off = *off;
	v->hidden = kind == SLOT_HIDDEN;
	return p->nvalues++;
}

/* Parse "expr[:type]" into the parser's ops; the type into @t. */
static int compile_expr(struct parser *ps, const char *type, struct fetch_type *t)
{
	unsigned str_size = ps->env->str_size ? ps->env->str_size : FETCH_STR_DEFAULT;

	if (parse_sum(ps) || load_lvalue(ps))
		return ps->failed;
	skip_ws(ps);
	if (*ps->p == ':') {
		ps->p++;
		if (fetch_type__parse(ps->p, str_size, t))
			return perr(ps, -EINVAL, "bad type '%s' in '%s'", ps->p, ps->text);
		ps->p += strlen(ps->p);
	} else if (*ps->p == ')') {
		return perr(ps, -EINVAL, "unbalanced parentheses in '%s'", ps->text);
	} else if (*ps->p) {
		return perr(ps, -EINVAL, "syntax error at '%.20s' in '%s'", ps->p, ps->text);
	} else if (type) {
		if (parse_type(ps, type, t))
			return ps->failed;
	} else if (ps->is_comm) {
		*t = (struct fetch_type){ FETCH_T_STRING, 16 };
	} else {
		*t = ps->type;
	}
	return 0;
}

void fetch_plan__init(struct fetch_plan *p)
{
	memset(p, 0, sizeof(*p));
}

/* ---- filters and computed values ------------------------------------------------ */

/*
 * A C expression over fetched values, compiled into the stack machine
 * of pred_op: a filter (its value decides), or a computed value (its
 * value stored into a slot: $latency/1000, arg1*2+1).
 */
struct fparser {
	struct parser *ps;	/* operand compiler (its text is the whole expression) */
	struct fetch_plan *plan;
	const char *p;
	struct pred_op ops[FETCH_MAX_PRED];
	int nops;
	int sp, max_sp;
	char lits[FETCH_MAX_LIT];
	unsigned nlits;
	int depth;
	bool scratch;		/* a computed value: operands in scratch slots */
};

static void fparser_init(struct fparser *f, struct parser *ps, struct fetch_plan *plan,
			 const char *text, bool computed)
{
	f->ps = ps;
	f->plan = plan;
	f->p = text;
	f->scratch = computed;
	/* A filter compiled before leaves its value on the stack under a
	 * computed value's. */
	f->sp = f->max_sp = computed && plan->has_filter ? 1 : 0;
	memcpy(f->lits, plan->prog.lits, sizeof(f->lits));
	f->nlits = plan->nlits;
}

static int fp_emit(struct fparser *f, uint8_t code, int64_t imm, unsigned off, unsigned len)
{
	struct pred_op *op;

	if (f->nops >= FETCH_MAX_PRED)
		return perr(f->ps, -E2BIG, "'%s' is too complex", f->ps->text);
	op = &f->ops[f->nops++];
	memset(op, 0, sizeof(*op));
	op->code = code;
	op->imm = imm;
	op->off = off;
	op->len = len;
	if (code <= POP_STREQ)
		f->sp++;
	else if (code > POP_BNOT && code != POP_EXT)
		f->sp--;	/* binary operators and POP_STORE */
	if (f->sp > f->max_sp)
		f->max_sp = f->sp;
	if (f->max_sp > FETCH_PRED_STACK)
		return perr(f->ps, -E2BIG, "'%s' is nested too deeply", f->ps->text);
	return 0;
}

/* Append @f's operations and literals to its plan. */
static int fp_commit(struct fparser *f)
{
	struct fetch_plan *p = f->plan;

	if (p->prog.npred + f->nops > FETCH_MAX_PRED)
		return perr(f->ps, -E2BIG, "the filter and computed values are too complex (more "
			    "than %d operations)", FETCH_MAX_PRED);
	memcpy(&p->prog.pred[p->prog.npred], f->ops, f->nops * sizeof(f->ops[0]));
	p->prog.npred += f->nops;
	memcpy(p->prog.lits, f->lits, sizeof(f->lits));
	p->nlits = f->nlits;
	return 0;
}

static void fp_ws(struct fparser *f)
{
	while (isspace((unsigned char)*f->p))
		f->p++;
}

static bool fp_take(struct fparser *f, const char *tok)
{
	size_t n = strlen(tok);

	fp_ws(f);
	if (strncmp(f->p, tok, n))
		return false;
	/* "<" must not take the start of "<<" or "<=", and so on. */
	if (n == 1 && strchr("<>&|=!", tok[0]) && f->p[1] &&
	    (f->p[1] == '=' || (f->p[1] == tok[0] && tok[0] != '!' && tok[0] != '=')))
		return false;
	f->p += n;
	return true;
}

/*
 * Compile one operand as a hidden (or scratch) value and push it; a
 * string operand (@as_string) is only stored, at *@str_off. *is_unsigned
 * is set from its type.
 */
static int fp_operand(struct fparser *f, const char *type, bool *is_unsigned, bool as_string,
		      unsigned str_min, unsigned *str_off)
{
	struct parser *ps = f->ps;
	struct fetch_type t;
	unsigned off;
	int idx;

	parser_reset(ps, f->p);
	if (parse_term(ps) || load_lvalue(ps))
		return ps->failed;
	f->p = ps->p;
	/* An operand may carry a type: arg1:u32 == 5. */
	fp_ws(f);
	if (*f->p == ':' && f->p[1] != ':') {
		char buf[64];
		size_t n = 0;

		f->p++;
		while (n + 1 < sizeof(buf) && (is_ident(f->p[n]) || f->p[n] == ' ' || f->p[n] == '*'))
			n++;
		memcpy(buf, f->p, n);
		buf[n] = 0;
		if (fetch_type__parse(buf, ps->env->str_size, &t))
			return perr(ps, -EINVAL, "bad type '%s' in '%s'", buf, ps->text);
		f->p += n;
	} else if (ps->is_comm) {
		t = (struct fetch_type){ FETCH_T_STRING, 16 };
	} else {
		t = ps->type;
		if (type && parse_type(ps, type, &t))
			return ps->failed;
	}
	if (as_string) {
		if (t.vtype != FETCH_T_STRING)
			t = (struct fetch_type){ FETCH_T_STRING, str_min };
		if (t.size < str_min)
			t.size = str_min;
	} else if (t.vtype == FETCH_T_STRING) {
		return perr(ps, -EINVAL, "strings can only be compared with STRCMP in '%s'",
			    ps->text);
	}
	idx = finish_value(ps, f->plan, &t, f->scratch ? SLOT_SCRATCH : SLOT_HIDDEN, &off);
	if (idx < 0)
		return idx;
	*is_unsigned = t.vtype != FETCH_T_SIGNED;
	if (as_string) {
		*str_off = off;
		return 0;
	}
	return fp_emit(f, POP_SLOT, 0, off, 0);
}

/*
 * The next operand as one fetched value (a cast, a member through a
 * cast pointer, (arg1 + 8)): 0 when it is one, 1 when it is not (nothing
 * consumed: a parenthesized expression), or an error that no other
 * reading could avoid.
 */
static int fp_try_operand(struct fparser *f, bool *u)
{
	struct parser *ps = f->ps;
	const char *save = f->p;
	int depth = ps->depth;

	if (!fp_operand(f, NULL, u, false, 0, NULL))
		return 0;
	if (ps->failed == -E2BIG || ps->failed == -ENOMEM)
		return ps->failed;
	ps->failed = 0;
	ps->err[0] = 0;
	ps->depth = depth;
	f->p = save;
	return 1;
}

static int fp_or(struct fparser *f, bool *u);

/* bcc trace -B: a literal that is a byte list, "{0x6c, 0x00}", into
 * @out; its length, or -1 when it is not one. */
static int byte_list(const char *s, size_t n, char *out, size_t max)
{
	size_t k = 0, i = 1;

	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		return -1;
	while (i < n - 1) {
		char *end;
		unsigned long b;

		while (i < n - 1 && (isspace((unsigned char)s[i]) || s[i] == ','))
			i++;
		if (i >= n - 1)
			break;
		if (!isdigit((unsigned char)s[i]))
			return -1;
		errno = 0;
		b = strtoul(s + i, &end, 0);
		if (errno || b > 255 || end > s + n - 1 || k >= max)
			return -1;
		out[k++] = (char)b;
		i = end - s;
	}
	return k ? (int)k : -1;
}

/* STRCMP("literal", expr) */
static int fp_strcmp(struct fparser *f)
{
	char bytes[FETCH_MAX_LIT];
	const char *q, *src;
	unsigned n, lit, off, cmp;
	int nbytes = -1;
	bool u;

	fp_ws(f);
	if (*f->p != '(' )
		return perr(f->ps, -EINVAL, "STRCMP needs parentheses in '%s'", f->ps->text);
	f->p++;
	fp_ws(f);
	if (*f->p != '"')
		return perr(f->ps, -EINVAL, "STRCMP's first argument must be a \"string\" in '%s'",
			    f->ps->text);
	q = strchr(f->p + 1, '"');
	if (!q)
		return perr(f->ps, -EINVAL, "unterminated string in '%s'", f->ps->text);
	n = q - (f->p + 1);
	src = f->p + 1;
	if (f->ps->env->bin_cmp)
		nbytes = byte_list(src, n, bytes, sizeof(bytes));
	if (nbytes >= 0) {
		/* Raw bytes, compared whole: no NUL after them. */
		src = bytes;
		n = nbytes;
		cmp = n;
	} else {
		cmp = n + 1;
	}
	if (f->nlits + cmp > FETCH_MAX_LIT)
		return perr(f->ps, -E2BIG, "string literals of '%s' are too long (at most %d bytes)",
			    f->ps->text, FETCH_MAX_LIT - 1);
	lit = f->nlits;
	memcpy(f->lits + lit, src, n);
	if (cmp > n)
		f->lits[lit + n] = 0;
	f->nlits += cmp;
	f->p = q + 1;
	if (!fp_take(f, ","))
		return perr(f->ps, -EINVAL, "STRCMP takes two arguments in '%s'", f->ps->text);
	/* One byte more than the literal: a longer string read into a slot of
	 * exactly its size would be cut to look equal. */
	if (fp_operand(f, NULL, &u, true, n + 2, &off))
		return f->ps->failed;
	if (nbytes >= 0) {
		/* Read exactly the bytes compared, NULs and all. */
		struct fetch_op *op = &f->plan->prog.ops[f->plan->prog.nops - 1];

		op->flags |= FETCH_F_RAW;
		op->len = n;
	}
	if (!fp_take(f, ")"))
		return perr(f->ps, -EINVAL, "unbalanced parentheses in '%s'", f->ps->text);
	return fp_emit(f, POP_STREQ, lit, off, cmp);
}

static int fp_unary(struct fparser *f, bool *u)
{
	struct parser *ps = f->ps;
	struct ctype ct;
	int64_t n;
	int ret;

	fp_ws(f);
	if (ps->failed)
		return ps->failed;
	if (++f->depth > MAX_DEPTH * 2)
		return perr(ps, -EINVAL, "'%s' is nested too deeply", ps->text);
	if (*f->p == '!' && f->p[1] != '=') {
		f->p++;
		if (fp_unary(f, u))
			return ps->failed;
		*u = false;
		f->depth--;
		return fp_emit(f, POP_NOT, 0, 0, 0);
	}
	if (*f->p == '~') {
		f->p++;
		if (fp_unary(f, u))
			return ps->failed;
		f->depth--;
		return fp_emit(f, POP_BNOT, 0, 0, 0);
	}
	/* "-N(" is a memory reference; "-x" a negation. */
	if (*f->p == '-' && !isdigit((unsigned char)f->p[1])) {
		f->p++;
		if (fp_unary(f, u))
			return ps->failed;
		*u = false;
		f->depth--;
		return fp_emit(f, POP_NEG, 0, 0, 0);
	}
	if (*f->p == '(') {
		/* One fetched value if it reads as one; else a cast of, or, a
		 * parenthesized expression, computed here. */
		ret = fp_try_operand(f, u);
		if (ret <= 0) {
			f->depth--;
			return ret;
		}
		parser_reset(ps, f->p);
		ret = try_cast(ps, &ct);
		if (ret < 0)
			return ret;
		if (ret > 0) {
			f->p = ps->p;
			if (fp_unary(f, u))
				return ps->failed;
			f->depth--;
			if (ct.kind == CTYPE_PTR || (ct.kind == CTYPE_VOID && ps->env->names_later)) {
				*u = true;
				return 0;
			}
			if ((ct.kind != CTYPE_INT && ct.kind != CTYPE_ENUM) ||
			    (ct.size != 1 && ct.size != 2 && ct.size != 4 && ct.size != 8))
				return perr(ps, -EINVAL, "cannot cast to '%s' in '%s': only to integers "
					    "and pointers", ct.name, ps->text);
			*u = !ct.is_signed;
			return ct.size < 8 ? fp_emit(f, POP_EXT, ct.is_signed, 0, ct.size) : 0;
		}
		f->p++;
		if (fp_or(f, u))
			return ps->failed;
		if (!fp_take(f, ")"))
			return perr(ps, -EINVAL, "unbalanced parentheses in '%s'", ps->text);
		f->depth--;
		return 0;
	}
	if (!strncmp(f->p, "STRCMP", 6) && !is_ident(f->p[6])) {
		f->p += 6;
		*u = false;
		f->depth--;
		return fp_strcmp(f);
	}
	if (*f->p == '"')
		return perr(ps, -EINVAL, "strings can only be compared with STRCMP in '%s'",
			    ps->text);
	/* A plain number is an immediate; "8(...)" and "+8(...)" are memory. */
	if (isdigit((unsigned char)*f->p) || *f->p == '-' || *f->p == '+') {
		const char *save = f->p;

		ps->p = f->p;
		if (take_number(ps, &n)) {
			const char *after = ps->p;

			while (isspace((unsigned char)*after))
				after++;
			if (*after != '(') {
				f->p = ps->p;
				*u = false;
				f->depth--;
				return fp_emit(f, POP_IMM, n, 0, 0);
			}
		}
		if (ps->failed)
			return ps->failed;
		f->p = save;
	}
	f->depth--;
	return fp_operand(f, NULL, u, false, 0, NULL);
}

struct binop {
	const char *tok;
	uint8_t code, ucode;
};

/* One precedence level of left-associative binary operators. */
static int fp_level(struct fparser *f, int level, bool *u);

static const struct binop levels[][5] = {
	{ { "||", POP_OR, POP_OR } },
	{ { "&&", POP_AND, POP_AND } },
	{ { "|", POP_BOR, POP_BOR } },
	{ { "^", POP_BXOR, POP_BXOR } },
	{ { "&", POP_BAND, POP_BAND } },
	{ { "==", POP_EQ, POP_EQ }, { "!=", POP_NE, POP_NE } },
	{ { "<=", POP_LE, POP_LEU }, { ">=", POP_GE, POP_GEU }, { "<", POP_LT, POP_LTU },
	  { ">", POP_GT, POP_GTU } },
	{ { "<<", POP_SHL, POP_SHL }, { ">>", POP_SAR, POP_SHR } },
	{ { "+", POP_ADD, POP_ADD }, { "-", POP_SUB, POP_SUB } },
	{ { "*", POP_MUL, POP_MUL }, { "/", POP_DIV, POP_DIVU }, { "%", POP_MOD, POP_MODU } },
};
#define NLEVELS ((int)(sizeof(levels) / sizeof(levels[0])))

static int fp_level(struct fparser *f, int level, bool *u)
{
	bool ur;

	if (level == NLEVELS)
		return fp_unary(f, u);
	if (fp_level(f, level + 1, u))
		return f->ps->failed;
	for (;;) {
		const struct binop *op = NULL;

		for (int i = 0; i < 5 && levels[level][i].tok; i++) {
			if (fp_take(f, levels[level][i].tok)) {
				op = &levels[level][i];
				break;
			}
		}
		if (!op)
			return 0;
		if (fp_level(f, level + 1, &ur))
			return f->ps->failed;
		/* Shifts take the left operand's sign, the others either's. */
		if (op->code == POP_SHL || op->code == POP_SAR)
			ur = *u;
		if (fp_emit(f, *u || ur ? op->ucode : op->code, 0, 0, 0))
			return f->ps->failed;
		/* Comparisons and logic give 0 or 1; arithmetic keeps the sign. */
		*u = op->code >= POP_ADD ? (*u || ur) : false;
	}
}

static int fp_or(struct fparser *f, bool *u)
{
	return fp_level(f, 0, u);
}

/* The errors of a value's first reading (fetched whole) that a computed
 * reading may avoid: arithmetic the fetch operations do not do. */
static bool is_shape_error(const char *msg)
{
	return strstr(msg, "syntax error") || strstr(msg, "only constants can be added") ||
	       strstr(msg, "unbalanced parentheses");
}

/*
 * Compile @expr as a computed value: its operands fetched into scratch
 * slots, its arithmetic run after the fetch by the filter machine, its
 * result stored into the next value's slot. Returns the value's index.
 */
static int compile_computed(struct fetch_plan *p, const char *expr, const char *type,
			    const struct fetch_env *env, char *err, size_t errlen)
{
	struct fetch_plan *saved = malloc(sizeof(*saved));
	struct parser *ps = calloc(1, sizeof(*ps));
	struct fparser *f = calloc(1, sizeof(*f));
	unsigned str_size = env->str_size ? env->str_size : FETCH_STR_DEFAULT, off = 0;
	struct fetch_value *v;
	struct fetch_type t = { FETCH_T_SIGNED, 8 };
	bool u = false;
	int ret;

	if (!saved || !ps || !f) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	*saved = *p;
	parser_init(ps, expr, env, err, errlen);
	fparser_init(f, ps, p, expr, true);
	ret = fp_or(f, &u);
	if (!ret) {
		fp_ws(f);
		if (*f->p == ':') {
			if (fetch_type__parse(f->p + 1, str_size, &t))
				ret = perr(ps, -EINVAL, "bad type '%s' in '%s'", f->p + 1, expr);
		} else if (*f->p == ')') {
			ret = perr(ps, -EINVAL, "unbalanced parentheses in '%s'", expr);
		} else if (*f->p) {
			ret = perr(ps, -EINVAL, "syntax error at '%.20s' in '%s'", f->p, expr);
		} else if (type) {
			ret = parse_type(ps, type, &t);
		} else {
			t = (struct fetch_type){ u ? FETCH_T_UNSIGNED : FETCH_T_SIGNED, 8 };
		}
	}
	if (!ret && t.vtype == FETCH_T_STRING)
		ret = perr(ps, -EINVAL, "'%s' is a number, not a string", expr);
	if (!ret && p->nvalues >= FETCH_MAX_VALUES)
		ret = perr(ps, -E2BIG, "too many values (at most %d)", FETCH_MAX_VALUES);
	if (!ret && t.size < 8)
		ret = fp_emit(f, POP_EXT, t.vtype == FETCH_T_SIGNED, 0, t.size);
	if (!ret)
		ret = alloc_slot(ps, p, 8, SLOT_VALUE, &off);
	if (!ret)
		ret = fp_emit(f, POP_STORE, 0, off, 0);
	if (!ret)
		ret = fp_commit(f);
	if (ret) {
		*p = *saved;
		goto out;
	}
	v = &p->values[p->nvalues];
	v->type = t;
	v->off = off;
	v->hidden = false;
	ret = p->nvalues++;
out:
	free(saved);
	free(ps);
	free(f);
	return ret;
}

int fetch_plan__add(struct fetch_plan *p, const char *expr, const char *type,
		    const struct fetch_env *env, char *err, size_t errlen)
{
	struct parser *ps = calloc(1, sizeof(*ps));
	char *first = malloc(errlen ? errlen : 1);
	struct fetch_type t;
	unsigned off;
	int ret;

	if (!ps || !first) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	parser_init(ps, expr, env, err, errlen);
	if (strlen(expr) > MAX_EXPR_LEN)
		ret = perr(ps, -EINVAL, "expression too long");
	else if (!*expr)
		ret = perr(ps, -EINVAL, "empty expression");
	else if (!(ret = compile_expr(ps, type, &t)))
		ret = finish_value(ps, p, &t, SLOT_VALUE, &off);
	else if (ret == -EINVAL) {
		/* Not one fetched value: arithmetic over several. The first
		 * reading's error stands unless it was about the arithmetic. */
		snprintf(first, errlen, "%s", err);
		ret = compile_computed(p, expr, type, env, err, errlen);
		if (ret < 0 && !is_shape_error(first))
			snprintf(err, errlen, "%s", first);
	}
out:
	free(first);
	free(ps);
	return ret;
}

int fetch_plan__set_filter(struct fetch_plan *p, const char *expr, const struct fetch_env *env,
			   char *err, size_t errlen)
{
	struct fetch_plan *saved = malloc(sizeof(*saved));
	struct parser *ps = calloc(1, sizeof(*ps));
	struct fparser *f = calloc(1, sizeof(*f));
	bool u;
	int ret;

	if (!saved || !ps || !f) {
		snprintf(err, errlen, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	*saved = *p;
	parser_init(ps, expr, env, err, errlen);
	fparser_init(f, ps, p, expr, false);
	if (strlen(expr) > MAX_EXPR_LEN) {
		ret = perr(ps, -EINVAL, "filter too long");
	} else if (p->has_filter) {
		ret = perr(ps, -EINVAL, "only one filter per probe");
	} else if (!(ret = fp_or(f, &u))) {
		fp_ws(f);
		if (*f->p == ')')
			ret = perr(ps, -EINVAL, "unbalanced parentheses in '%s'", expr);
		else if (*f->p)
			ret = perr(ps, -EINVAL, "syntax error at '%.20s' in filter '%s'", f->p, expr);
	}
	if (!ret)
		ret = fp_commit(f);
	if (ret) {
		*p = *saved;
		goto out;
	}
	p->has_filter = true;
out:
	free(saved);
	free(ps);
	free(f);
	return ret;
}

/* ---- reading values ----------------------------------------------------------- */

uint64_t fetch_value__u64(const struct fetch_value *v, const void *data, size_t len)
{
	uint64_t x;

	if (v->type.vtype == FETCH_T_STRING || v->off + 8 > len)
		return 0;
	memcpy(&x, (const char *)data + v->off, 8);
	return x;
}

int64_t fetch_value__s64(const struct fetch_value *v, const void *data, size_t len)
{
	return (int64_t)fetch_value__u64(v, data, len);
}

const char *fetch_value__str(const struct fetch_value *v, const void *data, size_t len,
			     char *buf, size_t buflen)
{
	size_t n = 0;

	if (!buflen)
		return buf;
	if (v->type.vtype == FETCH_T_STRING && v->off < len) {
		const char *s = (const char *)data + v->off;
		size_t max = len - v->off;

		if (max > v->type.size)
			max = v->type.size;
		while (n < max && n + 1 < buflen && s[n])
			n++;
		memcpy(buf, s, n);
	}
	buf[n] = 0;
	return buf;
}

int fetch_value__format(const struct fetch_value *v, const void *data, size_t len, bool quote,
			char *buf, size_t buflen)
{
	char s[FETCH_MAX_STR + 1];

	switch (v->type.vtype) {
	case FETCH_T_STRING:
		fetch_value__str(v, data, len, s, sizeof(s));
		return snprintf(buf, buflen, quote ? "\"%s\"" : "%s", s);
	case FETCH_T_SIGNED:
		return snprintf(buf, buflen, "%" PRId64, fetch_value__s64(v, data, len));
	case FETCH_T_UNSIGNED:
		return snprintf(buf, buflen, "%" PRIu64, fetch_value__u64(v, data, len));
	case FETCH_T_HEX:
		return snprintf(buf, buflen, "0x%" PRIx64, fetch_value__u64(v, data, len));
	}
	return snprintf(buf, buflen, "?");
}

/* @v narrowed to @size bytes, sign-extended if @sign. */
static int64_t pred_ext(int64_t v, unsigned size, bool sign)
{
	switch (size) {
	case 1: return sign ? (int64_t)(int8_t)v : (int64_t)(uint8_t)v;
	case 2: return sign ? (int64_t)(int16_t)v : (int64_t)(uint16_t)v;
	case 4: return sign ? (int64_t)(int32_t)v : (int64_t)(uint32_t)v;
	default: return v;
	}
}

bool fetch_prog__pred(const struct fetch_prog *p, void *data, size_t len)
{
	uint8_t *d = data;
	int64_t st[FETCH_PRED_STACK], a, b, r;
	unsigned sp = 0;

	if (!p->npred)
		return true;
	for (unsigned i = 0; i < p->npred && i < FETCH_MAX_PRED; i++) {
		const struct pred_op *op = &p->pred[i];

		if (op->code <= POP_STREQ) {
			if (sp >= FETCH_PRED_STACK)
				return true;
			r = 0;
			if (op->code == POP_SLOT && op->off + 8u <= len)
				memcpy(&r, d + op->off, 8);
			else if (op->code == POP_IMM)
				r = op->imm;
			else if (op->code == POP_STREQ)
				r = op->off + (size_t)op->len <= len && op->imm >= 0 &&
				    op->imm + op->len <= FETCH_MAX_LIT &&
				    !memcmp(d + op->off, p->lits + op->imm, op->len);
			st[sp++] = r;
			continue;
		}
		if (op->code <= POP_BNOT || op->code == POP_EXT) {
			if (!sp)
				return true;
			a = st[sp - 1];
			st[sp - 1] = op->code == POP_NOT ? !a : op->code == POP_NEG ?
				     (int64_t)(0 - (uint64_t)a) : op->code == POP_BNOT ? ~a :
				     pred_ext(a, op->len, op->imm);
			continue;
		}
		if (op->code == POP_STORE) {
			if (!sp)
				return true;
			a = st[--sp];
			if (op->off + 8u <= len)
				memcpy(d + op->off, &a, 8);
			continue;
		}
		if (sp < 2)
			return true;
		b = st[sp - 1];
		a = st[sp - 2];
		r = fetch_op_binary(op->code, a, b);
		st[--sp - 1] = r;
	}
	return sp ? st[sp - 1] != 0 : true;
}
