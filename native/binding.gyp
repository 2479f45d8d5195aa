{
  "targets": [
    {
      "target_name": "jobscope",
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++1y", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror"],
      "sources": ["src/addon.cc"],
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "src/linux/cgroup_host.cc",
            "src/linux/errors.cc",
            "src/linux/fd.cc",
            "src/linux/linux_backend.cc",
            "src/linux/linux_job.cc",
            "src/linux/parsers.cc",
            "src/linux/sysblock.cc",
            "src/linux/poller.cc",
            "src/linux/procfs.cc"
          ]
        }],
        ["OS=='win'", {
          "sources": [
            "src/win/errors.cc",
            "src/win/iocp_poller.cc",
            "src/win/job_list.cc",
            "src/win/layouts.cc",
            "src/win/nt_api.cc",
            "src/win/processes.cc",
            "src/win/text.cc",
            "src/win/win_backend.cc",
            "src/win/win_job.cc",
            "src/win/win_launch.cc",
            "src/win/win_limits.cc"
          ],
          "defines": ["UNICODE", "_UNICODE", "WIN32_LEAN_AND_MEAN", "NOMINMAX", "_WIN32_WINNT=0x0A00"],
          "libraries": ["advapi32.lib"],
          "msvs_settings": {
            "VCCLCompilerTool": {
              "ExceptionHandling": 1,
              "AdditionalOptions": ["/std:c++17", "/utf-8"]
            }
          }
        }]
      ]
    }
  ]
}
