#pragma once
// The columns that the store's CSV export and the Python frames put beside an env's knobs
// and metrics, named once here. An env whose knob or metric took one of these names was
// shown under it (a CSV with two 'seed' columns, a frame whose 'index' held a metric), so
// build_env refuses such an env (registry.h).
#include <array>
#include <string_view>

namespace archgym {

// Each evaluation's own columns, first in the export and in every frame, in this order.
inline constexpr std::array<std::string_view, 6> kEvaluationColumns{"run_id", "index", "reward",
                                                                     "valid", "reason", "sim_seconds"};
// What Python's Store.searches() adds to tell runs apart: each run's searcher (its agent,
// or an external run's driver) and seed.
inline constexpr std::array<std::string_view, 2> kSearchColumns{"searcher", "seed"};
// Python's Proxy.compare() shows the prediction of metric m as column m + kPredictedSuffix.
inline constexpr std::string_view kPredictedSuffix = "_predicted";

}  // namespace archgym
