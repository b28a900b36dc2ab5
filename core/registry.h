#pragma once
// Name -> factory for envs, agents and proxy models. Each implementation
// registers itself from its own .cpp with one static registrar:
//
//   static const archgym::EnvRegistrar reg{"dram", "DRAM memory controller (ArchGym DRAMSys)",
//                                           schema(), [](const Options& o) { return ...; }};
//
// and is linked through an OBJECT library so the registrar is never dropped.
#include <functional>
#include <map>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/agent.h"
#include "core/env.h"
#include "core/options.h"
#include "core/proxy_model.h"

namespace archgym {

// A component defined wrongly: a fault in its code, not in a user's input. A registration
// the registry refuses (a bad or taken name or gymnasium id, a schema that contradicts
// itself), or a built env whose knob and metric names clash (build_env). The CLI
// exits with 2 naming it (as for bad input: nothing ran); Python raises ValueError, or
// ImportError when a registration's mistake keeps the module from loading.
struct ComponentError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Registrars run as static initialisers (before main, or while Python loads the module),
// where an exception cannot be caught: it ends the process ("terminate called", exit 134;
// a Jupyter kernel dies without a traceback). So until the registry is first used, a
// registrar records its mistake instead of throwing it; the first use, and every later one,
// throws every recorded mistake as one ComponentError. A use is any lookup below, or this
// call, which front ends make first (the CLI exits with 2, Python's import raises
// ImportError). Once the registry is in use a registrar throws at once (a test's, say).
void check_registrations();

// The gymnasium id under which Python registers env `name` (archgym.gym):
// "archgym/<gym_name>-v0". gym_name upper-cases a one-word name of up to four letters
// (dram -> DRAM) and capitalises any other per word (systolic_array -> SystolicArray).
// The registry refuses an env whose id another env has ('a_b_c' after 'abc': ABC).
std::string gym_name(const std::string& env_name);
std::string gym_id(const std::string& env_name);

template <class Product, class... Args>
struct RegistryEntry {
  std::string name;
  std::string description;
  Schema schema;
  std::function<std::unique_ptr<Product>(Args...)> factory;
  std::string registered_at;  // "agents/ga.cpp:209", set by add() (a second registration names it)
};

// Member functions are defined in registry.cpp and explicitly instantiated there for
// EnvRegistry, AgentRegistry and ProxyRegistry; a new kind adds one line there.
template <class Product, class... Args>
class Registry {
 public:
  using Entry = RegistryEntry<Product, Args...>;
  static Registry& instance() {
    static Registry r;
    return r;
  }
  // Throws ComponentError on a bad or duplicate name (or, for an env, gymnasium id) or a
  // schema with a declaration_error(), naming the entry (and `where`, the registrar's file
  // and line, when given; for a duplicate, the first registration's too).
  void add(Entry e, const std::string& where = "");
  // Lookups; each first calls check_registrations().
  const Entry& get(const std::string& name) const;  // throws listing known names
  bool contains(const std::string& name) const {
    check_registrations();
    return entries_.count(name) > 0;
  }
  std::vector<std::string> names() const;
  const std::map<std::string, Entry>& entries() const {
    check_registrations();
    return entries_;
  }
 private:
  std::map<std::string, Entry> entries_;
  std::string kind_name() const;
};

using EnvRegistry = Registry<Env, const Options&>;
using AgentRegistry = Registry<Agent, const AgentContext&>;
using ProxyRegistry = Registry<ProxyModel, const ProxyContext&>;

// A registration mistake (bad name, a name taken, a schema that contradicts itself) is
// recorded or thrown as check_registrations() says: the message names the component and
// the file and line of its registrar.
struct EnvRegistrar {
  EnvRegistrar(std::string name, std::string description, Schema schema,
               std::function<std::unique_ptr<Env>(const Options&)> factory,
               std::source_location where = std::source_location::current());
};
struct AgentRegistrar {
  AgentRegistrar(std::string name, std::string description, Schema schema,
                 std::function<std::unique_ptr<Agent>(const AgentContext&)> factory,
                 std::source_location where = std::source_location::current());
};
struct ProxyRegistrar {
  ProxyRegistrar(std::string name, std::string description, Schema schema,
                 std::function<std::unique_ptr<ProxyModel>(const ProxyContext&)> factory,
                 std::source_location where = std::source_location::current());
};

// Text options validated against the registered schema (defaults filled in); errors
// start with "env 'dram': " / "agent 'ga': ".
Options env_options(const std::string& name, const std::map<std::string, std::string>& options);
Options agent_options(const std::string& name,
                      const std::map<std::string, std::string>& hyperparameters);
Options proxy_options(const std::string& name,
                      const std::map<std::string, std::string>& hyperparameters);
// For an option given to one side of a run (the env when `given_to_env`, else the agent)
// that only the other side has: "; it is an option of agent 'ga', so give it with the
// agent's options" (or, when `other_side_sets_it`, "...; the agent's options set it
// already, so remove it here"); "" otherwise (both names must be registered).
std::string other_side_hint(const std::string& key, const std::string& env, const std::string& agent,
                            bool given_to_env, bool other_side_sets_it = false);
// Throws std::invalid_argument ("env 'dram': unknown option 'population'" + the hint above)
// for the first option given to the side of a run that lacks it while the other has it.
void check_option_sides(const std::string& env, const std::map<std::string, std::string>& env_options,
                        const std::string& agent, const std::map<std::string, std::string>& agent_options);
// Build from already validated options. Every front end builds envs here (run, resume,
// YAML, Python's make_env and gymnasium ids, external runs), so here the built env's names
// are checked, which may depend on its options (the dram env's space=extended): a knob or
// metric named like a column beside them (reserved_columns.h), a knob and a metric of one
// name, a metric listed twice, or one named like another's prediction column, throws
// ComponentError naming the env, the name and whether it is a knob or a metric.
std::unique_ptr<Env> build_env(const std::string& name, const Options& options);
// An env rebuilt from options stored as JSON (a run's env_config), as resume rebuilds it:
// Schema::parse_json, so none counts as given; `where` prefixes its errors.
std::unique_ptr<Env> rebuild_env(const std::string& name, const std::string& config_json, const std::string& where);
std::unique_ptr<Agent> build_agent(const std::string& name, const AgentContext& context);
std::unique_ptr<ProxyModel> build_proxy(const std::string& name, const ProxyContext& context);

// Convenience: validate text options against the schema, then build.
std::unique_ptr<Env> make_env(const std::string& name,
                              const std::map<std::string, std::string>& options = {});
std::unique_ptr<Agent> make_agent(const std::string& name, const DesignSpace& space,
                                  const std::map<std::string, std::string>& hyperparameters,
                                  std::uint64_t seed);
std::unique_ptr<ProxyModel> make_proxy(const std::string& name,
                                       const std::map<std::string, std::string>& hyperparameters,
                                       std::uint64_t seed);

}  // namespace archgym
