// SPDX-License-Identifier: GPL-2.0-only
/*
 * addressbook: the design's C++ address book. AddressBook::AddContact()
 * is called once per contact below, in order, with known strings; its
 * parameters are std::string references, for DWARF-named arguments.
 * Usage: addressbook [--wait]
 */
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

class AddressBook {
public:
	void AddContact(const std::string &name, const std::string &email, int age);
	size_t Size() const { return contacts_.size(); }

private:
	struct Contact {
		std::string name, email;
		int age;
	};
	std::vector<Contact> contacts_;
};

__attribute__((noinline)) void AddressBook::AddContact(const std::string &name,
							const std::string &email, int age)
{
	contacts_.push_back({ name, email, age });
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *email;
		int age;
	} people[] = {
		{ "Ada Lovelace", "ada@example.org", 36 },
		{ "Alan Turing", "alan@example.org", 41 },
		{ "Grace Hopper", "grace@example.org", 85 },
		{ "Ken Thompson", "ken@example.org", 41 },
	};
	AddressBook book;
	char line[16];

	if (argc > 1 && !strcmp(argv[1], "--wait") && !fgets(line, sizeof(line), stdin))
		return 1;
	for (const auto &p : people)
		book.AddContact(p.name, p.email, p.age);
	return book.Size() == 4 ? 0 : 1;
}
