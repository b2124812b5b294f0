#pragma once
// Reading a file the user named, with messages that say what went wrong.
//
//   file_open_error(path)   0 when `path` can be opened as a file, else why not: the errno of stat(), or
//                           EISDIR for a folder (a folder opens like a file on Linux and only fails when read)
//   read_file_bytes(path, noun, expected)   the whole file; InputError naming the path:
//       "<path>: cannot open <noun> (<reason>)"      missing, or no permission
//       "<path>: is a folder, expected <expected>"
//       "<path>: cannot read <noun> (<reason>)"      an I/O error part-way
//     An empty noun leaves the word out: "<path>: cannot open (<reason>)".

#include <cstdint>
#include <string>
#include <vector>

namespace convscope {

int file_open_error(const std::string& path);

std::vector<std::uint8_t> read_file_bytes(const std::string& path, const std::string& noun,
                                          const std::string& expected);

}  // namespace convscope
