#pragma once
// The knob and metric columns of a run's evaluations, from its env, for exports whose
// rows cannot show them all: a run with no evaluation yet, or only invalid ones (which
// carry no metrics). Without them such an export lacked the columns a reader expects.
#include "core/store.h"

namespace archgym {

// The parameters of the run's env in space order and its metrics in name order (the
// order the runner stores them in), from the env rebuilt from the run's record. Empty
// when it cannot be rebuilt (e.g. an input file is gone): an export must not need the
// inputs, and the rows' own columns are then all there is.
Store::Columns run_columns(const RunRecord& run);

}  // namespace archgym
