// The registry sign-in's look-up in the store, as a cache miss runs it: one read transaction
// with Transaction::find_organization_token (the organization by name, its token policy, and its
// token by the secret's hash), on a SQLite store holding 100 and 1,000,000 tokens. Its cost must
// not grow with the count (the hash index and the organization's name are B-tree descents).
//
//   build/native/native/oatd_store_bench [--benchmark_repetitions=5]
//
// The tokens are seeded straight into the file (one INSERT ... SELECT), not through the API; each
// iteration looks up another of 1,024 tokens picked at random, so that the descents do not all
// land on pages the previous look-up brought in.
#include <sqlite3.h>
#include <stdlib.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.h"

namespace {

struct Seeded {
  std::filesystem::path dir;
  std::unique_ptr<oatd::Store> store;
  std::vector<std::string> hashes;  // of tokens that exist, picked at random

  ~Seeded() {
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

std::string hash_of(std::int64_t i) {
  char text[72];
  std::snprintf(text, sizeof text, "%064lld", static_cast<long long>(i));
  return text;
}

// A store with `count` tokens in organization acme, made once per count.
Seeded& seeded(std::int64_t count) {
  static std::map<std::int64_t, std::unique_ptr<Seeded>> made;
  auto& slot = made[count];
  if (slot) return *slot;
  slot = std::make_unique<Seeded>();
  std::string dir = (std::filesystem::temp_directory_path() / "oat-store-bench-XXXXXX").string();
  if (!mkdtemp(dir.data())) throw std::runtime_error("mkdtemp failed");
  slot->dir = dir;
  const std::string path = (slot->dir / "oat.db").string();
  slot->store = oatd::open_sqlite_store(path);
  slot->store->write([](oatd::Transaction& tx) { tx.add_organization("acme", oat::Plan::Business, std::nullopt); });
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
  const std::string seed =
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(count) +
      ") INSERT INTO tokens (id, org_id, label, created_by, is_active, created_at, secret_hash, "
      "created_seq, resources) SELECT 'seed-' || i, (SELECT id FROM organizations WHERE name = "
      "'acme'), 'seed', 'owner', 1, unixepoch(), printf('%064d', i), i, "
      "'[{\"type\":\"TYPE_REPO\",\"path\":\"acme/app\",\"scopes\":[\"scope-image-pull\"]}]' FROM n; "
      "ANALYZE;";
  char* error = nullptr;
  if (sqlite3_exec(db, seed.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "?";
    sqlite3_free(error);
    sqlite3_close(db);
    throw std::runtime_error("seeding failed: " + message);
  }
  sqlite3_close(db);
  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::int64_t> pick(1, count);
  for (int i = 0; i < 1024; ++i) slot->hashes.push_back(hash_of(pick(random)));
  return *slot;
}

void BM_SignInLookup(benchmark::State& state) {
  Seeded& s = seeded(state.range(0));
  std::size_t next = 0;
  for (auto _ : state) {
    const std::string& hash = s.hashes[next++ % s.hashes.size()];
    s.store->read([&](oatd::Transaction& tx) {
      auto found = tx.find_organization_token("acme", hash);
      if (!found || !found->token) throw std::runtime_error("a seeded token was not found");
      benchmark::DoNotOptimize(found);
    });
  }
  state.SetLabel(std::to_string(state.range(0)) + " tokens stored");
}
BENCHMARK(BM_SignInLookup)->Arg(100)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
