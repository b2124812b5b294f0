// convscope-cli weights list | verify FILE [--md5 HEX] | fetch [--top] [--dir DIR] [--from URL [--md5 HEX]]
// The ResNet50 ImageNet weights: what is cached where, whether a file is a known one, and the download.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "app/cli/commands.hpp"
#include "core/errors.hpp"
#include "core/weights/download.hpp"
#include "core/weights/fetch_request.hpp"
#include "core/weights/known_weights.hpp"
#include "core/weights/md5.hpp"

namespace convscope::cli {

namespace {

std::atomic<bool> g_interrupted{false};  // set by SIGINT during a fetch; lock-free, so safe in a handler
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

int weights_list(Args& args) {
    args.finish();
    std::cout << "searched: " << convscope_cache_dir() << " (convscope cache)";
    for (const std::string& d : keras_cache_dirs()) std::cout << ", " << d << " (Keras cache)";
    std::cout << "\n";
    const std::vector<FoundWeights> found = discover_weights();
    for (const FoundWeights& f : found) {
        std::cout << f.check.path << "  " << format_bytes(f.check.size) << "  ";
        if (f.partial) std::cout << "partial: an interrupted download; `convscope-cli weights fetch` resumes it\n";
        else std::cout << describe_check(f.check) << "\n";
    }
    const FoundWeights* top = pick_weights(found, true);
    const FoundWeights* backbone = pick_weights(found, false);
    if (backbone == nullptr) {
        std::cout << "no usable ResNet50 weights found; `convscope-cli weights fetch` downloads the backbone's "
                     "(add --top for the classifier) into " << convscope_cache_dir() << "\n";
        return 0;
    }
    // Which file a run uses, and for a tf.keras one, that it is renamed (its differences are on its line above).
    auto chosen = [](const FoundWeights& f) {
        return f.check.path + (f.check.known->naming == WeightsNaming::tf_keras
                                   ? " (tf.keras' layer names, loaded under the seed's)" : "");
    };
    std::cout << "for the backbone: " << chosen(*backbone) << "\n";
    std::cout << "with the classifier (--include-top): "
              << (top ? chosen(*top) : std::string("none found; `convscope-cli weights fetch --top` gets it")) << "\n";
    return 0;
}

int weights_verify(const std::string& path, Args& args) {
    const std::string expected = args.has("md5") ? normalize_md5(args.get("md5")) : "";
    args.finish();
    const WeightsCheck c = check_weights_file(path);
    if (!c.problem.empty()) throw InputError(path + ": cannot read (" + c.problem + ")");
    if (!expected.empty()) {
        if (c.md5 != expected) throw InputError(path + ": md5 " + c.md5 + ", expected " + expected);
        std::cout << path << ": md5 " << c.md5 << " matches --md5";
        if (c.known) std::cout << "; " << c.known->description << loading_note(*c.known);
        else std::cout << layer_naming_note(path);
        std::cout << "\n";
        return 0;
    }
    if (!c.verified())
        throw InputError(path + ": md5 " + c.md5 + " matches none of the four known ResNet50 weights files " +
                         "(see `convscope-cli weights list`; use --md5 HEX to check against another checksum)" +
                         layer_naming_note(path));
    std::cout << path << ": md5 " << c.md5 << " " << describe_check(c) << "\n";
    return 0;
}

// A progress line redrawn in place on a terminal, at most ten times a second; nothing when stderr is a file
// or a pipe, so that a failure there is exactly one line.
class ProgressLine {
public:
    ProgressLine() : tty_(::isatty(STDERR_FILENO) == 1) {}
    void update(const DownloadProgress& p) {
        if (!tty_) return;
        const auto now = std::chrono::steady_clock::now();
        if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        shown_ = true;
        std::string line = "  " + format_bytes(p.bytes);
        if (p.total > 0) {
            char pct[16];
            std::snprintf(pct, sizeof pct, " (%.0f%%)", 100.0 * double(p.bytes) / double(p.total));
            line += " of " + format_bytes(p.total) + pct;
        }
        line += "  " + format_bytes(std::uint64_t(p.bytes_per_second)) + "/s";
        if (p.resumed_from > 0) line += "  (resumed at " + format_bytes(p.resumed_from) + ")";
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        std::fflush(stderr);
    }
    void clear() {
        if (shown_) std::fputs("\r\033[K", stderr);
        shown_ = false;
    }

private:
    bool tty_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point last_;
};

int weights_fetch(Args& args) {
    FetchOptions o;
    o.top = args.has("top");
    o.folder = args.get_or("dir", "");
    o.from = args.get_or("from", "");
    o.md5 = args.get_or("md5", "");
    args.finish();
    const DownloadRequest request = plan_fetch(o);
    std::cout << "fetching " << request.url << "\n  into " << request.folder << "/" << request.file_name << " (md5 "
              << request.md5 << "; Ctrl-C stops, the same command resumes)" << std::endl;

    g_interrupted.store(false);
    struct sigaction action = {}, previous = {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, &previous);
    ProgressLine line;
    const DownloadResult result =
        download_verified(request, [&](const DownloadProgress& p) { line.update(p); }, &g_interrupted);
    ::sigaction(SIGINT, &previous, nullptr);
    line.clear();
    if (!result.ok()) throw InputError(result.message);
    std::cout << result.message << "\n";
    return 0;
}

}  // namespace

int cmd_weights(const std::vector<std::string>& argv) {
    const std::string sub = argv.empty() ? "" : argv[0];
    if (sub == "list") {
        Args args = Args::parse({argv.begin() + 1, argv.end()}, {}, {});
        return weights_list(args);
    }
    if (sub == "verify") {
        if (argv.size() < 2 || argv[1].rfind("--", 0) == 0) throw UsageError("weights verify needs a FILE");
        Args args = Args::parse({argv.begin() + 2, argv.end()}, {"md5"}, {});
        return weights_verify(argv[1], args);
    }
    if (sub == "fetch") {
        Args args = Args::parse({argv.begin() + 1, argv.end()}, {"dir", "from", "md5"}, {"top"});
        return weights_fetch(args);
    }
    throw UsageError("weights needs list, verify FILE or fetch" + (sub.empty() ? std::string() : ", not \"" + sub + "\""));
}

}  // namespace convscope::cli
