#include "tests/catch.h"

#include "core/text.h"
#include "core/value.h"

using namespace archgym;

TEST_CASE("values print as users write them") {
  CHECK(to_string(Value{std::int64_t{8}}) == "8");
  CHECK(to_string(Value{0.5}) == "0.5");
  CHECK(to_string(Value{0.1}) == "0.1");  // shortest round trip, not 0.10000000000000001
  CHECK(to_string(Value{1e-6}) == "1e-06");
  CHECK(to_string(Value{std::string("Open")}) == "Open");
}

TEST_CASE("numeric conversions refuse what they cannot represent") {
  CHECK(as_double(Value{std::int64_t{3}}) == 3.0);
  CHECK(as_int(Value{4.0}) == 4);
  CHECK_THROWS_WITH(as_int(Value{4.5}), Catch::Contains("expected an integer, got 4.5"));
  CHECK_THROWS_WITH(as_double(Value{std::string("x")}), Catch::Contains("expected a number, got 'x'"));
  CHECK_FALSE(is_number(Value{std::string("1")}));
}

TEST_CASE("strict number parsing rejects trailing garbage") {
  CHECK(parse_integer("42") == 42);
  CHECK(parse_integer(" -3 ") == -3);
  CHECK_FALSE(parse_integer("1.5"));
  CHECK_FALSE(parse_integer("abc"));
  CHECK_FALSE(parse_integer("12abc"));
  CHECK_FALSE(parse_integer("99999999999999999999"));
  CHECK(parse_real("1e-3") == 1e-3);
  CHECK_FALSE(parse_real("nan"));
  CHECK_FALSE(parse_real("1.0x"));
}

TEST_CASE("suggestions find near misses only") {
  CHECK(edit_distance("populaton", "population") == 1);
  CHECK(closest_match("populaton", {"generations", "mutation_prob", "population"}) == "population");
  CHECK(closest_match("OPEN", {"Open", "Closed"}) == "Open");
  CHECK(closest_match("power", {"energy_uJ", "power_W"}) == "power_W");
  CHECK_FALSE(closest_match("read", {"read_latency_avg_ns", "read_latency_p99_ns"}));
  CHECK_FALSE(closest_match("zzzzzz", {"Open", "Closed"}));
  CHECK(did_you_mean("Open", {"Open"}).empty());
  // Equally near names are all offered, in the candidates' order.
  CHECK(did_you_mean("cloud-3", {"stream", "random", "cloud-1", "cloud-2"}) == " (did you mean 'cloud-1' or 'cloud-2'?)");
  CHECK(did_you_mean("bab", {"aab", "bbb", "bac", "zzz"}) == " (did you mean 'aab', 'bbb' or 'bac'?)");
  CHECK(did_you_mean("populaton", {"generations", "population"}) == " (did you mean 'population'?)");
  CHECK(closest_matches("zzzzzz", {"Open", "Closed"}).empty());
}

TEST_CASE("text from outside prints as one safe line") {
  CHECK(printable_line("plain message") == "plain message");
  CHECK(printable_line("first\nsecond") == "first...");
  CHECK(printable_line("red \x1b[31mRED\x1b[0m") == "red ?[31mRED?[0m");
  CHECK(printable_line("a\xE2\x80\xAE" "b\xE2\x80\xA8" "c") == "a?b?c");  // U+202E, U+2028
  CHECK(printable_line("D\xC3\xBCsseldorf \xF0\x9F\x98\x80") == "D\xC3\xBCsseldorf \xF0\x9F\x98\x80");
  CHECK(printable_line(std::string(500, 'x'), 300) == std::string(300, 'x') + "...");
  CHECK(printable_line(std::string(299, 'x') + "\xC3\xBC", 300) == std::string(299, 'x') + "...");  // not mid-character
  CHECK(printable_line("bad \xFF byte") == "bad ? byte");
  CHECK(to_utf8(code_points("\xE6\x90\x9C a \xF0\x9F\x98\x80")) == "\xE6\x90\x9C a \xF0\x9F\x98\x80");
}

TEST_CASE("UTF-8 validation finds the first byte that is not well formed") {
  CHECK_FALSE(invalid_utf8_offset(""));
  CHECK_FALSE(invalid_utf8_offset("traces/cloud-1.stl"));
  CHECK_FALSE(invalid_utf8_offset("D\xC3\xBCsseldorf/\xE2\x82\xAC/\xF0\x9F\x98\x80"));  // 2-, 3- and 4-byte forms
  CHECK_FALSE(invalid_utf8_offset("\xF4\x8F\xBF\xBF"));                                  // U+10FFFF, the last code point
  CHECK(invalid_utf8_offset("tr\xFF.stl") == 2u);
  CHECK(invalid_utf8_offset("ab\xC3") == 2u);              // cut short
  CHECK(invalid_utf8_offset("\xC0\xAF") == 0u);            // overlong '/'
  CHECK(invalid_utf8_offset("x\xE0\x80\xAF") == 1u);       // overlong, 3 bytes
  CHECK(invalid_utf8_offset("\xED\xA0\x80") == 0u);        // a UTF-16 surrogate
  CHECK(invalid_utf8_offset("\xF4\x90\x80\x80") == 0u);    // beyond U+10FFFF
  CHECK(invalid_utf8_offset("\xE2\x82") == 0u);            // continuation missing
  CHECK(invalid_utf8_offset("ok\x80") == 2u);              // a lone continuation byte
}
