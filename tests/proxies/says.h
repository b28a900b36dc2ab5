#pragma once
// Matches an exception whose message contains `fragment`; with CHECK_THROWS_MATCHES this
// checks the type and the message of one throw.
#include <exception>
#include <string>

#include "tests/catch.h"

class Says : public Catch::MatcherBase<std::exception> {
 public:
  explicit Says(std::string fragment) : fragment_(std::move(fragment)) {}
  bool match(const std::exception& e) const override {
    return std::string(e.what()).find(fragment_) != std::string::npos;
  }
  std::string describe() const override { return "has a message containing \"" + fragment_ + "\""; }

 private:
  std::string fragment_;
};
