/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * python: Python frames in user stacks, the user-space half of
 * bpf/lib/python.bpf.h. It recognises CPython 3.11 interpreters among
 * the files the unwinder opens (a python3.11 executable, a libpython, a
 * program that links one in), finds the offsets of the structures the
 * BPF side reads (the interpreter's DWARF, else a table of known builds),
 * tells the BPF side about each process that runs one (py_procs), and
 * names the Python frames of the stacks it returns: "module.qualname",
 * the file, and the line from the code object's line table.
 */
#ifndef COTRACE_PYTHON_H
#define COTRACE_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpf_object;
struct elf_file;
struct python;
struct sym_frame;

/* The --no-python option's help line, for every stack tool's usage text. */
#define PYTHON_HELP \
"      --no-python        keep CPython's evaluation loop as native frames instead\n" \
"                         of the Python functions it runs\n"

/*
 * Between open and load: size the maps of bpf/lib/python.bpf.h in @obj
 * for Python frames (@on), else to one entry each. Returns 0 or a
 * negative errno.
 */
int python__size(struct bpf_object *obj, bool on);

/* Is @obj sized for Python frames (python__size() with @on)? */
bool python__sized(struct bpf_object *obj);

/*
 * After load: take over the maps of @obj (borrowed). Messages go to
 * stderr as "@tool: ..." (borrowed): an interpreter that cannot be read
 * is said once; with @verbose, every interpreter recognised too. NULL and
 * errno on failure.
 */
struct python *python__new(struct bpf_object *obj, const char *tool, bool verbose);
void python__free(struct python *py);

/*
 * The file @ef (borrowed), mapped as @name: a CPython interpreter we can
 * read? Returns its index (>= 0) for python__set_process(), or -1.
 */
int python__add_file(struct python *py, const struct elf_file *ef, const char *name);

/*
 * Process @pid maps interpreter @interp (python__add_file()) as the file
 * of frame id @file_id, its code at address = file offset + @bias: tell
 * the BPF side. Returns 0 or a negative errno.
 */
int python__set_process(struct python *py, pid_t pid, int interp, uint32_t file_id,
			uint64_t bias);

/* Process @pid runs no interpreter (any more). */
void python__clear_process(struct python *py, pid_t pid);

/*
 * Process @pid has exited: python__clear_process(), and its code
 * objects' entries in the BPF table are named in user space and deleted
 * at the next python__drop_gone() (frames already counted keep their
 * names; the table makes room for the next processes').
 */
void python__process_gone(struct python *py, pid_t pid);
void python__drop_gone(struct python *py);

/*
 * Name the Python frame @ip (PY_FRAME_IS()) into @f: name "module.qualname",
 * file, line; strings borrowed from @py. Returns 1, or 0 when the code
 * object is unknown.
 */
int python__resolve(struct python *py, uint64_t ip, struct sym_frame *f);

/*
 * The line of the instruction at byte offset @addr in a CPython 3.11
 * location table (co_linetable, @len bytes) of a code object starting at
 * line @firstlineno; -1 when @addr is past the table or has no line.
 */
int python__line(const uint8_t *lt, size_t len, int firstlineno, int addr);

#endif
