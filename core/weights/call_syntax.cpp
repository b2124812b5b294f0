#include "core/weights/call_syntax.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/errors.hpp"

namespace convscope {

namespace {

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

double to_number(const std::string& text, const CallArgs& call) {
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
        throw ConfigError("\"" + call.text + "\": \"" + text + "\" is not a number");
    return v;
}

}  // namespace

CallArgs parse_call(const std::string& raw) {
    CallArgs call;
    call.text = trim(raw);
    const std::string& t = call.text;
    const std::size_t open = t.find('(');
    call.name = trim(t.substr(0, open));
    if (open == std::string::npos) return call;
    if (t.back() != ')') throw ConfigError("\"" + t + "\": expected name(arguments), with the closing parenthesis");
    const std::string inner = t.substr(open + 1, t.size() - open - 2);
    // Split on commas outside brackets: "2, axis=[0, 1, 2]" -> "2", "axis=[0, 1, 2]".
    std::vector<std::string> parts;
    int depth = 0;
    std::string current;
    for (char ch : inner) {
        if (ch == '[' || ch == '(') ++depth;
        if (ch == ']' || ch == ')') --depth;
        if (ch == ',' && depth == 0) {
            parts.push_back(current);
            current.clear();
        } else {
            current += ch;
        }
    }
    if (depth != 0) throw ConfigError("\"" + t + "\": unbalanced brackets");
    if (!trim(current).empty() || !parts.empty()) parts.push_back(current);
    for (const std::string& part : parts) {
        const std::string p = trim(part);
        if (p.empty()) throw ConfigError("\"" + t + "\": an empty argument");
        const std::size_t eq = p.find('=');
        if (eq == std::string::npos) {
            if (!call.args.empty() && !call.args.back().first.empty())
                throw ConfigError("\"" + t + "\": a positional argument follows a keyword argument");
            call.args.emplace_back("", p);
        } else {
            call.args.emplace_back(trim(p.substr(0, eq)), trim(p.substr(eq + 1)));
        }
    }
    return call;
}

void CallArgs::allow(const std::vector<std::string>& keys) const {
    if (args.size() > keys.size()) {
        std::string list;
        for (const std::string& k : keys) list += (list.empty() ? "" : ", ") + k;
        throw ConfigError("\"" + text + "\": " + name + " takes at most " + std::to_string(keys.size()) +
                          " argument(s)" + (keys.empty() ? "" : " (" + list + ")"));
    }
    for (const auto& a : args) {
        if (a.first.empty()) continue;
        bool known = false;
        for (const std::string& k : keys) known = known || k == a.first;
        if (!known) throw ConfigError("\"" + text + "\": " + name + " has no argument \"" + a.first + "\"");
    }
}

double CallArgs::number(std::size_t position, const std::string& key, double fallback) const {
    for (const auto& a : args)
        if (a.first == key) return to_number(a.second, *this);
    if (position < args.size() && args[position].first.empty()) return to_number(args[position].second, *this);
    return fallback;
}

std::vector<int> CallArgs::int_list(std::size_t position, const std::string& key, std::vector<int> fallback) const {
    std::string value;
    bool found = false;
    for (const auto& a : args)
        if (a.first == key) value = a.second, found = true;
    if (!found && position < args.size() && args[position].first.empty()) value = args[position].second, found = true;
    if (!found) return fallback;
    std::string inner = trim(value);
    if (!inner.empty() && (inner.front() == '[' || inner.front() == '(')) {
        if (inner.size() < 2 || (inner.back() != ']' && inner.back() != ')'))
            throw ConfigError("\"" + text + "\": " + key + "=" + value + " is not a list of integers");
        inner = inner.substr(1, inner.size() - 2);
    }
    std::vector<int> out;
    std::size_t start = 0;
    while (start <= inner.size()) {
        const std::size_t comma = inner.find(',', start);
        const std::string item = trim(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (item.empty() && comma == std::string::npos && !out.empty()) break;  // "[0, 1, 2,]"
        const double v = to_number(item, *this);
        if (v != std::floor(v)) throw ConfigError("\"" + text + "\": " + key + "=" + value + " is not a list of integers");
        out.push_back(int(v));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::string format_number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace convscope
