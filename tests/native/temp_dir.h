// A fresh, empty folder for one test, removed with everything in it when the test ends:
//
//   class StaticFiles : public ::testing::Test {
//    protected:
//     TempDir dir_{"oatd-http"};  // /tmp/oatd-http-XXXXXX
//   };
//
// Declare it before anything that keeps files open in it (a store), so that it goes last.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace oatd_test {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "oatd-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The path of `name` inside the folder (it may not exist), e.g. file("oatd.db").
  std::string file(std::string_view name) const { return (path_ / name).string(); }

  // Writes `content` to `name` inside the folder, creating the folders on the way; returns its
  // path.
  std::filesystem::path write(std::string_view name, std::string_view content) const {
    const std::filesystem::path target = path_ / name;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + target.string());
    return target;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace oatd_test
