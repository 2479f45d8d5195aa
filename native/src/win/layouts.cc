// Compile-time checks that the SDK's (MSVC's or mingw-w64's) job and process structures have the
// documented x64 layouts, so a header that disagrees with the kernel fails the build, not a query.
#include <windows.h>
#include <tlhelp32.h>
#include <winternl.h>

#include <cstddef>

#ifdef _WIN64
static_assert(sizeof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION) == 48, "accounting size");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, TotalKernelTime) == 8, "accounting layout");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, TotalPageFaultCount) == 32, "accounting layout");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, TotalProcesses) == 36, "accounting layout");
static_assert(offsetof(JOBOBJECT_BASIC_ACCOUNTING_INFORMATION, ActiveProcesses) == 40, "accounting layout");

static_assert(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) == 16, "pid list size");
static_assert(offsetof(JOBOBJECT_BASIC_PROCESS_ID_LIST, NumberOfProcessIdsInList) == 4, "pid list layout");
static_assert(offsetof(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList) == 8, "pid list layout");

static_assert(sizeof(JOBOBJECT_BASIC_LIMIT_INFORMATION) == 64, "basic limits size");
static_assert(offsetof(JOBOBJECT_BASIC_LIMIT_INFORMATION, LimitFlags) == 16, "basic limits layout");
static_assert(offsetof(JOBOBJECT_BASIC_LIMIT_INFORMATION, SchedulingClass) == 60, "basic limits layout");
static_assert(sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) == 144, "extended limits size");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, IoInfo) == 64, "extended limits layout");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, ProcessMemoryLimit) == 112, "extended limits layout");
static_assert(offsetof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION, PeakJobMemoryUsed) == 136, "extended limits layout");

static_assert(sizeof(JOBOBJECT_ASSOCIATE_COMPLETION_PORT) == 16, "completion port size");
static_assert(offsetof(JOBOBJECT_ASSOCIATE_COMPLETION_PORT, CompletionPort) == 8, "completion port layout");

static_assert(sizeof(OVERLAPPED_ENTRY) == 32, "OVERLAPPED_ENTRY size");
static_assert(offsetof(OVERLAPPED_ENTRY, lpOverlapped) == 8, "OVERLAPPED_ENTRY layout");
static_assert(offsetof(OVERLAPPED_ENTRY, dwNumberOfBytesTransferred) == 24, "OVERLAPPED_ENTRY layout");

static_assert(sizeof(UNICODE_STRING) == 16, "UNICODE_STRING size");
static_assert(offsetof(UNICODE_STRING, Buffer) == 8, "UNICODE_STRING layout");
static_assert(sizeof(OBJECT_ATTRIBUTES) == 48, "OBJECT_ATTRIBUTES size");
static_assert(offsetof(OBJECT_ATTRIBUTES, ObjectName) == 16, "OBJECT_ATTRIBUTES layout");
static_assert(offsetof(OBJECT_ATTRIBUTES, Attributes) == 24, "OBJECT_ATTRIBUTES layout");

static_assert(sizeof(PROCESSENTRY32W) == 568, "PROCESSENTRY32W size");
static_assert(offsetof(PROCESSENTRY32W, th32ParentProcessID) == 32, "PROCESSENTRY32W layout");
static_assert(offsetof(PROCESSENTRY32W, szExeFile) == 44, "PROCESSENTRY32W layout");
#endif
