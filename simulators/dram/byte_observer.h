#pragma once
// Sees the bytes of an input file as a loader reads them (every byte once, in order), so a
// caller can hash exactly what was parsed instead of reading the file a second time, which
// a file replaced in between would make differ.
#include <functional>
#include <string_view>

namespace archgym::dram {

using ByteObserver = std::function<void(std::string_view bytes)>;

}  // namespace archgym::dram
