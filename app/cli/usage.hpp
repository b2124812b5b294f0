#pragma once
// The part of convscope-cli's usage text that is about one command, for `COMMAND --help` and `help COMMAND`.
//
//   command_usage(usage, command)   that command's entries of the "commands:" list, every later section
//                                   they refer to by its title, and the closing notes; "" if no entry
//                                   names the command
//
// The per-command text is cut from the one usage text rather than kept beside it, so the two cannot drift.

#include <string>

namespace convscope::cli {

std::string command_usage(const std::string& usage, const std::string& command);

}  // namespace convscope::cli
