// RAII file descriptor plus the few whole-file helpers every Linux source needs.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace jobscope::linux_impl {

// Owns one fd; closes it once. Move-only.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A cgroup or /proc file opened once and re-read at offset 0 on every tick with, normally, ONE
// pread() into a buffer kept between ticks (so no allocation once it has grown to fit):
//  - a read that fills the buffer may be cut: the buffer doubles and the file is read again;
//  - seq_file files with one record per line (cgroup.procs) return at most one seq buffer
//    (a page at least) per read whatever the buffer size, so a read that comes within a record's
//    length of a page is continued at its end until EOF. Anything shorter is the whole file, as is
//    any single-record file (cpu.stat, memory.stat, /proc/<pid>/stat): their show() fills the seq
//    buffer in one go, growing it as needed.
class KeptFile {
 public:
  KeptFile() = default;
  explicit KeptFile(Fd fd, size_t initialCapacity = 512) : fd_(std::move(fd)) { text_.reserve(initialCapacity); }
  // A file whose contents a kept fd does not follow: v1's cgroup.procs serves an fd the pid list its
  // first read loaded (the kernel reloads it only for a new open), so it is opened anew for each read().
  static KeptFile reopening(std::string path, size_t initialCapacity = 512) {
    KeptFile file;
    file.reopenPath_ = std::move(path);
    file.text_.reserve(initialCapacity);
    return file;
  }
  bool valid() const { return fd_.valid() || !reopenPath_.empty(); }
  int fd() const { return fd_.get(); }  // -1 for a reopening file
  void reset() {
    fd_.reset();
    reopenPath_.clear();
  }
  // Reads the whole file; false + errno on failure (text() is then empty).
  bool read();
  // The contents of the last read().
  const std::string& text() const { return text_; }

 private:
  bool readOpen();

  Fd fd_;
  std::string reopenPath_;
  std::string text_;
};

// Opens `path` read-only (O_CLOEXEC); an invalid Fd (errno set) on failure.
Fd openReadOnly(const std::string& path);

// "ESRCH" for ESRCH, or "E<number>" for something strerrorname_np does not know.
std::string errnoName(int err);

// Reads a whole file (procfs/cgroupfs files report size 0, so this reads until EOF).
// Returns false and sets errno on failure.
bool readFile(const std::string& path, std::string& out);
// Reads a whole already-open file from offset 0 with pread(), so one fd serves every tick.
bool preadAll(int fd, std::string& out);
// Writes `data` in one write() (cgroupfs takes one value per write). Returns false + errno.
bool writeFile(const std::string& path, const std::string& data);

// "key value" lines (cpu.stat, memory.stat): the value of `key`, if present.
bool findKeyValue(const std::string& text, const std::string& key, uint64_t& value);
// Parses a whole-number file ("123\n"); false if it is not one.
bool parseU64(const std::string& text, uint64_t& value);

// Milliseconds since the Unix epoch.
double nowMs();

}  // namespace jobscope::linux_impl
