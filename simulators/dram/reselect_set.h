#pragma once
// The bank machines that must pick their request and command again (BankMachine::
// invalidate). A bit per bank instead of a flag in each machine: re-timing every bank
// after a command is then branch-free, and only the marked few re-select. Which bank
// changed is data-dependent, so a per-bank "re-select?" branch mispredicted often.
#include <bit>
#include <cstdint>
#include <vector>

namespace archgym::dram {

class ReselectSet {
 public:
  explicit ReselectSet(int banks) : words_((static_cast<std::size_t>(banks) + 63) / 64, 0) {}

  // One bank's bit, resolved once (the set never reallocates).
  class Member {
   public:
    Member(ReselectSet& set, int bank) : word_(&set.words_[word(bank)]), bit_(bit(bank)) {}
    void mark() { *word_ |= bit_; }
    void clear() { *word_ &= ~bit_; }
    bool marked() const { return (*word_ & bit_) != 0; }

   private:
    std::uint64_t* word_;
    std::uint64_t bit_;
  };

  bool empty() const {
    for (std::uint64_t w : words_)
      if (w != 0) return false;
    return true;
  }
  // Calls f(bank) for every marked bank, in bank order; f is expected to clear it.
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t w = 0; w < words_.size(); ++w)
      for (std::uint64_t m = words_[w]; m != 0; m &= m - 1)
        f(static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(m))));
  }

 private:
  static std::size_t word(int bank) { return static_cast<std::size_t>(bank) / 64; }
  static std::uint64_t bit(int bank) { return std::uint64_t{1} << (static_cast<unsigned>(bank) % 64); }
  std::vector<std::uint64_t> words_;
};

}  // namespace archgym::dram
