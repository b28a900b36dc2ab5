#include "tests/catch.h"

#include "core/parameter.h"

using namespace archgym;
using Kind = Parameter::Kind;

TEST_CASE("integer parameters: values, step and errors") {
  auto p = Parameter::integer("RequestBufferSize", 1, 8);
  CHECK(p.kind() == Kind::Integer);
  CHECK(p.cardinality() == 8);
  CHECK(p.allowed() == "integer 1..8");
  CHECK(p.index_of(std::int64_t{3}) == 2);
  CHECK(p.index_of(3.0) == 2);  // JSON/Python may hand us 3.0
  CHECK(std::holds_alternative<std::int64_t>(p.canonical(3.0)));
  CHECK_THROWS_WITH(p.validate(std::int64_t{9}), "RequestBufferSize: 9 is not allowed; allowed: integer 1..8");
  CHECK_THROWS_WITH(p.parse("1.5"), Catch::Contains("'1.5' is not an integer; allowed: integer 1..8"));
  CHECK_THROWS_WITH(p.parse("abc"), Catch::Contains("RequestBufferSize: 'abc' is not an integer"));
  CHECK(p.parse("8") == Value{std::int64_t{8}});

  auto stepped = Parameter::integer("depth", 0, 10, 4);  // 0, 4, 8 (10 is off the grid)
  CHECK(stepped.cardinality() == 3);
  CHECK(stepped.allowed() == "integer 0..8 step 4");
  CHECK_FALSE(stepped.contains(std::int64_t{6}));
  CHECK_THROWS_WITH(Parameter::integer("n", 5, 1), Catch::Contains("n: integer range 5..1 is empty"));
  CHECK_THROWS_WITH(Parameter::integer("n", 1, 5, 0), Catch::Contains("step must be positive"));
}

TEST_CASE("power-of-two parameters") {
  auto p = Parameter::power_of_two("MaxActiveTransactions", 1, 128);
  CHECK(p.cardinality() == 8);
  CHECK(p.value_at(7) == Value{std::int64_t{128}});
  CHECK(p.allowed() == "power of two 1..128");
  CHECK_THROWS_WITH(p.validate(std::int64_t{48}), Catch::Contains("48 is not allowed; allowed: power of two 1..128"));
  CHECK_THROWS_WITH(Parameter::power_of_two("m", 3, 64), Catch::Contains("powers of two"));
}

TEST_CASE("ordered and categorical parameters") {
  auto ordered = Parameter::ordered("scale", {0.5, 1.0, 2.0});
  CHECK(ordered.parse("0.5") == Value{0.5});
  CHECK(ordered.parse("1.0") == Value{1.0});  // equal in value to the listed 1
  CHECK(ordered.allowed() == "one of {0.5, 1, 2}");
  CHECK_THROWS_WITH(Parameter::ordered("o", {1.0, std::int64_t{1}}), Catch::Contains("listed twice"));

  auto cat = Parameter::categorical("PagePolicy", {"Open", "OpenAdaptive", "Closed", "ClosedAdaptive"});
  CHECK(cat.index_of(std::string("Closed")) == 2);
  CHECK_THROWS_WITH(cat.parse("open"),
                    "PagePolicy: 'open' is not allowed; allowed: one of {Open, OpenAdaptive, Closed, "
                    "ClosedAdaptive} (did you mean 'Open'?)");
  CHECK_THROWS_WITH(cat.validate(std::int64_t{1}), Catch::Contains("PagePolicy: 1 is not allowed"));
  CHECK_THROWS_WITH(cat.value_at(4), Catch::Contains("index 4 is out of range; allowed: 0..3"));
}

TEST_CASE("real parameters, linear and log") {
  auto lin = Parameter::real("lr", 0.0, 2.0);
  CHECK(lin.cardinality() == 0);
  CHECK_FALSE(lin.is_discrete());
  CHECK(lin.to_unit(0.5) == 0.25);
  CHECK(lin.parse("1e-3") == Value{1e-3});
  CHECK_THROWS_WITH(lin.parse("3"), Catch::Contains("lr: 3 is not allowed; allowed: real [0, 2]"));
  auto log = Parameter::real("lr", 1e-4, 1e-1, true);
  CHECK(log.allowed() == "real [0.0001, 0.1] (log)");
  CHECK(as_double(log.from_unit(0.0)) == 1e-4);
  CHECK(as_double(log.from_unit(1.0)) == 0.1);
  CHECK(as_double(log.from_unit(1.0 / 3.0)) == Approx(1e-3));
  CHECK_THROWS_WITH(Parameter::real("x", 0.0, 1.0, true), Catch::Contains("log-scaled range needs lo > 0"));
  Rng rng(3);
  for (int i = 0; i < 1000; ++i) REQUIRE(log.contains(log.sample(rng)));
}

TEST_CASE("unit encoding round-trips every discrete value") {
  for (const auto& p : {Parameter::integer("a", -3, 9, 3), Parameter::power_of_two("b", 2, 256),
                        Parameter::categorical("c", {"x", "y", "z"}), Parameter::ordered("d", {std::int64_t{1}})}) {
    for (std::size_t i = 0; i < p.cardinality(); ++i) {
      const Value v = p.value_at(i);
      CHECK(p.from_unit(p.to_unit(v)) == v);
      CHECK(p.index_of(v) == i);
    }
  }
}

TEST_CASE("integer ranges near the ends of int64 keep every value and find each exactly") {
  // A span beyond INT64_MAX: the value loop overflowed and kept only the first value.
  const std::int64_t q = std::int64_t{1} << 62;
  const auto wide = Parameter::integer("x", -q, q, std::int64_t{1} << 61);
  CHECK(wide.cardinality() == 5);
  CHECK(wide.index_of(q) == 4);
  CHECK(Parameter::integer("y", -10, INT64_MAX, std::int64_t{1} << 61).cardinality() == 5);
  // Beyond 2^53 neighbouring integers share a double: the lookup matched the wrong one.
  const auto high = Parameter::integer("h", q, q + 10);
  CHECK(high.index_of(q + 1) == 1);
  CHECK(high.index_of(q + 2) == 2);
  const auto top = Parameter::integer("t", INT64_MAX - 4, INT64_MAX);
  CHECK(top.index_of(INT64_MAX) == 4);  // it refused its own last value
  CHECK_FALSE(top.contains(0x1p63));     // 2^63 as a double has no int64 (it was undefined)
  CHECK(Parameter::integer("n", 1, 8).index_of(3.0) == 2);  // whole doubles still count
}

TEST_CASE("a real range whose width is not a finite double is refused") {
  // Sampling gave inf, and unit positions were wrong (to_unit(0) = 0 instead of 0.5).
  CHECK_THROWS_WITH(Parameter::real("r", -1e308, 1e308), Catch::Contains("its width hi - lo finite"));
  CHECK(Parameter::real("r", -1e307, 1e307).to_unit(0.0) == 0.5);
}
