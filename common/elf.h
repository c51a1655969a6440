/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * elf: read function symbols, program headers, build-id and USDT notes of
 * one ELF file. Files are untrusted input: every offset is bounds-checked.
 */
#ifndef COTRACE_ELF_H
#define COTRACE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a symbol was found; lower values are preferred. */
enum elf_sym_source {
	ELF_SRC_SYMTAB = 0,	/* .symtab of the file itself */
	ELF_SRC_DEBUGFILE,	/* .symtab of the separate debug file */
	ELF_SRC_MINIDEBUG,	/* .symtab inside .gnu_debugdata (xz) */
	ELF_SRC_DYNSYM,		/* .dynsym */
};

struct elf_sym {
	const char *name;	/* mangled name; owned by the elf_file */
	uint64_t vaddr;		/* st_value (link-time virtual address) */
	uint64_t size;
	uint8_t type;		/* STT_FUNC or STT_GNU_IFUNC */
	uint8_t bind;		/* STB_GLOBAL, STB_LOCAL, STB_WEAK */
	uint8_t source;		/* enum elf_sym_source */
	bool alias;		/* another symbol at the same vaddr comes first */
};

struct usdt_note {
	const char *provider;	/* owned by the elf_file */
	const char *name;
	const char *args;	/* argument spec, e.g. "-4@-4(%rbp) 8@%rax" */
	uint64_t pc;		/* probe address, already adjusted for .stapsdt.base prelink */
	uint64_t base;		/* .stapsdt.base address from the note */
	uint64_t semaphore;	/* semaphore vaddr, 0 if none */
	uint64_t pc_offset;	/* file offset of pc (0 if not in a PT_LOAD) */
	uint64_t sema_offset;	/* file offset of semaphore (0 if none) */
};

struct elf_file;

/*
 * Open @path and read its headers. Returns NULL and sets errno:
 * ENOENT/EACCES... from open(), ENOEXEC if the file is not an ELF file,
 * EINVAL if it is truncated or corrupt, ENOTSUP for a class or machine
 * other than the host's. Also EISDIR for a directory, and ENOEXEC for an
 * ELF file that is neither ET_EXEC nor ET_DYN (object files, core dumps).
 * The file descriptor is kept open until free.
 */
struct elf_file *elf_file__open(const char *path);
/*
 * Like elf_file__open() for an image in memory (fuzzing, tests, an ELF
 * file embedded in another). @buf is copied into a memfd, which then
 * stands for the file; @name (may be NULL) serves as the path, including
 * for the .gnu_debuglink search. Same errno contract.
 */
struct elf_file *elf_file__open_mem(const void *buf, size_t len, const char *name);

/*
 * The vDSO image of process @pid, mapped at [@start, @end), read from its
 * memory (/proc/PID/mem) into elf_file__open_mem() as "[vdso]". NULL when
 * it cannot be read or is larger than a vDSO can be (1 MiB).
 */
struct elf_file *elf_file__open_vdso(pid_t pid, uint64_t start, uint64_t end);
void elf_file__free(struct elf_file *ef);

/*
 * The ELF class (ELFCLASS32 or ELFCLASS64) and machine (EM_386,
 * EM_X86_64...) of the file at @path, from its header alone: any ELF
 * file, whatever its class or machine (elf_file__open() takes only the
 * host's). Returns 0, -ENOEXEC if it is not an ELF file, or another
 * negative errno.
 */
int elf__machine(const char *path, int *elf_class, int *machine);

/*
 * The name of an ELF class and machine for messages: "x86-64", "i386
 * (32-bit)", "x32 (32-bit)", else "machine N (32-bit)" and the like.
 * Returns @buf.
 */
const char *elf__machine_name(int elf_class, int machine, char *buf, size_t len);

/* The path given to open (borrowed). */
const char *elf_file__path(const struct elf_file *ef);
/* True if @ef was opened from the file @dev:@ino (false for an image in memory). */
bool elf_file__is_file(const struct elf_file *ef, dev_t dev, ino_t ino);
/* ET_EXEC or ET_DYN. */
int elf_file__type(const struct elf_file *ef);
/* True if the file looks like a Go binary (.go.buildinfo or .gopclntab). */
bool elf_file__is_go(const struct elf_file *ef);
/*
 * The Go toolchain version that built the file ("go1.19.8"), from its
 * .go.buildinfo section, into @buf of @len bytes (cut to fit). Returns
 * 0, -ENOENT when the file has no such section, or -EINVAL when the
 * section cannot be read as build information.
 */
