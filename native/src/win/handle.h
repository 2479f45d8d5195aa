// RAII for Win32 handles, and the UTF-8 <-> UTF-16 conversions every Win32 call needs.
#pragma once

#include <windows.h>

#include <string>
#include <utility>

namespace jobscope::win {

// Owns one kernel handle; closes it once. Both NULL and INVALID_HANDLE_VALUE mean "none",
// because different Win32 calls report failure with different ones. Move-only.
class Handle {
 public:
  Handle() = default;
  explicit Handle(HANDLE h) : h_(h) {}
  Handle(Handle&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) reset(std::exchange(other.h_, nullptr));
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  HANDLE get() const { return h_; }
  bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
  void reset(HANDLE h = nullptr) {
    if (valid()) ::CloseHandle(h_);
    h_ = h;
  }

 private:
  HANDLE h_ = nullptr;
};

// JS strings arrive as UTF-8; Win32 wants UTF-16. Invalid sequences become U+FFFD.
std::wstring toWide(const std::string& utf8);
std::string toUtf8(const std::wstring& wide);
std::string toUtf8(const wchar_t* wide, size_t length);

}  // namespace jobscope::win
