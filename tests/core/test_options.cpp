#include "tests/catch.h"

#include "core/options.h"

using namespace archgym;

namespace {
Schema ga_schema() {
  return Schema()
      .integer("population", 16, 2, 64, "individuals per generation")
      .integer("generations", 32, 1, std::nullopt, "generations")
      .real("mutation_prob", 0.05, 0.0, 1.0, "per-gene mutation probability")
      .choice("mutation", "redraw", {"redraw", "neighbour"}, "mutation operator")
      .boolean("elitism", true, "keep the best")
      .string("label", "", "free text");
}
}  // namespace

TEST_CASE("defaults fill what is not given, values parse by kind") {
  const Options o = ga_schema().parse({{"population", "8"}, {"mutation_prob", "1e-3"}, {"elitism", "no"}}, "agent 'ga'");
  CHECK(o.integer("population") == 8);
  CHECK(o.integer("generations") == 32);
  CHECK(o.real("mutation_prob") == 1e-3);
  CHECK(o.real("population") == 8.0);  // integers widen
  CHECK_FALSE(o.boolean("elitism"));
  CHECK(o.string("mutation") == "redraw");
  CHECK(o.to_json() == R"({"elitism":0,"generations":32,"label":"","mutation":"redraw","mutation_prob":0.001,"population":8})");
  for (const char* yes : {"true", "1", "yes", "On", "TRUE"})
    CHECK(ga_schema().parse({{"elitism", yes}}, "x").boolean("elitism"));
}

TEST_CASE("bad values are rejected naming the key and what is allowed") {
  const Schema s = ga_schema();
  CHECK_THROWS_WITH(s.parse({{"population", "1.5"}}, "agent 'ga'"),
                    "agent 'ga': option 'population' must be integer in [2, 64], got '1.5'");
  CHECK_THROWS_WITH(s.parse({{"population", "abc"}}, "agent 'ga'"), Catch::Contains("got 'abc'"));
  CHECK_THROWS_WITH(s.parse({{"population", "65"}}, "agent 'ga'"), Catch::Contains("integer in [2, 64], got '65'"));
  CHECK_THROWS_WITH(s.parse({{"generations", "0"}}, "agent 'ga'"), Catch::Contains("must be integer >= 1"));
  CHECK_THROWS_WITH(s.parse({{"generations", "9223372036854775808"}}, "agent 'ga'"),
                    "agent 'ga': option 'generations' must be integer >= 1, got '9223372036854775808' "
                    "(beyond the 64-bit integer range)");
  CHECK_THROWS_WITH(s.parse({{"generations", "-99999999999999999999"}}, "agent 'ga'"),
                    Catch::EndsWith("(beyond the 64-bit integer range)"));
  CHECK_THROWS_WITH(s.parse({{"mutation_prob", "1.5"}}, "agent 'ga'"), Catch::Contains("real in [0, 1], got '1.5'"));
  CHECK_THROWS_WITH(s.parse({{"mutation", "Redraw"}}, "agent 'ga'"),
                    "agent 'ga': option 'mutation' must be one of {redraw, neighbour}, got 'Redraw' (did you mean 'redraw'?)");
  CHECK_THROWS_WITH(s.parse({{"elitism", "maybe"}}, "agent 'ga'"), Catch::Contains("option 'elitism' must be true or false"));
}

TEST_CASE("text options must be UTF-8, since runs record them as JSON") {
  Schema s;
  s.string("workload", "stream", "a trace");
  CHECK_THROWS_WITH(s.parse({{"workload", "tr\xFF.stl"}}, "env 'dram'"),
                    "env 'dram': option 'workload' is not UTF-8 text (byte 0xFF at offset 2); runs record their "
                    "options as JSON text: for a path, rename the file or directory");
  CHECK(s.parse({{"workload", "D\xC3\xBCsseldorf.stl"}}, "").string("workload") == "D\xC3\xBCsseldorf.stl");
  // Valid UTF-8, but a file name would end at the NUL (a YAML "\0" escape opened t.stl).
  CHECK_THROWS_WITH(s.parse({{"workload", std::string("t.stl\0x", 7)}}, "config.yaml:3"),
                    "config.yaml:3: option 'workload' contains a NUL character (at offset 5); text options "
                    "cannot contain one");
}

