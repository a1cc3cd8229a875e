// oatd: the OAT server and its admin commands.
//
//   oatd serve [--config FILE] --db PATH|URI --listen HOST:PORT [--console DIR] [--tls-cert FILE --tls-key FILE] ...
//   oatd admin --db PATH user add NAME            (password on standard input)
//   oatd admin --db PATH company add NAME
//   oatd admin --db PATH company owner add COMPANY USER
//   oatd admin --db PATH org add NAME --plan team|business|free [--company NAME]
//   oatd admin --db PATH role add ORG NAME [--permission manage-access-tokens]
//   oatd admin --db PATH member add ORG USER --role owner|editor|member|CUSTOM-ROLE
//   oatd admin --db PATH repo add ORG/REPO [--public]
//   oatd admin --db PATH demo
//   oatd admin migrate-db --from PATH|URI --to PATH|URI
//   oatd admin backup --db PATH --out FILE
//   oatd admin restore --from FILE --db PATH|URI
//   oatd config check FILE
//   oatd --version
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>

#include "admin/admin.h"
#include "api/oidc_keys.h"
#include "api/service.h"
#include "api/usage.h"
#include "api/webhook_worker.h"
#include "config/config.h"
#include "crypto/crypto.h"
#include "http/metrics.h"
#include "http/server.h"
#include "log/log.h"
#include "oatd_build_info.h"
#include "store/store.h"

