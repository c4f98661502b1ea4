// continuum serve [--db URL] [--listen HOST:PORT] [--config FILE] [--print-routes]
//
// Configuration comes from flags, then the environment (CONTINUUM_DB,
// CONTINUUM_LISTEN, CONTINUUM_WORKERS, …), then a YAML file (--config or
// $CONTINUUM_CONFIG), then defaults: the first that sets a value wins.
// witness_key and witness_file (together) turn on signed checkpoints.
#include <sys/resource.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "api/api.h"
#include "api/http_server.h"
#include "cli/case_support.h"
#include "core/file.h"
#include "store/witness.h"

namespace continuum::cli {
namespace {

struct ServeOptions {
  std::string listen, config, port_file;
  std::string workers, io_threads, max_body_bytes, max_header_bytes, request_timeout_seconds;
  std::string idle_timeout_minutes, absolute_timeout_hours, break_glass_minutes, log_requests, metrics_token;
  std::string witness_key, witness_file, witness_every;
  std::string db_pool_size, max_connections, max_connections_per_address, web_dir;
  bool print_routes = false, print_openapi = false;
};

struct Setting {
  const char* key;  // in the file
  const char* env;
  std::string ServeOptions::*flag;
};

const Setting kSettings[] = {
    {"listen", "CONTINUUM_LISTEN", &ServeOptions::listen},
    {"workers", "CONTINUUM_WORKERS", &ServeOptions::workers},
    {"io_threads", "CONTINUUM_IO_THREADS", &ServeOptions::io_threads},
    {"max_body_bytes", "CONTINUUM_MAX_BODY_BYTES", &ServeOptions::max_body_bytes},
    {"max_header_bytes", "CONTINUUM_MAX_HEADER_BYTES", &ServeOptions::max_header_bytes},
    {"request_timeout_seconds", "CONTINUUM_REQUEST_TIMEOUT_SECONDS", &ServeOptions::request_timeout_seconds},
    {"idle_timeout_minutes", "CONTINUUM_IDLE_TIMEOUT_MINUTES", &ServeOptions::idle_timeout_minutes},
    {"absolute_timeout_hours", "CONTINUUM_ABSOLUTE_TIMEOUT_HOURS", &ServeOptions::absolute_timeout_hours},
    {"break_glass_minutes", "CONTINUUM_BREAK_GLASS_MINUTES", &ServeOptions::break_glass_minutes},
    {"log_requests", "CONTINUUM_LOG_REQUESTS", &ServeOptions::log_requests},
    {"metrics_token", "CONTINUUM_METRICS_TOKEN", &ServeOptions::metrics_token},
    {"witness_key", "CONTINUUM_WITNESS_KEY", &ServeOptions::witness_key},
    {"witness_file", "CONTINUUM_WITNESS_FILE", &ServeOptions::witness_file},
    {"witness_every", "CONTINUUM_WITNESS_EVERY", &ServeOptions::witness_every},
    {"db_pool_size", "CONTINUUM_DB_POOL_SIZE", &ServeOptions::db_pool_size},
    {"web_dir", "CONTINUUM_WEB_DIR", &ServeOptions::web_dir},
    {"max_connections", "CONTINUUM_MAX_CONNECTIONS", &ServeOptions::max_connections},
    {"max_connections_per_address", "CONTINUUM_MAX_CONNECTIONS_PER_ADDRESS",
     &ServeOptions::max_connections_per_address},
};

// Fills unset options from the environment, then from the file.
Status Resolve(ServeOptions* o, Globals& g) {
  for (const auto& s : kSettings) {
    if ((o->*s.flag).empty())
      if (const char* v = std::getenv(s.env); v && *v) o->*s.flag = v;
  }
  if (o->config.empty())
    if (const char* v = std::getenv("CONTINUUM_CONFIG"); v && *v) o->config = v;
  if (o->config.empty()) return Status::Ok();
  auto text = ReadFileLimited(o->config, 1 << 20);
  if (!text.ok()) return text.status();
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(o->config + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return InvalidArgument(o->config + ": must be a mapping of settings");
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string key = it->first.as<std::string>("");
    if (!it->second.IsScalar()) return InvalidArgument(o->config + ": " + key + ": must be a single value");
    std::string value = it->second.as<std::string>("");
    if (key == "db") {
      if (g.db.empty() && !std::getenv("CONTINUUM_DB")) g.db = value;
      continue;
    }
    const Setting* found = nullptr;
    for (const auto& s : kSettings)
      if (key == s.key) found = &s;
    if (!found) return InvalidArgument(o->config + ": " + key + ": not a setting of continuum serve");
    if ((o->*found->flag).empty()) o->*found->flag = value;
  }
  return Status::Ok();
}

// Idle keep-alive connections each hold a descriptor: take every one the
// system allows this process (the soft limit is often 1,024 while the hard
// limit is far higher). The server's connection cap is fitted to it.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

Result<int64_t> Number(const std::string& name, const std::string& v, int64_t def, int64_t lo, int64_t hi) {
  if (v.empty()) return def;
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (errno || *end || n < lo || n > hi) {
    return InvalidArgument(name + ": '" + v + "' is not a whole number from " + std::to_string(lo) + " to " +
                           std::to_string(hi));
  }
  return n;
}

int Serve(ServeOptions& o, Globals& g) {
  if (o.print_routes) {
    for (const auto& r : api::Api::RouteList()) std::cout << r << "\n";
    return kExitOk;
  }
  if (o.print_openapi) {
    auto registry = LoadRegistry(g);
    if (!registry.ok()) return Fail(registry.status());
    auto doc = api::Api::PrintOpenApi(*registry);
    if (!doc.ok()) return Fail(doc.status());
    std::cout << *doc;
    return kExitOk;
  }
  if (o.witness_key.empty()) o.witness_key = g.witness_key;
  if (o.witness_file.empty()) o.witness_file = g.witness_file;
  if (auto s = Resolve(&o, g); !s.ok()) return Fail(s);
  api::ServerOptions so;
  std::string listen = o.listen.empty() ? "127.0.0.1:8080" : o.listen;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Fail(InvalidArgument("listen: give HOST:PORT, e.g. 127.0.0.1:8080"));
  so.host = listen.substr(0, colon);
  auto port = Number("listen port", listen.substr(colon + 1), 8080, 0, 65535);
  if (!port.ok()) return Fail(port.status());
  so.port = static_cast<uint16_t>(*port);
  auto workers = Number("workers", o.workers, 64, 1, 1024);
  auto io = Number("io_threads", o.io_threads, 1, 1, 64);
  auto body = Number("max_body_bytes", o.max_body_bytes, 1 << 20, 1024, 64 << 20);
  auto header = Number("max_header_bytes", o.max_header_bytes, 16 << 10, 1024, 1 << 20);
  auto timeout = Number("request_timeout_seconds", o.request_timeout_seconds, 30, 1, 3600);
  auto idle = Number("idle_timeout_minutes", o.idle_timeout_minutes, 30, 1, 24 * 60);
  auto absolute = Number("absolute_timeout_hours", o.absolute_timeout_hours, 12, 1, 24 * 7);
  auto glass = Number("break_glass_minutes", o.break_glass_minutes, 60, 1, 24 * 60);
  auto witness_every = Number("witness_every", o.witness_every, 1000, 1, 1000000000);
  auto pool = Number("db_pool_size", o.db_pool_size, store::OpenOptions{}.pool_size, 2, 10000);
  auto conns = Number("max_connections", o.max_connections, api::ServerOptions{}.max_connections, 1, 1000000);
  auto per_address = Number("max_connections_per_address", o.max_connections_per_address,
                            api::ServerOptions{}.max_connections_per_address, 0, 1000000);
  for (const auto* r : {&workers, &io, &body, &header, &timeout, &idle, &absolute, &glass, &witness_every, &pool,
                        &conns, &per_address})
    if (!r->ok()) return Fail(r->status());
  if (!o.log_requests.empty() && o.log_requests != "true" && o.log_requests != "false")
    return Fail(InvalidArgument("log_requests: true or false"));
  so.worker_threads = static_cast<int>(*workers);
  so.io_threads = static_cast<int>(*io);
  so.max_body_bytes = static_cast<size_t>(*body);
  so.max_header_bytes = static_cast<size_t>(*header);
  so.request_timeout = std::chrono::seconds(*timeout);
  so.max_connections = static_cast<size_t>(*conns);
  so.max_connections_per_address = static_cast<size_t>(*per_address);

  casework::Options co;
  co.login.idle_timeout = std::chrono::minutes(*idle);
  co.login.absolute_timeout = std::chrono::hours(*absolute);
  co.break_glass_duration = std::chrono::minutes(*glass);
  api::ApiOptions ao;
  ao.log_requests = o.log_requests != "false";
  if (!o.metrics_token.empty() && o.metrics_token.size() < 32) {
    return Fail(InvalidArgument("metrics_token: at least 32 characters"));
  }
  ao.metrics_token = o.metrics_token;
  // The built web app: web/dist beside the frameworks, unless told.
  ao.web_dir = o.web_dir;
  if (ao.web_dir.empty()) {
    std::filesystem::path beside = std::filesystem::path(FrameworksDir(g)).parent_path() / "web" / "dist";
    std::error_code ec;
    if (std::filesystem::exists(beside / "index.html", ec)) ao.web_dir = beside.string();
  } else if (ao.web_dir == "none") {
    ao.web_dir.clear();
  }

  auto registry = LoadRegistry(g);
  if (!registry.ok()) return Fail(registry.status());
  auto calendar = LoadCalendar(g);
  if (!calendar.ok()) return Fail(calendar.status());
  // The witness before the database: a bad key refuses to start.
  auto signer = OpenWitness(o.witness_key, o.witness_file);
  if (!signer.ok()) return Fail(signer.status());
  auto store = store::Open(DatabaseUrl(g), {.pool_size = static_cast<int>(*pool)});
  if (!store.ok()) return Fail(store.status());
  RaiseOpenFileLimit();
  auto service = std::make_unique<casework::Service>(**store, std::move(*registry), std::move(*calendar), co);
  // Checkpoints every witness_every events and every minute; the last after
  // the final request has been answered.
  std::unique_ptr<store::CheckpointSchedule> checkpoints;
  if (*signer) {
    checkpoints = std::make_unique<store::CheckpointSchedule>(
        **store, **signer, *witness_every, std::chrono::seconds(60), [](const Status& st) {
          nlohmann::json line = {{"ts", NowUtc()},
                                 {"level", "error"},
                                 {"msg", "no checkpoint written to the witness file"},
                                 {"error", st.message()}};
          std::cerr << line.dump() << std::endl;
        });
  }
  auto api = api::Api::Create(service.get(), ao);
  if (!api.ok()) return Fail(api.status());
  api::Api* handler = api->get();
  auto server = api::HttpServer::Listen(so, [handler](api::HttpRequest& r, api::HttpServer::Responder respond) {
    handler->Handle(r, std::move(respond));
  });
  if (!server.ok()) return Fail(server.status());
  api::HttpServer* srv = server->get();
  (*api)->SetServerCounters([srv] { return srv->Counters(); });
  if (!o.port_file.empty()) {
    std::ofstream f(o.port_file);
    f << srv->port() << "\n";
  }
  std::cerr << "{\"ts\":\"" << NowUtc() << "\",\"level\":\"info\",\"msg\":\"listening\",\"address\":\""
            << so.host << ":" << srv->port() << "\",\"workers\":" << so.worker_threads
            << ",\"db_pool_size\":" << *pool << ",\"max_connections\":" << srv->max_connections()
            << ",\"max_connections_per_address\":" << so.max_connections_per_address << "}" << std::endl;
  srv->Run();
  // Every response has been sent; the store's destructor finishes any
  // append in progress before the process exits.
  server->reset();
  api->reset();
  service.reset();
  checkpoints.reset();
  store->reset();
  std::cerr << "{\"ts\":\"" << NowUtc() << "\",\"level\":\"info\",\"msg\":\"stopped\"}" << std::endl;
  return kExitOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Serve the JSON API (/api/v1) over HTTP");
  cmd->add_option("--db", g.db, "Database URL (or $CONTINUUM_DB)");
  cmd->add_option("--listen", o->listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any free port)");
  cmd->add_option("--config", o->config, "YAML file of settings (or $CONTINUUM_CONFIG)");
  cmd->add_option("--workers", o->workers, "Handler threads (default 64)");
  cmd->add_option("--io-threads", o->io_threads, "Network threads (default 1)");
  cmd->add_option("--max-body-bytes", o->max_body_bytes, "Largest request body (default 1 MiB)");
  cmd->add_option("--max-header-bytes", o->max_header_bytes,
                  "Largest request line and headers (default 16 KiB)");
  cmd->add_option("--request-timeout-seconds", o->request_timeout_seconds,
                  "Time allowed to send a request (default 30)");
  cmd->add_option("--idle-timeout-minutes", o->idle_timeout_minutes, "Session idle timeout (default 30)");
  cmd->add_option("--absolute-timeout-hours", o->absolute_timeout_hours,
                  "Session absolute timeout (default 12)");
  cmd->add_option("--break-glass-minutes", o->break_glass_minutes,
                  "How long break-glass access lasts (default 60)");
  cmd->add_option("--log-requests", o->log_requests, "true or false: a JSON line per request on stderr");
  cmd->add_option("--witness-key", o->witness_key,
                  "Secret key that signs checkpoints of the log (continuum witness keygen)");
  cmd->add_option("--witness-file", o->witness_file, "File the signed checkpoints are appended to");
  cmd->add_option("--witness-every", o->witness_every,
                  "A checkpoint after this many events (default 1000), and every minute while the log grows");
  cmd->add_option("--web-dir", o->web_dir,
                  "The built web app to serve at / (default web/dist beside the frameworks, if built; none: no app)");
  cmd->add_option("--db-pool-size", o->db_pool_size,
                  "Most database connections open at once, the writer's included (default 16, at least 2)");
  cmd->add_option("--max-connections", o->max_connections,
                  "Most client connections open at once (default 10000; fitted to the open-file limit)");
  cmd->add_option("--max-connections-per-address", o->max_connections_per_address,
                  "Most client connections from one address (default 1000; 0: no limit)");
  cmd->add_option("--port-file", o->port_file, "Write the port listened on to this file");
  cmd->add_option("--metrics-token", o->metrics_token,
                  "A token (32 characters or more) that lets a scraper read /metrics; else administrators only");
  cmd->add_flag("--print-routes", o->print_routes, "Print every route (METHOD PATH) and exit");
  cmd->add_flag("--print-openapi", o->print_openapi,
                "Print the OpenAPI document of the routes and the frameworks' events, and exit");
  cmd->callback([&g, o] { g.exit_code = Serve(*o, g); });
}

}  // namespace continuum::cli
