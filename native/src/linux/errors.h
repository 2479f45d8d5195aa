// Turning errno values into jobscope::Error with plain-words messages.
#pragma once

#include <string>

#include "../backend.h"

namespace jobscope::linux_impl {

// "<what>: <why in plain words> (<ERRNO>)", code = errno name.
[[noreturn]] void throwErrno(int err, const std::string& what);

}  // namespace jobscope::linux_impl
