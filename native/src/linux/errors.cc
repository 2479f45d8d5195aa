#include "errors.h"

#include <string.h>

#include <cctype>

#include "fd.h"

namespace jobscope::linux_impl {

void throwErrno(int err, const std::string& what) {
  std::string why;
  switch (err) {
    case ESRCH: why = "the process has exited or does not exist"; break;
    case EACCES:
    case EPERM: why = "permission denied"; break;
    case ENOENT:
    case ENODEV: why = "it no longer exists"; break;
    case EBUSY: why = "it is busy"; break;
    default: {
      char buf[256];
      why = strerror_r(err, buf, sizeof buf);  // GNU variant: returns the message
      if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    }
  }
  throw Error(errnoName(err), what + ": " + why + " (" + errnoName(err) + ")");
}

}  // namespace jobscope::linux_impl
