#include "core/registry.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <type_traits>

#include "core/external_run.h"
#include "core/reserved_columns.h"
#include "core/text.h"

namespace archgym {

std::string gym_name(const std::string& env_name) {
  // Registry names are words of letters and digits joined by single '_' (add() checks).
  const bool short_word = env_name.size() <= 4 && env_name.find('_') == std::string::npos;
  std::string out;
  bool word_start = true;
  for (const char c : env_name) {
    if (c == '_') {
      word_start = true;
      continue;
    }
    out += short_word || word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  return out;
}

std::string gym_id(const std::string& env_name) { return "archgym/" + gym_name(env_name) + "-v0"; }

template <class Product, class... Args>
void Registry<Product, Args...>::add(Entry e, const std::string& where) {
  const std::string at = where.empty() ? "" : " (registered at " + where + ")";
  if (e.name.empty()) throw ComponentError(kind_name() + " registry: a name is required" + at);
  // Names are typed on command lines and in YAML, and become gymnasium ids (my_env ->
  // MyEnv): 'my-env' or 'My Env' would need quoting or collide with another name there.
  // ('dram_' and 'my__env' would give the same ids as 'dram' and 'my_env'.)
  const bool lower_first = e.name[0] >= 'a' && e.name[0] <= 'z';
  const bool plain = e.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
  const bool single_inner_underscores = e.name.back() != '_' && e.name.find("__") == std::string::npos;
  if (!lower_first || !plain || !single_inner_underscores)
    throw ComponentError(kind_name() + " name '" + e.name +
                         "': use lower-case words of letters and digits joined by single '_', "
                         "starting with a letter" + at);
  // The store's agent column says "external" for runs an outside search drove (external_run.h).
  if constexpr (std::is_same_v<Product, Agent>)
    if (e.name == kExternalAgent)
      throw ComponentError("agent registry: '" + e.name + "' is reserved for runs driven outside archgym" + at);
  if (!e.factory) throw ComponentError(kind_name() + " '" + e.name + "' has no factory" + at);
  if (!e.schema.declaration_error().empty())
    throw ComponentError(kind_name() + " '" + e.name + "': " + e.schema.declaration_error() + at);
  // Both places: the one a user just added may be either (static initialisers run in no set order).
  auto both_at = [&](const std::string& first) {
    std::vector<std::string> places;
    for (const std::string& w : {first, where})
      if (!w.empty()) places.push_back(w);
    return places.empty() ? "" : " (registered at " + join(places, " and at ") + ")";
  };
  if (const auto taken = entries_.find(e.name); taken != entries_.end())
    throw ComponentError(kind_name() + " '" + e.name + "' is registered twice" + both_at(taken->second.registered_at));
  // Python registers every env under its gymnasium id: one of two envs sharing an id would
  // be unreachable there ('abc' and 'a_b_c' are both archgym/ABC-v0).
  if constexpr (std::is_same_v<Product, Env>)
    for (const auto& [other, entry] : entries_)
      if (gym_id(other) == gym_id(e.name))
        throw ComponentError("env '" + other + "' and env '" + e.name + "' would both be gymnasium id '" +
                             gym_id(e.name) + "'; rename one of them" + both_at(entry.registered_at));
  e.registered_at = where;
  std::string name = e.name;
  entries_.emplace(std::move(name), std::move(e));
}

template <class Product, class... Args>
const typename Registry<Product, Args...>::Entry& Registry<Product, Args...>::get(const std::string& name) const {
  check_registrations();
  if (auto it = entries_.find(name); it != entries_.end()) return it->second;
  const auto known = names();
  throw std::invalid_argument("unknown " + kind_name() + " '" + name + "'" + did_you_mean(name, known) +
                              "; known " + kind_name() + "s: " + (known.empty() ? "(none)" : join(known)));
}

template <class Product, class... Args>
std::vector<std::string> Registry<Product, Args...>::names() const {
  check_registrations();
  std::vector<std::string> out;
  for (const auto& [name, entry] : entries_) out.push_back(name);
  return out;
}

template <>
std::string Registry<Env, const Options&>::kind_name() const { return "env"; }
template <>
std::string Registry<Agent, const AgentContext&>::kind_name() const { return "agent"; }

template <>
std::string Registry<ProxyModel, const ProxyContext&>::kind_name() const { return "proxy model"; }

template class Registry<Env, const Options&>;
template class Registry<Agent, const AgentContext&>;
template class Registry<ProxyModel, const ProxyContext&>;

namespace {

// "envs/dram.cpp:440": the registrar's file (its last two path components, as the
// compiler's absolute path depends on the checkout) and line.
std::string registered_at(const std::source_location& where) {
  const std::string file = where.file_name();
  std::size_t cut = file.rfind('/');
  if (cut != std::string::npos && cut > 0) cut = file.rfind('/', cut - 1);
  return (cut == std::string::npos ? file : file.substr(cut + 1)) + ":" + std::to_string(where.line());
}

// The mistakes registrars made before the registry's first use (see check_registrations).
struct Startup {
  std::mutex mutex;
  bool over = false;  // the registry has been used
  std::vector<std::string> mistakes;
};

Startup& startup() {
  static Startup s;
  return s;
}

template <class R>
void register_entry(R& registry, typename R::Entry entry, const std::source_location& where) {
  try {
    registry.add(std::move(entry), registered_at(where));
  } catch (const ComponentError& mistake) {
    Startup& s = startup();
    const std::lock_guard lock(s.mutex);
    if (s.over) throw;  // a registrar run once the program is under way: its caller can catch
    s.mistakes.push_back(mistake.what());
  }
}

// Knobs and metrics are shown side by side, one column per name, beside the columns of
// reserved_columns.h: a clash would show a metric under 'index', or two 'seed' columns.
void check_column_names(const std::string& env, const Env& built) {
  std::vector<std::string> reserved(kEvaluationColumns.begin(), kEvaluationColumns.end());
  reserved.insert(reserved.end(), kSearchColumns.begin(), kSearchColumns.end());
  const std::string where = "env '" + env + "': ";
  std::map<std::string, std::string> kind_of;  // column -> "knob" or "metric"
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& p : built.space().parameters()) columns.emplace_back(p.name(), "knob");
  const std::vector<std::string> metrics = built.metric_names();
  for (const auto& m : metrics) columns.emplace_back(m, "metric");
  for (const auto& [column, kind] : columns) {
    // Names are typed where '=' and ',' separate things (--target power_W=1,latency_ms=0.1),
    // so a metric 'c=d' could not be targeted: letters, digits, '_', '-' and '.' only.
    const bool well_formed = !column.empty() && std::all_of(column.begin(), column.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
    if (!well_formed)
      throw ComponentError(where + kind + " '" + column + "': a knob or metric name is letters, digits, '_', '-' "
                           "and '.' only (it is typed in --target and --set lists, where '=' and ',' separate "
                           "things); rename the " + kind);
    if (std::find(reserved.begin(), reserved.end(), column) != reserved.end())
      throw ComponentError(where + kind + " '" + column + "' has a reserved name: exports and frames show a column " +
                           "of that name beside the knobs and metrics (reserved: " + join(reserved) + "); rename the " +
                           kind);
    if (const auto [seen, fresh] = kind_of.emplace(column, kind); !fresh)
      throw ComponentError(where + (seen->second == kind
                                        ? kind + " '" + column + "' is listed twice"
                                        : "'" + column + "' is both a knob and a metric: exports and frames show " +
                                              "one column per name; rename one of them"));
  }
  for (const auto& m : metrics)
    if (const auto clash = kind_of.find(m + std::string(kPredictedSuffix)); clash != kind_of.end())
      throw ComponentError(where + clash->second + " '" + clash->first + "' is named like the column of metric '" + m +
                           "' predicted by a proxy model (Proxy.compare shows metric m's prediction as m" +
                           std::string(kPredictedSuffix) + "); rename the " + clash->second);
}

}  // namespace

void check_registrations() {
  Startup& s = startup();
  const std::lock_guard lock(s.mutex);
  s.over = true;
  if (s.mistakes.size() == 1) throw ComponentError(s.mistakes.front());
  if (!s.mistakes.empty())
    throw ComponentError(std::to_string(s.mistakes.size()) + " registrations were refused:\n  " +
                         join(s.mistakes, "\n  "));
}

EnvRegistrar::EnvRegistrar(std::string name, std::string description, Schema schema,
                           std::function<std::unique_ptr<Env>(const Options&)> factory,
                           std::source_location where) {
  register_entry(EnvRegistry::instance(), {std::move(name), std::move(description), std::move(schema), std::move(factory)},
                 where);
}

AgentRegistrar::AgentRegistrar(std::string name, std::string description, Schema schema,
                               std::function<std::unique_ptr<Agent>(const AgentContext&)> factory,
                               std::source_location where) {
  register_entry(AgentRegistry::instance(), {std::move(name), std::move(description), std::move(schema), std::move(factory)},
                 where);
}

ProxyRegistrar::ProxyRegistrar(std::string name, std::string description, Schema schema,
                               std::function<std::unique_ptr<ProxyModel>(const ProxyContext&)> factory,
                               std::source_location where) {
  register_entry(ProxyRegistry::instance(), {std::move(name), std::move(description), std::move(schema), std::move(factory)},
                 where);
}

Options env_options(const std::string& name, const std::map<std::string, std::string>& options) {
  return EnvRegistry::instance().get(name).schema.parse(options, "env '" + name + "'");
}

Options agent_options(const std::string& name, const std::map<std::string, std::string>& hyperparameters) {
  return AgentRegistry::instance().get(name).schema.parse(hyperparameters, "agent '" + name + "'");
}

Options proxy_options(const std::string& name, const std::map<std::string, std::string>& hyperparameters) {
  return ProxyRegistry::instance().get(name).schema.parse(hyperparameters, "proxy model '" + name + "'");
}

std::string other_side_hint(const std::string& key, const std::string& env, const std::string& agent,
                            bool given_to_env, bool other_side_sets_it) {
  const Schema& env_schema = EnvRegistry::instance().get(env).schema;
  const Schema& agent_schema = AgentRegistry::instance().get(agent).schema;
  if (given_to_env ? env_schema.has(key) || !agent_schema.has(key) : agent_schema.has(key) || !env_schema.has(key))
    return "";
  const std::string other = given_to_env ? "agent '" + agent + "'" : "env '" + env + "'";
  const std::string options = given_to_env ? "the agent's options" : "the env's options";
  return "; it is an option of " + other +
         (other_side_sets_it ? ", and " + options + " set it already, so remove it here" : ", so give it with " + options);
}

void check_option_sides(const std::string& env, const std::map<std::string, std::string>& env_options,
                        const std::string& agent, const std::map<std::string, std::string>& agent_options) {
  for (const bool to_env : {true, false}) {
    const auto& given = to_env ? env_options : agent_options;
    const auto& other = to_env ? agent_options : env_options;
    for (const auto& [key, value] : given)
      if (const std::string hint = other_side_hint(key, env, agent, to_env, other.count(key) > 0); !hint.empty())
        throw std::invalid_argument((to_env ? "env '" + env : "agent '" + agent) + "': unknown option '" + key + "'" +
                                    hint);
  }
}

std::unique_ptr<Env> build_env(const std::string& name, const Options& options) {
  auto env = EnvRegistry::instance().get(name).factory(options);
  if (!env) throw std::logic_error("env '" + name + "': the factory returned nothing");
  check_column_names(name, *env);
  // Gym episodes start from it and searches compare with it: one outside the space made
  // every reset an invalid evaluation (an all-zero observation), without a word.
  if (const auto why = env->space().check(env->default_design()))
    throw ComponentError("env '" + name + "': its default design is not in its own space: " + *why +
                         " (default_design() must give a design every range and constraint allows)");
  return env;
}

std::unique_ptr<Env> rebuild_env(const std::string& name, const std::string& config_json, const std::string& where) {
  return build_env(name, EnvRegistry::instance().get(name).schema.parse_json(config_json, where));
}

std::unique_ptr<Agent> build_agent(const std::string& name, const AgentContext& context) {
  if (!context.space) throw std::invalid_argument("agent '" + name + "': no design space given");
  auto agent = AgentRegistry::instance().get(name).factory(context);
  if (!agent) throw std::logic_error("agent '" + name + "': the factory returned nothing");
  return agent;
}

std::unique_ptr<ProxyModel> build_proxy(const std::string& name, const ProxyContext& context) {
  auto model = ProxyRegistry::instance().get(name).factory(context);
  if (!model) throw std::logic_error("proxy model '" + name + "': the factory returned nothing");
  return model;
}

std::unique_ptr<Env> make_env(const std::string& name, const std::map<std::string, std::string>& options) {
  return build_env(name, env_options(name, options));
}

std::unique_ptr<Agent> make_agent(const std::string& name, const DesignSpace& space,
                                  const std::map<std::string, std::string>& hyperparameters,
                                  std::uint64_t seed) {
  AgentContext context;
  context.space = &space;
  context.hyperparameters = agent_options(name, hyperparameters);
  context.seed = seed;
  return build_agent(name, context);
}

std::unique_ptr<ProxyModel> make_proxy(const std::string& name,
                                       const std::map<std::string, std::string>& hyperparameters,
                                       std::uint64_t seed) {
  ProxyContext context;
  context.hyperparameters = proxy_options(name, hyperparameters);
  context.seed = seed;
  return build_proxy(name, context);
}

}  // namespace archgym
