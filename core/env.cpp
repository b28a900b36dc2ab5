#include "core/env.h"

#include <chrono>
#include <exception>

namespace archgym {

Evaluation evaluate_checked(const Env& env, const Design& d) {
  if (auto problem = env.space().check(d)) return Evaluation::invalid("design outside the space: " + *problem);
  const auto start = std::chrono::steady_clock::now();
  Evaluation e;
  try {
    e = env.evaluate(d);
  } catch (const std::exception& ex) {
    e = Evaluation::invalid(std::string("evaluation failed: ") + ex.what());
  } catch (...) {
    e = Evaluation::invalid("evaluation failed: unknown exception");
  }
  if (e.sim_seconds == 0)
    e.sim_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!e.valid && e.invalid_reason.empty()) e.invalid_reason = "invalid (the env gave no reason)";
  return e;
}

}  // namespace archgym
