#include "config/config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

namespace oatd::config {

std::string Problem::text() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out + ": " + message;
}

namespace {

enum class Kind { Flag, List, Integer, Text };

Kind kind_of(const CLI::Option& option) {
  if (option.get_items_expected_max() == 0) return Kind::Flag;
  if (option.get_expected_max() > 1) return Kind::List;
  const std::string type = option.get_type_name();
  if (type.find("INT") != std::string::npos) return Kind::Integer;
  return Kind::Text;
}

// The option's value(s) as the command line would carry them, or why the TOML value cannot be.
std::vector<std::string> as_arguments(const toml::node& value, Kind kind, std::string& refused) {
  switch (kind) {
    case Kind::Flag:
      if (const auto* b = value.as_boolean()) return {b->get() ? "true" : "false"};
      refused = "must be true or false";
      return {};
    case Kind::Integer:
      if (const auto* i = value.as_integer()) return {std::to_string(i->get())};
      refused = "must be a whole number (without quotes)";
      return {};
    case Kind::Text:
      if (const auto* s = value.as_string()) return {s->get()};
      refused = "must be a string (in quotes)";
      return {};
    case Kind::List:
      if (const auto* s = value.as_string()) return {s->get()};
      if (const auto* array = value.as_array()) {
        std::vector<std::string> items;
        for (const toml::node& item : *array) {
          const auto* s = item.as_string();
          if (!s) {
            refused = "must be a list of strings ([\"...\", \"...\"])";
            return {};
          }
          items.push_back(s->get());
        }
        return items;
      }
      refused = "must be a string or a list of strings ([\"...\", \"...\"])";
      return {};
  }
  return {};
}

// CLI11 words its errors "--listen: why"; in a file the key is named already.
std::string without_option_prefix(std::string message, const std::string& key) {
  const std::string prefix = "--" + key + ": ";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  return message;
}

}  // namespace

std::vector<Problem> apply(CLI::App& command, std::string_view text, const std::string& source,
                           const std::vector<std::string>& reserved,
                           std::map<std::string, Problem>* where_keys) {
  std::vector<Problem> problems;
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    problems.push_back({source, static_cast<int>(e.source().begin.line),
                        static_cast<int>(e.source().begin.column), "",
                        "not valid TOML: " + std::string(e.description())});
    return problems;
  }
  for (const auto& [key, value] : table) {
    const std::string name(key.str());
    const auto& where = key.source().begin;
    if (where_keys) {
      (*where_keys)[name] = {source, static_cast<int>(where.line), static_cast<int>(where.column), name, ""};
    }
    auto problem = [&](std::string message) {
      problems.push_back({source, static_cast<int>(where.line), static_cast<int>(where.column), name,
                          std::move(message)});
    };
    if (value.is_table()) {
      problem("[" + name + "] is a table; oatd's settings are plain keys (" + name +
              " = ...) at the top of the file");
      continue;
    }
    CLI::Option* option = nullptr;
    if (std::find(reserved.begin(), reserved.end(), name) == reserved.end()) {
      option = command.get_option_no_throw("--" + name);
    }
    if (!option) {
      problem("unknown key \"" + name + "\" (the keys are the long options of `oatd " +
              command.get_name() + " --help` without the dashes)");
      continue;
    }
    std::string refused;
    std::vector<std::string> arguments = as_arguments(value, kind_of(*option), refused);
    if (!refused.empty()) {
      problem(name + " " + refused);
      continue;
    }
    if (option->count() > 0) continue;  // the command line or the environment wins
    try {
      option->add_result(arguments);
      option->run_callback();
    } catch (const CLI::Error& e) {
      option->clear();
      problem(name + ": " + without_option_prefix(e.what(), name));
    }
  }
  // The table is kept in key order; a reader goes through the file from the top.
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  return problems;
}

std::vector<Problem> apply_file(CLI::App& command, const std::string& path,
                                const std::vector<std::string>& reserved,
                                std::map<std::string, Problem>* where) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {{path, 0, 0, "", "cannot read the configuration file"}};
  std::ostringstream text;
  text << in.rdbuf();
  return apply(command, text.str(), path, reserved, where);
}

}  // namespace oatd::config
