// oatd's configuration file: TOML whose keys are a command's long option names without the
// dashes (`listen = "0.0.0.0:8080"` for --listen, `cors-origin = ["https://a", "https://b"]` for
// a repeatable one). Every key is checked by the option's own validators, so the file accepts
// exactly what the command line does. Options already given (on the command line, or through
// an environment variable) keep their values: the file only fills in the rest.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace oatd::config {

// One thing wrong with a file, where it is (line and column from 1; 0 when unknown).
struct Problem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;  // the key it concerns, or "" (a syntax error)
  std::string message;

  // "FILE:LINE:COLUMN: message", the way compilers say it.
  std::string text() const;
};

// Reads the TOML text (named `source` in problems) and gives each key to the option --KEY of
// `command`, unless that option was already given; a key naming none of its options, a value
// of the wrong type (a string where a whole number belongs) or one the option's validators
// refuse is a Problem. Every problem is returned, not only the first. Keys in `reserved` (the
// option naming the file itself) are refused like unknown ones. `where`, when given, receives
// each key's place in the file (a Problem without a message), for what is found wrong later.
std::vector<Problem> apply(CLI::App& command, std::string_view text, const std::string& source,
                           const std::vector<std::string>& reserved = {"config", "help"},
                           std::map<std::string, Problem>* where = nullptr);

// The same for a file; one that cannot be read is one Problem.
std::vector<Problem> apply_file(CLI::App& command, const std::string& path,
                                const std::vector<std::string>& reserved = {"config", "help"},
                                std::map<std::string, Problem>* where = nullptr);

}  // namespace oatd::config
