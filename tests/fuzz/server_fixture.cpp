#include "server_fixture.h"

#include <sqlite3.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "log/log.h"
#include "oat/oat.h"

namespace oat_fuzz {
namespace {

using nlohmann::json;
using oatd::http::Request;
using oatd::http::Response;

[[noreturn]] void setup_failed(const std::string& what) {
  std::fprintf(stderr, "server_fixture: %s\n", what.c_str());
  std::abort();
}

// The secret of the seeded token: made by the core's generator from fixed bytes, so that the
// corpus can hold it.
std::string fixed_token() {
  std::uint8_t next = 1;
  return oat::generate_token([&](std::uint8_t* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = next++;
  });
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The server log of the input being answered: check() shows it with a problem (the exception
// of a handler that threw).
std::ostringstream& server_log() {
  static std::ostringstream out;
  return out;
}

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 4096)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    }
  }
  return out;
}

}  // namespace

// The snapshot of the seeded database (in memory), and a connection to the file that copies it
// back with SQLite's backup API.
struct Oatd::Sqlite {
  sqlite3* file = nullptr;
  sqlite3* pristine = nullptr;

  static void copy(sqlite3* to, sqlite3* from) {
    sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
    if (!backup) setup_failed(std::string("backup: ") + sqlite3_errmsg(to));
    const int step = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (step != SQLITE_DONE) setup_failed(std::string("backup step: ") + sqlite3_errstr(step));
  }
};

Oatd& Oatd::get() {
  static Oatd* instance = new Oatd();  // never destroyed: inputs may run until exit
  return *instance;
}

Oatd::Oatd() : key_(oatd::SigningKey::generate()), sqlite_(std::make_unique<Sqlite>()) {
  oatd::log::set_stream(server_log());
  // On a memory file system when there is one: every input that writes costs a copy.
  const std::filesystem::path base =
      std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                : std::filesystem::temp_directory_path();
  // A crash ends the process without exit handlers: folders of processes that are gone are
  // removed here.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    int pid = 0;
    if (std::sscanf(name.c_str(), "oat-fuzz-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  std::string pattern = (base / ("oat-fuzz-" + std::to_string(getpid()) + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) setup_failed("mkdtemp " + pattern);
  dir_ = pattern;
  static std::string remove_at_exit;
  remove_at_exit = dir_;
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(remove_at_exit, ignored);
  });
  store_ = oatd::open_sqlite_store((std::filesystem::path(dir_) / "oatd.db").string());
  token_secret_ = fixed_token();
  seed();
  snapshot();
}

Oatd::~Oatd() = default;

void Oatd::seed() {
  const oat::Timestamp now = oat::from_unix(kNow);
  const oat::Timestamp before = now - std::chrono::days(30);
  store_->write([&](oatd::Transaction& tx) {
    const auto owner = tx.add_user("owner", oatd::hash_password(kOwnerPassword, {1, 1, 1}), before);
    const auto member = tx.add_user("member", oatd::hash_password("member password", {1, 1, 1}), before);
    const auto acme = tx.add_organization("acme", oat::Plan::Team, std::nullopt);
    tx.add_organization("other", oat::Plan::Team, std::nullopt);
    tx.set_membership({acme, owner, "owner"});
    tx.set_membership({acme, member, "member"});
    for (const char* name : {"app", "web", "docs"}) {
      tx.add_repository({acme, name, std::string_view(name) == "docs", before});
    }

    oatd::TokenRecord token;
    token.id = std::string(kTokenId);
    token.org_id = acme;
    token.label = "CI";
    token.description = "pushes the images";
    token.created_by = "owner";
    token.created_at = before;
    token.resources = {{oat::ResourceType::Repo, "acme/*", {oat::Scope::ImagePush}},
                       {oat::ResourceType::Org, "acme", {oat::Scope::RepositoryList}}};
    token.secret_hash = oatd::sha256_hex(token_secret_);
    token.allow_self_rotation = true;
    tx.insert_token(token);
    oatd::TokenRecord inactive = token;
    inactive.id = std::string(kInactiveTokenId);
    inactive.label = "old";
    inactive.is_active = false;
    inactive.allow_self_rotation = false;
    inactive.expires_at = now + std::chrono::days(20);
    inactive.secret_hash = oatd::sha256_hex("dckr_oat_inactive");
    tx.insert_token(inactive);

    oatd::WebhookRecord webhook;
    webhook.id = std::string(kWebhookId);
    webhook.org_id = acme;
    webhook.url = "http://127.0.0.1:1/hooks/oat";
    webhook.events = {std::string(oat::webhook::kCreated), std::string(oat::webhook::kDeactivated)};
    webhook.sealed_secret = oatd::seal_secret(oatd::webhook_sealing_key(key_), "whsec_fuzz");
    webhook.created_at = before;
    webhook.created_by = "owner";
    tx.insert_webhook(webhook);

    const auto rulesets = oat::parse_oidc_rulesets(json::parse(R"([
      {"name": "main", "conditions": {"sub": "repo:acme/app:ref:refs/heads/*"},
       "resources": [{"type": "TYPE_REPO", "path": "acme/app", "scopes": ["scope-image-push"]}]}])"));
    if (!rulesets) setup_failed("rulesets: " + rulesets.error().message);
    oatd::OidcConnectionRecord connection;
    connection.id = std::string(kConnectionId);
    connection.org_id = acme;
    connection.name = "ci";
    connection.issuer = std::string(kOidcIssuer);
    connection.audience = "https://oat.example.com";
    connection.rulesets = oat::json_text(oat::oidc_rulesets_json(*rulesets));
    connection.created_at = connection.updated_at = before;
    connection.created_by = "owner";
    tx.insert_oidc_connection(connection);

    const auto dot = kRefreshToken.find('.');
    tx.insert_session({std::string(kSessionId), owner,
                       oatd::sha256_hex(kRefreshToken.substr(dot + 1)), before, now + std::chrono::days(7),
                       false});
  });

  // The bearers, got as any client gets them.
  begin();
  const auto bearer = [&](const std::string& target, const json& body) {
    Request request = Request::make("POST", target, body.dump());
    request.remote_address = std::string(kClientAddress);
    const Response answer = route(request);
    const json value = json::parse(answer.body, nullptr, false);
    if (answer.status != 200 || !value.contains("access_token")) {
      setup_failed(target + " answered " + std::to_string(answer.status) + ": " + answer.body);
    }
    return value["access_token"].get<std::string>();
  };
  owner_bearer_ = bearer("/v2/auth/refresh", {{"refresh_token", kRefreshToken}});
  token_bearer_ = bearer("/v2/auth/token", {{"identifier", "acme"}, {"secret", token_secret_}});
  end();
}

