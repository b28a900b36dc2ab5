#include "tests/catch.h"
#include "tests/core/toy_env.h"

#include <cmath>
#include <set>

#include "core/design_space.h"

using namespace archgym;

TEST_CASE("size, lookup and unknown names") {
  const DesignSpace s = toy::bowl_space();
  CHECK(s.size() == 21.0 * 7 * 3 * 4);
  CHECK(s.all_discrete());
  CHECK(s.index_of("shape") == 2);
  CHECK_THROWS_WITH(s.index_of("sizes"), "unknown parameter 'sizes' (did you mean 'size'?); known parameters: x, size, shape, scale");
  DesignSpace with_real = s;
  with_real.add(Parameter::real("r", 0, 1));
  CHECK(std::isinf(with_real.size()));
  CHECK_THROWS_WITH(with_real.add(Parameter::real("r", 0, 1)), Catch::Contains("'r' is defined twice"));
  // Astronomically large spaces stay representable.
  DesignSpace big;
  for (int i = 0; i < 40; ++i) big.add(Parameter::integer("p" + std::to_string(i), 1, 128));
  CHECK(big.size() == std::pow(128.0, 40));
}

TEST_CASE("map, strings, indices, unit and JSON round trips") {
  const DesignSpace s = toy::bowl_space();
  Rng rng(11);
  for (int i = 0; i < 200; ++i) {
    const Design d = s.sample(rng);
    REQUIRE_FALSE(s.check(d));
    CHECK(s.from_map(s.to_map(d)) == d);
    CHECK(s.from_indices(s.to_indices(d)) == d);
    CHECK(s.from_unit(s.to_unit(d)) == d);
    CHECK(s.from_json(s.to_json(d)) == d);
  }
  const Design d = s.from_strings({{"x", "3"}, {"size", "16"}, {"shape", "star"}, {"scale", "0.5"}});
  CHECK(s.to_json(d) == R"({"x":3,"size":16,"shape":"star","scale":0.5})");
  CHECK(s.to_indices(d) == std::vector<std::size_t>{3, 4, 2, 0});
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  CHECK_THROWS_WITH(s.from_json(R"({"x": )" + deep + "}"), "design: JSON nested more than 100 levels deep; archgym's files nest a few levels");
}

TEST_CASE("from_map: defaults, missing, duplicates, bad values") {
  const DesignSpace s = toy::bowl_space();
  const Design base = s.from_strings({{"x", "0"}, {"size", "1"}, {"shape", "round"}, {"scale", "1"}});
  const Design d = s.from_map({{"x", std::int64_t{5}}}, &base);
  CHECK(d.values[0] == Value{std::int64_t{5}});
  CHECK(d.values[2] == Value{std::string("round")});
  CHECK_THROWS_WITH(s.from_map({{"x", std::int64_t{5}}}), "design is missing parameters size, shape, scale");
  CHECK_THROWS_WITH(s.from_map({{"x", std::int64_t{5}}, {"x", std::int64_t{6}}}, &base), Catch::Contains("'x' is given twice"));
  CHECK_THROWS_WITH(s.from_map({{"y", std::int64_t{5}}}, &base), Catch::Contains("unknown parameter 'y'"));
  CHECK_THROWS_WITH(s.from_strings({{"size", "48"}}, &base),
                    "size: 48 is not allowed; allowed: power of two 1..64");
  CHECK_THROWS_WITH(s.from_json("[1, 2]"), Catch::Contains("expected a JSON object"));
  CHECK_THROWS_WITH(s.from_json("{\"x\": "), Catch::Contains("invalid JSON"));
  // JSON from elsewhere: a repeated name kept its last value, true read as 1, and an integer
  // beyond INT64_MAX wrapped around to a negative one.
  const std::string rest = R"("size": 1, "shape": "round", "scale": 1)";
  CHECK(s.from_json("{\"x\": 2, " + rest + "}").values[0] == Value{std::int64_t{2}});
  CHECK_THROWS_WITH(s.from_json("{\"x\": 1, \"x\": 2, " + rest + "}"), "design: x: key given twice in one object (JSON keys must be unique; keep one)");
  CHECK_THROWS_WITH(s.from_json("{\"x\": true, " + rest + "}"),
                    "design: parameter 'x' must be a number or a string, got true");
  CHECK_THROWS_WITH(s.from_json("{\"x\": 18446744073709551615, " + rest + "}"),
                    "x: 18446744073709551615 is out of range (integers go up to 9223372036854775807)");
  CHECK_THROWS_WITH(s.from_indices({0, 0}), Catch::Contains("got 2 indices but the space has 4 parameters"));
}

TEST_CASE("constraints: check names them, sampling and neighbours respect them") {
  const DesignSpace s = toy::bowl_space();
  const Design bad = s.from_strings({{"x", "3"}, {"size", "64"}, {"shape", "star"}, {"scale", "1"}});
  CHECK(s.check(bad) == std::optional<std::string>("constraint violated: size <= 32 for a star"));
  CHECK_THROWS_WITH(s.validate(bad), "constraint violated: size <= 32 for a star");
  Rng rng(4);
  Design d = s.sample(rng);
  for (int i = 0; i < 2000; ++i) {
    REQUIRE_FALSE(s.check(s.sample(rng)));
    const Design next = s.neighbour(d, rng);
    REQUIRE_FALSE(s.check(next));
    int changed = 0;
    for (std::size_t k = 0; k < s.dimension(); ++k) {
      if (next.values[k] == d.values[k]) continue;
      ++changed;
      if (k != 2) {  // ordered kinds move to an adjacent value
        const auto a = s.parameter(k).index_of(d.values[k]), b = s.parameter(k).index_of(next.values[k]);
        REQUIRE((a + 1 == b || b + 1 == a));
      }
    }
    REQUIRE(changed == 1);
    d = next;
  }
  DesignSpace impossible = toy::bowl_space();
  impossible.constrain("never", [](const Design&) { return false; });
  CHECK_THROWS_WITH(impossible.sample(rng), Catch::Contains("no design satisfying the constraints was found in 10000"));
}

TEST_CASE("sampling covers the space uniformly enough") {
  DesignSpace s;
  s.add(Parameter::categorical("c", {"a", "b", "c", "d"}));
  Rng rng(99);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4000; ++i) ++counts[std::get<std::string>(s.sample(rng).values[0])];
  for (const auto& [k, n] : counts) CHECK(std::abs(n - 1000) < 150);
}
