#include "app/cli/usage.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

namespace convscope::cli {

namespace {

using Paragraph = std::vector<std::string>;  // lines between blank lines

std::vector<Paragraph> paragraphs(const std::string& text) {
    std::vector<Paragraph> out(1);
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            out.back().push_back(line);
        } else if (!out.back().empty()) {
            out.emplace_back();
        }
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

// "  shape    --input ..." starts the entry of "shape"; deeper-indented lines continue it.
std::string entry_name(const std::string& line) {
    if (line.size() < 3 || line.compare(0, 2, "  ") != 0 || line[2] == ' ') return "";
    return line.substr(2, line.find(' ', 2) - 2);
}

// A section's title is its first line up to " (" or the closing ':' ("CONV2D ARGUMENTS (...):" ->
// "CONV2D ARGUMENTS"); a paragraph whose first line does not end in ':' is a note for every command.
std::string section_title(const Paragraph& p) {
    const std::string& first = p.front();
    if (first.back() != ':') return "";
    return first.substr(0, std::min(first.find(" ("), first.size() - 1));
}

}  // namespace

std::string command_usage(const std::string& usage, const std::string& command) {
    const std::vector<Paragraph> parts = paragraphs(usage);
    std::size_t commands = 0;
    while (commands < parts.size() && parts[commands].front() != "commands:") ++commands;
    if (commands == parts.size()) return "";

    std::string entries;
    bool in_entry = false;
    for (const std::string& line : parts[commands]) {
        const std::string name = entry_name(line);
        if (!name.empty()) in_entry = name == command;
        if (in_entry) entries += line + "\n";
    }
    if (entries.empty()) return "";

    std::string out = "usage: convscope-cli " + command + " [OPTIONS]\n\n" + entries;
    for (std::size_t i = commands + 1; i < parts.size(); ++i) {
        const std::string title = section_title(parts[i]);
        if (!title.empty() && entries.find(title) == std::string::npos) continue;
        out += "\n";
        for (const std::string& line : parts[i]) out += line + "\n";
    }
    return out;
}

}  // namespace convscope::cli