void Oatd::snapshot() {
  const std::string path = (std::filesystem::path(dir_) / "oatd.db").string();
  if (sqlite3_open_v2(path.c_str(), &sqlite_->file, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
      sqlite3_open(":memory:", &sqlite_->pristine) != SQLITE_OK) {
    setup_failed("cannot open the database for its snapshot");
  }
  sqlite3_busy_timeout(sqlite_->file, 5000);
  Sqlite::copy(sqlite_->pristine, sqlite_->file);
  version_ = store_->change_version();
}

void Oatd::restore() {
  Sqlite::copy(sqlite_->file, sqlite_->pristine);
  version_ = store_->change_version();
}

std::string Oatd::expand(std::string_view text) const {
  std::string out(text);
  out = replace_all(std::move(out), "$TOKEN_BEARER", token_bearer_);
  out = replace_all(std::move(out), "$BEARER", owner_bearer_);
  return out;
}

void Oatd::begin() {
  server_log().str("");
  oatd::ServiceOptions options;
  options.registry.events_secret = std::string(kEventsSecret);
  options.oidc_issuers = {std::string(kOidcIssuer)};
  const auto clock = [] { return oat::from_unix(kNow); };
  services_.reset(new oatd::Services{*store_, key_, clock, std::move(options)});
  services_->sealing_key = oatd::webhook_sealing_key(key_);
  usage_ = std::make_unique<oatd::UsageRecorder>(*store_, clock);
  services_->usage = usage_.get();
  oatd::OidcKeys::Options keys;
  keys.timeout = std::chrono::milliseconds(500);
  oidc_keys_ = std::make_unique<oatd::OidcKeys>(keys);
  services_->oidc_keys = oidc_keys_.get();
  router_ = std::make_unique<oatd::http::Router>();
  oatd::add_api_routes(*router_, *services_);
  oatd::add_registry_routes(*router_, *services_);
}

Response Oatd::route(const Request& request, std::string_view* pattern) {
  return router_->route(request, pattern);
}

void Oatd::end() {
  router_.reset();
  usage_.reset();  // writes what it noted
  oidc_keys_.reset();
  services_.reset();
  if (sqlite_->pristine && store_->change_version() != version_) restore();
}

void Oatd::check(const Request& request, const Response& response) const {
  static const bool trace = std::getenv("OAT_FUZZ_TRACE") != nullptr;
  if (trace) {
    std::fprintf(stderr, "%s %s -> %d %s\n", request.method.c_str(), printable(request.raw_target).c_str(),
                 response.status, printable(response.body.substr(0, 160)).c_str());
  }
  std::string problem;
  if (response.status == 500) problem = "a 500: a handler threw";
  if (response.status < 100 || response.status > 599) problem = "a status outside 100..599";
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos ||
        value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      problem = "a header the server would drop (CR, LF or NUL)";
    }
  }
  const auto type = response.find_header("Content-Type");
  if (problem.empty() && type && *type == "application/json" && !response.body.empty() &&
      !json::accept(response.body)) {
    problem = "an answer said to be JSON that is not";
  }
  if (problem.empty() && response.status == 200 && request.path == "/token") {
    const json body = json::parse(response.body, nullptr, false);
    const auto token = body.is_object() ? body.find("token") : body.end();
    if (!body.is_object() || token == body.end() || !token->is_string() ||
        !oatd::verify_jwt(token->get<std::string>(), key_, kNow)) {
      problem = "a registry token that does not verify";
    }
  }
  if (problem.empty()) return;
  std::fprintf(stderr, "server_fixture: %s\n  request: %s %s\n", problem.c_str(), request.method.c_str(),
               printable(request.raw_target).c_str());
  for (const auto& [name, value] : request.headers) {
    std::fprintf(stderr, "    %s: %s\n", printable(name).c_str(), printable(value).c_str());
  }
  std::fprintf(stderr, "    body: %s\n  answer: %d %s\n  server log: %s\n", printable(request.body).c_str(),
               response.status, printable(response.body).c_str(), server_log().str().c_str());
  std::abort();
}

}  // namespace oat_fuzz
