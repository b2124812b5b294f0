#include "core/weights/fetch_request.hpp"

#include <cctype>

#include "core/errors.hpp"
#include "core/weights/known_weights.hpp"
#include "core/weights/md5.hpp"

namespace convscope {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The last path segment of a URL, without query or fragment.
std::string url_file_name(const std::string& url) {
    std::string path = url.substr(0, url.find_first_of("?#"));
    const std::size_t scheme = path.find("://");
    if (scheme != std::string::npos) path = path.substr(scheme + 3);
    const std::size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return "";  // only a host
    return path.substr(slash + 1);
}

const KnownWeightsFile* official_by_name(const std::string& name) {
    for (bool top : {true, false})
        if (name == official_download(top).file_name) return &official_download(top);
    return nullptr;
}

}  // namespace

DownloadRequest plan_fetch(const FetchOptions& o) {
    DownloadRequest r;
    r.folder = o.folder.empty() ? convscope_cache_dir() : o.folder;
    if (o.from.empty()) {
        if (!o.md5.empty())
            throw InputError("--md5 goes with --from: the official files' checksums are built in");
        const KnownWeightsFile& f = official_download(o.top);
        r.url = f.url;
        r.file_name = f.file_name;
        r.md5 = f.md5;
        return r;
    }

    if (!starts_with(o.from, "http://") && !starts_with(o.from, "https://") && !starts_with(o.from, "file://"))
        throw InputError("--from " + o.from + ": expected an http://, https:// or file:// URL (a local file is "
                         "file:///path/to/file.h5)");
    r.url = o.from;
    const std::string name = url_file_name(o.from);
    if (name.empty() || name == "." || name == "..")
        throw InputError("--from " + o.from + ": the URL names no file (it should end in the file's name)");
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-' && c != '+')
            throw InputError("--from " + o.from + ": the file name \"" + name + "\" may only hold letters, digits, "
                             "'.', '_', '-' and '+' (it becomes the name in the cache)");
    const KnownWeightsFile* official = o.top ? &official_download(true) : official_by_name(name);

    if (!o.md5.empty()) {
        r.md5 = normalize_md5(o.md5);
        if (official != nullptr && r.md5 != official->md5)
            throw InputError("--md5 " + o.md5 + " with --from " + o.from + ": " +
                             (o.top ? std::string("--top asks for the official file with the classifier")
                                    : "that is the official file's name") +
                             ", whose md5 is " + official->md5 + "; leave out --md5 or " +
                             (o.top ? "--top" : "serve the file under another name"));
    } else if (official != nullptr) {
        r.md5 = official->md5;
    } else {
        throw InputError("--from " + o.from + ": \"" + name + "\" is not an official file name, so its checksum is "
                         "unknown: give --md5 HEX (or --top for a mirror of the official file with the classifier)");
    }
    // A file known by its checksum keeps its published name, wherever it came from.
    const KnownWeightsFile* known = known_by_md5(r.md5);
    r.file_name = known != nullptr ? known->file_name : name;
    return r;
}

}  // namespace convscope
