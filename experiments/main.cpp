// `archgym`: list what can run, run an agent against an env into the store, resume,
// list runs, export them, and train/evaluate proxy models on them. Exit codes: 0 success,
// 2 bad input or a component registered wrongly (nothing written), 1 a failure while
// working, 130 a run interrupted by Ctrl-C or SIGTERM (resumable).
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdint>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "archgym_version.h"
#include "core/build_label.h"
#include "core/registry.h"
#include "core/text.h"

#include "experiments/cli_error.h"
#include "experiments/commands.h"
#include "experiments/run_request.h"

using archgym::cli::RunRequest;
using archgym::cli::UsageError;

namespace {

constexpr int kBadInput = 2;
constexpr int kInterrupted = 130;  // 128 + SIGINT, what shells report for Ctrl-C

// Bad input, or a component registered or defined wrongly: said, and nothing ran.
int refuse(const std::exception& e) {
  std::cerr << "archgym: error: " << e.what() << "\n";
  return kBadInput;
}

// Integer flags take plain decimal text only, in range, as YAML configs and --set do.
// CLI11's own conversion would read "010" as octal, "0x10" as hex, clamp an overflow to
// the largest value and wrap "-3" into a huge unsigned number. The transform rewrites
// the text as the number it accepted, so CLI11 converts exactly that.
CLI::Validator decimal(std::uint64_t min, std::uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
          return "must be a decimal integer in [" + std::to_string(min) + ", " + std::to_string(max) + "], got '" +
                 text + "'";
        text = std::to_string(v);
        return std::string();
      },
      "INTEGER in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
}
// Help without CLI11's "{false}" after negated flag names ("--no-progress{false}"): the
// description already says what the flag does.
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_name(const CLI::Option* opt, bool is_positional) const override {
    std::string name = CLI::Formatter::make_option_name(opt, is_positional);
    for (std::size_t open; (open = name.find('{')) != std::string::npos;) {
      const std::size_t close = name.find('}', open);
      if (close == std::string::npos) break;
      name.erase(open, close - open + 1);
    }
    return name;
  }
};

const std::uint64_t kMaxId = static_cast<std::uint64_t>(INT64_MAX);  // run ids are SQLite integers

// Command-line values of `archgym run`; which ones were given is asked of CLI11,
// so a flag overrides the config file only when it is actually present.
struct RunFlags {
  std::string config, env, agent, formulation, store = "archgym.db";
  std::uint64_t budget = 0, seed = 0, batch = 0;
  unsigned workers = 0;
  bool stop_on_target = true, progress = true, force = false;
  std::vector<std::string> sets, targets;
  std::int64_t resume = 0;
};

RunRequest build_request(const RunFlags& f, CLI::App& run) {
  RunRequest r;
  if (run.count("--config")) archgym::cli::load_run_config(f.config, r);
  auto given = [&](const char* flag) { return run.count(flag) > 0; };
  if (given("--env")) r.spec.env = f.env, r.origin["env"] = "--env";
  if (given("--agent")) r.spec.agent = f.agent, r.origin["agent"] = "--agent";
  if (given("--formulation")) r.spec.formulation = f.formulation, r.origin["formulation"] = "--formulation";
  if (given("--budget")) r.spec.budget = f.budget, r.origin["budget"] = "--budget";
  if (given("--seed")) r.spec.seed = f.seed, r.origin["seed"] = "--seed";
  if (given("--batch")) r.spec.batch = f.batch, r.origin["batch"] = "--batch";
  if (given("--workers")) r.spec.workers = f.workers, r.origin["workers"] = "--workers";
  if (given("--store")) r.store = f.store, r.origin["store"] = "--store";
  if (given("--stop-on-target")) r.spec.stop_on_target = f.stop_on_target;
  r.spec.progress = f.progress;
  archgym::cli::check_names(r);  // --set routing needs both schemas
  for (const auto& s : f.sets) archgym::cli::apply_set(s, r);
  for (const auto& t : f.targets) archgym::cli::apply_targets(t, r);
  return r;
}

