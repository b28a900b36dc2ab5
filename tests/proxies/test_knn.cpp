#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry.h"
#include "proxies/feature_scaling.h"
#include "tests/catch.h"
#include "tests/proxies/says.h"
#include "tests/proxies/synthetic_data.h"
#include "tests/proxies/thread_safety.h"

using namespace archgym;

namespace {

std::unique_ptr<ProxyModel> knn(const std::string& k, const std::string& weights = "distance",
                                const std::string& scaling = "learned") {
  return make_proxy("knn", {{"k", k}, {"weights", weights}, {"scaling", scaling}}, 1);
}

// A set with one feature column per entry of `x` rows and one metric "y".
ProxyTrainingSet hand_set(const std::vector<std::vector<double>>& x, const std::vector<double>& y) {
  ProxyTrainingSet s;
  for (std::size_t f = 0; f < x.front().size(); ++f) s.feature_names.push_back("x" + std::to_string(f));
  s.metric_names = {"y"};
  s.features = x;
  for (double v : y) s.targets.push_back({v});
  return s;
}

double predict1(const ProxyModel& m, std::vector<double> x) { return m.predict(x).at(0); }

}  // namespace

TEST_CASE("knn with k=1 reproduces every training target exactly", "[proxy][knn]") {
  const auto data = testdata::make_set(300, 4, testdata::reference_targets(), 7);
  for (const std::string weights : {"distance", "uniform"}) {
    auto model = knn("1", weights);
    model->fit(data);
    for (std::size_t r = 0; r < data.rows(); ++r) REQUIRE(model->predict(data.features[r]) == data.targets[r]);
  }
}

TEST_CASE("knn predicts a smooth function on held-out designs", "[proxy][knn]") {
  const std::vector<testdata::Target> targets{{"smooth", testdata::smooth}};
  const auto train = testdata::make_set(2000, 3, targets, 11);
  const auto test = testdata::make_held_out(500, 3, targets, 11);
  auto model = knn("5");
  model->fit(train);
  const auto s = testdata::score(*model, test, 0);
  // Measured r2 0.988 (max error 0.42); the pins leave room for harmless changes.
  CHECK(s.r2 > 0.97);
  CHECK(s.max_abs_error < 0.6);
}

TEST_CASE("knn distance and uniform weighting give the hand-computed answers", "[proxy][knn]") {
  // Rows at x = 0, 1, 3 with y = 0, 10, 40; query x = 0.25 with k = 2 takes x = 0 and x = 1
  // at distances 0.25 and 0.75.
  const auto data = hand_set({{0.0}, {1.0}, {3.0}}, {0.0, 10.0, 40.0});
  auto uniform = knn("2", "uniform");
  uniform->fit(data);
  CHECK(predict1(*uniform, {0.25}) == Approx(5.0).epsilon(1e-15));  // (0 + 10) / 2
  auto distance = knn("2", "distance");
  distance->fit(data);
  // weights 1/0.25 = 4 and 1/0.75 = 4/3: (4*0 + 4/3*10) / (4 + 4/3) = 2.5
  CHECK(predict1(*distance, {0.25}) == Approx(2.5).epsilon(1e-14));
  // Beyond the data the same rule holds: x = 4 takes x = 3 (d 1) and x = 1 (d 3):
  // (1*40 + 1/3*10) / (1 + 1/3) = 32.5
  CHECK(predict1(*distance, {4.0}) == Approx(32.5).epsilon(1e-14));
  CHECK(predict1(*uniform, {4.0}) == Approx(25.0).epsilon(1e-15));
}

TEST_CASE("knn averages duplicate training points", "[proxy][knn]") {
  // The design at 0.2 was measured twice (y = 1 and 3); with distance weighting it is one
  // point worth their mean, whatever k.
  const auto data = hand_set({{0.2}, {0.9}, {0.2}, {0.5}}, {1.0, 100.0, 3.0, 50.0});
  for (const std::string k : {"1", "2", "4"}) {
    auto model = knn(k, "distance");
    model->fit(data);
    CHECK(predict1(*model, {0.2}) == 2.0);
  }
  // Uniform weighting takes exactly k rows; the tie between the duplicates goes to the
  // earlier row.
  auto uniform1 = knn("1", "uniform");
  uniform1->fit(data);
  CHECK(predict1(*uniform1, {0.2}) == 1.0);
  auto uniform2 = knn("2", "uniform");
  uniform2->fit(data);
  CHECK(predict1(*uniform2, {0.2}) == 2.0);
}

