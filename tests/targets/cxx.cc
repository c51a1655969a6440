// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxx: C++ methods with known call counts. Usage: cxx N [--wait]
 * shapes::Circle::area() N times, shapes::Square::area() 2N times,
 * shapes::scale(int) N times and shapes::scale(double) 3N times.
 */
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace shapes {

volatile double sink;

class Shape {
public:
	virtual ~Shape() {}
	virtual double area() const = 0;
};

class Circle : public Shape {
public:
	explicit Circle(double r) : r_(r) {}
	__attribute__((noinline)) double area() const override { return 3.0 * r_ * r_; }
private:
	double r_;
};

class Square : public Shape {
public:
	explicit Square(double s) : s_(s) {}
	__attribute__((noinline)) double area() const override { return s_ * s_; }
private:
	double s_;
};

__attribute__((noinline)) int scale(int x) { sink = sink + x; return x * 2; }
__attribute__((noinline)) double scale(double x) { sink = sink + x; return x * 2; }

} // namespace shapes

int main(int argc, char **argv)
{
	char line[64];

	if (argc < 2) {
		std::fprintf(stderr, "usage: cxx N [--wait]\n");
		return 2;
	}
	long n = std::atol(argv[1]);
	if (argc > 2 && !std::strcmp(argv[2], "--wait") && !std::fgets(line, sizeof(line), stdin))
		return 1;
	shapes::Circle c(1.0 + argc);
	shapes::Square s(2.0 + argc);
	shapes::Shape *all[2] = { &c, &s };
	for (long i = 0; i < n; i++) {
		shapes::sink = shapes::sink + all[0]->area();
		shapes::sink = shapes::sink + all[1]->area() + all[1]->area();
		shapes::scale(static_cast<int>(i));
		for (int k = 0; k < 3; k++)
			shapes::scale(static_cast<double>(i));
	}
	return 0;
}
