// A file that appears whole or not at all: created up front as a
// temporary beside its final path (so that an unwritable path fails before
// any work), written at the end and renamed into place. Until then an
// existing file of that name is left as it was.
#ifndef TOOLS_VMEMSTAT_PENDING_FILE_H_
#define TOOLS_VMEMSTAT_PENDING_FILE_H_

#include <memory>
#include <string>

namespace vmemstat {

class PendingFile {
 public:
  // Creates the temporary; nullptr, with *error saying why, if it cannot.
  static std::unique_ptr<PendingFile> Create(const std::string &path,
                                             std::string *error);
  // Removes the temporary if Commit() was not called or failed.
  ~PendingFile();
  PendingFile(const PendingFile &) = delete;
  PendingFile &operator=(const PendingFile &) = delete;

  // Writes text to the temporary and renames it to the final path; false,
  // with *error saying why, if either fails.
  bool Commit(const std::string &text, std::string *error);

 private:
  PendingFile(std::string path, std::string temp, int fd);

  const std::string path_;
  const std::string temp_;
  int fd_;
  bool committed_ = false;
};

}  // namespace vmemstat

#endif  // TOOLS_VMEMSTAT_PENDING_FILE_H_