namespace {

using nlohmann::json;

// What `oatd --version` prints: the release and the commit it was built from.
constexpr std::string_view kVersionLine = "oatd " OATD_VERSION " (commit " OATD_COMMIT ")";

oat::Timestamp system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// The signing key file: `key` when given, else beside a SQLite database. A PostgreSQL
// database has no folder of its own, and every server of it must share one key: say which.
std::string key_path(const std::string& db, const std::string& key) {
  if (!key.empty()) return key;
  if (oatd::is_postgres_uri(db)) {
    throw std::runtime_error(
        "with a PostgreSQL database, --key PATH is required: the signing key file, the same "
        "file on every server of the database (created if missing)");
  }
  return (std::filesystem::path(db).parent_path() / "oatd-signing-key.pem").string();
}

struct ServeOptions {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string console;
  std::vector<std::string> cors_origins;
  std::vector<std::string> trusted_proxies;  // address blocks (checked when parsed)
  std::string key;
  std::string public_url;
  std::string registry_host;  // checked when parsed (oat::validate_registry_host)
  unsigned threads = 0;
  std::size_t max_connections = 0;  // 0: what the open-file limit leaves (ServerOptions)
  oatd::RegistryOptions registry;
  std::string events_secret_file;
  std::string access_log = "-";
  std::string tls_cert;  // PEM chain and key: HTTPS when both are set
  std::string tls_key;
  long long bearer_lifetime = 600;         // seconds: Docker Hub's 10 minutes
  long long session_lifetime = 7 * 86400;  // seconds: a console session (its refresh token)
  long long test_clock_offset = 0;  // seconds added to the clock: for tests of time only
  std::vector<std::string> oidc_issuers;  // empty: oat::default_oidc_issuers()
  std::string oidc_ca_file;
};

std::string read_secret_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string secret;
  std::getline(in, secret);
  while (!secret.empty() && (secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
  if (secret.empty()) throw std::runtime_error(path + " is empty");
  return secret;
}

int serve(const ServeOptions& options) {
  const std::string key_file = key_path(options.db, options.key);
  // A connection for each request served at once, and two more: the usage recorder's
  // flushes and the metrics' scrapes.
  const unsigned threads = options.threads ? options.threads
                                           : std::max(1u, std::thread::hardware_concurrency());
  auto store = oatd::open_store(options.db, threads + 2);
  const oatd::SigningKey key = oatd::SigningKey::load_or_create(key_file);

  // Every option is settled before Services exists: its members (the sign-in limiters) are
  // built from them, and it keeps them const.
  oatd::ServiceOptions service_options;
  if (!options.public_url.empty()) service_options.public_url = options.public_url;
  service_options.registry = options.registry;
  service_options.bearer_lifetime = std::chrono::seconds(options.bearer_lifetime);
  service_options.session_lifetime = std::chrono::seconds(options.session_lifetime);
  if (!options.events_secret_file.empty()) {
    service_options.registry.events_secret = read_secret_file(options.events_secret_file);
  }
  if (!options.oidc_issuers.empty()) service_options.oidc_issuers = options.oidc_issuers;
  std::function<oat::Timestamp()> clock = system_now;
  if (options.test_clock_offset != 0) {
    clock = [offset = std::chrono::seconds(options.test_clock_offset)] { return system_now() + offset; };
    oatd::log::warn("the clock is offset for tests (--test-only-clock-offset); never use this in production",
                    {{"seconds", options.test_clock_offset}});
  }
  oatd::Services services{*store, key, clock, std::move(service_options)};
  services.sealing_key = oatd::webhook_sealing_key(key);
  oatd::UsageRecorder usage(*store, clock);
  usage.start(oatd::UsageRecorder::kFlushPeriod,
              {clock, std::max({services.options.sign_in_policy.window,
                                     services.options.address_policy.window,
                                     services.revoke_limiter.window()})});
  services.usage = &usage;
  oatd::WebhookWorker webhooks(services);
  services.webhooks = &webhooks;
  oatd::OidcKeys oidc_keys({.ca_file = options.oidc_ca_file});
  services.oidc_keys = &oidc_keys;

  oatd::http::Router router;
  oatd::add_api_routes(router, services);
  oatd::add_registry_routes(router, services);
  if (!options.console.empty() && !options.registry_host.empty()) {
    // The console's config.json, with the registry it signs tokens in to added: served in
    // place of the file (routes win over files), read again each time so that an edit of the
    // file shows.
    const std::string config_file = (std::filesystem::path(options.console) / "config.json").string();
    router.add("GET", "/config.json", [config_file, host = options.registry_host](
                                          const oatd::http::Request&, const oatd::http::Params&) {
      std::ifstream in(config_file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      nlohmann::json config = oat::parse_json_text(text.str());
      if (!config.is_object()) config = nlohmann::json::object();
      config[std::string(oat::kConfigRegistryHost)] = host;
      auto answer = oatd::http::Response::json(200, oat::json_text(config));
      answer.header("Cache-Control", "no-cache");
      return answer;
    });
  }

  oatd::http::Metrics metrics;
  metrics.add_collector([&] {
    const oat::Timestamp now = system_now();
    oatd::TokenStateCounts counts;
    store->read([&](oatd::Transaction& tx) { counts = tx.count_tokens_by_state(now); });
    // Tokens that expired since the last scrape join the kept counts, so that no scrape reads
    // more token rows than expired in between.
    if (counts.unsettled > 0) {
      store->write([&](oatd::Transaction& tx) { tx.settle_token_expiries(now); });
    }
    std::string text =
        "# HELP oatd_tokens Organization access tokens by state.\n# TYPE oatd_tokens gauge\n";
    for (const auto& [state, n] : {std::pair{oat::TokenState::Active, counts.active},
                                   std::pair{oat::TokenState::Inactive, counts.inactive},
                                   std::pair{oat::TokenState::Expired, counts.expired}}) {
      text += "oatd_tokens{state=\"" + std::string(oat::token_state_name(state)) + "\"} " +
              std::to_string(n) + "\n";
    }
    std::size_t queued = 0;
    store->read([&](oatd::Transaction& tx) { queued = tx.count_pending_deliveries(); });
    text += "# HELP oatd_webhook_queue_depth Webhook deliveries waiting to be sent or retried.\n"
            "# TYPE oatd_webhook_queue_depth gauge\n"
            "oatd_webhook_queue_depth " + std::to_string(queued) + "\n";
    text += services.counters.render();
    text += services.sign_in_cache.render();
    // Which build answers, for dashboards that compare nodes.
    text += "# HELP oatd_build_info The version and commit of this oatd.\n"
            "# TYPE oatd_build_info gauge\n"
            "oatd_build_info{version=\"" OATD_VERSION "\",commit=\"" OATD_COMMIT "\"} 1\n";
    return text;
  });
  router.add("GET", "/metrics", [&](const oatd::http::Request&, const oatd::http::Params&) {
    return oatd::http::Response::text(200, metrics.render())
        .header("Content-Type", oatd::http::Metrics::content_type);
  });
  router.add("GET", "/healthz", [&](const oatd::http::Request&, const oatd::http::Params&) {
    store->read([](oatd::Transaction& tx) { tx.find_organization(""); });
    return oatd::http::Response::json(200, R"({"status":"ok"})");
  });

  oatd::http::ServerOptions server_options;
  server_options.listen = options.listen;
  server_options.threads = options.threads;
  server_options.max_connections = options.max_connections;
  server_options.cors_origins = options.cors_origins;
  for (const std::string& block : options.trusted_proxies) {
    server_options.trusted_proxies.push_back(*oat::parse_cidr(block, "--trusted-proxy"));
  }
  server_options.error_writer = oatd::api_error;
  if (!options.console.empty()) server_options.static_dir = options.console;
  server_options.tls_cert_file = options.tls_cert;
  server_options.tls_key_file = options.tls_key;
  oatd::log::AccessLog access_log(options.access_log);
  // SIGHUP (after the server has read its TLS files again): logrotate moved the file away.
  server_options.on_reload = [&] { access_log.reopen(); };
  server_options.on_complete = [&](const oatd::http::Request& request,
                                   const oatd::http::Response& response, std::string_view route,
                                   double seconds) {
    metrics.observe(route, request.method, response.status, seconds);
    if (!access_log.enabled()) return;
    // One line per request. Never the body, the query or any header that carries a secret.
    access_log.write({{"time", oat::format_rfc3339(system_now())},
                      {"remote", request.remote_address},
                      {"method", request.method},
                      {"path", request.path},
                      {"route", route},
                      {"status", response.status},
                      {"bytes", response.body.size()},
                      {"duration_ms", static_cast<long long>(seconds * 1e6) / 1e3}});
  };

  oatd::http::Server server(server_options, std::move(router));
  server.start();
  webhooks.start();
  oatd::log::info("listening",
                  {{"address", options.listen.substr(0, options.listen.rfind(':')) + ":" +
                                   std::to_string(server.port())},
                   {"scheme", options.tls_cert.empty() ? "http" : "https"},
                   {"max_connections", server.max_connections()},
                   {"database", oatd::redacted_database(options.db)},
                   {"version", OATD_VERSION}});
  server.run();
  webhooks.stop();
  usage.stop();
  usage.flush();  // a clean stop loses no "last used"
  oatd::log::info("stopped");
  return 0;
}

// Every option of `oatd serve`, bound to `o`. Also used on a scratch command to check a
// configuration file, so the file and the command line accept exactly the same values.
void add_serve_options(CLI::App& cmd, ServeOptions& o) {
  cmd.add_option("--db", o.db,
                 "SQLite database file (created if missing), or PostgreSQL URI "
                 "(postgresql://USER@HOST:PORT/DB)")
      ->envname("OAT_DB");
  cmd.add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("OAT_LISTEN")
      ->check([](const std::string& value) { return oatd::http::listen_address_problem(value); })
      ->capture_default_str();
  cmd.add_option("--console", o.console, "Folder of the built console to serve at /")
      ->check(CLI::ExistingDirectory);
  cmd.add_option("--cors-origin", o.cors_origins,
                 "Origin allowed to call the API from a browser (repeatable)");
  cmd.add_option("--trusted-proxy", o.trusted_proxies,
                 "Address or block (CIDR) of a proxy whose X-Forwarded-For names the client "
                 "(repeatable); without one, the connection's peer is the client")
      ->check([](const std::string& value) {
        const auto block = oat::parse_cidr(value, "--trusted-proxy");
        return block ? std::string() : block.error().message;
      });
  cmd.add_option("--key", o.key,
                 "Signing key file (created with mode 0600 if missing; default: beside a SQLite "
                 "database; required with PostgreSQL)")
      ->envname("OAT_KEY");
  cmd.add_option("--tls-cert", o.tls_cert,
                 "PEM certificate chain (the server's certificate first): with --tls-key, oatd "
                 "speaks HTTPS only (TLS 1.2 and 1.3); both are read again on SIGHUP")
      ->check(CLI::ExistingFile);
  cmd.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert (unencrypted)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--registry-host", o.registry_host,
                 "The registry's address as clients name it (HOST[:PORT]), for the console's "
                 "\"docker login HOST -u ORG\" line")
      ->check([](const std::string& value) {
        const auto refused = oat::validate_registry_host(value, "--registry-host");
        return refused ? refused->message : std::string();
      });
  cmd.add_option("--public-url", o.public_url,
                 "Base URL for links in answers (default: from the Host header)");
  cmd.add_option("--threads", o.threads, "Handler threads (default: one per core), and twice as many I/O threads");
  cmd.add_option("--max-connections", o.max_connections,
                 "Connections served at once; one more is answered 503 with Retry-After and "
                 "closed (0: what the open-file limit, ulimit -n, leaves after oatd's own files; "
                 "a larger number raises oatd's soft limit, up to the hard limit)")
      ->capture_default_str();
  cmd.add_option("--access-log", o.access_log,
                 "Where the access log goes: - (standard output), a file (reopened on SIGHUP), "
                 "or off")
      ->capture_default_str();
  cmd.add_option("--bearer-lifetime", o.bearer_lifetime,
                 "Seconds a management bearer (access_token) is valid")
      ->check(CLI::Range(1LL, 86400LL))
      ->capture_default_str();
  cmd.add_option("--session-lifetime", o.session_lifetime,
                 "Seconds a console session (refresh token) lasts before signing in again")
      ->check(CLI::Range(1LL, 365LL * 86400))
      ->capture_default_str();
  cmd.add_option("--registry-service", o.registry.service,
                 "Service name of the registry (its auth.token.service)")
      ->capture_default_str();
  cmd.add_option("--registry-issuer", o.registry.issuer,
                 "Issuer of registry tokens (the registry's auth.token.issuer)")
      ->capture_default_str();
  cmd.add_option("--registry-events-secret-file", o.events_secret_file,
                 "File holding the bearer secret the registry's notifications send")
      ->check(CLI::ExistingFile);
  cmd.add_option("--oidc-issuer", o.oidc_issuers,
                 "An issuer of OIDC ID tokens that organizations' CI sign-in connections may use "
                 "(https URL, repeatable); when given, replaces the default list: "
                 "https://token.actions.githubusercontent.com and https://gitlab.com")
      ->check([](const std::string& value) {
        const auto refused = oat::validate_oidc_issuer(value, "--oidc-issuer");
        return refused ? refused->message : std::string();
      });
  cmd.add_option("--oidc-ca-file", o.oidc_ca_file,
                 "PEM file of certificate authorities trusted, besides the system's, when fetching "
                 "OIDC issuers' keys (a self-managed GitLab behind a private CA)")
      ->check(CLI::ExistingFile);
  cmd.add_option("--test-only-clock-offset", o.test_clock_offset,
                 "FOR TESTS ONLY: seconds added to oatd's clock (expiry warnings, usage days); "
                 "never in production")
      ->group("Testing");
}

// What is wrong with a whole set of serve options that no single option can tell: one
// sentence each, with the key it concerns.
std::vector<std::pair<std::string, std::string>> serve_option_problems(const ServeOptions& o) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (o.db.empty()) {
    problems.emplace_back("db", "a database is required: --db (or db in the configuration file, or "
                                "OAT_DB): a SQLite file or a PostgreSQL URI");
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    problems.emplace_back(o.tls_cert.empty() ? "tls-key" : "tls-cert",
                          "tls-cert and tls-key go together: give both for HTTPS, or neither");
  }
  return problems;
}

// Options a configuration file cannot set: the file itself, help, and the clock offset that
// only tests may use (a file is where a production setting would linger).
const std::vector<std::string> kNotInFiles = {"config", "help", "test-only-clock-offset"};

// Every problem of a configuration file for `oatd serve`: each key checked by its option on a
// scratch command (so nothing given elsewhere hides a mistake), then what only the keys
// together can tell. A key the file leaves out is not a problem: a flag or OAT_* may give it.
std::vector<oatd::config::Problem> check_serve_config(const std::string& path) {
  CLI::App scratch{"", "serve"};
  ServeOptions options;
  add_serve_options(scratch, options);
  std::map<std::string, oatd::config::Problem> where;
  auto problems = oatd::config::apply_file(scratch, path, kNotInFiles, &where);
  for (const auto& found : serve_option_problems(options)) {
    const std::string& key = found.first;  // not a structured binding: clang 14 (the sanitizer builds) cannot capture one
    if (!where.contains(key) || std::any_of(problems.begin(), problems.end(),
                                            [&](const auto& p) { return p.key == key; })) {
      continue;
    }
    oatd::config::Problem problem = where.at(key);
    problem.message = found.second;
    problems.push_back(std::move(problem));
  }
  if (problems.empty() && !options.tls_cert.empty()) {
    if (const std::string refused = oatd::http::tls_files_problem(options.tls_cert, options.tls_key);
        !refused.empty()) {
      oatd::config::Problem problem = where.at("tls-key");
      problem.message = refused;
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

std::string read_password_from_stdin() {
  std::string password((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  return password;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"oatd: organization access tokens for container registries", "oatd"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(kVersionLine));
  app.footer(R"(Examples:
  oatd serve --db /var/lib/oat/oat.db --listen 0.0.0.0:8080 --console /srv/oat-console
  oatd serve --config /etc/oat/oatd.toml
  echo "$PASSWORD" | oatd admin --db oat.db user add alice
  oatd admin --db oat.db org add acme --plan team
  oatd admin --db oat.db member add acme alice --role owner
  oatd admin --db oat.db repo add acme/app
  oatd cert --db oat.db --out registry-root.pem
  oatd admin backup --db oat.db --out oat-2026-01-31.db

Run `oatd SUBCOMMAND --help` (e.g. `oatd admin member add --help`) for each command's options.)");

  ServeOptions serve_options;
  std::string serve_config;
  auto* serve_cmd = app.add_subcommand("serve", "Run the API, the registry token service and the console");
  add_serve_options(*serve_cmd, serve_options);
  serve_cmd->add_option("--config", serve_config,
                        "TOML file of these options, keys named as the options without the dashes "
                        "(the command line and OAT_* variables win over it)");

  std::string config_check_file;
  auto* config_cmd = app.add_subcommand("config", "Configuration files")->require_subcommand(1);
  auto* config_check = config_cmd->add_subcommand(
      "check", "Report each unknown key and bad value of a configuration file, with its line");
  config_check->add_option("FILE", config_check_file, "The TOML file (as for serve --config)")
      ->required();

  std::string cert_db, cert_key, cert_out, cert_name = "oatd";
  int cert_days = 3650;
  auto* cert_cmd = app.add_subcommand(
      "cert", "Print (or write) the certificate of oatd's signing key, for the registry's "
              "auth.token.rootcertbundle");
  cert_cmd->add_option("--db", cert_db, "SQLite database file (the key lives beside it)");
  cert_cmd->add_option("--key", cert_key, "Signing key file (default: beside a SQLite database)");
  cert_cmd->add_option("--out", cert_out, "Write the PEM here instead of standard output");
  cert_cmd->add_option("--common-name", cert_name, "Certificate subject CN")->capture_default_str();
  cert_cmd->add_option("--days", cert_days, "Validity in days")->capture_default_str();

  std::string db;
  auto* admin = app.add_subcommand("admin", "Set up users, companies, organizations and repositories");
  // Required by every admin command but migrate-db (checked below: CLI11 cannot say "all but").
  admin->add_option("--db", db, "SQLite database file, or PostgreSQL URI (postgresql://...)")
      ->envname("OAT_DB");
  admin->require_subcommand(1);

  // Each command's own arguments, by name.
  struct {
    std::string name;
  } user_args, company_args;
  struct {
    std::string company, user;
  } owner_args;
  struct {
    std::string name, plan, company;
  } org_args;
  struct {
    std::string org, name;
    std::vector<std::string> permissions;
  } role_args;
  struct {
    std::string org, user, role;
  } member_args;
  struct {
    std::string path;
    bool is_public = false;
  } repo_args;
  auto* user = admin->add_subcommand("user", "Users")->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Add a user; the password is read from standard input");
  user_add->add_option("NAME", user_args.name)->required();

  auto* company_cmd = admin->add_subcommand("company", "Companies")->require_subcommand(1);
  auto* company_add = company_cmd->add_subcommand("add", "Add a company");
  company_add->add_option("NAME", company_args.name)->required();
  auto* company_owner = company_cmd->add_subcommand("owner", "Company owners")->require_subcommand(1);
  auto* company_owner_add = company_owner->add_subcommand("add", "Make a user an owner of a company");
  company_owner_add->add_option("COMPANY", owner_args.company)->required();
  company_owner_add->add_option("USER", owner_args.user)->required();

  auto* org = admin->add_subcommand("org", "Organizations")->require_subcommand(1);
  auto* org_add = org->add_subcommand("add", "Add an organization");
  org_add->add_option("NAME", org_args.name)->required();
  org_add->add_option("--plan", org_args.plan, "team, business or free")->required();
  org_add->add_option("--company", org_args.company, "The company it belongs to");

  auto* role_cmd = admin->add_subcommand("role", "Custom roles")->require_subcommand(1);
  auto* role_add = role_cmd->add_subcommand("add", "Add a custom role to an organization");
  role_add->add_option("ORG", role_args.org)->required();
  role_add->add_option("NAME", role_args.name)->required();
  role_add->add_option("--permission", role_args.permissions, "manage-access-tokens (repeatable)");

  auto* member = admin->add_subcommand("member", "Memberships")->require_subcommand(1);
  auto* member_add = member->add_subcommand("add", "Add a user to an organization, or change their role");
  member_add->add_option("ORG", member_args.org)->required();
  member_add->add_option("USER", member_args.user)->required();
  member_add->add_option("--role", member_args.role, "owner, editor, member or a custom role")->required();

  auto* repo = admin->add_subcommand("repo", "Repositories")->require_subcommand(1);
  auto* repo_add = repo->add_subcommand("add", "Add a repository");
  repo_add->add_option("ORG/REPO", repo_args.path)->required();
  repo_add->add_flag("--public", repo_args.is_public, "Make it public (default: private)");

  auto* demo = admin->add_subcommand(
      "demo", "Create the demo organization acme and its owner, printing a new password once");

  std::string migrate_from, migrate_to;
  auto* migrate = admin->add_subcommand(
      "migrate-db",
      "Copy everything from one database to another, empty one (SQLite to PostgreSQL, or back)");
  migrate->add_option("--from", migrate_from, "Source: SQLite database file or PostgreSQL URI")
      ->required();
  migrate->add_option("--to", migrate_to, "Target (must be empty): SQLite file or PostgreSQL URI")
      ->required();

  std::string backup_db, backup_out;
  auto* backup = admin->add_subcommand(
      "backup", "Copy a SQLite database (the server may keep running) into a new file, with its "
                "SHA-256 in FILE.sha256");
  backup->add_option("--db", backup_db, "The SQLite database file (or give admin's --db)");
  backup->add_option("--out", backup_out, "The backup file to create (must not exist)")->required();

  std::string restore_from, restore_db;
  auto* restore = admin->add_subcommand(
      "restore", "Put a backup into a new SQLite file or an empty PostgreSQL database, after "
                 "checking its checksum and integrity");
  restore->add_option("--from,--in", restore_from, "The backup file (from oatd admin backup)")
      ->required();
  restore->add_option("--db", restore_db,
                      "Where to restore it: a SQLite file that does not exist yet, or an empty "
                      "PostgreSQL database's URI (or give admin's --db)");

  CLI11_PARSE(app, argc, argv);

  try {
    if (serve_cmd->parsed()) {
      if (!serve_config.empty()) {
        // Every key is checked before any is used: a bad one refuses the start even where a
        // flag would have overridden it, so the file never holds a mistake that shows later.
        const auto problems = check_serve_config(serve_config);
        for (const auto& problem : problems) std::cerr << problem.text() << std::endl;
        if (!problems.empty()) {
          std::cerr << "oatd: not starting: " << serve_config << " has " << problems.size()
                    << (problems.size() == 1 ? " problem" : " problems")
                    << " (oatd config check " << serve_config << ")" << std::endl;
          return 2;
        }
        oatd::config::apply_file(*serve_cmd, serve_config, kNotInFiles);
      }
      const auto problems = serve_option_problems(serve_options);
      for (const auto& [key, message] : problems) std::cerr << "oatd: " << message << std::endl;
      if (!problems.empty()) return 2;
      return serve(serve_options);
    }
    if (config_check->parsed()) {
      const auto problems = check_serve_config(config_check_file);
      for (const auto& problem : problems) std::cout << problem.text() << std::endl;
      if (!problems.empty()) {
        std::cout << config_check_file << ": " << problems.size()
                  << (problems.size() == 1 ? " problem" : " problems") << std::endl;
        return 2;
      }
      std::cout << config_check_file << ": ok" << std::endl;
      return 0;
    }
    if (cert_cmd->parsed()) {
      if (cert_key.empty() && cert_db.empty()) {
        std::cerr << "oatd: cert needs --db or --key" << std::endl;
        return 2;
      }
      const auto key = oatd::SigningKey::load_or_create(key_path(cert_db, cert_key));
      const std::string pem = key.certificate_pem(cert_name, cert_days);
      if (cert_out.empty()) {
        std::cout << pem;
      } else {
        std::ofstream(cert_out) << pem;
        std::cerr << "oatd: wrote " << cert_out << " (key id " << key.libtrust_kid() << ")" << std::endl;
      }
      return 0;
    }

    namespace adm = oatd::admin;
    if (migrate->parsed()) {
      if (migrate_from == migrate_to) {
        throw adm::AdminError("--from and --to name the same database; nothing was changed.");
      }
      auto from = oatd::open_store(migrate_from, 1);
      auto to = oatd::open_store(migrate_to, 1);
      std::cerr << "oatd: copying " << oatd::redacted_database(migrate_from) << " to "
                << oatd::redacted_database(migrate_to) << std::endl;
      std::cout << adm::migrate_database(*from, *to, [](const std::string& line) {
        std::cerr << "  " << line << std::endl;
      }) << std::endl;
      return 0;
    }
    const auto progress = [](const std::string& line) { std::cerr << "  " << line << std::endl; };
    if (backup->parsed() || restore->parsed()) {
      const std::string& own = backup->parsed() ? backup_db : restore_db;
      if (own.empty() && db.empty()) {
        std::cerr << "oatd: " << (backup->parsed() ? "backup" : "restore")
                  << " needs --db (a SQLite database file"
                  << (restore->parsed() ? " or a PostgreSQL URI" : "") << ")" << std::endl;
        return 2;
      }
      const std::string& target = own.empty() ? db : own;
      std::cout << (backup->parsed() ? adm::backup_database(target, backup_out, progress)
                                     : adm::restore_database(restore_from, target, progress))
                << std::endl;
      return 0;
    }
    if (db.empty()) {
      std::cerr << "oatd: admin needs --db (a SQLite database file or a PostgreSQL URI)"
                << std::endl;
      return 2;
    }
    auto store = oatd::open_store(db, 1);
    const oat::Timestamp now = system_now();
    std::string done;
    if (user_add->parsed()) {
      done = adm::add_user(*store, user_args.name, read_password_from_stdin(), now);
    } else if (company_add->parsed()) {
      done = adm::add_company(*store, company_args.name);
    } else if (company_owner_add->parsed()) {
      done = adm::add_company_owner(*store, owner_args.company, owner_args.user);
    } else if (org_add->parsed()) {
      done = adm::add_organization(*store, org_args.name, org_args.plan, org_args.company);
    } else if (role_add->parsed()) {
      done = adm::add_role(*store, role_args.org, role_args.name, role_args.permissions);
    } else if (member_add->parsed()) {
      done = adm::add_member(*store, member_args.org, member_args.user, member_args.role);
    } else if (repo_add->parsed()) {
      done = adm::add_repository(*store, repo_args.path, repo_args.is_public, now);
    } else if (demo->parsed()) {
      const std::string password = oatd::random_secret(15);
      if (adm::create_demo(*store, password, now)) {
        done = "Created organization acme (Team plan) with repositories acme/app, acme/web, "
               "acme/api, acme/worker and the public acme/docs.\nSign in as: owner\nPassword:   " +
               password + "\n(shown once; it is not stored anywhere in clear)";
      } else {
        done = "The demo organization acme already exists.";
      }
    }
    std::cout << done << std::endl;
    return 0;
  } catch (const oatd::admin::AdminError& e) {
    std::cerr << "oatd: " << e.what() << std::endl;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "oatd: " << e.what() << std::endl;
    return 1;
  }
}
