#include "fd.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>

namespace jobscope::linux_impl {

std::string errnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? std::string(name) : "E" + std::to_string(err);
}

bool preadAll(int fd, std::string& out) {
  out.clear();
  char buf[16384];
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
  }
}

Fd openReadOnly(const std::string& path) { return Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)); }

bool KeptFile::read() {
  if (reopenPath_.empty()) return readOpen();
  fd_ = openReadOnly(reopenPath_);
  bool ok = readOpen();
  int err = errno;
  fd_.reset();
  errno = err;
  return ok;
}

bool KeptFile::readOpen() {
  if (!fd_.valid()) {
    text_.clear();
    errno = EBADF;
    return false;
  }
  static const size_t page = [] {
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? static_cast<size_t>(size) : 4096;
  }();
  // Longer than any one record of a multi-record seq_file we read ("4194304\n" in cgroup.procs).
  constexpr size_t kRecordSlack = 64;
  size_t cap = std::max<size_t>(text_.capacity(), 64);
  for (;;) {
    text_.resize(cap);  // within capacity: no allocation
    ssize_t n = ::pread(fd_.get(), text_.data(), cap, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      text_.clear();
      errno = err;
      return false;
    }
    size_t got = static_cast<size_t>(n);
    if (got == cap) {  // possibly cut: grow, then read it again from the start
      cap *= 2;
      text_.reserve(cap);
      continue;
    }
    text_.resize(got);
    if (got + kRecordSlack < page) return true;
    // A seq_file may have stopped at its buffer's end: read on to EOF (rare: files over a page).
    char chunk[4096];
    for (;;) {
      ssize_t more = ::pread(fd_.get(), chunk, sizeof chunk, static_cast<off_t>(text_.size()));
      if (more < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        text_.clear();
        errno = err;
        return false;
      }
      if (more == 0) return true;
      text_.append(chunk, static_cast<size_t>(more));
    }
  }
}

bool readFile(const std::string& path, std::string& out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  return preadAll(fd.get(), out);
}

bool writeFile(const std::string& path, const std::string& data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return false;
  for (;;) {
    ssize_t n = ::write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    return true;
  }
}

bool findKeyValue(const std::string& text, const std::string& key, uint64_t& value) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    if (text.compare(pos, key.size(), key) == 0 && pos + key.size() < eol &&
        text[pos + key.size()] == ' ') {
      value = std::strtoull(text.c_str() + pos + key.size() + 1, nullptr, 10);
      return true;
    }
    pos = eol + 1;
  }
  return false;
}

bool parseU64(const std::string& text, uint64_t& value) {
  if (text.empty() || text[0] < '0' || text[0] > '9') return false;
  char* end = nullptr;
  value = std::strtoull(text.c_str(), &end, 10);
  return end != text.c_str();
}

double nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1000.0 + static_cast<double>(ts.tv_nsec / 1000000);
}

}  // namespace jobscope::linux_impl
