#pragma once
// The contract's "predict() is safe from several threads after fit()": four threads
// predicting the same queries at once get exactly what one thread got alone.
#include <thread>
#include <vector>

#include "core/proxy_model.h"
#include "tests/catch.h"

inline void check_predictions_thread_safe(const archgym::ProxyModel& model,
                                          const std::vector<std::vector<double>>& queries) {
  std::vector<std::vector<double>> expected;
  for (const auto& x : queries) expected.push_back(model.predict(x));
  std::vector<std::vector<std::vector<double>>> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] {
      for (const auto& x : queries) got[t].push_back(model.predict(x));
    });
  for (auto& th : threads) th.join();
  for (const auto& g : got) CHECK(g == expected);
}
