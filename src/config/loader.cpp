#include "cabind/config/loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "cabind/config/cross_check.hpp"
#include "cabind/config/key_file.hpp"
#include "cabind/config/profile_parser.hpp"
#include "cabind/config/rules_parser.hpp"
#include "cabind/config/usable_part.hpp"
#include "cabind/config/vehicle_parser.hpp"
#include "cabind/dbc/parser.hpp"

namespace cabind::config {

namespace fs = std::filesystem;

namespace {

std::string display(const fs::path& path) {
  return path.lexically_normal().string();
}

// Profile files of a directory, sorted so that diagnostics come in a stable order.
std::vector<fs::path> profile_files(const fs::path& directory, const diag::Location& where,
                                    diag::Diagnostics& diagnostics) {
  std::vector<fs::path> files;
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    diagnostics.error(where, "profiles directory " + display(directory) + " does not exist");
    return files;
  }
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (path.extension() == ".yaml" && it->is_regular_file(error)) files.push_back(path);
  }
  if (error) {
    diagnostics.error(where, "cannot list " + display(directory) + ": " + error.message());
  }
  std::sort(files.begin(), files.end());
  if (files.empty() && !error) {
    diagnostics.error(where, "profiles directory " + display(directory) +
                                 " has no *.yaml profile (a guest profile is required)");
  }
  return files;
}

// The configured profiles with the synced ones of `overlay` in place of (or beside) them.
// A synced file that does not parse is left out with a warning; so is the whole overlay
// when the set it makes is invalid (e.g. two drivers claiming one key fob).
std::optional<profile::ProfileDirectory> build_with_overlay(
    const std::vector<profile::Profile>& configured, const fs::path& overlay,
    const diag::Location& where, diag::Diagnostics& diagnostics) {
  std::vector<profile::Profile> merged = configured;
  std::error_code error;
  if (overlay.empty() || !fs::is_directory(overlay, error)) return std::nullopt;
  diag::Diagnostics unused;
  for (const auto& file : profile_files(overlay, where, unused)) {
    diag::Diagnostics own;
    const auto text = read_config_file(file, own);
    auto parsed = text ? parse_profile(*text, display(file), own) : std::nullopt;
    if (!parsed) {
      diagnostics.warning(
          {display(file), 0, 0},
          "synced profile left out, the configured one is used: " + own.to_string());
      continue;
    }
    const auto same = std::find_if(merged.begin(), merged.end(),
                                   [&](const profile::Profile& p) { return p.id == parsed->id; });
    if (same != merged.end())
      *same = std::move(*parsed);
    else
      merged.push_back(std::move(*parsed));
  }
  diag::Diagnostics set;
  auto directory = profile::ProfileDirectory::build(std::move(merged), set, where);
  if (!directory)
    diagnostics.warning(
        {display(overlay), 0, 0},
        "synced profiles left out, the configured ones are used: " + set.to_string());
  return directory;
}

// A bus's DBC file (bus.dbc_path). Its findings are reported at their DBC positions; one
// that cannot be read, or does not load, is also an error at the vehicle file's `dbc:` key.
std::optional<dbc::Database> load_dbc(const fs::path& base, Bus& bus, const Config& config,
                                      diag::Diagnostics& diagnostics) {
  bus.dbc_path = display(base / bus.dbc_path);
  const bool strict = config.strict_dbc;
  errno = 0;
  std::ifstream in(bus.dbc_path, std::ios::binary);
  if (!in) {
    const int reason = errno != 0 ? errno : ENOENT;
    diagnostics.error(bus.dbc_where, "cannot open DBC file " + bus.dbc_path + ": " +
                                         std::generic_category().message(reason));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    diagnostics.error(bus.dbc_where, "cannot read DBC file " + bus.dbc_path);
    return std::nullopt;
  }
  dbc::ParseResult parsed =
      dbc::parse(text.str(), bus.dbc_path, dbc::ParseOptions{.strict = strict});
  diagnostics.append(parsed.diagnostics);
  if (!parsed.ok()) {
    const std::size_t errors = parsed.diagnostics.error_count();
    diagnostics.error(bus.dbc_where,
                      "DBC file " + bus.dbc_path + " does not load: " + std::to_string(errors) +
                          " error(s), reported at their "
                          "positions in it" +
                          (strict ? " (strict_dbc: true makes warnings errors)" : ""));
    return std::nullopt;
  }
  return std::move(*parsed.database);
}

