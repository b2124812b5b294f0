#pragma once
// Command-line options for convscope-cli: "--name value" pairs and "--flag" switches.
//
//   Args::parse(argv, ...)     throws UsageError for an unknown option or a missing value, HelpRequested
//                              for --help or -h where an option may stand
//   get / get_or / has         look options up; every lookup marks the option as used
//   require(name)              throws UsageError if the option is absent
//   parse_pair("2,3")          "K" or "KH,KW" -> IntPair, naming the option on error
//   parse_int / parse_list     strict integers and comma lists
//   finish()                   throws UsageError for options the command did not use

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace convscope::cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Not an error, so deliberately not a std::exception: only main() catches it, and prints the command's usage.
struct HelpRequested {};

class Args {
public:
    // `options` take a value, `switches` do not (e.g. "include-top"); anything else is a UsageError.
    static Args parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                      const std::set<std::string>& switches);

    bool has(const std::string& name);
    void require(const std::string& name);      // throws UsageError if absent
    std::string get(const std::string& name);  // throws UsageError if absent
    std::string get_or(const std::string& name, const std::string& fallback);
    void finish() const;

private:
    std::map<std::string, std::string> values_;
    std::set<std::string> used_;
};

int parse_int(const std::string& text, const std::string& option);
IntPair parse_pair(const std::string& text, const std::string& option);
std::vector<std::string> parse_list(const std::string& text);

}  // namespace convscope::cli
