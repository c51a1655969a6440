// SPDX-License-Identifier: GPL-2.0-only
/*
 * hostile_elf SEED OUTDIR: write hostile variants of the ELF file SEED
 * (64-bit little-endian, with section headers) into OUTDIR, one file per
 * kind of damage, and print their names. tests/e2e/test_hostile_elf.sh
 * runs every tool's listing mode on them; tests/fuzz/ uses some as seeds.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned char *seed;
static size_t seed_len;
static const char *outdir;

static Elf64_Ehdr *eh(unsigned char *b)
{
	return (Elf64_Ehdr *)b;
}

static Elf64_Shdr *shdr(unsigned char *b, size_t i)
{
	return (Elf64_Shdr *)(b + eh(b)->e_shoff + i * sizeof(Elf64_Shdr));
}

static Elf64_Phdr *phdr(unsigned char *b, size_t i)
{
	return (Elf64_Phdr *)(b + eh(b)->e_phoff + i * sizeof(Elf64_Phdr));
}

static const char *sec_name(unsigned char *b, size_t i)
{
	Elf64_Shdr *str = shdr(b, eh(b)->e_shstrndx);

	return (const char *)b + str->sh_offset + shdr(b, i)->sh_name;
}

/* Index of the first section named @name or of type @type (name NULL), or 0. */
static size_t find_sec(unsigned char *b, const char *name, uint32_t type)
{
	for (size_t i = 1; i < eh(b)->e_shnum; i++)
		if (name ? !strcmp(sec_name(b, i), name) : shdr(b, i)->sh_type == type)
			return i;
	return 0;
}

static void emit(const char *name, const unsigned char *b, size_t len)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (fd < 0 || write(fd, b, len) != (ssize_t)len) {
		perror(path);
		exit(1);
	}
	close(fd);
	printf("%s\n", name);
}

/* A fresh copy of the seed to damage. */
static unsigned char *copy(void)
{
	unsigned char *b = malloc(seed_len);

	if (!b)
		exit(1);
	memcpy(b, seed, seed_len);
	return b;
}

