// SPDX-License-Identifier: GPL-2.0-only
/*
 * elf: function symbols, segments, build-id and USDT notes of one ELF file.
 *
 * Every file is untrusted. libelf checks that section data lies inside the
 * file; on top of that we check section sizes against the file size when the
 * file is opened, every string index against its string table, every note
 * header against its section, and cap what we decompress.
 */
#include "common/elf.h"
#include "common/procpath.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#ifndef NT_STAPSDT
#define NT_STAPSDT 3
#endif

/* A MiniDebugInfo section may not expand beyond this. */
#define MINIDEBUG_MAX_SIZE	(256ULL << 20)
/* Memory liblzma may use for its dictionary while decoding. */
#define MINIDEBUG_MEMLIMIT	(128ULL << 20)
#define BUILD_ID_MAX		64
#define CRC_BUF_SIZE		(64 * 1024)

/* Strings copied out of files that are closed again (debug file, xz). */
struct str_blob {
	struct str_blob *next;
	char data[];
};

struct elf_file {
	char *path;
	int fd;
	uint64_t size;		/* file size */
	dev_t dev;
	ino_t ino;
	Elf *elf;
	int type;
	bool is_go;
	/* .go.buildinfo: file offset and size; size 0 when absent. */
	uint64_t buildinfo_off, buildinfo_size;

	GElf_Phdr *loads;	/* PT_LOAD headers */
	size_t nr_loads;

	/* Section indices; 0 means absent. */
	size_t symtab_scn;
	size_t dynsym_scn;
	size_t debuglink_scn;
	size_t debugdata_scn;
	size_t stapsdt_scn;
	bool has_stapsdt_base;
	uint64_t stapsdt_base;

	uint8_t build_id[BUILD_ID_MAX];
	size_t build_id_len;

	bool syms_loaded;
	struct elf_sym *syms;
	size_t nr_syms;
	char *debug_path;

	bool notes_loaded;
	struct usdt_note *notes;
	size_t nr_notes;

	struct str_blob *blobs;
};

struct sym_vec {
	struct elf_sym *v;
	size_t n;
	size_t cap;
};

/* One parsed note; pointers into the section data. */
struct note {
	uint32_t type;
	const char *name;
	uint32_t namesz;
	const uint8_t *desc;
	uint32_t descsz;
};