TEST_CASE("knn breaks distance ties by training row order", "[proxy][knn]") {
  // Four corners around the query, all at squared distance 0.5 exactly.
  const std::vector<std::vector<double>> corners{{1, 1}, {0, 0}, {1, 0}, {0, 1}};
  const auto data = hand_set(corners, {8.0, 1.0, 2.0, 4.0});
  for (int repeat = 0; repeat < 3; ++repeat) {
    auto k1 = knn("1", "uniform");
    k1->fit(data);
    CHECK(predict1(*k1, {0.5, 0.5}) == 8.0);  // row 0
    auto k2 = knn("2", "uniform");
    k2->fit(data);
    CHECK(predict1(*k2, {0.5, 0.5}) == 4.5);  // rows 0 and 1
    auto k3 = knn("3", "distance");
    k3->fit(data);
    CHECK(predict1(*k3, {0.5, 0.5}) == Approx(11.0 / 3.0).epsilon(1e-15));  // rows 0, 1, 2
  }
  // A tie among many rows at the k-th place: 40 copies of the same corner after a near one.
  std::vector<std::vector<double>> x{{0.5, 0.6}};
  std::vector<double> y{-1.0};
  for (int i = 0; i < 40; ++i) {
    x.push_back({1.0, 1.0});
    y.push_back(static_cast<double>(i));
  }
  auto k3 = knn("3", "uniform");
  k3->fit(hand_set(x, y));
  CHECK(predict1(*k3, {0.5, 0.5}) == Approx((-1.0 + 0.0 + 1.0) / 3.0).margin(1e-15));
}

TEST_CASE("knn with k above the row count uses every row", "[proxy][knn]") {
  const auto data = hand_set({{0.0}, {0.5}, {1.0}}, {3.0, 6.0, 9.0});
  auto model = knn("10", "uniform");
  model->fit(data);
  CHECK(predict1(*model, {0.1}) == 6.0);
  CHECK(predict1(*model, {7.0}) == 6.0);
}

TEST_CASE("knn state round-trips to bit-identical predictions", "[proxy][knn]") {
  auto data = testdata::make_set(200, 5, testdata::reference_targets(), 3);
  // Values that need all 17 digits, a subnormal and the largest double.
  data.targets[0] = {1.0 / 3.0, 0.1, 4.9406564584124654e-324};
  data.targets[1] = {1.7976931348623157e308, -2.0 / 3.0, 1e-300};
  data.features[2][0] = 0.30000000000000004;
  auto model = knn("4");
  model->fit(data);
  const std::string state = model->state_json();
  auto loaded = knn("4");
  loaded->load_state(state);
  CHECK(loaded->state_json() == state);
  const auto test = testdata::make_held_out(200, 5, testdata::reference_targets(), 3);
  for (const auto& x : test.features) REQUIRE(loaded->predict(x) == model->predict(x));
  for (std::size_t r = 0; r < 3; ++r) CHECK(loaded->predict(data.features[r]) == data.targets[r]);
}

TEST_CASE("knn predictions are safe from several threads", "[proxy][knn]") {
  const auto data = testdata::make_set(500, 4, testdata::reference_targets(), 5);
  const auto test = testdata::make_held_out(400, 4, testdata::reference_targets(), 5);
  auto model = knn("5");
  model->fit(data);
  check_predictions_thread_safe(*model, test.features);
}