TEST_CASE("unknown keys list the known ones and suggest the closest") {
  const Schema s = Schema()
                       .integer("population", 16, 2, 64, "")
                       .integer("generations", 8, 1, 64, "")
                       .real("mutation_prob", 0.01, 0, 1, "");
  CHECK_THROWS_WITH(s.parse({{"populaton", "8"}}, "agent 'ga'"),
                    "agent 'ga': unknown option 'populaton' (did you mean 'population'?); known options: "
                    "generations, mutation_prob, population");
  CHECK_THROWS_WITH(s.parse({{"zzz", "8"}}, "config.yaml:12"),
                    "config.yaml:12: unknown option 'zzz'; known options: generations, mutation_prob, population");
  CHECK_THROWS_WITH(Schema().parse({{"a", "1"}}, "env 'toy'"), Catch::Contains("known options: (none)"));
}

TEST_CASE("schemas refuse contradictions, and options refuse wrong types") {
  // A declaration mistake is kept (the registry reports it naming the component) and
  // stops any use of the schema; the first mistake is the one reported.
  const Schema bad_default = Schema().integer("n", 0, 1, 8, "").choice("c", "x", {"a", "b"}, "");
  CHECK(bad_default.declaration_error() == "schema default: option 'n' must be integer in [1, 8], got '0'");
  CHECK_THROWS_WITH(bad_default.defaults(), bad_default.declaration_error());
  CHECK_THROWS_WITH(bad_default.parse({}, "agent 'x'"), bad_default.declaration_error());
  CHECK_THROWS_WITH(bad_default.parse_json("{}", "run 1"), bad_default.declaration_error());
  CHECK_THAT(Schema().choice("c", "x", {"a", "b"}, "").declaration_error(), Catch::Contains("one of {a, b}"));
  CHECK(Schema().integer("n", 1, 1, 8, "").real("n", 1, 0, 2, "").declaration_error() ==
        "schema: option 'n' is declared twice");
  CHECK(ga_schema().declaration_error().empty());
  const Options o = ga_schema().defaults();
  CHECK_THROWS_WITH(o.integer("mutation"), Catch::Contains("option 'mutation' is not an integer"));
  CHECK_THROWS_WITH(o.get("populaton"), Catch::Contains("unknown option 'populaton' (did you mean 'population'?)"));
}

TEST_CASE("options survive a JSON round trip through the schema") {
  const Schema s = ga_schema();
  const Options o = s.parse({{"population", "8"}, {"mutation_prob", "0.1"}, {"label", "a, \"b\""}, {"elitism", "false"}}, "");
  const Options back = s.parse_json(o.to_json(), "run 1");
  CHECK(back.all() == o.all());
  CHECK_THROWS_WITH(s.parse_json(R"({"old_option": 1})", "run 1, agent 'ga'"),
                    Catch::Contains("run 1, agent 'ga': unknown option 'old_option'"));
  // A hand-edited store: nesting beyond 100 levels is refused at the parse (300,000 levels
  // overflowed the stack when the value was copied or printed).
  const auto nested = [](int levels) {
    return R"({"population": )" + std::string(static_cast<std::size_t>(levels), '[') +
           std::string(static_cast<std::size_t>(levels), ']') + "}";
  };
  CHECK_THROWS_WITH(s.parse_json(nested(300000), "run 1, agent 'ga'"),
                    "run 1, agent 'ga': JSON nested more than 100 levels deep; archgym's files nest a few levels");
  CHECK_THROWS_WITH(s.parse_json(nested(99), "run 1"), Catch::Contains("population: expected a number or a string"));
  CHECK_THROWS_WITH(s.parse_json(nested(100), "run 1"), Catch::Contains("nested more than 100 levels deep"));
}

TEST_CASE("options know which keys were given, also with the default value") {
  const Schema s = ga_schema();
  const Options o = s.parse({{"population", "16"}, {"mutation", "neighbour"}}, "");
  CHECK(o.given("population"));  // 16 is the default
  CHECK(o.given("mutation"));
  CHECK_FALSE(o.given("generations"));
  CHECK_FALSE(s.defaults().given("population"));
  // Stored options hold every value: which ones a user typed is not known.
  const Options back = s.parse_json(o.to_json(), "run 1");
  CHECK(back.all() == o.all());
  CHECK_FALSE(back.given("population"));
  CHECK_FALSE(back.given("mutation"));
}
