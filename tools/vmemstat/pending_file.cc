#include "tools/vmemstat/pending_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace vmemstat {

std::unique_ptr<PendingFile> PendingFile::Create(const std::string &path,
                                                 std::string *error) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    *error = absl::StrCat("cannot write ", path, ": ", strerror(EISDIR));
    return nullptr;
  }
  // The temporary goes in the same directory, for rename() to be atomic.
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base =
      slash == std::string::npos ? path : path.substr(slash + 1);
  std::string temp = absl::StrCat(dir, ".", base, ".XXXXXX");
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    *error = absl::StrCat("cannot write ", path, ": ", strerror(errno));
    return nullptr;
  }
  // mkstemp() makes the file 0600; give it the mode a new file would get.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  return std::unique_ptr<PendingFile>(new PendingFile(path, temp, fd));
}

PendingFile::PendingFile(std::string path, std::string temp, int fd)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(fd) {}

PendingFile::~PendingFile() {
  if (fd_ >= 0) close(fd_);
  if (!committed_) unlink(temp_.c_str());
}

bool PendingFile::Commit(const std::string &text, std::string *error) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = absl::StrCat("cannot write ", path_, ": ", strerror(errno));
      return false;
    }
    done += static_cast<size_t>(n);
  }
  const int closed = close(fd_);
  fd_ = -1;
  if (closed != 0 || rename(temp_.c_str(), path_.c_str()) != 0) {
    *error = absl::StrCat("cannot write ", path_, ": ", strerror(errno));
    return false;
  }
  committed_ = true;
  return true;
}

}  // namespace vmemstat
