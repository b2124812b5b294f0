#include "app/cli/args.hpp"

#include <cerrno>
#include <cstdlib>

#include "core/limits.hpp"

namespace convscope::cli {

Args Args::parse(const std::vector<std::string>& argv, const std::set<std::string>& options,
                 const std::set<std::string>& switches) {
    Args args;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "--help" || a == "-h") throw HelpRequested{};
        if (a.rfind("--", 0) != 0 || a.size() == 2) throw UsageError("unexpected argument \"" + echo(a) + "\"");
        std::string name = a.substr(2), value;
        const std::size_t eq = name.find('=');
        if (!options.count(name.substr(0, eq)) && !switches.count(name.substr(0, eq)))
            throw UsageError("unknown option --" + echo(name.substr(0, eq)));
        if (eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        } else if (switches.count(name)) {
            value = "1";
        } else {
            if (i + 1 >= argv.size()) throw UsageError("--" + name + " needs a value");
            value = argv[++i];
        }
        args.values_[name] = value;
    }
    return args;
}

bool Args::has(const std::string& name) {
    used_.insert(name);
    return values_.count(name) > 0;
}

void Args::require(const std::string& name) {
    if (!has(name)) throw UsageError("--" + name + " is required");
}

std::string Args::get(const std::string& name) {
    require(name);
    return values_.at(name);
}

std::string Args::get_or(const std::string& name, const std::string& fallback) {
    return has(name) ? values_.at(name) : fallback;
}

void Args::finish() const {
    for (const auto& kv : values_)
        if (!used_.count(kv.first)) throw UsageError("unknown option --" + kv.first);
}

int parse_int(const std::string& text, const std::string& option) {
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE || v < -1000000000L || v > 1000000000L)
        throw UsageError("--" + option + " " + echo(text) + ": expected a whole number");
    return int(v);
}

std::vector<std::string> parse_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = text.find(',', start);
        out.push_back(text.substr(start, comma - start));
        if (comma == std::string::npos) return out;
        start = comma + 1;
    }
}

IntPair parse_pair(const std::string& text, const std::string& option) {
    std::vector<std::string> parts = parse_list(text);
    if (parts.size() == 1) return IntPair(parse_int(parts[0], option));
    if (parts.size() == 2) return IntPair(parse_int(parts[0], option), parse_int(parts[1], option));
    throw UsageError("--" + option + " " + echo(text) + ": expected one number or two separated by a comma (rows,cols)");
}

}  // namespace convscope::cli
