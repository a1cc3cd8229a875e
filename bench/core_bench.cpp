// Benchmarks of the rules on hot paths: the grant a registry request earns, validating a
// create request, and the offline check of a token string.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "oat/oat.h"

namespace {

std::vector<oat::Resource> fifty_repositories() {
  std::vector<oat::Resource> resources;
  for (int i = 0; i < 49; ++i) {
    resources.push_back({oat::ResourceType::Repo, "acme/app" + std::to_string(i),
                         {oat::Scope::ImagePull}});
  }
  resources.push_back({oat::ResourceType::Repo, "acme/*", {oat::Scope::ImagePush}});
  return resources;
}

void BM_GrantSingleRepository(benchmark::State& state) {
  const std::vector<oat::Resource> resources = {
      {oat::ResourceType::Repo, "acme/app", {oat::Scope::ImagePush}}};
  const auto requested = oat::parse_scope_string("repository:acme/app:pull,push").value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(oat::compute_grant(requested, resources, "acme", nullptr));
  }
}
BENCHMARK(BM_GrantSingleRepository);

void BM_GrantFiftyResources(benchmark::State& state) {
  const auto resources = fifty_repositories();
  const auto requested =
      oat::parse_scope_string("repository:acme/app48:pull,push").value();
  for (auto _ : state) {
    benchmark::DoNotOptimize(oat::compute_grant(requested, resources, "acme", nullptr));
  }
}
BENCHMARK(BM_GrantFiftyResources);

void BM_ParseScopeString(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        oat::parse_scope_string("repository:acme/app:pull,push registry:catalog:*"));
  }
}
BENCHMARK(BM_ParseScopeString);

void BM_ValidateCreateRequest(benchmark::State& state) {
  const std::string body = R"({"label":"CI deploy","description":"Pushes release images",
    "expires_at":"2027-03-01T00:00:00Z","resources":[
    {"type":"TYPE_REPO","path":"acme/app","scopes":["scope-image-push"]},
    {"type":"TYPE_REPO","path":"acme/web","scopes":["scope-image-pull"]},
    {"type":"TYPE_REPO","path":"*/*/public","scopes":["scope-image-pull"]},
    {"type":"TYPE_ORG","path":"acme","scopes":["scope-repository-list"]}]})";
  const oat::OrganizationContext context{
      "acme", [](std::string_view name) { return name == "app" || name == "web"; },
      *oat::parse_rfc3339("2026-12-01T00:00:00Z")};
  for (auto _ : state) {
    benchmark::DoNotOptimize(oat::parse_create_request(body, context));
  }
}
BENCHMARK(BM_ValidateCreateRequest);

void BM_CheckTokenFormat(benchmark::State& state) {
  std::uint8_t seed = 7;
  const std::string token = oat::generate_token([&](std::uint8_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = seed = static_cast<std::uint8_t>(seed * 31 + 17);
  });
  for (auto _ : state) benchmark::DoNotOptimize(oat::check_token_format(token));
}
BENCHMARK(BM_CheckTokenFormat);

void BM_GenerateToken(benchmark::State& state) {
  std::uint8_t seed = 7;
  const oat::RandomBytes random = [&](std::uint8_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = seed = static_cast<std::uint8_t>(seed * 31 + 17);
  };
  for (auto _ : state) benchmark::DoNotOptimize(oat::generate_token(random));
}
BENCHMARK(BM_GenerateToken);

}  // namespace

BENCHMARK_MAIN();