static bool note_owner_is(const struct note *n, const char *owner)
{
	size_t len = strlen(owner) + 1;

	return n->namesz == len && memcmp(n->name, owner, len) == 0;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Parse the note at *@pos of @data. Returns 1 and advances *@pos, 0 at the
 * end, or -EINVAL if a header or its contents run past the end.
 */
static int next_note(const uint8_t *data, size_t len, size_t align, size_t *pos,
		     struct note *out)
{
	uint32_t hdr[3];
	size_t name_off, desc_off, desc_end;

	if (*pos >= len)
		return 0;
	if (len - *pos < sizeof(hdr))
		return -EINVAL;
	memcpy(hdr, data + *pos, sizeof(hdr));
	out->namesz = hdr[0];
	out->descsz = hdr[1];
	out->type = hdr[2];
	name_off = *pos + sizeof(hdr);
	if (out->namesz > len - name_off)
		return -EINVAL;
	desc_off = align_up(name_off + out->namesz, align);
	if (desc_off > len || out->descsz > len - desc_off)
		return -EINVAL;
	desc_end = desc_off + out->descsz;
	out->name = (const char *)data + name_off;
	out->desc = data + desc_off;
	/* The padding after the last note may be missing. */
	*pos = desc_end >= len ? len : align_up(desc_end, align);
	return 1;
}

static ssize_t ef_pread(const struct elf_file *ef, void *buf, size_t len, uint64_t off)
{
	ssize_t n;
	size_t done = 0;

	if (off >= ef->size)
		return 0;
	if (len > ef->size - off)
		len = ef->size - off;
	while (done < len) {
		n = pread(ef->fd, (char *)buf + done, len - done, off + done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

int elf__machine(const char *path, int *elf_class, int *machine)
{
	unsigned char h[EI_NIDENT + 4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return n;
	if (n < (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) ||
	    (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64) ||
	    (h[EI_DATA] != ELFDATA2LSB && h[EI_DATA] != ELFDATA2MSB))
		return -ENOEXEC;
	/* e_machine follows e_type, at the same offset in both classes. */
	*elf_class = h[EI_CLASS];
	*machine = h[EI_DATA] == ELFDATA2LSB ? h[EI_NIDENT + 2] | h[EI_NIDENT + 3] << 8
					     : h[EI_NIDENT + 2] << 8 | h[EI_NIDENT + 3];
	return 0;
}

const char *elf__machine_name(int elf_class, int machine, char *buf, size_t len)
{
	const char *bits = elf_class == ELFCLASS32 ? "32-bit" : "64-bit";

	if (machine == EM_X86_64 && elf_class == ELFCLASS64)
		snprintf(buf, len, "x86-64");
	else if (machine == EM_X86_64)
		snprintf(buf, len, "x32 (%s)", bits);
	else if (machine == EM_386)
		snprintf(buf, len, "i386 (%s)", bits);
	else if (machine == EM_AARCH64)
		snprintf(buf, len, "arm64 (%s)", bits);
	else if (machine == EM_ARM)
		snprintf(buf, len, "arm (%s)", bits);
	else
		snprintf(buf, len, "machine %d (%s)", machine, bits);
	return buf;
}

/*
 * Check the ELF header bytes ourselves so that the errno says what is wrong:
 * libelf reports "invalid file" for all of these.
 */
static int check_ehdr(const struct elf_file *ef)
{
	unsigned char id[sizeof(Elf64_Ehdr)];
	Elf64_Ehdr eh;
	Elf64_Shdr sh0;
	uint64_t shnum;
	ssize_t n;

	n = ef_pread(ef, id, sizeof(id), 0);
	if (n < 0)
		return n;
	if (n < SELFMAG || memcmp(id, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (n > EI_CLASS && id[EI_CLASS] != ELFCLASS64)
		return -ENOTSUP;
	if (n > EI_DATA && id[EI_DATA] != ELFDATA2LSB)
		return -ENOTSUP;
	if ((size_t)n < sizeof(eh))
		return -EINVAL;
	memcpy(&eh, id, sizeof(eh));
	if (eh.e_machine != EM_X86_64)
		return -ENOTSUP;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return -ENOEXEC;
	if (eh.e_phnum && eh.e_phentsize != sizeof(Elf64_Phdr))
		return -EINVAL;
	if (eh.e_shoff && eh.e_shentsize != sizeof(Elf64_Shdr))
		return -EINVAL;
	if (eh.e_phoff > ef->size ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > ef->size - eh.e_phoff)
		return -EINVAL;
	if (!eh.e_shoff)
		return 0;
	if (eh.e_shoff > ef->size || ef->size - eh.e_shoff < sizeof(Elf64_Shdr))
		return -EINVAL;
	shnum = eh.e_shnum;
	if (!shnum) {
		/* Extended numbering: the count is in section header 0. */
		n = ef_pread(ef, &sh0, sizeof(sh0), eh.e_shoff);
		if (n != sizeof(sh0))
			return n < 0 ? n : -EINVAL;
		shnum = sh0.sh_size;
	}
	if (shnum > (ef->size - eh.e_shoff) / sizeof(Elf64_Shdr))
		return -EINVAL;
	return 0;
}

static void scan_build_id(struct elf_file *ef, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t pos = 0, align = sh->sh_addralign == 8 ? 8 : 4;
	struct note n;

	if (!d || !d->d_buf)
		return;
	while (next_note(d->d_buf, d->d_size, align, &pos, &n) > 0) {
		if (n.type == NT_GNU_BUILD_ID && note_owner_is(&n, "GNU") &&
		    n.descsz > 0 && n.descsz <= BUILD_ID_MAX) {
			memcpy(ef->build_id, n.desc, n.descsz);
			ef->build_id_len = n.descsz;
			return;
		}
	}
}

/* Check section headers against the file and remember the sections we use. */
static int index_sections(struct elf_file *ef)
{
	size_t shnum, shstrndx, i;
	Elf_Scn *scn;
	GElf_Shdr sh;
	const char *name;

	if (elf_getshdrnum(ef->elf, &shnum) || elf_getshdrstrndx(ef->elf, &shstrndx))
		return -EINVAL;
	if (shnum && shstrndx >= shnum)
		return -EINVAL;
	for (i = 1; i < shnum; i++) {
		scn = elf_getscn(ef->elf, i);
		if (!scn || !gelf_getshdr(scn, &sh))
			return -EINVAL;
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > ef->size || sh.sh_size > ef->size - sh.sh_offset))
			return -EINVAL;
		name = elf_strptr(ef->elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (sh.sh_type == SHT_SYMTAB && !strcmp(name, ".symtab"))
			ef->symtab_scn = i;
		else if (sh.sh_type == SHT_DYNSYM)
			ef->dynsym_scn = i;
		else if (!strcmp(name, ".gnu_debuglink") && sh.sh_type != SHT_NOBITS)
			ef->debuglink_scn = i;
		else if (!strcmp(name, ".gnu_debugdata") && sh.sh_type != SHT_NOBITS)
			ef->debugdata_scn = i;
		else if (!strcmp(name, ".note.stapsdt") && sh.sh_type == SHT_NOTE)
			ef->stapsdt_scn = i;
		else if (!strcmp(name, ".stapsdt.base")) {
			ef->has_stapsdt_base = true;
			ef->stapsdt_base = sh.sh_addr;
		} else if (!strcmp(name, ".go.buildinfo") || !strcmp(name, ".gopclntab")) {
			ef->is_go = true;
			if (!strcmp(name, ".go.buildinfo") && sh.sh_type != SHT_NOBITS) {
				ef->buildinfo_off = sh.sh_offset;
				ef->buildinfo_size = sh.sh_size;
			}
		}
		if (sh.sh_type == SHT_NOTE && !ef->build_id_len && !(sh.sh_flags & SHF_COMPRESSED))
			scan_build_id(ef, scn, &sh);
	}
	return 0;
}

static int index_segments(struct elf_file *ef)
{
	size_t phnum, i;
	GElf_Ehdr eh;
	GElf_Phdr ph;

	if (elf_getphdrnum(ef->elf, &phnum) || !gelf_getehdr(ef->elf, &eh))
		return -EINVAL;
	if (!phnum)
		return 0;
	/* With PN_XNUM the count comes from section header 0: check it too. */
	if (eh.e_phoff > ef->size || phnum > (ef->size - eh.e_phoff) / sizeof(Elf64_Phdr))
		return -EINVAL;
	ef->loads = calloc(phnum, sizeof(*ef->loads));
	if (!ef->loads)
		return -ENOMEM;
	for (i = 0; i < phnum; i++) {
		if (!gelf_getphdr(ef->elf, i, &ph))
			return -EINVAL;
		if (ph.p_type != PT_LOAD)
			continue;
		/*
		 * Segments may extend past the end of a debug file made by
		 * objcopy --only-keep-debug, so only reject wrap-around.
		 */
		if (ph.p_offset + ph.p_filesz < ph.p_offset ||
		    ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_filesz > ph.p_memsz)
			return -EINVAL;
		ef->loads[ef->nr_loads++] = ph;
	}
	return 0;
}

/* Set up ef->elf from ef->fd and validate headers. */
static int ef_init(struct elf_file *ef)
{
	GElf_Ehdr eh;
	int err;

	err = check_ehdr(ef);
	if (err)
		return err;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOTSUP;
	/* ELF_C_READ, not mmap: a file truncated under us must not SIGBUS. */
	ef->elf = elf_begin(ef->fd, ELF_C_READ, NULL);
	if (!ef->elf || elf_kind(ef->elf) != ELF_K_ELF || !gelf_getehdr(ef->elf, &eh))
		return -EINVAL;
	ef->type = eh.e_type;
	err = index_segments(ef);
	if (err)
		return err;
	return index_sections(ef);
}

struct elf_file *elf_file__open(const char *path)
{
	struct elf_file *ef;
	struct stat st;
	int err;

	ef = calloc(1, sizeof(*ef));
	if (!ef)
		return NULL;
	ef->fd = -1;
	ef->path = strdup(path);
	if (!ef->path) {
		err = -ENOMEM;
		goto out_free;
	}
	/* O_NONBLOCK: opening a FIFO must not block; it is refused below. */
	/* A path inside a traced process's root stays inside it (procpath.h). */
	ef->fd = procpath__open(path, O_RDONLY | O_NONBLOCK);
	if (ef->fd < 0) {
		err = ef->fd;
		goto out_free;
	}
	if (fstat(ef->fd, &st)) {
		err = -errno;
		goto out_free;
	}
	if (S_ISDIR(st.st_mode)) {
		err = -EISDIR;
		goto out_free;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -ENOEXEC;
		goto out_free;
	}
	ef->size = st.st_size;
	ef->dev = st.st_dev;
	ef->ino = st.st_ino;
	err = ef_init(ef);
	if (err)
		goto out_free;
	return ef;

out_free:
	elf_file__free(ef);
	errno = -err;
	return NULL;
}

/*
 * Open an image in memory, taking ownership of @buf (freed in all cases).
 * The image goes to a memfd so that libelf reads it exactly as it reads a
 * file (ELF_C_READ); elf_memory() would let it work on, and write to, the
 * image in place, a path fuzzing of elfutils 0.188 made us distrust.
 */
static struct elf_file *open_mem_owned(char *buf, size_t len, const char *name)
{
	struct elf_file *ef;
	size_t done = 0;
	ssize_t n;
	int err;

	ef = calloc(1, sizeof(*ef));
	if (!ef) {
		err = -ENOMEM;
		goto out_free_buf;
	}
	ef->fd = -1;
	ef->size = len;
	ef->path = strdup(name ? name : "");
	if (!ef->path) {
		err = -ENOMEM;
		goto out_free_ef;
	}
	ef->fd = memfd_create("cotrace-elf", MFD_CLOEXEC);
	if (ef->fd < 0) {
		err = -errno;
		goto out_free_ef;
	}
	while (done < len) {
		n = write(ef->fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			goto out_free_ef;
		}
		done += n;
	}
	free(buf);
	buf = NULL;
	err = ef_init(ef);
	if (err)
		goto out_free_ef;
	return ef;

out_free_ef:
	elf_file__free(ef);
out_free_buf:
	free(buf);
	errno = -err;
	return NULL;
}

struct elf_file *elf_file__open_mem(const void *buf, size_t len, const char *name)
{
	char *copy;

	copy = malloc(len ? len : 1);
	if (!copy)
		return NULL;
	memcpy(copy, buf, len);
	return open_mem_owned(copy, len, name);
}

void elf_file__free(struct elf_file *ef)
{
	struct str_blob *b, *next;

	if (!ef)
		return;
	for (b = ef->blobs; b; b = next) {
		next = b->next;
		free(b);
	}
	free(ef->notes);
	free(ef->syms);
	free(ef->debug_path);
	free(ef->loads);
	if (ef->elf)
		elf_end(ef->elf);
	if (ef->fd >= 0)
		close(ef->fd);
	free(ef->path);
	free(ef);
}

const char *elf_file__path(const struct elf_file *ef)
{
	return ef->path;
}

bool elf_file__is_file(const struct elf_file *ef, dev_t dev, ino_t ino)
{
	return ef->ino && ef->dev == dev && ef->ino == ino;
}

int elf_file__type(const struct elf_file *ef)
{
	return ef->type;
}

bool elf_file__is_go(const struct elf_file *ef)
{
	return ef->is_go;
}

/*
 * .go.buildinfo starts with a 32-byte header: 14 bytes of magic, the
 * pointer size, and flags. With flag 2 (Go 1.18 and later) the version
 * string follows the header inline, as a uvarint length and its bytes.
 * Before, the header holds at offset 16 the address of a Go string
 * header (data address, length) of the version; flag 1 meant big-endian.
 */
#define BUILDINFO_HDR		32
#define BUILDINFO_MAGIC		"\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN	14
#define BUILDINFO_F_BIGENDIAN	1
#define BUILDINFO_F_INLINE	2
#define GO_VERSION_MAX		64	/* longer is not a version: corrupt */

/* A uvarint at @p of @len bytes: 7 bits a byte, low first. Its size or 0. */
static size_t uvarint(const uint8_t *p, size_t len, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < len && i < 10; i++) {
		*v |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return i + 1;
	}
	return 0;
}

/* Little-endian word of @size (4 or 8) bytes at @p. */
static uint64_t le_word(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* Read @len bytes at link-time address @addr; 0 or -EINVAL. */
static int read_vaddr(const struct elf_file *ef, uint64_t addr, void *buf, size_t len)
{
	uint64_t off, end;

	if (!len || addr + len < addr || elf_file__vaddr_to_offset(ef, addr + len - 1, &end) ||
	    elf_file__vaddr_to_offset(ef, addr, &off) || end - off != len - 1 ||
	    ef_pread(ef, buf, len, off) != (ssize_t)len)
		return -EINVAL;
	return 0;
}

int elf_file__go_version(const struct elf_file *ef, char *buf, size_t len)
{
	uint8_t hdr[BUILDINFO_HDR + 10 + GO_VERSION_MAX], sh[16];
	uint64_t vlen, addr;
	unsigned psize;
	size_t n, got;
	ssize_t rd;

	if (!ef->buildinfo_size)
		return -ENOENT;
	got = ef->buildinfo_size < sizeof(hdr) ? ef->buildinfo_size : sizeof(hdr);
	rd = ef_pread(ef, hdr, got, ef->buildinfo_off);
	if (rd < 0)
		return rd;
	if ((size_t)rd < BUILDINFO_HDR || memcmp(hdr, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
		return -EINVAL;
	psize = hdr[14];
	if (hdr[15] & BUILDINFO_F_INLINE) {
		n = uvarint(hdr + BUILDINFO_HDR, rd - BUILDINFO_HDR, &vlen);
		if (!n || !vlen || vlen > GO_VERSION_MAX || vlen > rd - BUILDINFO_HDR - n)
			return -EINVAL;
		memmove(hdr, hdr + BUILDINFO_HDR + n, vlen);
	} else {
		/* x86-64 files only reach here: little-endian, 8-byte pointers. */
		if (psize != 8 || (hdr[15] & BUILDINFO_F_BIGENDIAN))
			return -EINVAL;
		addr = le_word(hdr + 16, psize);
		if (read_vaddr(ef, addr, sh, 2 * psize))
			return -EINVAL;
		addr = le_word(sh, psize);
		vlen = le_word(sh + psize, psize);
		if (!vlen || vlen > GO_VERSION_MAX || read_vaddr(ef, addr, hdr, vlen))
			return -EINVAL;
	}
	for (size_t i = 0; i < vlen; i++)
		if (hdr[i] < 0x20 || hdr[i] > 0x7e)
			return -EINVAL;
	if (len)
		snprintf(buf, len, "%.*s", (int)vlen, (const char *)hdr);
	return 0;
}

int elf_file__build_id(const struct elf_file *ef, uint8_t *buf, size_t len)
{
	if (!ef->build_id_len)
		return -ENOENT;
	if (len > ef->build_id_len)
		len = ef->build_id_len;
	memcpy(buf, ef->build_id, len);
	return ef->build_id_len;
}

/* ---- symbols ------------------------------------------------------------- */

static int sym_vec_reserve(struct sym_vec *vec, size_t more)
{
	struct elf_sym *v;
	size_t cap;

	if (vec->cap - vec->n >= more)
		return 0;
	if (more > SIZE_MAX / sizeof(*v) - vec->n)
		return -ENOMEM;
	cap = vec->n + more;
	v = realloc(vec->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	vec->v = v;
	vec->cap = cap;
	return 0;
}

/* Copy @len bytes into a blob owned by @ef, NUL-terminated. */
static char *ef_keep_bytes(struct elf_file *ef, const void *data, size_t len)
{
	struct str_blob *b;

	if (len > SIZE_MAX - sizeof(*b) - 1)
		return NULL;
	b = malloc(sizeof(*b) + len + 1);
	if (!b)
		return NULL;
	memcpy(b->data, data, len);
	b->data[len] = '\0';
	b->next = ef->blobs;
	ef->blobs = b;
	return b->data;
}

/*
 * Append the function symbols of symbol table section @scn_idx of @src to
 * @vec. Names point into @src's string table when @src stays open with @ef
 * and the table is NUL-terminated, else into a copy owned by @ef.
 */
static int add_symtab(struct elf_file *ef, struct elf_file *src, size_t scn_idx,
		      enum elf_sym_source source, struct sym_vec *vec)
{
	Elf_Scn *scn, *str_scn;
	GElf_Shdr sh, str_sh;
	Elf_Data *d, *str_d;
	const char *strs;
	size_t nsyms, strsz, i;
	Elf64_Sym s;
	struct elf_sym *out;
	int type, err;

	scn = elf_getscn(src->elf, scn_idx);
	if (!scn || !gelf_getshdr(scn, &sh))
		return -EINVAL;
	if (sh.sh_type == SHT_NOBITS)
		return 0;
	if (sh.sh_entsize != sizeof(Elf64_Sym) || (sh.sh_flags & SHF_COMPRESSED))
		return -EINVAL;
	str_scn = elf_getscn(src->elf, sh.sh_link);
	if (!sh.sh_link || !str_scn || !gelf_getshdr(str_scn, &str_sh) ||
	    str_sh.sh_type != SHT_STRTAB || (str_sh.sh_flags & SHF_COMPRESSED))
		return -EINVAL;
	d = elf_getdata(scn, NULL);
	str_d = elf_getdata(str_scn, NULL);
	if (!d || !str_d)
		return -EINVAL;
	if (!d->d_buf || !str_d->d_buf || !str_d->d_size)
		return 0;
	nsyms = d->d_size / sizeof(Elf64_Sym);
	strsz = str_d->d_size;
	strs = str_d->d_buf;
	if (src != ef || strs[strsz - 1] != '\0') {
		strs = ef_keep_bytes(ef, str_d->d_buf, strsz);
		if (!strs)
			return -ENOMEM;
	}
	err = sym_vec_reserve(vec, nsyms);
	if (err)
		return err;
	for (i = 1; i < nsyms; i++) {
		memcpy(&s, (const char *)d->d_buf + i * sizeof(s), sizeof(s));
		type = ELF64_ST_TYPE(s.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (s.st_shndx == SHN_UNDEF || !s.st_value)
			continue;
		/* An index past the table, or an empty name, is skipped. */
		if (!s.st_name || s.st_name >= strsz || !strs[s.st_name])
			continue;
		out = &vec->v[vec->n++];
		out->name = strs + s.st_name;
		out->vaddr = s.st_value;
		out->size = s.st_size;
		out->type = type;
		out->bind = ELF64_ST_BIND(s.st_info);
		out->source = source;
		out->alias = false;
	}
	return 0;
}

static int bind_rank(uint8_t bind)
{
	switch (bind) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	case STB_LOCAL:
		return 2;
	default:
		return 3;
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_pref(const struct elf_sym *a, const struct elf_sym *b)
{
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return bind_rank(a->bind) - bind_rank(b->bind);
}

/*
 * Sorting 16-byte keys and permuting once is several times faster than
 * letting qsort move 40-byte symbols around (libLLVM: 45k .dynsym entries).
 */
struct sym_key {
	uint64_t vaddr;
	size_t idx;
};

/* Order that puts copies of one (vaddr, name) next to each other, best first. */
static int cmp_key_dedup(const void *pa, const void *pb, void *ctx)
{
	const struct sym_key *a = pa, *b = pb;
	const struct elf_sym *v = ctx;
	int c;

	c = cmp_u64(a->vaddr, b->vaddr);
	if (c)
		return c;
	c = strcmp(v[a->idx].name, v[b->idx].name);
	if (c)
		return c;
	return cmp_pref(&v[a->idx], &v[b->idx]);
}

/* The final order: vaddr, then preference, then name. */
static int cmp_key_final(const void *pa, const void *pb, void *ctx)
{
	const struct sym_key *a = pa, *b = pb;
	const struct elf_sym *v = ctx;
	int c;

	c = cmp_u64(a->vaddr, b->vaddr);
	if (c)
		return c;
	c = cmp_pref(&v[a->idx], &v[b->idx]);
	if (c)
		return c;
	return strcmp(v[a->idx].name, v[b->idx].name);
}

/*
 * Sort, drop repeated (vaddr, name) pairs, and mark aliases: one full sort,
 * then a sort of each group of symbols sharing an address. O(n log n).
 */
static int finish_symbols(struct sym_vec *vec)
{
	struct elf_sym *v = vec->v, *out;
	struct sym_key *keys;
	size_t i, j, n = 0;

	if (!vec->n)
		return 0;
	keys = malloc(vec->n * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < vec->n; i++) {
		keys[i].vaddr = v[i].vaddr;
		keys[i].idx = i;
	}
	qsort_r(keys, vec->n, sizeof(*keys), cmp_key_dedup, v);
	for (i = 0; i < vec->n; i++) {
		if (n && keys[n - 1].vaddr == keys[i].vaddr &&
		    !strcmp(v[keys[n - 1].idx].name, v[keys[i].idx].name)) {
			/* Keep the preferred copy; a size from another source helps. */
			if (!v[keys[n - 1].idx].size)
				v[keys[n - 1].idx].size = v[keys[i].idx].size;
			continue;
		}
		keys[n++] = keys[i];
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && keys[j].vaddr == keys[i].vaddr; j++)
			;
		if (j - i > 1)
			qsort_r(keys + i, j - i, sizeof(*keys), cmp_key_final, v);
	}
	out = malloc(n * sizeof(*out));
	if (!out) {
		free(keys);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		out[i] = v[keys[i].idx];
		out[i].alias = i && keys[i].vaddr == keys[i - 1].vaddr;
	}
	free(keys);
	free(v);
	vec->v = out;
	vec->n = n;
	vec->cap = n;
	return 0;
}

/* Check a candidate debug file's contents against its .gnu_debuglink CRC. */
static int file_crc32(const struct elf_file *ef, uint32_t *crc_out)
{
	unsigned char *buf;
	uLong crc = crc32(0L, Z_NULL, 0);
	uint64_t off = 0;
	ssize_t n;
	int err = 0;

	buf = malloc(CRC_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	while (off < ef->size) {
		n = ef_pread(ef, buf, CRC_BUF_SIZE, off);
		if (n < 0) {
			err = n;
			goto out_free_buf;
		}
		if (n == 0)
			break;
		crc = crc32(crc, buf, n);
		off += n;
	}
	*crc_out = crc;
out_free_buf:
	free(buf);
	return err;
}

/*
 * Try @path as the separate debug file of @ef: it must have a .symtab and
 * not be @ef itself; with @want_crc its CRC32 must match, else its build-id
 * must match @ef's. Returns 1 if its symbols were added, 0 to try the next
 * candidate, or a negative errno that must stop the search.
 */
static int try_debug_file(struct elf_file *ef, const char *path, bool want_crc, uint32_t crc,
			  struct sym_vec *vec)
{
	struct elf_file *dbg;
	uint32_t got = 0;
	int err = 0;

	dbg = elf_file__open(path);
	if (!dbg)
		return errno == ENOMEM ? -ENOMEM : 0;
	if (!dbg->symtab_scn || (dbg->dev == ef->dev && dbg->ino == ef->ino))
		goto out_free_dbg;
	if (want_crc) {
		err = file_crc32(dbg, &got);
		if (err || got != crc) {
			err = err == -ENOMEM ? err : 0;
			goto out_free_dbg;
		}
	} else if (dbg->build_id_len != ef->build_id_len ||
		   memcmp(dbg->build_id, ef->build_id, ef->build_id_len)) {
		goto out_free_dbg;
	}
	err = add_symtab(ef, dbg, dbg->symtab_scn, ELF_SRC_DEBUGFILE, vec);
	if (err)
		goto out_free_dbg;
	ef->debug_path = strdup(path);
	err = ef->debug_path ? 1 : -ENOMEM;
out_free_dbg:
	elf_file__free(dbg);
	return err;
}

static int try_build_id_debug(struct elf_file *ef, const char *root, struct sym_vec *vec)
{
	char path[PATH_MAX], hex[2 * BUILD_ID_MAX + 1];
	size_t i;
	int n;

	if (ef->build_id_len < 2)
		return 0;
	for (i = 0; i < ef->build_id_len; i++)
		sprintf(hex + 2 * i, "%02x", ef->build_id[i]);
	n = snprintf(path, sizeof(path), "%s/usr/lib/debug/.build-id/%.2s/%s.debug",
		     root, hex, hex + 2);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	return try_debug_file(ef, path, false, 0, vec);
}

static int try_debuglink(struct elf_file *ef, const char *root, struct sym_vec *vec)
{
	char dir[PATH_MAX], path[PATH_MAX], *slash;
	char real[PATH_MAX];
	const char *name, *absdir;
	Elf_Scn *scn;
	Elf_Data *d;
	size_t len, crc_off;
	uint32_t crc;
	int n, err;

	scn = elf_getscn(ef->elf, ef->debuglink_scn);
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d || !d->d_buf)
		return -EINVAL;
	name = d->d_buf;
	len = strnlen(name, d->d_size);
	crc_off = align_up(len + 1, 4);
	if (!len || len == d->d_size || crc_off > d->d_size || d->d_size - crc_off < 4)
		return -EINVAL;
	/* A base name only: the file must not send us elsewhere. */
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	memcpy(&crc, (const char *)d->d_buf + crc_off, sizeof(crc));

	n = snprintf(dir, sizeof(dir), "%s", ef->path);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return 0;
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n > 0 && (size_t)n < sizeof(path)) {
		err = try_debug_file(ef, path, true, crc, vec);
		if (err)
			return err;
	}
	n = snprintf(path, sizeof(path), "%s/.debug/%s", dir, name);
	if (n > 0 && (size_t)n < sizeof(path)) {
		err = try_debug_file(ef, path, true, crc, vec);
		if (err)
			return err;
	}
	/* /usr/lib/debug mirrors absolute directories, as gdb looks there. */
	absdir = dir;
	if (dir[0] != '/') {
		if (root[0] || !realpath(dir, real))
			return 0;
		absdir = real;
	}
	n = snprintf(path, sizeof(path), "%s/usr/lib/debug%s%s/%s", root,
		     absdir[0] == '/' ? "" : "/", strcmp(absdir, "/") ? absdir : "", name);
	if (n > 0 && (size_t)n < sizeof(path))
		return try_debug_file(ef, path, true, crc, vec);
	return 0;
}

/* Decompress .gnu_debugdata (xz) into a malloc'ed buffer of at most 256 MiB. */
static int unxz(const uint8_t *in, size_t in_len, char **out, size_t *out_len)
{
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_ret ret;
	size_t cap;
	char *buf = NULL, *nbuf;
	int err;

	if (lzma_stream_decoder(&strm, MINIDEBUG_MEMLIMIT, 0) != LZMA_OK)
		return -ENOMEM;
	cap = in_len < MINIDEBUG_MAX_SIZE / 8 ? in_len * 8 : MINIDEBUG_MAX_SIZE;
	if (cap < 4096)
		cap = 4096;
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out_end;
	}
	strm.next_in = in;
	strm.avail_in = in_len;
	strm.next_out = (uint8_t *)buf;
	strm.avail_out = cap;
	for (;;) {
		ret = lzma_code(&strm, LZMA_FINISH);
		if (ret == LZMA_STREAM_END)
			break;
		if (ret == LZMA_MEM_ERROR) {
			err = -ENOMEM;
			goto out_free;
		}
		if (ret == LZMA_MEMLIMIT_ERROR) {
			err = -EFBIG;
			goto out_free;
		}
		if (ret != LZMA_OK && ret != LZMA_BUF_ERROR) {
			err = -EINVAL;
			goto out_free;
		}
		if (strm.avail_out) {
			/* No output room missing, so the input ended early. */
			err = -EINVAL;
			goto out_free;
		}
		if (cap >= MINIDEBUG_MAX_SIZE) {
			err = -EFBIG;
			goto out_free;
		}
		cap = cap * 2 < MINIDEBUG_MAX_SIZE ? cap * 2 : MINIDEBUG_MAX_SIZE;
		nbuf = realloc(buf, cap);
		if (!nbuf) {
			err = -ENOMEM;
			goto out_free;
		}
		buf = nbuf;
		strm.next_out = (uint8_t *)buf + strm.total_out;
		strm.avail_out = cap - strm.total_out;
	}
	*out = buf;
	*out_len = strm.total_out;
	err = 0;
	goto out_end;
out_free:
	free(buf);
out_end:
	lzma_end(&strm);
	return err;
}

static int add_minidebug(struct elf_file *ef, struct sym_vec *vec)
{
	struct elf_file *mini;
	Elf_Scn *scn;
	Elf_Data *d;
	char *buf;
	size_t len;
	int err;

	scn = elf_getscn(ef->elf, ef->debugdata_scn);
	d = scn ? elf_getdata(scn, NULL) : NULL;
	if (!d)
		return -EINVAL;
	if (!d->d_buf || !d->d_size)
		return 0;
	err = unxz(d->d_buf, d->d_size, &buf, &len);
	if (err)
		return err;
	mini = open_mem_owned(buf, len, ".gnu_debugdata");
	if (!mini)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	err = mini->symtab_scn ? add_symtab(ef, mini, mini->symtab_scn, ELF_SRC_MINIDEBUG, vec) : 0;
	elf_file__free(mini);
	return err;
}

int elf_file__load_symbols(struct elf_file *ef, const char *debug_root)
{
	struct sym_vec vec = {};
	bool have_full = false;
	int err;

	if (ef->syms_loaded)
		return 0;
	if (!debug_root)
		debug_root = "";
	free(ef->debug_path);
	ef->debug_path = NULL;

	if (ef->symtab_scn) {
		err = add_symtab(ef, ef, ef->symtab_scn, ELF_SRC_SYMTAB, &vec);
		if (err)
			goto out_free_vec;
		have_full = true;
	}
	if (!have_full) {
		err = try_build_id_debug(ef, debug_root, &vec);
		if (!err && ef->debuglink_scn)
			err = try_debuglink(ef, debug_root, &vec);
		if (err < 0)
			goto out_free_vec;
		have_full = err > 0;
	}
	/* MiniDebugInfo holds a subset of what a full debug file has. */
	if (!have_full && ef->debugdata_scn) {
		err = add_minidebug(ef, &vec);
		if (err)
			goto out_free_vec;
	}
	if (ef->dynsym_scn) {
		err = add_symtab(ef, ef, ef->dynsym_scn, ELF_SRC_DYNSYM, &vec);
		if (err)
			goto out_free_vec;
	}
	err = finish_symbols(&vec);
	if (err)
		goto out_free_vec;
	ef->syms = vec.v;
	ef->nr_syms = vec.n;
	ef->syms_loaded = true;
	return 0;

out_free_vec:
	free(vec.v);
	free(ef->debug_path);
	ef->debug_path = NULL;
	return err;
}

const struct elf_sym *elf_file__symbols(const struct elf_file *ef, size_t *count)
{
	*count = ef->nr_syms;
	return ef->syms;
}

const char *elf_file__debug_path(const struct elf_file *ef)
{
	return ef->debug_path;
}

/* ---- addresses ------------------------------------------------------------ */

/* The PT_LOAD holding @vaddr in its file part (or its memory part). */
static const GElf_Phdr *load_for_vaddr(const struct elf_file *ef, uint64_t vaddr, bool mem)
{
	const GElf_Phdr *ph;
	size_t i;

	for (i = 0; i < ef->nr_loads; i++) {
		ph = &ef->loads[i];
		if (vaddr >= ph->p_vaddr &&
		    vaddr - ph->p_vaddr < (mem ? ph->p_memsz : ph->p_filesz))
			return ph;
	}
	return NULL;
}

int elf_file__vaddr_to_offset(const struct elf_file *ef, uint64_t vaddr, uint64_t *offset)
{
	const GElf_Phdr *ph = load_for_vaddr(ef, vaddr, false);

	if (!ph)
		return -ENOENT;
	*offset = vaddr - ph->p_vaddr + ph->p_offset;
	return 0;
}

int elf_file__offset_to_vaddr(const struct elf_file *ef, uint64_t offset, uint64_t *vaddr)
{
	const GElf_Phdr *ph, *found = NULL;
	size_t i;

	/* Segments may share a page of the file; prefer the executable one. */
	for (i = 0; i < ef->nr_loads; i++) {
		ph = &ef->loads[i];
		if (offset < ph->p_offset || offset - ph->p_offset >= ph->p_filesz)
			continue;
		if (!found || (!(found->p_flags & PF_X) && (ph->p_flags & PF_X)))
			found = ph;
	}
	if (!found)
		return -ENOENT;
	*vaddr = offset - found->p_offset + found->p_vaddr;
	return 0;
}

ssize_t elf_file__read(const struct elf_file *ef, uint64_t offset, void *buf, size_t len)
{
	return ef_pread(ef, buf, len, offset);
}

bool elf_file__is_exec_offset(const struct elf_file *ef, uint64_t offset)
{
	for (size_t i = 0; i < ef->nr_loads; i++) {
		const GElf_Phdr *ph = &ef->loads[i];

		if ((ph->p_flags & PF_X) && offset >= ph->p_offset &&
		    offset - ph->p_offset < ph->p_filesz)
			return true;
	}
	return false;
}

int elf_file__section_at_offset(const struct elf_file *ef, uint64_t offset, const char **name,
				bool *code)
{
	size_t shnum, shstrndx;
	int ret = -ENOENT;

	/* Checked against the file when it was opened (index_sections()). */
	if (elf_getshdrnum(ef->elf, &shnum) || elf_getshdrstrndx(ef->elf, &shstrndx))
		return -EINVAL;
	if (shnum <= 1)
		return -ENODATA;
	*name = NULL;
	*code = false;
	for (size_t i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(ef->elf, i);
		const char *n;
		GElf_Shdr sh;

		if (!scn || !gelf_getshdr(scn, &sh))
			return -EINVAL;
		if (sh.sh_type == SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC) ||
		    offset < sh.sh_offset || offset - sh.sh_offset >= sh.sh_size)
			continue;
		/* Where sections overlap, one of code wins. */
		if (ret == 0 && *code)
			continue;
		n = elf_strptr(ef->elf, shstrndx, sh.sh_name);
		*name = n ? n : "?";
		*code = sh.sh_flags & SHF_EXECINSTR;
		ret = 0;
	}
	return ret;
}

/* ---- USDT notes -------------------------------------------------------------- */

/* Take the NUL-terminated string at *@pos of @desc; NULL if unterminated. */
static const char *take_str(const struct note *n, size_t *pos)
{
	const char *s = (const char *)n->desc + *pos;
	size_t len;

	if (*pos >= n->descsz)
		return NULL;
	len = strnlen(s, n->descsz - *pos);
	if (len == n->descsz - *pos)
		return NULL;
	*pos += len + 1;
	return s;
}

static int parse_usdt(struct elf_file *ef, const struct note *n, struct usdt_note *u)
{
	uint64_t addr[3];
	const GElf_Phdr *ph;
	size_t pos = sizeof(addr);

	if (n->descsz < sizeof(addr))
		return -EINVAL;
	memcpy(addr, n->desc, sizeof(addr));
	u->pc = addr[0];
	u->base = addr[1];
	u->semaphore = addr[2];
	u->provider = take_str(n, &pos);
	u->name = u->provider ? take_str(n, &pos) : NULL;
	u->args = u->name ? take_str(n, &pos) : NULL;
	if (!u->args)
		return -EINVAL;
	/*
	 * Prelink moves sections but not note contents; .stapsdt.base's address
	 * versus the base recorded in the note gives the shift (SystemTap's
	 * <sys/sdt.h> scheme).
	 */
	if (ef->has_stapsdt_base && u->base) {
		u->pc += ef->stapsdt_base - u->base;
		if (u->semaphore)
			u->semaphore += ef->stapsdt_base - u->base;
	}
	if (elf_file__vaddr_to_offset(ef, u->pc, &u->pc_offset))
		u->pc_offset = 0;
	u->sema_offset = 0;
	if (u->semaphore) {
		/* The kernel's ref_ctr_offset is a file offset as well. */
		ph = load_for_vaddr(ef, u->semaphore, true);
		if (ph)
			u->sema_offset = u->semaphore - ph->p_vaddr + ph->p_offset;
	}
	return 0;
}

int elf_file__irelative_slot(const struct elf_file *ef, uint64_t resolver_vaddr, uint64_t *slot)
{
	size_t shnum, i;

	if (elf_getshdrnum(ef->elf, &shnum))
		return -EINVAL;
	for (i = 1; i < shnum; i++) {
		Elf_Scn *scn = elf_getscn(ef->elf, i);
		GElf_Shdr sh;
		Elf_Data *d;
		size_t n;

		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    (sh.sh_flags & SHF_COMPRESSED) || sh.sh_entsize != sizeof(Elf64_Rela))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			continue;
		n = d->d_size / sizeof(Elf64_Rela);
		for (size_t k = 0; k < n; k++) {
			GElf_Rela r;

			if (!gelf_getrela(d, k, &r))
				break;
			if (GELF_R_TYPE(r.r_info) == R_X86_64_IRELATIVE &&
			    (uint64_t)r.r_addend == resolver_vaddr) {
				*slot = r.r_offset;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int elf_file__usdt_notes(struct elf_file *ef, const struct usdt_note **notes, size_t *count)
{
	struct usdt_note *v = NULL;
	Elf_Scn *scn;
	GElf_Shdr sh;
	Elf_Data *d;
	struct note n;
	size_t pos = 0, nr = 0, max, align;
	int ret, err = 0;

	if (ef->notes_loaded)
		goto out_done;
	if (!ef->stapsdt_scn)
		goto out_loaded;
	scn = elf_getscn(ef->elf, ef->stapsdt_scn);
	if (!scn || !gelf_getshdr(scn, &sh) || (sh.sh_flags & SHF_COMPRESSED))
		return -EINVAL;
	d = elf_getdata(scn, NULL);
	if (!d)
		return -EINVAL;
	if (!d->d_buf || !d->d_size)
		goto out_loaded;
	align = sh.sh_addralign == 8 ? 8 : 4;
	/* Every note takes at least 12 bytes: bounds the allocation by the file. */
	max = d->d_size / 12 + 1;
	v = calloc(max, sizeof(*v));
	if (!v)
		return -ENOMEM;
	while ((ret = next_note(d->d_buf, d->d_size, align, &pos, &n)) > 0) {
		if (n.type != NT_STAPSDT || !note_owner_is(&n, "stapsdt"))
			continue;
		err = parse_usdt(ef, &n, &v[nr]);
		if (err)
			goto out_free;
		nr++;
	}
	if (ret < 0) {
		err = ret;
		goto out_free;
	}
	ef->notes = v;
	ef->nr_notes = nr;
out_loaded:
	ef->notes_loaded = true;
out_done:
	*notes = ef->notes;
	*count = ef->nr_notes;
	return 0;

out_free:
	free(v);
	return err;
}

/* The vDSO is a couple of pages; refuse anything absurd. */
#define VDSO_MAX_SIZE (1 << 20)

struct elf_file *elf_file__open_vdso(pid_t pid, uint64_t start, uint64_t end)
{
	char path[64];
	struct elf_file *ef = NULL;
	size_t len = end - start;
	ssize_t got;
	void *buf;
	int fd;

	if (end <= start || len > VDSO_MAX_SIZE)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = malloc(len);
	if (buf) {
		got = pread(fd, buf, len, start);
		if (got > 0)
			ef = elf_file__open_mem(buf, got, "[vdso]");
		free(buf);
	}
	close(fd);
	return ef;
}
