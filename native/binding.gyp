{
  "targets": [
    {
      "target_name": "afnative",
      "sources": ["src/addon.cc", "src/lock.cc", "src/stdio.cc", "src/mtio.cc", "src/sgio.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=9", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"]
    },
    {
      "target_name": "afstemu",
      "type": "shared_library",
      "product_prefix": "lib",
      "product_extension": "so",
      "product_dir": "<(PRODUCT_DIR)",
      "sources": ["stemu/stemu.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-fPIC"],
      "cflags!": ["-fno-exceptions"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