// An option before the command, or an unknown or missing command (or `proxy` subcommand),
// by name, instead of CLI11's "A subcommand is required". Leaves `level` at the deepest
// command named and `i` at the first argument after the command words; the exit code when
// refused.
std::optional<int> refuse_bad_command_words(CLI::App& app, int argc, char** argv, CLI::App*& level, int& i) {
  const std::string first = argc > 1 ? argv[1] : "";
  if (first == "--version") {
    if (argc == 2) return std::nullopt;  // CLI11 prints it
    std::cerr << "archgym: error: --version stands alone (archgym --version)\n";
    return kBadInput;
  }
  if (argc > 1 && argv[1][0] == '-' && first != "-h" && first != "--help") {
    std::cerr << "archgym: error: unknown option '" << argv[1]
              << "' before the command; options go after it (archgym <command> --help)\n";
    return kBadInput;
  }
  for (; i < argc && argv[i][0] != '-' && !level->get_subcommands({}).empty(); ++i) {
    CLI::App* found = nullptr;
    std::string names;
    for (CLI::App* sub : level->get_subcommands({})) {
      if (sub->get_name() == argv[i]) found = sub;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::cerr << "archgym: error: unknown " << (level == &app ? "command" : level->get_name() + " command") << " '"
                << argv[i] << "'; commands: " << names << "\n";
      return kBadInput;
    }
    level = found;
  }
  if (i == argc && !level->get_subcommands({}).empty()) {
    std::cerr << "archgym: error: " << (level == &app ? "a command" : "a " + level->get_name() + " command")
              << " is required\n\n" << level->help();
    return kBadInput;
  }
  return std::nullopt;
}

