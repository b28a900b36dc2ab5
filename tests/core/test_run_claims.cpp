// The store records which process runs a run, so that two processes never continue one
// run at the same time, while a run whose process died can always be taken over.
#include "tests/catch.h"
#include "tests/core/temp_store.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/process_identity.h"
#include "core/store.h"

using namespace archgym;

namespace {

std::int64_t new_run(Store& store) {
  RunRecord r;
  r.env = "toy_bowl";
  r.env_config = "{}";
  r.agent = "toy_search";
  r.agent_config = "{}";
  r.objective = "{}";
  return store.create_run(r);
}

// A live process other than this one: the parent (the test driver or init).
ProcessIdentity live_other_process() { return process_on_this_host(static_cast<std::int64_t>(getppid())); }

}  // namespace

TEST_CASE("process identity: this process is alive, a reaped child and a reused pid are gone") {
  const ProcessIdentity& self = this_process();
  CHECK(self.pid == getpid());
  CHECK_FALSE(self.host.empty());
  CHECK_FALSE(self.start.empty());  // Linux keeps start times in /proc
  CHECK(liveness(self) == Liveness::Alive);
  CHECK(liveness(live_other_process()) == Liveness::Alive);

  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) _exit(0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(liveness(ProcessIdentity{self.host, child, ""}) == Liveness::Gone);

  // The same pid started at another time is another process (pid reuse).
  CHECK(liveness(ProcessIdentity{self.host, self.pid, self.start + "1"}) == Liveness::Gone);
  CHECK(liveness(ProcessIdentity{"elsewhere.invalid", self.pid, self.start}) == Liveness::Unknown);
  CHECK(describe(self) == "pid " + std::to_string(self.pid) + " on host " + self.host);
}

TEST_CASE("run claims: one process at a time, released on request") {
  Store store(temp_store("claims_basic"));
  const auto id = new_run(store);
  CHECK_FALSE(store.run_claim(id));

  store.claim_run(id, this_process());
  const auto claim = store.run_claim(id);
  REQUIRE(claim);
  CHECK(claim->owner.pid == getpid());
  CHECK(claim->owner.start == this_process().start);
  CHECK(claim->claimed_at.size() == 24);

  // The same process again (e.g. two resumes from two threads) is refused too.
  CHECK_THROWS_WITH(store.claim_run(id, this_process()),
                    Catch::Contains("run 1 is already being run by this process (" + describe(this_process())));
  // Another live process is refused, told who holds it and how to take it over.
  CHECK_THROWS_WITH(store.claim_run(id, live_other_process()),
                    Catch::Contains("run 1 is being run by " + describe(this_process())) &&
                        Catch::Contains("archgym run --resume 1 --store " + store.path() + " --force") && Catch::Contains("force=True"));
  CHECK(store.run_claim(id)->owner.pid == getpid());  // a refused claim changes nothing

  store.release_run(id, live_other_process());  // not the holder: no effect
  CHECK(store.run_claim(id));
  store.release_run(id, this_process());
  CHECK_FALSE(store.run_claim(id));
  store.claim_run(id, live_other_process());  // free again
  CHECK(store.run_claim(id)->owner.pid == getppid());

  CHECK_THROWS_WITH(store.claim_run(99, this_process()), Catch::Contains("no run 99"));
}

TEST_CASE("run claims: a run can be created already claimed, so no resume takes it first") {
  Store store(temp_store("claims_created"));
  RunRecord r;
  r.env = "toy_bowl";
  r.env_config = r.agent_config = r.objective = "{}";
  r.agent = "toy_search";
  const auto id = store.create_run(r, &this_process());
  const auto claim = store.run_claim(id);
  REQUIRE(claim);
  CHECK(claim->owner.pid == getpid());
  CHECK_THROWS_WITH(store.claim_run(id, live_other_process()),
                    Catch::Contains("is being run by " + describe(this_process())));
  store.release_run(id, this_process());
  CHECK_FALSE(store.run_claim(id));
  CHECK_FALSE(store.run_claim(store.create_run(r)));  // unclaimed unless asked
}

TEST_CASE("run claims: the claim of a process that died is taken over") {
  const std::string path = temp_store("claims_dead");
  std::int64_t id = 0;
  {
    Store store(path);
    id = new_run(store);
  }
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // claims the run and dies without releasing it
    try {
      Store store(path);
      store.claim_run(id, this_process());
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  Store store(path);
  REQUIRE(store.run_claim(id));
  CHECK(store.run_claim(id)->owner.pid == child);
  store.claim_run(id, this_process());
  CHECK(store.run_claim(id)->owner.pid == getpid());

  // A claim whose pid now belongs to a process started later is stale as well.
  store.release_run(id, this_process());
  ProcessIdentity reused = live_other_process();
  reused.start = "1";
  store.claim_run(id, reused);
  store.claim_run(id, this_process());
  CHECK(store.run_claim(id)->owner.pid == getpid());
}

TEST_CASE("run claims: another host's claim cannot be checked, so only force takes it over") {
  Store store(temp_store("claims_other_host"));
  const auto id = new_run(store);
  const ProcessIdentity remote{"node17.cluster.invalid", 4242, "99"};
  store.claim_run(id, remote);
  CHECK_THROWS_WITH(store.claim_run(id, this_process()),
                    Catch::Contains("is being run by pid 4242 on host node17.cluster.invalid (another host") &&
                        Catch::Contains("--force"));
  store.claim_run(id, this_process(), /*force=*/true);
  CHECK(store.run_claim(id)->owner.pid == getpid());
}

TEST_CASE("run claims: a hand-edited pid is named, and only force replaces the claim") {
  // A text pid read as 0, which is no process: the claim counted as its process's death and
  // was taken over without asking, though the process might still be running the run.
  const std::string path = temp_store("claims_hand_edited");
  Store store(path);
  const auto id = new_run(store);
  store.claim_run(id, live_other_process());
  const auto edit = [&](const std::string& pid) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const int rc = sqlite3_exec(db, ("UPDATE run_claims SET pid = " + pid).c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  };
  for (const auto& [pid, says] : std::vector<std::pair<std::string, std::string>>{
           {"'abc'", "holds 'abc' (text); expected an integer"},
           {"0", "holds '0' (integer); expected an integer of at least 1"},
           {"-1", "holds '-1' (integer); expected an integer of at least 1"},
           {"12.5", "holds '12.5' (real); expected an integer"}}) {
    edit(pid);
    const std::string named = "store " + path + ": run 1's claim: column 'pid' " + says;
    CHECK_THROWS_WITH(store.run_claim(id), named + " (was the store edited by hand?)");
    CHECK_THROWS_WITH(store.claim_run(id, this_process()),
                      Catch::StartsWith(named) && Catch::Contains("whether its process still runs cannot be told") &&
                          Catch::Contains("archgym run --resume 1 --store " + path + " --force"));
  }
  CHECK_FALSE(store.claim_run(id, this_process(), /*force=*/true));  // replaced: whose it was is unknown
  CHECK(store.run_claim(id)->owner.pid == getpid());
}