// Each SecOC key, from its file beside vehicle.yaml, owned by the user cabind runs as.
void read_secoc_keys(Config& config, const fs::path& base, diag::Diagnostics& diagnostics) {
  for (MessageIntegrity& check : config.integrity) {
    if (!check.secoc) continue;
    Secoc& secoc = *check.secoc;
    const fs::path path = base / secoc.key_file;
    std::string why;
    if (const auto key = read_key_file(path, ::geteuid(), why)) {
      secoc.key = *key;
    } else {
      diagnostics.error(secoc.key_where, "key file " + display(path) + " " + why);
    }
  }
}

// The web view's token, from its file beside vehicle.yaml, under the key files' rules.
void read_web_token(Config& config, const fs::path& base, diag::Diagnostics& diagnostics) {
  if (!config.web || config.web->token_file.empty()) return;
  const fs::path path = base / config.web->token_file;
  std::string why;
  if (auto token = read_token_file(path, ::geteuid(), why)) {
    config.web->token = std::move(*token);
  } else {
    diagnostics.error(config.web->token_where, "token file " + display(path) + " " + why);
  }
}

// The MQTT bridge's files, beside vehicle.yaml: the CA and certificate must be readable
// files; the private key and the password file are private to the service user.
void check_mqtt_files(Config& config, const fs::path& base, diag::Diagnostics& diagnostics) {
  if (!config.mqtt) return;
  Mqtt& mqtt = *config.mqtt;
  const auto resolve = [&](std::string& file) {
    if (!file.empty()) file = display(base / file);
  };
  for (std::string* file : {&mqtt.ca_file, &mqtt.cert_file, &mqtt.key_file, &mqtt.password_file})
    resolve(*file);
  for (const auto& [file, where, what] :
       {std::tuple{&mqtt.ca_file, &mqtt.ca_where, "CA file"},
        std::tuple{&mqtt.cert_file, &mqtt.cert_where, "certificate file"}}) {
    if (file->empty()) continue;
    std::error_code error;
    if (!fs::is_regular_file(*file, error) || ::access(file->c_str(), R_OK) != 0)
      diagnostics.error(*where, std::string(what) + " " + *file + " is not a readable file");
  }
  std::string why;
  if (!mqtt.key_file.empty() && !check_private_file(mqtt.key_file, ::geteuid(), why))
    diagnostics.error(mqtt.key_where, "key file " + mqtt.key_file + " " + why);
  if (mqtt.password_file.empty()) return;
  if (auto password = read_password_file(mqtt.password_file, ::geteuid(), why)) {
    mqtt.password = std::move(*password);
  } else {
    diagnostics.error(mqtt.password_where, "password file " + mqtt.password_file + " " + why);
  }
}

// Said once when the profiles did not load and some rule navigates to a favourite.
void warn_unchecked_favourites(const Config& config, const diag::Location& where,
                               diag::Diagnostics& diagnostics) {
  for (const Rule& rule : config.rules) {
    for (const Action& action : rule.actions) {
      const auto* navigate = std::get_if<Navigate>(&action);
      if (navigate == nullptr || navigate->favourite.empty()) continue;
      diagnostics.warning(where,
                          "the favourites rules navigate to are not checked: the profiles "
                          "have errors");
      return;
    }
  }
}

}  // namespace