int elf_file__go_version(const struct elf_file *ef, char *buf, size_t len);

/*
 * Copy the GNU build-id into @buf (at most @len bytes). Returns its length,
 * or -ENOENT if the file has none.
 */
int elf_file__build_id(const struct elf_file *ef, uint8_t *buf, size_t len);

/*
 * Load function symbols (STT_FUNC and STT_GNU_IFUNC with a nonzero
 * address, defined in a section) from every source: .symtab, else the
 * separate debug file (build-id under @debug_root/usr/lib/debug/.build-id/,
 * then .gnu_debuglink next to the file, in .debug/, and under
 * /usr/lib/debug), MiniDebugInfo, and .dynsym always (it may hold names
 * .symtab lacks). The debug file is used only when the file has no .symtab,
 * and MiniDebugInfo only when neither gave symbols. A separate debug file
 * found by build-id must carry the same build-id; one found by debuglink
 * must match its CRC32; candidates that do not are skipped. A corrupt
 * .symtab, .dynsym, .gnu_debuglink or .gnu_debugdata of the file itself
 * fails with -EINVAL (-EFBIG if .gnu_debugdata expands past 256 MiB).
 * Symbols with the same name and vaddr from several sources are kept once.
 * Symbols are sorted by vaddr, then by preference (source,
 * global before weak before local, then name); every symbol after the first
 * at one vaddr has alias=true. @debug_root is "" or NULL for the host.
 * Idempotent. Returns 0 or a negative errno.
 */
int elf_file__load_symbols(struct elf_file *ef, const char *debug_root);

/* The loaded symbols (borrowed; valid until free). */
const struct elf_sym *elf_file__symbols(const struct elf_file *ef, size_t *count);

/* The path of the separate debug file used, or NULL (borrowed). */
const char *elf_file__debug_path(const struct elf_file *ef);

/*
 * Translate a link-time virtual address into a file offset through the
 * PT_LOAD program headers. Returns 0 or -ENOENT if no PT_LOAD holds it
 * in its file-backed part (p_filesz; .bss has no file offset).
 */
int elf_file__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *offset);
/* The reverse, for raw offsets given by the user (an executable segment
 * wins where segments share file bytes). 0 or -ENOENT. */
int elf_file__offset_to_vaddr(const struct elf_file *ef, uint64_t offset, uint64_t *vaddr);

/*
 * Copy up to @len bytes of file content at file @offset into @buf. Returns
 * the number of bytes copied (short at end of file) or a negative errno.
 */
ssize_t elf_file__read(const struct elf_file *ef, uint64_t offset, void *buf, size_t len);

/*
 * True if file @offset lies in the file-backed part of a PT_LOAD segment
 * that is executable (PF_X): only there is a breakpoint not data.
 */
bool elf_file__is_exec_offset(const struct elf_file *ef, uint64_t offset);

/*
 * The allocated section whose file bytes hold @offset (a section of code,
 * SHF_EXECINSTR, where several do): its name in *@name (borrowed; "?" if
 * unnamed) and whether it holds code in *@code. Returns 0, -ENOENT if no
 * section holds it, -ENODATA if the file has no section headers, -EINVAL
 * for corrupt ones.
 */
int elf_file__section_at_offset(const struct elf_file *ef, uint64_t offset, const char **name,
				bool *code);

/*
 * For the IFUNC whose resolver is at @resolver_vaddr, find the GOT slot
 * that the dynamic loader fills with the implementation it chose: an
 * R_X86_64_IRELATIVE relocation (in .rela.dyn or .rela.plt) whose addend
 * is the resolver. glibc calls its own IFUNCs through such slots, bound at
 * load time. Returns 0 and the slot's vaddr, or -ENOENT.
 */
int elf_file__irelative_slot(const struct elf_file *ef, uint64_t resolver_vaddr, uint64_t *slot);

/*
 * Parse the .note.stapsdt notes. Returns 0 and the notes (borrowed; valid
 * until free), or a negative errno for a corrupt note section. A file
 * without notes returns 0 and *count == 0.
 */
int elf_file__usdt_notes(struct elf_file *ef, const struct usdt_note **notes, size_t *count);

#endif
