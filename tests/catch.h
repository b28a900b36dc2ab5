#pragma once
// The one place that knows which Catch2 we use (Debian 12 ships v2, single header).
#include <catch2/catch.hpp>