TEST_CASE("knn reports misuse and bad input clearly", "[proxy][knn]") {
  auto model = knn("3");
  CHECK_THROWS_MATCHES(model->predict({0.1, 0.2}), std::logic_error,
                       Says("proxy model 'knn': predict() before fit()"));

  ProxyTrainingSet empty;
  empty.feature_names = {"x0"};
  empty.metric_names = {"y"};
  CHECK_THROWS_MATCHES(model->fit(empty), std::invalid_argument,
                       Says("proxy model 'knn'") && Says("at least 1"));

  model->fit(hand_set({{0.0, 0.0}, {1.0, 1.0}}, {1.0, 2.0}));
  CHECK_THROWS_MATCHES(model->predict({0.1}), std::invalid_argument,
                       Says("expected 2 features, got 1"));
  CHECK_THROWS_MATCHES(model->predict({0.1, std::nan("")}), std::invalid_argument,
                       Says("feature 'x1' is not finite"));

  const std::string good = model->state_json();
  auto loaded = knn("3");
  loaded->load_state(good);
  CHECK_THROWS_MATCHES(loaded->load_state("{not json"), std::invalid_argument,
                       Says("not valid JSON"));
  auto edited = [&](auto change) {
    auto j = nlohmann::json::parse(good);
    change(j);
    return j.dump();
  };
  CHECK_THROWS_MATCHES(loaded->load_state(edited([](auto& j) { j.erase("targets"); })), std::invalid_argument,
                       Says("no field 'targets'"));
  CHECK_THROWS_MATCHES(loaded->load_state(edited([](auto& j) { j["features"][1][0] = "one"; })),
                       std::invalid_argument, Says("field 'features' row 1"));
  CHECK_THROWS_MATCHES(loaded->load_state(edited([](auto& j) { j["targets"][0] = {1.0, 2.0}; })),
                       std::invalid_argument, Says("field 'targets' row 0 must be an array of 1"));
  CHECK_THROWS_MATCHES(loaded->load_state(edited([](auto& j) { j["features"].erase(0); })), std::invalid_argument,
                       Says("'targets' has 2 rows but field 'features' has 1"));
  CHECK_THROWS_MATCHES(loaded->load_state(edited([](auto& j) { j["model"] = "random_forest"; })),
                       std::invalid_argument, Says("field 'model' must be \"knn\""));
  CHECK_THROWS_MATCHES(loaded->load_state(edited([](auto& j) { j["metric_names"] = 3; })), std::invalid_argument,
                       Says("field 'metric_names' must be an array"));
  // A failed load leaves the previous state in place rather than half a model.
  CHECK(loaded->predict({0.25, 0.0}) == model->predict({0.25, 0.0}));
  CHECK(loaded->state_json() == good);
}

TEST_CASE("knn hyperparameters are validated by the registry schema", "[proxy][knn]") {
  CHECK_THROWS_MATCHES(make_proxy("knn", {{"k", "0"}}, 1), std::invalid_argument,
                       Says("proxy model 'knn'") && Says("'k'") &&
                           Says("[1, 1024]"));
  CHECK_THROWS_MATCHES(proxy_options("knn", {{"weights", "gaussian"}}), std::invalid_argument,
                       Says("proxy model 'knn'") && Says("distance"));
  CHECK_THROWS_MATCHES(proxy_options("knn", {{"scaling", "standard"}}), std::invalid_argument,
                       Says("'scaling'") && Says("learned") && Says("none"));
  CHECK_THROWS_MATCHES(proxy_options("knn", {{"scaling_rows", "2"}}), std::invalid_argument,
                       Says("'scaling_rows'") && Says("[3, 5000]"));
  const Options o = proxy_options("knn", {});
  CHECK(o.integer("k") == 5);
  CHECK(o.string("weights") == "distance");
  CHECK(o.string("scaling") == "learned");
  CHECK(o.integer("scaling_rows") == 400);
}

namespace {
// y depends on x0 alone; x1..x5 are knobs that change nothing (most of ArchGym's DRAM
// knobs, for most metrics).
const std::vector<testdata::Target> kFirstFeatureOnly{
    {"y", [](const std::vector<double>& x) { return std::sin(2.0 * testdata::kPi * x[0]); }}};
}  // namespace

