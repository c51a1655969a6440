/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * syms: the symbolizer. Turns (pid, address) into module, function,
 * offset and optionally source lines and inline frames.
 *
 * - Per-process module maps from /proc/PID/maps, taken with
 *   syms__snapshot() when a stack is captured or at the latest when the
 *   process exits, so stacks of exited processes still resolve.
 * - Modules opened through /proc/PID/map_files/ or /proc/PID/root (other
 *   mount namespaces, deleted or replaced files).
 * - One symbol table per module, shared by every process mapping it,
 *   keyed by build-id (else device + inode); sorted arrays and binary
 *   search; each C++ name demangled once, lazily.
 * - Symbol sources in order: .symtab, the separate debug file (build-id,
 *   .gnu_debuglink), MiniDebugInfo, .dynsym (common/elf.c does that).
 * - Kernel addresses from /proc/kallsyms, loaded once.
 * - vDSO: symbols read from the process's [vdso] mapping.
 */
#ifndef COTRACE_SYMS_H
#define COTRACE_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	SYMS_F_DEMANGLE = 1 << 0,	/* demangle C++ names (default in tools) */
	SYMS_F_LINES = 1 << 1,		/* source lines and inline frames through libdw */
};

/* One resolved frame. Strings are borrowed from the syms object and stay
 * valid until syms__free(). */
struct sym_frame {
	const char *name;	/* function name (demangled with SYMS_F_DEMANGLE), or NULL */
	const char *symbol;	/* the name as the file has it (mangled, maybe with a
				 * "@VERSION"), or NULL when unknown */
	uint64_t offset;	/* address - function start */
	const char *module;	/* module path as the process maps it, "[kernel]", or NULL */
	uint64_t module_offset;	/* file offset of the address in the module */
	const char *build_id;	/* the module's GNU build-id in hex, or NULL */
	const char *file;	/* source file with SYMS_F_LINES, or NULL */
	unsigned line;
	bool inlined;		/* an inline frame inside the next frame */
	bool interp;		/* a frame of an interpreted language (Python): no offset */
};

struct syms;
struct elf_file;

/* A symbolizer. NULL and errno on failure. */
struct syms *syms__new(unsigned flags);
void syms__free(struct syms *s);

/*
 * Read /proc/PID/maps of @pid now and keep it (replacing an older
 * snapshot only if the maps changed). Returns 0 or a negative errno
 * (-ESRCH when the process is gone and no snapshot exists).
 */
int syms__snapshot(struct syms *s, pid_t pid);

/*
 * The same from @lines, the executable lines of /proc/PID/maps of @pid
 * read by the caller (procmaps__read_exec()): one read of the maps for
 * the symbolizer and the unwind tables. Returns 0 or a negative errno.
 */
int syms__snapshot_lines(struct syms *s, pid_t pid, const char *lines);

/*
 * Resolve user address @addr of @pid (snapshot taken on demand if there
 * is none). Fills @frames with up to @max frames, innermost first (more
 * than one only with inline frames and SYMS_F_LINES); returns the number
 * filled (>= 1: a frame with name == NULL and module set when only the
 * module is known, module == NULL too when nothing is known), or a
 * negative errno.
 */
int syms__resolve_user(struct syms *s, pid_t pid, uint64_t addr, struct sym_frame *frames,
		       size_t max);

/*
 * Resolve file offset @offset of the module file at @path, without a
 * process (benchmarks, tests, raw offsets). The module is opened once per
 * path (a file replaced later under the same path is not noticed) and
 * shared with processes mapping the same file. Frames as for
 * syms__resolve_user(), module == @path (interned). Returns the number of
 * frames or a negative errno (-ENOENT, -ENOEXEC... when @path cannot be
 * opened as an ELF file).
 */
int syms__resolve_file(struct syms *s, const char *path, uint64_t offset,
		       struct sym_frame *frames, size_t max);

/*
 * Adopt the opened file @ef (owned from now on, freed on failure too) as
 * a module named @name (the path as a process maps it, or "[vdso]"):
 * files with one build-id share one symbol table. For frames identified
 * at the event by file and offset (CFI walks), which resolve after the
 * process is gone. Returns the module's id (>= 0) or a negative errno.
 */
int syms__add_module(struct syms *s, struct elf_file *ef, const char *name);

/* The ELF file of module @id (borrowed; NULL: none, or it could not be read). */
struct elf_file *syms__module_elf(struct syms *s, int id);

/*
 * Resolve file offset @offset in module @id of syms__add_module(); frames
 * as for syms__resolve_user(). Returns the number of frames, or -ENOENT
 * for an unknown id.
 */
int syms__resolve_module(struct syms *s, int id, uint64_t offset, struct sym_frame *frames,
			 size_t max);

/*
 * The address where process @pid maps file offset @offset of module @id,
 * from the process's last snapshot (syms__snapshot()): into *@addr.
 * Returns 0, or -ENOENT when no snapshot of @pid maps that module there.
 */
int syms__module_address(struct syms *s, pid_t pid, int id, uint64_t offset, uint64_t *addr);

/*
 * Parse one line of /proc/kallsyms ("ffffffff81000000 T _stext\t[mod]",
 * no newline) in place: the name is NUL-terminated inside @line and
 * *@name points into it (borrowed from @line). Returns 0 for a function
 * symbol (type t, T, w or W), -ENOENT for another symbol type, -EINVAL
 * for a malformed line.
 */
int kallsyms__parse_line(char *line, uint64_t *addr, char *type, char **name);

/* Resolve kernel address @addr through /proc/kallsyms. Returns 1 or a
 * negative errno (0 frames when kallsyms hides addresses). */
int syms__resolve_kernel(struct syms *s, uint64_t addr, struct sym_frame *frame);

/*
 * Format @f as text: "name", "name+0x1a" with @offsets, "libfoo.so+0x1234"
 * (module basename + file offset) when the function is unknown,
 * "[unknown]" when even the module is;
 * with SYMS_F_LINES " (file:line)" is appended. Returns the length like
 * snprintf.
 */
int sym_frame__format(const struct sym_frame *f, bool offsets, char *buf, size_t len);

#endif
