#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "crypto/crypto.h"
#include "crypto/keys.h"

namespace oatd::keys {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

std::string errno_text(int err) { return std::strerror(err); }

void fsync_directory_of(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw CryptoError("crypto: cannot open directory " + dir.string() + ": " + errno_text(errno));
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) {
    throw CryptoError("crypto: cannot fsync directory " + dir.string() + ": " + errno_text(err));
  }
}

}  // namespace

// Reads an existing key file; nullopt if it does not exist.
std::optional<std::string> read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw CryptoError("crypto: cannot open signing key file " + path + ": " + errno_text(errno));
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw CryptoError("crypto: cannot stat signing key file " + path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw CryptoError("crypto: signing key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw CryptoError("crypto: signing key file " + path + " has mode " + mode +
                      "; it must not be accessible by group or others (chmod 600 " + path + ")");
  }
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > kMaxKeyFileBytes) {
    throw CryptoError("crypto: signing key file " + path + " is too large to be a key");
  }

  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      OPENSSL_cleanse(data.data(), data.size());
      throw CryptoError("crypto: cannot read signing key file " + path + ": " + errno_text(errno));
    }
    if (got == 0) break;
    data.append(buf, static_cast<std::size_t>(got));
    if (data.size() > kMaxKeyFileBytes) {
      OPENSSL_cleanse(data.data(), data.size());
      throw CryptoError("crypto: signing key file " + path + " is too large to be a key");
    }
  }
  OPENSSL_cleanse(buf, sizeof buf);
  return data;
}

// Publishes `data` as `path` all at once: writes it to a unique temporary file in the same
// folder (mode 0600, fsynced), links that to `path` (atomic; fails with EEXIST when the file
// already exists), removes the temporary and fsyncs the folder. So `path` never exists
// half-written, and of processes racing to create it exactly one wins. False if the file already
// exists (someone else created it); throws on other failures. Every failure removes the
// temporary.
bool write_new_key_file(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) {
    int err = errno;
    throw CryptoError("crypto: cannot create a temporary file for signing key file " + path +
                      ": " + errno_text(err));
  }
  auto fail = [&](const char* what, int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw CryptoError("crypto: cannot " + std::string(what) + " signing key file " + path + ": " +
                      errno_text(err));
  };
  if (::fchmod(fd, 0600) != 0) fail("set the mode of", errno);
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("fsync", errno);
  int closed = ::close(fd);
  int close_err = errno;
  fd = -1;
  if (closed != 0) fail("close", close_err);

  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    // Over NFS a retried LINK can report EEXIST (or another error) although it succeeded; the
    // temporary then has two links (see open(2) on O_EXCL and NFS).
    struct stat st {};
    if (::stat(tmp.c_str(), &st) != 0 || st.st_nlink != 2) {
      if (err == EEXIST) {
        ::unlink(tmp.c_str());
        return false;
      }
      fail("publish", err);
    }
  }
  // Published: `path` is the complete key. The temporary is only a second name for it now.
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    int err = errno;
    throw CryptoError("crypto: signing key file " + path + " was created but its temporary " +
                      tmp + " could not be removed: " + errno_text(err));
  }
  fsync_directory_of(path);
  return true;
}

}  // namespace oatd::keys