TEST_CASE("learned feature scales single out the feature the metric depends on", "[proxy][knn]") {
  const auto data = testdata::make_set(300, 6, kFirstFeatureOnly, 21);
  const std::vector<double> scales = learn_feature_scales(data.features, data.targets, {});
  REQUIRE(scales.size() == 6);
  // Measured: x0 9.2e4, the others 0.94-1.1.
  for (std::size_t f = 1; f < 6; ++f) CHECK(scales[0] > 1000.0 * scales[f]);
  for (double s : scales) CHECK((s > 0.0 && std::isfinite(s)));
  CHECK(learn_feature_scales(data.features, data.targets, {}) == scales);  // deterministic

  // Nothing to learn from: equal scales.
  const std::vector<double> ones(6, 1.0);
  const std::vector<std::vector<double>> two_rows(data.features.begin(), data.features.begin() + 2);
  CHECK(learn_feature_scales(two_rows, {{0.0}, {1.0}}, {}) == ones);
  CHECK(learn_feature_scales(data.features, std::vector<std::vector<double>>(data.rows(), {3.5}), {}) == ones);

  // More rows than max_rows: a seeded sample, so another seed learns from other rows.
  FeatureScalingOptions few;
  few.max_rows = 100;
  const auto a = learn_feature_scales(data.features, data.targets, few);
  few.seed = 2;
  const auto b = learn_feature_scales(data.features, data.targets, few);
  CHECK(a != b);
  for (std::size_t f = 1; f < 6; ++f) CHECK((a[0] > 100.0 * a[f] && b[0] > 100.0 * b[f]));
}

TEST_CASE("knn with learned scaling ignores features that change nothing", "[proxy][knn]") {
  const auto train = testdata::make_set(600, 6, kFirstFeatureOnly, 22);
  const auto test = testdata::make_held_out(300, 6, kFirstFeatureOnly, 22);
  auto plain = knn("5", "distance", "none");
  auto learned = knn("5");
  plain->fit(train);
  learned->fit(train);
  const double r2_plain = testdata::score(*plain, test, 0).r2;
  const double r2_learned = testdata::score(*learned, test, 0).r2;
  // Measured: plain 0.798, learned 0.99997.
  CHECK(r2_plain < 0.9);
  CHECK(r2_learned > 0.99);
  // The scales are the model's feature weights: x0 on top; equal ones without learning.
  const std::vector<double> w = learned->feature_weights();
  REQUIRE(w.size() == 6);
  for (std::size_t f = 1; f < 6; ++f) CHECK(w[0] > 1000.0 * w[f]);
  CHECK(plain->feature_weights() == std::vector<double>(6, 1.0));
}

TEST_CASE("knn states saved before learned scaling load with equal scales", "[proxy][knn]") {
  const auto data = testdata::make_set(200, 4, testdata::reference_targets(), 23);
  const auto test = testdata::make_held_out(100, 4, testdata::reference_targets(), 23);
  auto plain = knn("5", "distance", "none");
  plain->fit(data);
  auto j = nlohmann::json::parse(plain->state_json());
  REQUIRE(j["feature_scales"] == nlohmann::json(std::vector<double>(4, 1.0)));
  j.erase("feature_scales");
  auto old = knn("5");
  old->load_state(j.dump());
  for (const auto& x : test.features) REQUIRE(old->predict(x) == plain->predict(x));

  auto learned = knn("5");
  learned->fit(data);
  const std::string good = learned->state_json();
  auto edited = [&](auto change) {
    auto e = nlohmann::json::parse(good);
    change(e);
    return e.dump();
  };
  CHECK_THROWS_MATCHES(old->load_state(edited([](auto& e) { e["feature_scales"][2] = -1.0; })),
                       std::invalid_argument, Says("'feature_scales' holds a scale outside [0, exp(40)]"));
  // Scales or features no fit can give would overflow a distance: every new design
  // predicted NaN (1e308 was accepted).
  CHECK_THROWS_MATCHES(old->load_state(edited([](auto& e) { e["feature_scales"][0] = 1e308; })),
                       std::invalid_argument, Says("'feature_scales' holds a scale outside [0, exp(40)]"));
  CHECK_THROWS_MATCHES(old->load_state(edited([](auto& e) { e["features"][3][1] = 1e200; })),
                       std::invalid_argument, Says("field 'features' holds a value outside [0, 1]"));
  CHECK_THROWS_MATCHES(old->load_state(edited([](auto& e) { e["feature_scales"].erase(0); })),
                       std::invalid_argument, Says("field 'feature_scales'") && Says("array of 4"));
  CHECK_THROWS_MATCHES(old->load_state(edited([](auto& e) { e["feature_scales"] = "wide"; })),
                       std::invalid_argument, Says("'feature_scales' must be an array"));
}