std::optional<std::string> read_config_file(const fs::path& path, diag::Diagnostics& diagnostics,
                                            std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.error({display(path), 0, 0}, "cannot open file");
    return std::nullopt;
  }
  // Read one byte past the limit so that parse_yaml reports where the limit is exceeded,
  // without ever holding more than that in memory. In chunks: a profile is a few hundred
  // bytes, and zeroing a 1 MiB buffer for each of 1,000 profiles dominated start-up.
  std::string text;
  std::array<char, 16 * 1024> chunk{};
  while (text.size() <= max_bytes) {
    const std::size_t wanted = std::min(chunk.size(), max_bytes + 1 - text.size());
    in.read(chunk.data(), static_cast<std::streamsize>(wanted));
    const auto got = static_cast<std::size_t>(in.gcount());
    text.append(chunk.data(), got);
    if (got < wanted) break;
  }
  if (in.bad()) {
    diagnostics.error({display(path), 0, 0}, "read error");
    return std::nullopt;
  }
  return text;
}

LoadResult load(const fs::path& vehicle_file, const LoadOptions& options) {
  LoadResult result;
  diag::Diagnostics& diagnostics = result.diagnostics;
  const fs::path base = vehicle_file.parent_path();

  const auto text = read_config_file(vehicle_file, diagnostics);
  if (!text) return result;
  auto vehicle = parse_vehicle_partially(*text, display(vehicle_file), diagnostics);
  if (!vehicle) return result;

  // Profiles, DBC files and rules are checked even when the vehicle file has errors, with
  // what of it did parse, so that one run reports everything.
  std::vector<profile::Profile> profiles;
  const diag::Location& profiles_where = vehicle->profiles_where;
  bool profiles_ok = !vehicle->profiles_dir.empty();
  const auto files = profiles_ok
                         ? profile_files(base / vehicle->profiles_dir, profiles_where, diagnostics)
                         : std::vector<fs::path>{};
  for (const auto& file : files) {
    const auto profile_text = read_config_file(file, diagnostics);
    auto parsed =
        profile_text ? parse_profile(*profile_text, display(file), diagnostics) : std::nullopt;
    profiles_ok = profiles_ok && parsed.has_value();
    if (parsed) profiles.push_back(std::move(*parsed));
  }
  std::optional<profile::ProfileDirectory> directory;
  if (profiles_ok)
    directory = build_with_overlay(profiles, options.profile_overlay, profiles_where, diagnostics);
  if (profiles_ok && !directory)
    directory = profile::ProfileDirectory::build(std::move(profiles), diagnostics, profiles_where);

  Config& config = vehicle->config;

  std::optional<std::vector<Rule>> rules{std::vector<Rule>{}};
  if (!vehicle->rules_file.empty()) {
    const fs::path rules_path = base / vehicle->rules_file;
    const auto rules_text = read_config_file(rules_path, diagnostics);
    rules = rules_text ? parse_rules_partially(*rules_text, display(rules_path), diagnostics)
                       : std::nullopt;
  }

  // Whatever has errors of its own is not reported again where it is used; the rest is
  // checked, so that one run reports every independent mistake.
  Unavailable unavailable{.buses = {}, .names = std::move(vehicle->broken)};
  for (auto& bus : config.buses) {
    auto database = bus.dbc_path.empty() ? std::nullopt : load_dbc(base, bus, config, diagnostics);
    if (database)
      bus.database = std::move(*database);
    else
      unavailable.buses.push_back(bus.name);
  }
  check_dbc_references(config, diagnostics, unavailable);
  read_secoc_keys(config, base, diagnostics);
  read_web_token(config, base, diagnostics);
  check_mqtt_files(config, base, diagnostics);

  if (rules) config.rules = std::move(*rules);
  // Rules name signals and outputs of the vehicle file whatever the profiles say: check
  // those even when the profiles failed; only favourites need the profiles.
  if (directory) config.profiles = std::move(*directory);
  check_rule_references(config, diagnostics, directory.has_value(), unavailable);
  if (!directory) warn_unchecked_favourites(config, profiles_where, diagnostics);
  if (diagnostics.has_errors() || !rules || !directory) {
    result.usable_part = usable_part(config, std::move(unavailable), diagnostics);
    return result;
  }
  result.config = std::move(config);
  return result;
}

}  // namespace cabind::config
