#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry.h"
#include "tests/catch.h"
#include "tests/proxies/says.h"
#include "tests/proxies/synthetic_data.h"
#include "tests/proxies/thread_safety.h"

using namespace archgym;

namespace {

std::unique_ptr<ProxyModel> forest(std::map<std::string, std::string> hp, std::uint64_t seed = 1) {
  return make_proxy("random_forest", hp, seed);
}

// One tree grown on every row, every feature tried at every split.
std::unique_ptr<ProxyModel> exact_tree(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> hp{{"trees", "1"}, {"bootstrap", "false"}, {"max_features", "1"}};
  hp.insert(extra.begin(), extra.end());
  return forest(hp);
}

// A model built from the context `archgym proxy train` passes: `workers` threads,
// `progress` (empty = none).
std::unique_ptr<ProxyModel> with_context(const std::string& name, const std::map<std::string, std::string>& hp,
                                         unsigned workers, std::uint64_t seed, ProxyFitProgress progress = {}) {
  ProxyContext context;
  context.hyperparameters = proxy_options(name, hp);
  context.seed = seed;
  context.workers = workers;
  context.progress = std::move(progress);
  return build_proxy(name, context);
}

std::unique_ptr<ProxyModel> forest_with(const std::map<std::string, std::string>& hp, unsigned workers,
                                        ProxyFitProgress progress = {}) {
  return with_context("random_forest", hp, workers, 7, std::move(progress));
}

// A 64-bit FNV-1a digest: a short, platform-independent fingerprint of a whole state.
std::uint64_t digest(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::size_t leaves_of_first_tree(const ProxyModel& m) {
  const auto state = nlohmann::json::parse(m.state_json());
  std::size_t leaves = 0;
  for (const auto& f : state["trees"][0]["feature"]) leaves += f.get<int>() < 0 ? 1 : 0;
  return leaves;
}

}  // namespace

TEST_CASE("random forest: a single unpruned tree fits the training set exactly", "[proxy][random_forest]") {
  const auto data = testdata::make_set(400, 4, testdata::reference_targets(), 21);
  auto model = exact_tree();
  model->fit(data);
  for (std::size_t r = 0; r < data.rows(); ++r) REQUIRE(model->predict(data.features[r]) == data.targets[r]);
  CHECK(leaves_of_first_tree(*model) == data.rows());  // one leaf per distinct point
}

TEST_CASE("random forest: a stump recovers a step function's threshold", "[proxy][random_forest]") {
  const std::vector<testdata::Target> targets{{"step", testdata::step}};
  const auto data = testdata::make_set(200, 3, targets, 4);
  double below = 0.0, above = 1.0;  // the training x0 values either side of the step
  for (const auto& x : data.features) {
    if (x[0] <= 0.5) below = std::max(below, x[0]);
    else above = std::min(above, x[0]);
  }
  auto model = exact_tree({{"max_depth", "1"}});
  model->fit(data);
  const auto tree = nlohmann::json::parse(model->state_json())["trees"][0];
  CHECK(tree["feature"][0] == 0);
  CHECK(tree["threshold"][0].get<double>() == below / 2.0 + above / 2.0);
  CHECK(model->predict({0.0, 0.3, 0.9})[0] == 100.0);
  CHECK(model->predict({below, 0.3, 0.9})[0] == 100.0);
  CHECK(model->predict({above, 0.3, 0.9})[0] == 900.0);
  CHECK(model->predict({1.0, 0.7, 0.1})[0] == 900.0);
}

TEST_CASE("random forest: splits weigh metrics by their spread and not their units", "[proxy][random_forest]") {
  // "energy" is 1000 * x0 (large units), "latency" a 0/1 step on x1. Standardised, a split
  // of x1 at 0.5 explains all of the latency variance (gain 1) and one of x0 at 0.5 only
  // 75% of the energy variance (gain 0.75), so the stump must split x1; in raw units the
  // energy would win by a factor of about 10^5.
  const std::vector<testdata::Target> targets{{"energy", [](const std::vector<double>& x) { return 1000.0 * x[0]; }},
                                              {"latency", [](const std::vector<double>& x) { return x[1] > 0.5 ? 1.0 : 0.0; }}};
  const auto data = testdata::make_set(400, 2, targets, 31);
  auto model = exact_tree({{"max_depth", "1"}});
  model->fit(data);
  const auto tree = nlohmann::json::parse(model->state_json())["trees"][0];
  CHECK(tree["feature"][0] == 1);
  CHECK(model->predict({0.3, 0.2})[1] == 0.0);
  CHECK(model->predict({0.3, 0.8})[1] == 1.0);
}

TEST_CASE("random forest predicts held-out designs of a smooth function", "[proxy][random_forest]") {
  const auto targets = testdata::reference_targets();
  const auto train = testdata::make_set(1500, 5, targets, 8);
  const auto test = testdata::make_held_out(500, 5, targets, 8);
  auto model = forest({{"trees", "50"}});
  model->fit(train);
  const auto smooth = testdata::score(*model, test, 0);
  // Measured r2 0.978 (max error 0.39); pinned with margin.
  CHECK(smooth.r2 > 0.94);
  CHECK(smooth.max_abs_error < 0.8);

  // Better than always answering the training mean, by far.
  double mean = 0.0;
  for (const auto& y : train.targets) mean += y[0];
  mean /= static_cast<double>(train.rows());
  double sse_model = 0.0, sse_mean = 0.0;
  for (std::size_t r = 0; r < test.rows(); ++r) {
    const double truth = test.targets[r][0];
    sse_model += std::pow(model->predict(test.features[r])[0] - truth, 2);
    sse_mean += std::pow(mean - truth, 2);
  }
  CHECK(sse_model < 0.1 * sse_mean);

  // Multi-output: the step (another scale) is learnt by the same trees, the constant is exact.
  const auto step = testdata::score(*model, test, 1);
  CHECK(step.r2 > 0.99);  // measured 0.999997
  for (const auto& x : test.features) REQUIRE(model->predict(x)[2] == 42.25);
}

TEST_CASE("random forest: the seed alone decides the forest", "[proxy][random_forest]") {
  const auto data = testdata::make_set(300, 4, testdata::reference_targets(), 2);
  const auto test = testdata::make_held_out(100, 4, testdata::reference_targets(), 2);
  const std::map<std::string, std::string> hp{{"trees", "20"}, {"max_features", "0.5"}};
  auto a = forest(hp, 17), b = forest(hp, 17), c = forest(hp, 18);
  a->fit(data);
  b->fit(data);
  c->fit(data);
  CHECK(a->state_json() == b->state_json());
  bool differs = false;
  for (const auto& x : test.features) {
    REQUIRE(a->predict(x) == b->predict(x));
    differs = differs || a->predict(x) != c->predict(x);
  }
  CHECK(differs);
}

TEST_CASE("random forest: the fitted state is pinned and the same with any number of workers",
          "[proxy][random_forest]") {
  // Saved models must not change with the thread count, nor with how the trees are
  // scheduled: this digest is the state the first (single-threaded) implementation wrote.
  // Bootstrap, a feature subset and several metrics exercise every random draw and the
  // importances' reduction over trees; 13 trees do not divide evenly among the workers.
  const auto data = testdata::make_set(400, 6, testdata::reference_targets(), 23);
  const std::map<std::string, std::string> hp{{"trees", "13"}, {"max_features", "0.5"}};
  std::string single;
  for (unsigned workers : {1u, 2u, 4u}) {
    INFO(workers << " workers");
    auto model = forest_with(hp, workers);
    model->fit(data);
    if (workers == 1) single = model->state_json();
    CHECK(model->state_json() == single);
  }
  CHECK(digest(single) == 0xd85730627d22a6a9ull);
}

TEST_CASE("random forest: reports the trees grown, on the calling thread", "[proxy][random_forest]") {
  const auto data = testdata::make_set(300, 4, testdata::reference_targets(), 5);
  const std::map<std::string, std::string> hp{{"trees", "12"}};
  auto quiet = forest_with(hp, 1);
  quiet->fit(data);
  for (unsigned workers : {1u, 3u}) {
    INFO(workers << " workers");
    const auto caller = std::this_thread::get_id();
    std::vector<std::uint64_t> done;
    bool on_caller = true, one_stage = true, no_loss = true;
    auto model = forest_with(hp, workers, [&](const std::string& stage, std::uint64_t d, std::uint64_t total,
                                              double loss) {
      on_caller = on_caller && std::this_thread::get_id() == caller;
      one_stage = one_stage && stage == "growing trees" && total == 12;
      no_loss = no_loss && std::isnan(loss);
      done.push_back(d);
    });
    model->fit(data);
    CHECK(on_caller);
    CHECK(one_stage);
    CHECK(no_loss);
    REQUIRE(done.size() >= 2);
    CHECK(done.front() == 0);  // before the first tree: a slow fit shows at once
    CHECK(done.back() == 12);
    CHECK(std::adjacent_find(done.begin(), done.end(), std::greater_equal<>()) == done.end());
    if (workers == 1) CHECK(done.size() == 13);  // one report per tree
    CHECK(model->state_json() == quiet->state_json());  // watching changes nothing
  }
}

TEST_CASE("random forest: an exception while growing reaches the caller, the model unchanged",
          "[proxy][random_forest]") {
  // Trees cannot fail on checked input, so the report throws: on the calling thread, while
  // workers still grow trees from the fit's data, which must outlive them.
  const auto data = testdata::make_set(300, 4, testdata::reference_targets(), 5);
  const auto other = testdata::make_set(300, 4, testdata::reference_targets(), 6);
  for (unsigned workers : {1u, 2u}) {
    INFO(workers << " workers");
    bool fail = false;
    auto model = forest_with({{"trees", "20"}}, workers, [&](const std::string&, std::uint64_t done, std::uint64_t,
                                                            double) {
      if (fail && done >= 3) throw std::runtime_error("stopped after 3 trees");
    });
    model->fit(data);
    const std::string before = model->state_json();
    fail = true;
    CHECK_THROWS_WITH(model->fit(other), "stopped after 3 trees");
    CHECK(model->state_json() == before);
  }
}

TEST_CASE("random forest: depth limits bound the distinct predictions of a tree", "[proxy][random_forest]") {
  const auto data = testdata::make_set(300, 4, testdata::reference_targets(), 9);
  const auto test = testdata::make_held_out(300, 4, testdata::reference_targets(), 9);
  for (const auto& [depth, most] : std::vector<std::pair<std::string, std::size_t>>{{"1", 2}, {"3", 8}}) {
    auto model = forest({{"trees", "1"}, {"max_depth", depth}}, 5);
    model->fit(data);
    std::set<std::vector<double>> distinct;
    for (const auto& x : test.features) distinct.insert(model->predict(x));
    CHECK(distinct.size() <= most);
    CHECK(distinct.size() >= 2);
  }
}

TEST_CASE("random forest: min_samples_leaf keeps leaves large", "[proxy][random_forest]") {
  const auto data = testdata::make_set(200, 3, testdata::reference_targets(), 13);
  auto model = exact_tree({{"min_samples_leaf", "10"}});
  model->fit(data);
  std::map<std::vector<double>, std::size_t> rows_per_leaf;
  for (const auto& x : data.features) ++rows_per_leaf[model->predict(x)];
  for (const auto& [value, rows] : rows_per_leaf) CHECK(rows >= 10);
  CHECK(leaves_of_first_tree(*model) <= 20);
}

TEST_CASE("random forest: feature importances are the variance each feature's splits remove",
          "[proxy][random_forest]") {
  // y = x0 + 2 x1 on a balanced 2 x 2 grid, x2 irrelevant. The root splits x1 and removes
  // var(2 x1) = 1 per row, the children split x0 and remove var(x0) = 0.25 per row: the
  // importances are 0.25 / 1.25, 1 / 1.25 and 0, whatever the units of y.
  for (const double unit : {1.0, 1e6}) {
    ProxyTrainingSet data;
    data.feature_names = {"x0", "x1", "x2"};
    data.metric_names = {"y"};
    for (int r = 0; r < 10; ++r)
      for (int a = 0; a < 2; ++a)
        for (int b = 0; b < 2; ++b) {
          data.features.push_back({double(a), double(b), r / 10.0});
          data.targets.push_back({unit * (a + 2.0 * b)});
        }
    auto model = exact_tree();
    model->fit(data);
    const auto w = model->feature_weights();
    REQUIRE(w.size() == 3);
    CHECK(w[0] == Approx(0.2).margin(1e-12));
    CHECK(w[1] == Approx(0.8).margin(1e-12));
    CHECK(w[2] == 0.0);
  }
}

TEST_CASE("random forest: a bootstrapped forest ranks relevant features first", "[proxy][random_forest]") {
  // smooth() uses x0..x2, step() x0; x3 and x4 are noise-free distractors.
  const auto data = testdata::make_set(600, 5, testdata::reference_targets(), 17);
  auto model = forest({{"trees", "30"}});
  model->fit(data);
  const auto w = model->feature_weights();
  REQUIRE(w.size() == 5);
  double sum = 0.0;
  for (double v : w) sum += v;
  CHECK(sum == Approx(1.0).margin(1e-12));
  CHECK(*std::max_element(w.begin(), w.end()) == w[0]);
  for (std::size_t f : {1u, 2u}) CHECK(w[f] > 5.0 * std::max(w[3], w[4]));
  // Constant targets: no tree splits, every importance 0.
  auto flat = data;
  for (auto& t : flat.targets) t = {1.0, 2.0, 3.0};
  auto none = forest({{"trees", "3"}});
  none->fit(flat);
  CHECK(none->feature_weights() == std::vector<double>(5, 0.0));
}

TEST_CASE("random forest states saved before feature importances load without them", "[proxy][random_forest]") {
  const auto data = testdata::make_set(80, 3, testdata::reference_targets(), 2);
  auto model = forest({{"trees", "4"}});
  model->fit(data);
  auto j = nlohmann::json::parse(model->state_json());
  REQUIRE(j["feature_importances"].size() == 3);
  j.erase("feature_importances");
  auto old = forest({});
  old->load_state(j.dump());
  CHECK(old->feature_weights().empty());
  CHECK(old->predict({0.2, 0.4, 0.6}) == model->predict({0.2, 0.4, 0.6}));
  CHECK(old->state_json() == j.dump());  // saved again, still without them
}

TEST_CASE("random forest state round-trips to bit-identical predictions", "[proxy][random_forest]") {
  auto data = testdata::make_set(300, 4, testdata::reference_targets(), 6);
  data.targets[0][0] = 1.0 / 3.0;  // needs all 17 digits in a leaf value
  auto model = forest({{"trees", "10"}, {"max_features", "0.6"}}, 3);
  model->fit(data);
  const std::string state = model->state_json();
  // The loaded model needs none of the original hyperparameters: the state carries them.
  auto loaded = forest({});
  loaded->load_state(state);
  CHECK(loaded->state_json() == state);
  const auto test = testdata::make_held_out(300, 4, testdata::reference_targets(), 6);
  for (const auto& x : test.features) REQUIRE(loaded->predict(x) == model->predict(x));
  const auto h = nlohmann::json::parse(state)["hyperparameters"];
  CHECK(h["trees"] == 10);
  CHECK(h["max_features"] == 0.6);
  CHECK(h["bootstrap"] == true);
}

TEST_CASE("random forest predictions are safe from several threads", "[proxy][random_forest]") {
  const auto data = testdata::make_set(300, 4, testdata::reference_targets(), 12);
  const auto test = testdata::make_held_out(300, 4, testdata::reference_targets(), 12);
  auto model = forest({{"trees", "20"}});
  model->fit(data);
  check_predictions_thread_safe(*model, test.features);
}

TEST_CASE("random forest rejects a corrupt state with a message naming the field", "[proxy][random_forest]") {
  const auto data = testdata::make_set(50, 3, testdata::reference_targets(), 1);
  auto model = forest({{"trees", "3"}});
  model->fit(data);
  const std::string good = model->state_json();
  auto edited = [&](auto change) {
    auto j = nlohmann::json::parse(good);
    change(j);
    return j.dump();
  };
  auto target = forest({{"trees", "3"}});
  auto rejects = [&](const std::string& state, const std::string& message) {
    INFO(message);
    CHECK_THROWS_MATCHES(target->load_state(state), std::invalid_argument,
                         Says("proxy model 'random_forest'") &&
                             Says(message));
  };
  auto first_split = [&](const nlohmann::json& j) {
    std::size_t i = 0;
    while (j["trees"][1]["feature"][i] == -1) ++i;
    return i;
  };
  rejects("[1, 2", "not valid JSON");
  rejects("[]", "must be a JSON object");
  rejects("{\"trees\": " + std::string(300000, '[') + std::string(300000, ']') + "}",
          "state: JSON nested more than 100 levels deep");
  rejects(edited([](auto& j) { j.erase("trees"); }), "has no field 'trees'");
  rejects(edited([](auto& j) { j["model"] = "knn"; }), "field 'model' must be \"random_forest\"");
  rejects(edited([](auto& j) { j["hyperparameters"]["bootstrap"] = 1; }), "'bootstrap' must be true or false");
  rejects(edited([](auto& j) { j["hyperparameters"]["max_features"] = 0; }), "'max_features'");
  rejects(edited([](auto& j) { j["trees"].erase(2); }), "holds 2 trees but hyperparameter 'trees' says 3");
  rejects(edited([&](auto& j) { j["trees"][1]["left"][first_split(j)] = 100000; }), "'left' child index");
  // A child pointing back at the root would loop forever.
  rejects(edited([&](auto& j) { j["trees"][1]["right"][first_split(j)] = 0; }), "'right' child index");
  rejects(edited([&](auto& j) { j["trees"][1]["feature"][first_split(j)] = 3; }), "'feature'");
  rejects(edited([](auto& j) {
            auto& t = j["trees"][0];
            std::size_t i = 0;
            while (t["feature"][i] != -1) ++i;
            t["leaf"][i] = t["leaf_values"].size();
          }),
          "'leaf'");
  rejects(edited([](auto& j) { j["trees"][0]["threshold"].erase(0); }), "tree 0: field 'threshold' has");
  rejects(edited([](auto& j) { j["trees"][0]["leaf_values"][0] = "x"; }), "leaf_values[0]");
  rejects(edited([](auto& j) { j["trees"][2] = 7; }), "tree 2 must be a JSON object");
  rejects(edited([](auto& j) { j["feature_importances"].erase(0); }),
          "field 'feature_importances' has 2 values for 3 features");
  rejects(edited([](auto& j) { j["feature_importances"][1] = -0.5; }), "feature_importances[1] must be in [0, 1]");
  rejects(edited([](auto& j) { j["feature_importances"][2] = "x"; }), "feature_importances[2] must be a number");
  // None of these replaced anything: the model still has no state.
  CHECK_THROWS_AS(target->predict({0.1, 0.2, 0.3}), std::logic_error);
  target->load_state(good);
  CHECK(target->predict({0.1, 0.2, 0.3}) == model->predict({0.1, 0.2, 0.3}));
}

TEST_CASE("random forest reports misuse and bad hyperparameters clearly", "[proxy][random_forest]") {
  auto model = forest({});
  CHECK_THROWS_MATCHES(model->predict({0.5}), std::logic_error,
                       Says("proxy model 'random_forest': predict() before fit()"));
  auto one_row = testdata::make_set(1, 2, testdata::reference_targets(), 1);
  CHECK_THROWS_MATCHES(model->fit(one_row), std::invalid_argument,
                       Says("needs at least 2 training rows, got 1"));
  auto ragged = testdata::make_set(5, 2, testdata::reference_targets(), 1);
  ragged.features[3].pop_back();
  CHECK_THROWS_MATCHES(model->fit(ragged), std::invalid_argument, Says("row 3 has 1 features"));

  model->fit(testdata::make_set(20, 2, testdata::reference_targets(), 1));
  CHECK_THROWS_MATCHES(model->predict({0.5}), std::invalid_argument,
                       Says("expected 2 features, got 1"));

  CHECK_THROWS_MATCHES(forest({{"trees", "0"}}), std::invalid_argument,
                       Says("proxy model 'random_forest'") && Says("'trees'"));
  CHECK_THROWS_MATCHES(forest({{"max_features", "0"}}), std::invalid_argument, Says("'max_features'"));
  CHECK_THROWS_MATCHES(forest({{"max_features", "1.5"}}), std::invalid_argument, Says("'max_features'"));
  CHECK_THROWS_MATCHES(forest({{"min_samples_split", "1"}}), std::invalid_argument, Says("'min_samples_split'"));
  // Beyond what a saved model may hold (it trained, saved, then failed to load).
  CHECK_THROWS_MATCHES(forest({{"min_samples_split", "3000000000"}}), std::invalid_argument,
                       Says("'min_samples_split'") && Says("2147483647"));
  CHECK_THROWS_MATCHES(forest({{"min_samples_leaf", "2147483648"}}), std::invalid_argument,
                       Says("'min_samples_leaf'") && Says("2147483647"));
  CHECK_THROWS_MATCHES(forest({{"bootstrap", "maybe"}}), std::invalid_argument, Says("'bootstrap'"));
  CHECK_THROWS_MATCHES(forest({{"n_estimators", "10"}}), std::invalid_argument,
                       Says("unknown option 'n_estimators'"));
  const Options o = proxy_options("random_forest", {});
  CHECK(o.integer("trees") == 100);
  CHECK(o.integer("max_depth") == 0);
  CHECK(o.real("max_features") == 1.0);
  CHECK(o.boolean("bootstrap"));
}

// Not part of the suite (hidden tag): the sizes the brief asks about, printed.
TEST_CASE("proxy timings on 10000 rows x 15 features x 3 metrics", "[.][benchmark]") {
  using Clock = std::chrono::steady_clock;
  const auto train = testdata::make_set(10000, 15, testdata::reference_targets(), 1);
  const auto test = testdata::make_held_out(2000, 15, testdata::reference_targets(), 1);
  struct Setup {
    std::string label, name;
    std::map<std::string, std::string> hyperparameters;
    unsigned workers;  // 0 = all cores
  };
  // The forest on one thread and on all cores; knn twice, on all cores: with its learned
  // feature scales (the default) and with equal ones.
  const Setup setups[] = {{"random_forest 1 thread", "random_forest", {}, 1},
                          {"random_forest all cores", "random_forest", {}, 0},
                          {"knn", "knn", {}, 0},
                          {"knn scaling=none", "knn", {{"scaling", "none"}}, 0}};
  for (const auto& [label, name, hyperparameters, workers] : setups) {
    auto model = with_context(name, hyperparameters, workers, 1);
    const auto t0 = Clock::now();
    model->fit(train);
    const auto t1 = Clock::now();
    double sink = 0.0;
    for (const auto& x : test.features) sink += model->predict(x)[0];
    const auto t2 = Clock::now();
    const double fit_s = std::chrono::duration<double>(t1 - t0).count();
    const double predict_us = std::chrono::duration<double, std::micro>(t2 - t1).count() / test.rows();
    std::printf("%s: fit %.3f s, predict %.2f us/design, held-out r2 smooth %.4f step %.4f (sink %g)\n",
                label.c_str(), fit_s, predict_us, testdata::score(*model, test, 0).r2,
                testdata::score(*model, test, 1).r2, sink);
    const auto s0 = Clock::now();
    const std::string state = model->state_json();
    auto loaded = make_proxy(name, {}, 1);
    loaded->load_state(state);
    const auto s1 = Clock::now();
    std::printf("%s: state %.1f MB, save+load %.3f s\n", label.c_str(), state.size() / 1e6,
                std::chrono::duration<double>(s1 - s0).count());
  }
}