int main(int argc, char **argv)
{
	static const size_t cuts[] = { 4, 16, 63, 64, 100, 1000, 4096 };
	size_t i, s, n;
	unsigned char *b;
	struct stat st;
	char name[64];
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: hostile_elf SEED OUTDIR\n");
		return 2;
	}
	outdir = argv[2];
	f = fopen(argv[1], "rb");
	if (!f || fstat(fileno(f), &st)) {
		perror(argv[1]);
		return 1;
	}
	seed_len = st.st_size;
	seed = malloc(seed_len);
	if (!seed || fread(seed, 1, seed_len, f) != seed_len || seed_len < sizeof(Elf64_Ehdr) ||
	    memcmp(seed, ELFMAG, SELFMAG) || seed[EI_CLASS] != ELFCLASS64 ||
	    eh(seed)->e_shoff + eh(seed)->e_shnum * sizeof(Elf64_Shdr) > seed_len) {
		fprintf(stderr, "%s: not a 64-bit ELF file with section headers\n", argv[1]);
		return 1;
	}
	fclose(f);

	/* Truncated at several lengths, and just before the section headers. */
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		snprintf(name, sizeof(name), "trunc-%zu", cuts[i]);
		emit(name, seed, cuts[i] < seed_len ? cuts[i] : seed_len);
	}
	emit("trunc-half", seed, seed_len / 2);
	emit("trunc-shdrs", seed, eh(seed)->e_shoff + 10);

	/* Every PT_LOAD at the same place, with file sizes past the end. */
	b = copy();
	for (i = 0; i < eh(b)->e_phnum; i++)
		if (phdr(b, i)->p_type == PT_LOAD) {
			phdr(b, i)->p_offset = 0;
			phdr(b, i)->p_vaddr = 0;
			phdr(b, i)->p_filesz = phdr(b, i)->p_memsz = 1ULL << 40;
		}
	emit("overlap-loads", b, seed_len);
	free(b);

	/* Program headers: a huge count, and past the end of the file. */
	b = copy();
	eh(b)->e_phnum = 0xffff;
	emit("phnum-huge", b, seed_len);
	eh(b)->e_phnum = 4;
	eh(b)->e_phoff = ~0ULL - 8;
	emit("phoff-bogus", b, seed_len);
	free(b);

	/* Section headers: a huge count; extended numbering with a huge count. */
	b = copy();
	eh(b)->e_shnum = 0xffff;
	emit("shnum-huge", b, seed_len);
	free(b);
	b = copy();
	shdr(b, 0)->sh_size = 0xffffffffULL;
	eh(b)->e_shnum = 0;
	emit("shnum-extended-huge", b, seed_len);
	free(b);
	b = copy();
	eh(b)->e_shstrndx = 0xfff0;
	emit("shstrndx-bogus", b, seed_len);
	free(b);

	/* Bogus string offsets: section names and symbol names. */
	b = copy();
	for (i = 1; i < eh(b)->e_shnum; i++)
		shdr(b, i)->sh_name = 0x7ffffff0 + i;
	emit("shname-bogus", b, seed_len);
	free(b);
	b = copy();
	for (s = 0; (s = find_sec(b, NULL, SHT_SYMTAB)) || (s = find_sec(b, NULL, SHT_DYNSYM));) {
		Elf64_Shdr *sh = shdr(b, s);

		n = sh->sh_size / sizeof(Elf64_Sym);
		for (i = 0; i < n && sh->sh_offset + (i + 1) * sizeof(Elf64_Sym) <= seed_len; i++)
			((Elf64_Sym *)(b + sh->sh_offset))[i].st_name = 0xfffffff0 - i;
		sh->sh_type = SHT_PROGBITS;	/* done with this one: find the next */
		sh->sh_flags |= 1ULL << 62;	/* remembered below */
	}
	for (i = 1; i < eh(b)->e_shnum; i++)
		if (shdr(b, i)->sh_flags & (1ULL << 62)) {
			shdr(b, i)->sh_flags &= ~(1ULL << 62);
			shdr(b, i)->sh_type = !strcmp(sec_name(b, i), ".dynsym") ? SHT_DYNSYM :
						SHT_SYMTAB;
		}
	emit("symname-bogus", b, seed_len);
	free(b);

	/* Symbol tables: past the end, linked to themselves, entsize 0. */
	b = copy();
	if ((s = find_sec(b, NULL, SHT_SYMTAB)) || (s = find_sec(b, NULL, SHT_DYNSYM))) {
		shdr(b, s)->sh_size = 1ULL << 40;
		emit("symtab-past-end", b, seed_len);
		memcpy(b, seed, seed_len);
		shdr(b, s)->sh_link = s;
		emit("symtab-link-self", b, seed_len);
		shdr(b, s)->sh_link = 0xfff0;
		emit("symtab-link-bogus", b, seed_len);
		memcpy(b, seed, seed_len);
		shdr(b, s)->sh_entsize = 0;
		emit("symtab-entsize-0", b, seed_len);
		shdr(b, s)->sh_offset = ~0ULL - 100;
		emit("symtab-offset-bogus", b, seed_len);
	}
	free(b);

	/* Notes whose lengths run past the end of their section. */
	b = copy();
	if ((s = find_sec(b, ".note.stapsdt", 0))) {
		Elf64_Nhdr *nh = (Elf64_Nhdr *)(b + shdr(b, s)->sh_offset);

		nh->n_descsz = 0xfffffff0;
		emit("note-descsz-huge", b, seed_len);
		memcpy(b, seed, seed_len);
		nh->n_namesz = 0xfffffff0;
		emit("note-namesz-huge", b, seed_len);
		memcpy(b, seed, seed_len);
		nh->n_descsz = 3;	/* too short for the three addresses */
		emit("note-descsz-short", b, seed_len);
		memcpy(b, seed, seed_len);
		/* No NUL in the strings: fill the descriptor after the addresses. */
		n = nh->n_descsz > 24 ? nh->n_descsz - 24 : 0;
		memset((unsigned char *)(nh + 1) + ((nh->n_namesz + 3) & ~3u) + 24, 'A', n);
		emit("note-strings-unterminated", b, seed_len);
		memcpy(b, seed, seed_len);
		shdr(b, s)->sh_size = 1ULL << 40;
		emit("note-section-past-end", b, seed_len);
	}
	free(b);
	b = copy();
	if ((s = find_sec(b, ".note.gnu.build-id", 0))) {
		((Elf64_Nhdr *)(b + shdr(b, s)->sh_offset))->n_descsz = 0x7fffffff;
		emit("buildid-descsz-huge", b, seed_len);
	}
	free(b);

	/* .gnu_debuglink without a NUL; .gnu_debugdata that is not xz. */
	b = copy();
	if ((s = find_sec(b, ".gnu_debuglink", 0))) {
		memset(b + shdr(b, s)->sh_offset, 'x', shdr(b, s)->sh_size);
		emit("debuglink-unterminated", b, seed_len);
	}
	free(b);
	b = copy();
	if ((s = find_sec(b, ".gnu_debugdata", 0))) {
		memset(b + shdr(b, s)->sh_offset + 12, 0x5a, shdr(b, s)->sh_size - 12);
		emit("debugdata-corrupt", b, seed_len);
		memcpy(b, seed, seed_len);
		shdr(b, s)->sh_size /= 2;
		emit("debugdata-truncated", b, seed_len);
	}
	free(b);

	/* Wrong header fields: class, machine, type, version. */
	b = copy();
	b[EI_CLASS] = ELFCLASS32;
	emit("class-32", b, seed_len);
	memcpy(b, seed, seed_len);
	eh(b)->e_machine = EM_AARCH64;
	emit("machine-aarch64", b, seed_len);
	memcpy(b, seed, seed_len);
	eh(b)->e_type = ET_CORE;
	emit("type-core", b, seed_len);
	memcpy(b, seed, seed_len);
	eh(b)->e_shentsize = 7;
	emit("shentsize-7", b, seed_len);
	free(b);
	free(seed);
	return 0;
}
