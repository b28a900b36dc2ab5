// Proxy models end to end on the toy bowl: features, the store -> dataset -> split ->
// fit -> error pipeline, the model file round trip, and the proxy env.
#include "tests/catch.h"
#include "tests/core/temp_store.h"
#include "tests/core/toy_env.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <sstream>

#include "core/registry.h"
#include "core/runner.h"
#include "core/trained_proxy.h"

using namespace archgym;

namespace {

// A random-walk run of all `budget` evaluations on `env`, recorded in `store`.
std::int64_t random_walk_run(Store& store, const std::string& env, std::map<std::string, std::string> options,
                             std::uint64_t seed, std::uint64_t budget, unsigned workers) {
  RunSpec spec;
  spec.env = env;
  spec.env_options = std::move(options);
  spec.agent = "random_walk";
  spec.seed = seed;
  spec.budget = budget;
  spec.workers = workers;
  spec.stop_on_target = false;
  spec.progress = false;
  return Runner::run(spec, &store).run_id;
}

// A random-walk run over the toy bowl (every evaluation valid but the constraint's).
std::int64_t record_run(Store& store, std::uint64_t seed, std::uint64_t budget, const std::string& fail_x = "-1") {
  return random_walk_run(store, "toy_bowl", {{"fail_x", fail_x}}, seed, budget, 2);
}

// A random-walk run on the proxy env of model file `model`.
std::int64_t record_proxy_run(Store& store, const std::string& model, std::uint64_t budget) {
  return random_walk_run(store, "proxy", {{"model", model}}, RunSpec{}.seed, budget, 1);
}

std::string temp_file(const std::string& name) {
  const auto dir = std::filesystem::path(ARCHGYM_TEST_BINARY_DIR) / "proxies";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("proxy features: ordered parameters as unit positions, categorical ones one-hot") {
  const DesignSpace space = toy::bowl_space();
  CHECK(proxy_feature_names(space) ==
        std::vector<std::string>{"x", "size", "shape=round", "shape=square", "shape=star", "scale"});
  const Design d = space.from_map({{"x", 5}, {"size", 4}, {"shape", "star"}, {"scale", 4.0}});
  // x: 5 of 0..20; size: 4 is the third of 1..64 (7 values); star: third label; scale: last.
  CHECK(proxy_features(space, d) == std::vector<double>{0.25, 2.0 / 6.0, 0, 0, 1, 1});
  CHECK_THROWS_WITH(proxy_features(space, Design{{Value(std::int64_t{1})}}),
                    Catch::Contains("has 1 values but the space has 4 parameters"));
}

TEST_CASE("proxy errors: known answers for MAE, RMSE, R^2 and MAPE") {
  const auto e = proxy_errors({"a", "flat"}, {{2, 5}, {2, 5}, {6, 4}}, {{1, 5}, {3, 5}, {5, 5}});
  REQUIRE(e.size() == 2);
  CHECK(e[0].metric == "a");
  CHECK(e[0].mae == Approx(1.0));
  CHECK(e[0].rmse == Approx(1.0));
  CHECK(e[0].r2 == Approx(1 - 3.0 / 8.0));                          // SS_res 3, SS_tot 8
  CHECK(e[0].mape == Approx(100 * (1.0 + 1.0 / 3 + 1.0 / 5) / 3));
  CHECK(std::isnan(e[1].r2));                                        // a constant truth has no R^2
  // Three equal values of 0.1 average to 0.10000000000000002: still constant, still no R^2
  // (it used to be ~-1e30 from a total sum of squares of rounding error).
  const auto rounding = proxy_errors({"c"}, {{0.2}, {0.2}, {0.2}}, {{0.1}, {0.1}, {0.1}});
  CHECK(std::isnan(rounding[0].r2));
  CHECK(rounding[0].mae == Approx(0.1));
  CHECK(e[1].mae == Approx(1.0 / 3));
  CHECK_THROWS_WITH(proxy_errors({"a"}, {}, {}), Catch::Contains("no rows"));
  CHECK_THROWS_WITH(proxy_errors({"a"}, {{1}}, {{1}, {2}}), Catch::Contains("1 predictions for 2 true rows"));
}

TEST_CASE("the dataset holds the valid rows of runs of one env configuration") {
  Store store(temp_store("proxy_dataset"));
  const auto a = record_run(store, 1, 60);
  const auto b = record_run(store, 2, 40);
  const ProxyDataset data = load_proxy_dataset(store, {a, b});
  CHECK(data.env == "toy_bowl");
  CHECK(data.metric_names == std::vector<std::string>{"cost_u", "latency_ns"});
  CHECK(data.rows() + data.skipped_invalid == 100);
  for (std::size_t r = 0; r < data.rows(); ++r) {
    CHECK(data.targets[r][0] == toy::bowl_cost(data.designs[r]));  // decoded design matches its metrics
  }
  CHECK(load_proxy_dataset(store, {}).rows() == data.rows());  // no ids = every run

  const auto other = record_run(store, 3, 10, "3");  // same env, other options
  CHECK(runs_with_config(store, "toy_bowl", data.env_config, data.inputs) == std::vector<std::int64_t>{a, b});
  CHECK(runs_with_config(store, "toy_bowl", "{}", data.inputs).empty());
  CHECK_THROWS_WITH(load_proxy_dataset(store, {a, other}),
                    Catch::Contains(": runs 3 and 1 have other options of env 'toy_bowl' (fail_x: 3 in run 3, -1 in "
                                    "run 1); a proxy learns one env configuration") &&
                        Catch::Contains("share one (the runs given by configuration: 1 | 3)"));
  // With every run (no ids), it names those that could train together, every group of them.
  CHECK_THROWS_WITH(load_proxy_dataset(store, {}), Catch::EndsWith("share one (the store's runs by configuration: 1, 2 | 3)"));
  CHECK_THROWS_WITH(load_proxy_dataset(store, {other, a, b}),
                    Catch::EndsWith("share one (the runs given by configuration: 3 | 1, 2)"));
  CHECK_THROWS_WITH(load_proxy_dataset(store, {a, 99}), Catch::Contains("no run with id 99") &&
                                                            Catch::Contains("runs in this store: 1, 2, 3"));

  // Same options, but the runs read different contents of their input file.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(store.path().c_str(), &db) == SQLITE_OK);
  const std::string tamper =
      R"(UPDATE runs SET inputs = '{"workload":{"path":"t.stl","digest":"fnv1a64:000000000000000a"}}' WHERE id = 1;
         UPDATE runs SET inputs = '{"workload":{"path":"t.stl","digest":"fnv1a64:000000000000000b"}}' WHERE id = 2;)";
  REQUIRE(sqlite3_exec(db, tamper.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH(load_proxy_dataset(store, {a, b}),
                    Catch::Contains("read different input files (workload: t.stl (fnv1a64:000000000000000a) in run 1"));
  // A run of an older build (no inputs recorded) listed first does not switch the check off.
  const auto older = record_run(store, 5, 10);
  REQUIRE(sqlite3_open(store.path().c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, ("UPDATE runs SET inputs = '' WHERE id = " + std::to_string(older)).c_str(), nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH(load_proxy_dataset(store, {older, a, b}),
                    Catch::Contains("run 2 and run 1 read different input files") &&
                        Catch::EndsWith("(the runs given by configuration: " + std::to_string(older) + ", 1 | 2)"));
  CHECK(load_proxy_dataset(store, {older, a}).inputs ==
        R"({"workload":{"path":"t.stl","digest":"fnv1a64:000000000000000a"}})");
}

TEST_CASE("a run recorded with other knobs is named, with the way around it") {
  // As a dram run recorded before the env's default space dropped PowerDownPolicy.
  Store store(temp_store("proxy_other_knobs"));
  const auto old = record_run(store, 6, 20);
  const auto now = record_run(store, 7, 20);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(store.path().c_str(), &db) == SQLITE_OK);
  const std::string add = "UPDATE evaluations SET design = json_insert(design, '$.fins', 'many') WHERE run_id = " +
                          std::to_string(old);
  REQUIRE(sqlite3_exec(db, add.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH(load_proxy_dataset(store, {}),
                    Catch::Contains("the stored design does not fit env 'toy_bowl' any more: unknown parameter "
                                    "'fins'") &&
                        Catch::EndsWith(" with another design space? then choose other runs: --runs)"));
  CHECK(load_proxy_dataset(store, {now}).rows() > 0);
}

TEST_CASE("a valid evaluation with a metric that is not a number is left out of the dataset and counted") {
  // The store keeps NaN and infinite metrics as null; one such row must not stop training.
  Store store(temp_store("proxy_null_metric"));
  const auto id = record_run(store, 6, 30);
  const std::size_t rows = load_proxy_dataset(store, {id}).rows();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(store.path().c_str(), &db) == SQLITE_OK);
  const std::string null_metric =
      "UPDATE evaluations SET metrics = json_set(metrics, '$.latency_ns', json('null')) WHERE run_id = " +
      std::to_string(id) + " AND idx = (SELECT MIN(idx) FROM evaluations WHERE valid = 1 AND run_id = " +
      std::to_string(id) + ")";
  REQUIRE(sqlite3_exec(db, null_metric.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  const ProxyDataset data = load_proxy_dataset(store, {id});
  CHECK(data.rows() == rows - 1);
  CHECK(data.skipped_unmeasured == 1);
  for (const auto& row : data.targets)
    for (double v : row) CHECK(std::isfinite(v));
}

TEST_CASE("the split keeps repeated designs on one side and is deterministic") {
  Store store(temp_store("proxy_split"));
  // A small space visited 200 times repeats many designs.
  const auto id = record_run(store, 4, 200);
  const ProxyDataset data = load_proxy_dataset(store, {id});
  const ProxySplit s = split_proxy_dataset(data, 0.25, 7);
  CHECK(s.train.size() + s.test.size() == data.rows());
  CHECK(std::abs(static_cast<double>(s.test.size()) - 0.25 * data.rows()) < 0.05 * data.rows());
  std::set<std::vector<Value>> train_designs;
  for (auto r : s.train) train_designs.insert(data.designs[r].values);
  for (auto r : s.test) CHECK(train_designs.count(data.designs[r].values) == 0);
  const ProxySplit again = split_proxy_dataset(data, 0.25, 7);
  CHECK(again.train == s.train);
  CHECK(split_proxy_dataset(data, 0.25, 8).test != s.test);
  CHECK(split_proxy_dataset(data, 0, 7).test.empty());
  CHECK_THROWS_WITH(split_proxy_dataset(data, 0.95, 7), Catch::Contains("test fraction must be in [0, 0.9]"));
}

TEST_CASE("a trained proxy predicts the bowl, saves byte-identically and loads to the same predictions") {
  Store store(temp_store("proxy_train"));
  const auto id = record_run(store, 11, 400);
  const ProxyDataset data = load_proxy_dataset(store, {id});
  ProxyTrainingOptions options;
  options.model = "random_forest";
  options.hyperparameters = {{"trees", "30"}};
  options.seed = 3;
  const TrainedProxy proxy = TrainedProxy::train(data, options);
  CHECK(proxy.train_rows() + proxy.test_rows() == data.rows());
  REQUIRE(proxy.test_errors().size() == 2);
  // latency_ns = 10 + x + size/8 is smooth in the features: the forest must learn it well.
  CHECK(proxy.test_errors()[1].metric == "latency_ns");
  CHECK(proxy.test_errors()[1].r2 > 0.95);
  CHECK(proxy.test_errors()[0].r2 > 0.8);

  const std::string path = temp_file("bowl.proxy.json");
  proxy.save(path);
  CHECK(read_text(path) == TrainedProxy::train(data, options).to_json());  // same inputs, same bytes
  const TrainedProxy loaded = TrainedProxy::load(path);
  CHECK(loaded.to_json() == read_text(path));
  CHECK(loaded.model() == "random_forest");
  CHECK(loaded.hyperparameters().integer("trees") == 30);
  CHECK(loaded.runs() == std::vector<std::int64_t>{id});
  for (std::size_t r = 0; r < data.rows(); r += 7) CHECK(loaded.predict(data.designs[r]) == proxy.predict(data.designs[r]));
  const auto errors = loaded.errors_on(data);
  CHECK(errors[1].r2 > 0.95);
}

namespace {

// A model whose fit fails for a reason of its own (a singular system, say).
class FailingFit : public ProxyModel {
 public:
  void fit(const ProxyTrainingSet&) override { throw std::invalid_argument("the normal equations are singular"); }
  std::vector<double> predict(const std::vector<double>&) const override { return {}; }
  std::string state_json() const override { return "{}"; }
  void load_state(const std::string&) override {}
};

}  // namespace

TEST_CASE("a fit refused for too few rows says how the split left so few, and another refusal stands alone") {
  static const ProxyRegistrar failing{"test_failing_fit", "fit always fails", Schema{},
                                      [](const ProxyContext&) { return std::make_unique<FailingFit>(); }};
  Store store(temp_store("proxy_fit_refusals"));
  const ProxyDataset data = load_proxy_dataset(store, {record_run(store, 5, 40)});
  ProxyTrainingOptions options;
  options.model = "test_failing_fit";
  CHECK_THROWS_WITH(TrainedProxy::train(data, options), "the normal equations are singular");
  // Nine of ten held out: the forest's 2-row minimum is not met by the few left.
  options.model = "random_forest";
  options.test_fraction = 0.9;
  ProxyDataset two_designs = data;
  two_designs.designs.resize(2);
  two_designs.targets.resize(2);
  CHECK_THROWS_WITH(TrainedProxy::train(two_designs, options),
                    Catch::StartsWith("proxy model 'random_forest': needs at least 2 training rows, got 1") &&
                        Catch::Contains("whole designs go to one side"));
}

TEST_CASE("a proxy knows the designs it was fitted on, by design, through its file") {
  Store store(temp_store("proxy_fitted_on"));
  const auto id = record_run(store, 11, 300);
  const ProxyDataset data = load_proxy_dataset(store, {id});
  ProxyTrainingOptions options;
  options.model = "knn";
  const TrainedProxy proxy = TrainedProxy::train(data, options);
  REQUIRE(proxy.knows_training_designs());
  // Whole designs go to one side of the split: exactly the training rows are "fitted on".
  const std::vector<bool> fitted = proxy.fitted_on(data);
  const auto count = static_cast<std::size_t>(std::count(fitted.begin(), fitted.end(), true));
  CHECK(count == proxy.train_rows());
  CHECK(count < data.rows());
  // The error on the others, the held-out rows, is the error measured at training; the
  // error on all of them is errors_on's.
  const TrainedProxy::SplitErrors split = proxy.split_errors_on(data);
  CHECK(split.fitted == count);
  const auto& errors = split.unseen;
  REQUIRE(errors.size() == proxy.test_errors().size());
  for (std::size_t m = 0; m < errors.size(); ++m) {
    CHECK(errors[m].rows == proxy.test_errors()[m].rows);
    CHECK(errors[m].mae == Approx(proxy.test_errors()[m].mae));
  }
  const auto all = proxy.errors_on(data);
  REQUIRE(split.all.size() == all.size());
  for (std::size_t m = 0; m < all.size(); ++m) {
    CHECK(split.all[m].rows == data.rows());
    CHECK(split.all[m].mae == all[m].mae);
  }
  ProxyDataset none = data;
  none.designs.clear();
  none.targets.clear();
  CHECK_THROWS_WITH(proxy.split_errors_on(none), "no valid evaluations to compare the proxy with");

  const std::string path = temp_file("fitted_on.proxy.json");
  proxy.save(path);
  CHECK(TrainedProxy::load(path).fitted_on(data) == fitted);  // the round trip keeps them
  const std::string text = read_text(path);
  const auto field = text.find("\"training_designs\"");
  REQUIRE(field != std::string::npos);
  auto rewritten = [&](const std::string& name, const std::string& edited) {
    std::ofstream(temp_file(name), std::ios::binary) << edited;
    return temp_file(name);
  };
  // A file of an older build, without the field: not known, nothing flagged.
  const auto end = text.find(']', field);
  std::string without = text.substr(0, field) + text.substr(text.find('"', end));
  const TrainedProxy old = TrainedProxy::load(rewritten("older.proxy.json", without));
  CHECK_FALSE(old.knows_training_designs());
  CHECK(old.fitted_on(data) == std::vector<bool>(data.rows(), false));
  // A malformed key is named.
  std::string bad = text;
  bad.replace(text.find('"', text.find('[', field)) + 1, 16, "not-a-hex-key!!!");
  CHECK_THROWS_WITH(TrainedProxy::load(rewritten("bad_key.proxy.json", bad)),
                    Catch::Contains("field 'training_designs' must list 16-digit hex design keys, got \"not-a-hex-key!!!\""));
  // Keys out of order or repeated (a hand edit) would make the lookup miss: refused.
  std::string repeated = text;
  const auto first = text.find('"', text.find('[', field)) + 1;
  const auto second = text.find('"', text.find(',', first)) + 1;
  repeated.replace(second, 16, text.substr(first, 16));
  CHECK_THROWS_WITH(TrainedProxy::load(rewritten("repeated_key.proxy.json", repeated)),
                    Catch::Contains("field 'training_designs' must be sorted and without repeats"));
}

TEST_CASE("a proxy is compared only with runs that read the input files it learned from") {
  Store store(temp_store("proxy_inputs"));
  const auto a = record_run(store, 31, 60);
  const auto b = record_run(store, 32, 60);
  const auto c = record_run(store, 33, 60);
  {  // The same options (a trace path), but b read other contents of that file; c as a.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(store.path().c_str(), &db) == SQLITE_OK);
    const std::string tamper =
        "UPDATE runs SET inputs = '{\"workload\":{\"path\":\"t.stl\",\"digest\":\"fnv1a64:000000000000000a\"}}' "
        "WHERE id IN (" + std::to_string(a) + ", " + std::to_string(c) + ");"
        "UPDATE runs SET inputs = '{\"workload\":{\"path\":\"t.stl\",\"digest\":\"fnv1a64:000000000000000b\"}}' "
        "WHERE id = " + std::to_string(b) + ";";
    REQUIRE(sqlite3_exec(db, tamper.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  ProxyTrainingOptions options;
  options.model = "knn";
  const TrainedProxy proxy = TrainedProxy::train(load_proxy_dataset(store, {a}), options);
  CHECK(proxy.inputs() == R"({"workload":{"path":"t.stl","digest":"fnv1a64:000000000000000a"}})");
  CHECK(proxy.comparison_data(store, {a}).rows() > 0);
  CHECK_THROWS_WITH(proxy.comparison_data(store, {b}),
                    Catch::Contains("other input files than the data's (workload: t.stl (fnv1a64:000000000000000a) "
                                    "when the proxy learned"));
  CHECK_THROWS_WITH(proxy.errors_on(load_proxy_dataset(store, {b})), Catch::Contains("other input files"));
  // By default: every run of its configuration and files (not b) but the one it trained on.
  std::vector<std::int64_t> left_out;
  CHECK(proxy.comparison_data(store, {}, &left_out).runs == std::vector<std::int64_t>{c});
  CHECK(left_out == std::vector<std::int64_t>{a});
  const TrainedProxy on_both = TrainedProxy::train(load_proxy_dataset(store, {a, c}), options);
  CHECK_THROWS_WITH(on_both.comparison_data(store, {}, &left_out),
                    Catch::Contains("has the id of a run the proxy trained on (" + std::to_string(a) + ", " +
                                    std::to_string(c) + "): its error there would be optimistic"));
  CHECK(left_out == std::vector<std::int64_t>{a, c});
  CHECK(on_both.comparison_data(store, {a}).runs == std::vector<std::int64_t>{a});  // named: measured

  // The record survives the model file; a file of an older build, without it, loads as
  // unknown and is not checked.
  const std::string path = temp_file("inputs.proxy.json");
  proxy.save(path);
  const TrainedProxy loaded = TrainedProxy::load(path);
  CHECK(loaded.inputs() == proxy.inputs());
  CHECK_THROWS_WITH(loaded.comparison_data(store, {b}), Catch::Contains("other input files"));
  std::string text = read_text(path);
  const std::string field = "\n \"inputs\": {\n  \"workload\": {\n   \"path\": \"t.stl\",\n   \"digest\": "
                            "\"fnv1a64:000000000000000a\"\n  }\n },";
  REQUIRE(text.find(field) != std::string::npos);
  std::ofstream(path) << std::string(text).erase(text.find(field), field.size());
  const TrainedProxy older = TrainedProxy::load(path);
  CHECK(older.inputs().empty());
  CHECK(older.comparison_data(store, {b}).rows() > 0);
  std::ofstream(path) << std::string(text).replace(text.find("\"digest\": \"fnv"), 8, "\"dijest\"");
  CHECK_THROWS_WITH(TrainedProxy::load(path),
                    Catch::Contains("field 'inputs': 'workload' must be an object with a 'digest' string"));
}

TEST_CASE("a proxy whose env's design space changed under the same feature names is refused") {
  // A proxy of a proxy env: the inner model file retrained under the same name gave the
  // same knob names with other domains, and the model read its positions as other values.
  Store store(temp_store("proxy_space"));
  const TrainedProxy proxy = TrainedProxy::train(load_proxy_dataset(store, {record_run(store, 41, 60)}), {});
  const std::string path = temp_file("space.proxy.json");
  proxy.save(path);
  std::string text = read_text(path);
  const auto at = text.find("\"space\": [");
  REQUIRE(at != std::string::npos);
  const auto x = text.find("\"x: ", at);  // the bowl's first knob and its domain
  REQUIRE(x != std::string::npos);
  const auto end = text.find('"', x + 1);
  const std::string recorded = text.substr(x + 1, end - x - 1);
  std::ofstream(path) << std::string(text).replace(x + 1, end - x - 1, "x: integer 0..99");
  CHECK_THROWS_WITH(TrainedProxy::load(path),
                    Catch::Contains("has a different design space than when this proxy was trained (x: integer "
                                    "0..99 when trained, " + recorded + " now)") &&
                        Catch::Contains("retrain it"));
  std::ofstream(path) << std::string(text).replace(at, 10, "\"space\": [1, ");
  CHECK_THROWS_WITH(TrainedProxy::load(path), Catch::Contains(path + ": field 'space' must list strings"));
  text.erase(at, text.find(']', at) + 3 - at);  // files of older builds have no "space"
  std::ofstream(path) << text;
  CHECK(TrainedProxy::load(path).predict(proxy.source_env().default_design()) ==
        proxy.predict(proxy.source_env().default_design()));
}

TEST_CASE("the proxy env serves a model file with the source env's space and objective") {
  Store store(temp_store("proxy_env"));
  const auto id = record_run(store, 12, 150);
  ProxyTrainingOptions options;
  options.model = "knn";
  options.hyperparameters = {{"k", "1"}};
  options.test_fraction = 0;
  const TrainedProxy proxy = TrainedProxy::train(load_proxy_dataset(store, {id}), options);
  const std::string path = temp_file("bowl_knn.proxy.json");
  proxy.save(path);

  const auto env = make_env("proxy", {{"model", path}});
  CHECK(env->space().names() == toy::bowl_space().names());
  CHECK(env->metric_names() == std::vector<std::string>{"cost_u", "latency_ns"});
  CHECK(env->default_objective().targets()[0].metric == "cost_u");
  // k = 1 on a design it was trained on answers the simulator's own value.
  const ProxyDataset data = load_proxy_dataset(store, {id});
  const Evaluation e = evaluate_checked(*env, data.designs[0]);
  REQUIRE(e.valid);
  CHECK(e.metric("cost_u") == data.targets[0][0]);
  // A design outside the space is an invalid evaluation, as for any env.
  const Design star64 = toy::bowl_space().from_map({{"x", 1}, {"size", 64}, {"shape", "star"}, {"scale", 1.0}});
  CHECK_FALSE(evaluate_checked(*env, star64).valid);

  // A search on the proxy runs through the runner like on any env.
  RunSpec spec;
  spec.env = "proxy";
  spec.env_options = {{"model", path}};
  spec.agent = "ga";
  spec.budget = 64;
  spec.stop_on_target = false;
  spec.progress = false;
  const RunResult r = Runner::run(spec, nullptr);
  CHECK(r.trajectory.size() == 64);
  REQUIRE(r.best() != nullptr);
}

TEST_CASE("bad proxy input gets a clear error") {
  CHECK_THROWS_WITH(make_env("proxy", {}), Catch::Contains("option 'model' is required"));
  CHECK_THROWS_WITH(make_env("proxy", {{"model", "/nonexistent/p.json"}}),
                    Catch::Contains("/nonexistent/p.json: cannot open the proxy model file"));
  CHECK_THROWS_WITH(TrainedProxy::load(ARCHGYM_TEST_BINARY_DIR),
                    Catch::Contains(std::string(ARCHGYM_TEST_BINARY_DIR) + ": is a directory, not a proxy model file"));
  CHECK_THROWS_WITH(TrainedProxy::load("/dev/zero"),
                    "/dev/zero: must be a regular file (a pipe or device is not a proxy model file)");
  CHECK_THROWS_WITH(make_proxy("forest", {}, 1), Catch::Contains("unknown proxy model 'forest'") &&
                                                     Catch::Contains("random_forest"));

  Store store(temp_store("proxy_errors"));
  const auto id = record_run(store, 13, 60);
  ProxyTrainingOptions options;
  options.model = "knn";
  const std::string good = temp_file("bowl_good.proxy.json");
  TrainedProxy::train(load_proxy_dataset(store, {id}), options).save(good);
  const std::string text = read_text(good);

  auto write = [](const std::string& name, const std::string& body) {
    const std::string p = temp_file(name);
    std::ofstream(p, std::ios::binary) << body;
    return p;
  };
  auto replace = [&](std::string from, std::string to) {
    std::string t = text;
    const auto at = t.find(from);
    REQUIRE(at != std::string::npos);
    return t.replace(at, from.size(), to);
  };
  CHECK_THROWS_WITH(TrainedProxy::load(write("truncated.json", text.substr(0, text.size() / 2))),
                    Catch::Contains("truncated.json") && Catch::Contains("invalid JSON"));
  CHECK_THROWS_WITH(TrainedProxy::load(write("other.json", "{\"format\": \"something\"}")),
                    Catch::Contains("not an archgym proxy model file"));
  CHECK_THROWS_WITH(TrainedProxy::load(write("seed.json", replace("\"seed\": 1", "\"seed\": \"one\""))),
                    Catch::Contains("seed.json: field 'seed' must be a non-negative integer"));
  CHECK_THROWS_WITH(TrainedProxy::load(write("space.json", replace("\"shape=star\"", "\"shape=oval\""))),
                    Catch::Contains("different design space") && Catch::Contains("retrain"));
  CHECK_THROWS_WITH(TrainedProxy::load(write("hyper.json", replace("\"k\": 5", "\"k\": 0"))),
                    Catch::Contains("hyper.json") && Catch::Contains("'k'"));
  // A file of a build with an env or model this one lacks (a user's own) is named as such.
  // (Other tests of this program register models and envs of their own: the lists vary.)
  CHECK_THROWS_WITH(TrainedProxy::load(write("linear.json", replace("\"model\": \"knn\"", "\"model\": \"linear\""))),
                    Catch::Contains("linear.json: field 'model' names model 'linear', which this build does not have "
                                    "(its models: ") &&
                        Catch::Contains("random_forest") &&
                        Catch::EndsWith("); was the model trained by a build with more components?"));
  CHECK_THROWS_WITH(TrainedProxy::load(write("cache.json", replace("\"env\": \"toy_bowl\"", "\"env\": \"cache\""))),
                    Catch::Contains("cache.json: field 'env' names env 'cache', which this build does not have (its "
                                    "envs: ") &&
                        Catch::Contains("toy_bowl"));
  // 300,000 levels under an unknown key crashed (stack overflow copying the value) before
  // the parse refused nesting beyond 100 levels.
  const std::string deep = std::string(300000, '[') + std::string(300000, ']');
  CHECK_THROWS_WITH(TrainedProxy::load(write("deep.json", replace("\"seed\": 1", "\"extra\": " + deep + ", \"seed\": 1"))),
                    Catch::Contains("deep.json: JSON nested more than 100 levels deep"));
  // nlohmann keeps the last of two equal keys: a second seed (or workload) changed what the
  // file said about its model without any error.
  CHECK_THROWS_WITH(TrainedProxy::load(write("twice.json", replace("\"seed\": 1", "\"seed\": 1, \"seed\": 7"))),
                    Catch::EndsWith("/twice.json: seed: key given twice in one object (JSON keys must be unique; keep one)"));
  CHECK_THROWS_WITH(TrainedProxy::load(write("twice_inner.json", replace("\"k\": 5", "\"k\": 5, \"k\": 6"))),
                    Catch::Contains("twice_inner.json: hyperparameters.k: key given twice"));
}

TEST_CASE("a model file edited since its proxy learned from it still guards the models it names") {
  // A key given twice made the middle file of a chain unreadable to the guard, which then
  // stopped there: the first model, two steps up, was written over.
  Store store(temp_store("proxy_guard_edited"));
  ProxyTrainingOptions options;
  options.model = "random_forest";
  options.hyperparameters = {{"trees", "3"}};
  const std::string first = temp_file("guard_first.proxy.json"), second = temp_file("guard_second.proxy.json");
  TrainedProxy::train(load_proxy_dataset(store, {record_run(store, 21, 60)}), options).save(first);
  TrainedProxy::train(load_proxy_dataset(store, {record_proxy_run(store, first, 40)}), options).save(second);
  const TrainedProxy third = TrainedProxy::train(load_proxy_dataset(store, {record_proxy_run(store, second, 40)}), options);
  const std::string first_text = read_text(first), second_text = read_text(second);
  const std::string names_first = "\"model\": \"" + first + "\"", decoy = "\"model\": \"elsewhere.json\"";
  REQUIRE(second_text.find(names_first) != std::string::npos);
  const auto edited = [&](const std::string& from, const std::string& to) {
    std::string t = second_text;
    return t.replace(t.find(from), from.size(), to);
  };
  for (const std::string& text :
       {edited("\"seed\": 1", "\"seed\": 1, \"seed\": 2"),      // a key given twice elsewhere
        edited(names_first, names_first + ", " + decoy),          // the model named twice, either way round
        edited(names_first, decoy + ", " + names_first),
        edited("\"env_config\"", "\"env_config\": {\"model\": \"elsewhere.json\"}, \"env_config\""),
        second_text.substr(0, second_text.find("\"metrics\""))}) {  // cut short
    std::ofstream(second, std::ios::binary) << text;
    INFO(text.substr(0, 400));
    CHECK_THROWS_WITH(TrainedProxy::load(second), Catch::Contains(second));  // loading refuses it
    CHECK_THROWS_WITH(third.save(first), Catch::Contains("learned from runs on a proxy of this very model file") &&
                                            Catch::Contains("model=" + first));
    CHECK_THROWS_WITH(third.save(second), Catch::Contains("model=" + second));
    CHECK(read_text(first) == first_text);
  }
  // Once the middle file names another model, the first is no source any more.
  std::ofstream(second, std::ios::binary) << edited(names_first, decoy);
  const std::string unrelated = temp_file("guard_unrelated.proxy.json");
  third.save(unrelated);
  third.save(first);
  CHECK(read_text(first) == read_text(unrelated));  // written: the same model in both files
}

TEST_CASE("a proxy that would refer to itself is refused, and a state predicting other metrics too") {
  Store store(temp_store("proxy_self"));
  const auto id = record_run(store, 21, 60);
  ProxyTrainingOptions options;
  options.model = "random_forest";
  options.hyperparameters = {{"trees", "3"}};
  const std::string first = temp_file("bowl_first.proxy.json");
  TrainedProxy::train(load_proxy_dataset(store, {id}), options).save(first);

  // Runs on the proxy env, and a proxy of those: it must not be written over its source.
  const auto on_proxy = record_proxy_run(store, first, 40);
  const TrainedProxy second = TrainedProxy::train(load_proxy_dataset(store, {on_proxy}), options);
  CHECK_THROWS_WITH(second.save(first), Catch::Contains("learned from runs on a proxy of this very model file"));
  // Nor over a model further up the chain: a third proxy, learned from runs on the second.
  const std::string second_file = temp_file("bowl_second_chain.proxy.json");
  second.save(second_file);
  const auto on_second = record_proxy_run(store, second_file, 40);
  const TrainedProxy third = TrainedProxy::train(load_proxy_dataset(store, {on_second}), options);
  CHECK_THROWS_WITH(third.save(first), Catch::Contains("model=" + first));
  CHECK_THROWS_WITH(third.save(second_file), Catch::Contains("model=" + second_file));
  CHECK(TrainedProxy::load(first).env() != "proxy");  // untouched
  // Copied there by hand, it would load itself for ever (it used to overflow the stack).
  const std::string other = temp_file("bowl_second.proxy.json");
  second.save(other);
  std::filesystem::copy_file(other, first, std::filesystem::copy_options::overwrite_existing);
  CHECK_THROWS_WITH(TrainedProxy::load(first), Catch::Contains("the proxy model refers to itself"));

  // A forest state for one metric in a file that names two.
  TrainedProxy::train(load_proxy_dataset(store, {id}), options).save(first);
  std::string text = read_text(first);
  const std::string both = "\"cost_u\",\"latency_ns\"", one = "\"cost_u\"";
  const auto state = text.find("\"state\"");
  REQUIRE(state != std::string::npos);
  const auto names = text.find(both, state);
  REQUIRE(names != std::string::npos);
  text.replace(names, both.size(), one);
  std::ofstream(first, std::ios::binary) << text;
  CHECK_THROWS_WITH(TrainedProxy::load(first), Catch::Contains("the model predicts") && Catch::Contains("metrics but the file names 2"));

  // Top-level hyperparameters that disagree with the fitted state's: `proxy show` printed
  // them as if they had made the model.
  TrainedProxy::train(load_proxy_dataset(store, {id}), options).save(first);
  text = read_text(first);
  const std::string three = "\"trees\": 3";
  const auto top = text.find(three);
  REQUIRE(top != std::string::npos);
  REQUIRE(top < text.find("\"state\""));
  std::ofstream(first, std::ios::binary) << text.replace(top, three.size(), "\"trees\": 7");
  CHECK_THROWS_WITH(TrainedProxy::load(first),
                    first + ": field 'hyperparameters' says trees = 7 but the fitted state was made with 3; retrain the model");
  // A missing state is named once, not "file: field 'state': file: field 'state' ...".
  std::ofstream(first, std::ios::binary) << text.substr(0, text.find(",\n \"state\"")) + "\n}\n";
  CHECK_THROWS_WITH(TrainedProxy::load(first), first + ": field 'state' is missing");
}

TEST_CASE("a proxy whose source env cannot be rebuilt says which env and file") {
  Store store(temp_store("proxy_gone_source"));
  const auto id = record_run(store, 31, 40);
  ProxyTrainingOptions options;
  options.model = "knn";
  const std::string inner = temp_file("gone_inner.proxy.json"), outer = temp_file("gone_outer.proxy.json");
  TrainedProxy::train(load_proxy_dataset(store, {id}), options).save(inner);
  const auto on_inner = record_proxy_run(store, inner, 20);
  TrainedProxy::train(load_proxy_dataset(store, {on_inner}), options).save(outer);
  std::filesystem::remove(inner);
  // It said only "<inner>: cannot open the proxy model file", naming neither the outer file
  // nor why it was being read.
  CHECK_THROWS_WITH(TrainedProxy::load(outer),
                    Catch::StartsWith(outer + ": cannot rebuild the env the proxy learned (env 'proxy' with ") &&
                        Catch::Contains(inner) && !Catch::Contains("working directory"));
  // (The hint that a relative path resolves against the working directory is for files whose
  // env options name an input by a relative path, older builds': names_input_relatively.)
}
