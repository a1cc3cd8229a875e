// What the fuzz targets check beside crashes: a broken property is said on stderr, then
// abort(), which libFuzzer takes for a crash (it keeps the input as crash-*).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "oat/error.h"

namespace oat_fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "broken property: %s\n", what);
  std::abort();
}

// Whether a parser accepted its input; a refusal must name at least one error.
template <class T>
bool accepted(const oat::Result<T>& result) {
  if (result.ok()) return true;
  if (result.errors().empty()) fail("a refusal without an error");
  return false;
}

}  // namespace oat_fuzz