// CLI11's message for a parse error of command `level` (whose arguments start at argv[first]),
// said plainly: a misspelt flag by name with a suggestion (CLI11 says only "not expected", or,
// when it misspells a required one, --modle for --model, that the required one is missing),
// and its wording of three common slips.
std::string parse_error_text(const CLI::ParseError& e, const CLI::App& level, int first, int argc, char** argv) {
  std::string suggestion;
  if (dynamic_cast<const CLI::ExtrasError*>(&e) || dynamic_cast<const CLI::RequiredError*>(&e)) {
    std::vector<std::string> known;
    for (const CLI::Option* o : level.get_options())
      for (const std::string& name : o->get_lnames()) known.push_back("--" + name);
    for (int k = first; k < argc && suggestion.empty(); ++k) {
      const std::string arg = argv[k];
      const std::string flag = arg.substr(0, arg.find('='));
      if (flag.rfind("--", 0) != 0 || std::find(known.begin(), known.end(), flag) != known.end()) continue;
      suggestion = "; unknown option " + flag + archgym::did_you_mean(flag, known);
    }
  }
  std::string message = e.what();
  const std::string text = message;
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && text.find(": At Most 1 required but received ") != std::string::npos) {
    message = text.substr(0, text.find(':')) + " given " + text.substr(text.rfind(' ') + 1) +
              " times; it takes one value";
  } else if (dynamic_cast<const CLI::ConversionError*>(&e) && text.rfind("Could not convert: ", 0) == 0) {
    const std::string rest = text.substr(19);  // "--name = value"
    const std::string name = rest.substr(0, rest.find(" = "));
    const CLI::Option* option = nullptr;
    try {
      option = level.get_option(name);
    } catch (const CLI::Error&) {
    }
    if (option && rest.find(" = ") != std::string::npos)
      message = name + ": '" + rest.substr(rest.find(" = ") + 3) + "' is not a value of type " + option->get_type_name();
  } else if (dynamic_cast<const CLI::ExcludesError*>(&e) && text.find("--resume") != std::string::npos &&
             text.rfind("--force", 0) != 0) {
    message += " (a resumed run keeps everything it recorded: its env and agent options, targets, seed, budget and "
               "batch; give --resume ID alone, with --store, --workers or --no-progress)";
  }
  return message + suggestion;
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write fails with EFBIG, which names the file,
  // instead of SIGXFSZ ending the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  // A component's registration refused while the program started (a name taken, a bad
  // option default): nothing can be trusted to run, whatever the command.
  try {
    archgym::check_registrations();
  } catch (const archgym::ComponentError& e) {
    return refuse(e);
  }
  CLI::App app{"archgym: ML-assisted computer-architecture design space exploration", "archgym"};
  app.require_subcommand(1);
  app.formatter(std::make_shared<HelpFormatter>());
  // The build a store's "made by" line names, and how it was compiled.
  app.set_version_flag("--version", archgym::build_label(archgym::kVersion, archgym::kGitCommit) + "\nbuilt with " +
                                        archgym::kBuildConfig);

  CLI::App* list = app.add_subcommand("list", "list every env, agent and proxy model with its options");

  RunFlags f;
  CLI::App* run = app.add_subcommand("run", "run an agent against an env and record it in the store");
  run->footer(
      "Examples:\n"
      "  archgym run --env dram --agent ga --budget 300 --seed 1 --set workload=stream \\\n"
      "              --set population=16 --target power_W=1,latency_ms=0.1\n"
      "  archgym run --config run.yaml --seed 2\n"
      "  archgym run --resume 3 --store archgym.db");
  run->add_option("--config", f.config, "YAML run file (keys: env, agent, budget, seed, workers, batch, "
                                         "store, stop_on_target, formulation, env_options, agent_options, "
                                         "targets); flags override it");
  // What a run without --env/--agent/--budget/--seed (and no config setting them) uses.
  const archgym::RunSpec defaults;
  run->add_option("--env", f.env, "environment name (see `archgym list`; default: " + defaults.env + ")");
  run->add_option("--agent", f.agent, "agent name (see `archgym list`; default: " + defaults.agent + ")");
  run->add_option("--budget", f.budget,
                  "number of evaluations (at least 1; default: " + std::to_string(defaults.budget) + ")")
      ->transform(decimal(0, UINT64_MAX));
  run->add_option("--seed", f.seed,
                  "random seed (same seed, same trajectory; default: " + std::to_string(defaults.seed) + ")")
      ->transform(decimal(0, UINT64_MAX));
  run->add_option("--set", f.sets,
                  "key=value: an env option if the env has the key, else an agent hyperparameter; "
                  "env.key= / agent.key= force one (repeatable)")
      ->allow_extra_args(false);
  run->add_option("--target", f.targets, "metric=value[,metric=value...] target overrides (repeatable); value off drops that target")
      ->allow_extra_args(false);
  run->add_option("--formulation", f.formulation,
                  "reward formulation: target_ratio, normalised_cost, budget_distance, weighted_sum "
                  "(default: the env's)");
  run->add_option("--store", f.store, "experiment database (SQLite file)")->capture_default_str();
  run->add_option("--workers", f.workers, "parallel evaluations (0 = all cores)")->transform(decimal(0, archgym::kMaxWorkers));
  run->add_option("--batch", f.batch, "designs asked per step (0 = the agent's preferred batch)")
      ->transform(decimal(0, archgym::kMaxBatch));
  run->add_flag("--stop-on-target,!--no-stop-on-target", f.stop_on_target,
                "stop as soon as a design meets the target (default on)");
  run->add_flag("--progress,!--no-progress", f.progress, "progress bar on stderr (default on)");
  CLI::Option* resume =
      run->add_option("--resume", f.resume, "continue run ID (interrupted or killed) from the store")
          ->transform(decimal(1, kMaxId));
  for (const char* name : {"--config", "--env", "--agent", "--budget", "--seed", "--set", "--target",
                           "--formulation", "--batch", "--stop-on-target"})
    resume->excludes(run->get_option(name));
  run->add_flag("--force", f.force,
                "with --resume: take the run over even if the store says another process is running it "
                "(for one that is gone but cannot be checked, e.g. killed on another host)")
      ->needs(resume);

  std::string store_path = "archgym.db", out_path = "-";
  std::int64_t run_id = 0;
  CLI::App* exp = app.add_subcommand("export", "write evaluations as CSV");
  exp->add_option("--store", store_path, "experiment database")->capture_default_str();
  exp->add_option("--run", run_id, "run id (default: all runs)")->transform(decimal(0, kMaxId));
  exp->add_option("--out", out_path, "CSV file, - for stdout")->capture_default_str();

  std::int64_t runs_run_id = 0;
  CLI::App* runs = app.add_subcommand("runs", "list the runs in a store (one run's whole record with --run)");
  runs->add_option("--store", store_path, "experiment database")->capture_default_str();
  runs->add_option("--run", runs_run_id,
                   "show everything recorded about run ID (options, reward, seed, budget, batch, build, input "
                   "files, times): what reproducing it takes, and the `archgym run` command that repeats it")
      ->transform(decimal(1, kMaxId));

  archgym::cli::ProxyTrainRequest proxy_request;
  std::string model_path;
  std::vector<std::int64_t> proxy_runs;
  CLI::App* proxy = app.add_subcommand("proxy", "train, evaluate and inspect proxy cost models");
  proxy->require_subcommand(1);
  CLI::App* proxy_train = proxy->add_subcommand("train", "fit a proxy model on stored evaluations and save it");
  proxy_train->footer(
      "Example:\n"
      "  archgym proxy train --store archgym.db --runs 1,2 --model random_forest --set trees=100 \\\n"
      "                      --out dram_stream.proxy.json\n"
      "  archgym run --env proxy --set model=dram_stream.proxy.json --agent ga --budget 5000");
  proxy_train->add_option("--store", proxy_request.store, "experiment database")->capture_default_str();
  proxy_train->add_option("--runs", proxy_request.runs, "run ids to learn from (default: all; they must share "
                                                        "env and env options)")
      ->delimiter(',')->transform(decimal(1, kMaxId));
  proxy_train->add_option("--model", proxy_request.model, "proxy model (see `archgym list`)")->capture_default_str();
  proxy_train->add_option("--set", proxy_request.sets, "key=value hyperparameter (repeatable)")
      ->allow_extra_args(false);
  proxy_train->add_option("--test-fraction", proxy_request.test_fraction,
                          "share of designs held out to measure the error, in [0, 0.9]")
      ->capture_default_str();
  proxy_train->add_option("--seed", proxy_request.seed, "seed of the split and the model")
      ->transform(decimal(0, UINT64_MAX))->capture_default_str();
  proxy_train->add_option("--out", proxy_request.out_path, "model file to write (JSON)")->required();
  proxy_train->add_option("--workers", proxy_request.workers,
                          "threads fitting the model (0 = all cores; the model is the same for any number)")
      ->transform(decimal(0, archgym::kMaxWorkers));
  proxy_train->add_flag("--progress,!--no-progress", proxy_request.progress,
                        "progress bar on stderr while the model reports it (the forest's trees, the kNN's "
                        "feature scales; default on)");
  CLI::App* proxy_eval = proxy->add_subcommand("eval", "a saved model's error on stored runs");
  proxy_eval->add_option("--model", model_path, "model file written by `archgym proxy train`")->required();
  proxy_eval->add_option("--store", store_path, "experiment database")->capture_default_str();
  proxy_eval->add_option("--runs", proxy_runs,
                         "run ids to compare with (default: every run of the env configuration "
                         "the model learned that read the same input files, but the runs it trained on)")
      ->delimiter(',')->transform(decimal(1, kMaxId));
  CLI::App* proxy_show = proxy->add_subcommand("show", "describe a saved model file");
  proxy_show->add_option("--model", model_path, "model file written by `archgym proxy train`")->required();

  CLI::App* level = &app;  // the deepest (sub)command named
  int i = 1;                // argv[i]: the first argument after the command words
  if (const auto refused = refuse_bad_command_words(app, argc, argv, level, i)) return *refused;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::string command = "archgym";  // the (sub)command the user was in
    for (int k = 1; k < i; ++k) command += std::string(" ") + argv[k];
    std::cerr << "archgym: error: " << parse_error_text(e, *level, i, argc, argv) << "\n(see `" << command
              << " --help`)\n";
    return kBadInput;
  }

  try {
    if (list->parsed()) {
      archgym::cli::list_command(std::cout);
    } else if (run->parsed()) {
      std::string store;
      archgym::RunResult result;
      if (resume->count()) {
        store = f.store;
        result = archgym::cli::resume_command(f.store, f.resume, f.workers, f.progress, f.force, std::cout);
      } else {
        const RunRequest request = build_request(f, *run);
        store = request.store;
        result = archgym::cli::run_command(request, std::cout);
      }
      if (result.status == "interrupted") {
        std::cout.flush();
        std::cerr << "archgym: " << archgym::cli::interrupted_message(argv[0], store, result.run_id) << "\n";
        return kInterrupted;
      }
    } else if (exp->parsed()) {
      archgym::cli::export_command(store_path, run_id, out_path);
    } else if (runs->parsed()) {
      if (runs_run_id > 0) archgym::cli::run_record_command(store_path, runs_run_id, std::cout);
      else archgym::cli::runs_command(store_path, std::cout);
    } else if (proxy_train->parsed()) {
      archgym::cli::proxy_train_command(proxy_request, std::cout);
    } else if (proxy_eval->parsed()) {
      archgym::cli::proxy_eval_command(model_path, store_path, proxy_runs, std::cout);
    } else if (proxy_show->parsed()) {
      archgym::cli::proxy_show_command(model_path, std::cout);
    }
    // What was printed must have arrived: `archgym runs > /dev/full` is not a success.
    std::cout.flush();
    if (!std::cout) throw std::runtime_error(std::string("writing to standard output failed (") +
                                             std::strerror(errno) + ")");
  } catch (const UsageError& e) {
    return refuse(e);
  } catch (const archgym::ComponentError& e) {  // e.g. an env with a knob named 'seed': nothing ran
    return refuse(e);
  } catch (const std::bad_alloc&) {  // its what() is the bare "std::bad_alloc"
    std::cerr << "archgym: failed: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "archgym: failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
