// Downloading weights: a loopback HTTP server (loopback_http_server.hpp) stands in for the release host and
// answers well, badly or not at all. After every case the folder holds the verified file, or no weights
// file (an interrupted download's ".part" is kept for the resume, and is never taken for weights).

#include <sys/file.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "core/weights/download.hpp"
#include "core/weights/md5.hpp"
#include "loopback_http_server.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::LoopbackHttpServer;
using convscope_test::TempDir;

namespace {

const char* const kName = "weights.h5";

std::vector<std::uint8_t> make_body(std::size_t size) {
    std::mt19937 rng(1234);
    std::vector<std::uint8_t> body(size);
    for (auto& b : body) b = std::uint8_t(rng());
    return body;
}

std::string md5_of(const std::vector<std::uint8_t>& bytes) {
    Md5 md5;
    md5.update(bytes.data(), bytes.size());
    return md5.hex();
}

std::vector<std::uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Keeps the loopback transfers away from any proxy the environment names.
struct NoProxy {
    NoProxy() { ::setenv("no_proxy", "127.0.0.1,localhost", 1); }
};

DownloadRequest request_for(const std::string& url, const TempDir& dir, const std::string& md5) {
    DownloadRequest r;
    r.url = url;
    r.folder = dir.path;
    r.file_name = kName;
    r.md5 = md5;
    r.stall_timeout_seconds = 30;
    return r;
}

const std::vector<std::string> kNothing;
const std::vector<std::string> kOnlyFile = {kName};
const std::vector<std::string> kOnlyPart = {std::string(kName) + ".part"};

}  // namespace

TEST_CASE("md5 matches RFC 1321's test vectors", "[weights][md5]") {
    const auto hex = [](const std::string& text) {
        Md5 md5;
        md5.update(text.data(), text.size());
        return md5.hex();
    };
    CHECK(hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
    CHECK(hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
          "57edf4a22be3c955ac49da2e2107b67a");
    TempDir dir;
    const std::string path = dir.write("abc", {'a', 'b', 'c'});
    CHECK(md5_file(path) == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(normalize_md5("A7B3FE01876F51B976AF0DEA6BC144EB") == "a7b3fe01876f51b976af0dea6bc144eb");
    CHECK_THROWS_WITH(normalize_md5("a7b3"), Catch::Contains("32 hexadecimal digits"));
}

TEST_CASE("download: a good transfer is verified and renamed into place", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(300000);
    LoopbackHttpServer server(body);
    TempDir dir;
    std::vector<DownloadProgress> seen;
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)),
                                               [&](const DownloadProgress& p) { seen.push_back(p); });
    INFO(r.message);
    CHECK(r.status == DownloadStatus::verified);
    CHECK(r.ok());
    CHECK(r.path == dir / kName);
    CHECK(dir.entries() == kOnlyFile);
    CHECK(read_all(dir / kName) == body);
    REQUIRE(!seen.empty());
    CHECK(seen.back().bytes == body.size());
    CHECK(seen.back().total == body.size());

    SECTION("a second fetch finds the verified file and asks the server nothing") {
        const DownloadResult again = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
        CHECK(again.status == DownloadStatus::already_there);
        CHECK(server.ranges().size() == 1);
        CHECK(dir.entries() == kOnlyFile);
    }
}

TEST_CASE("download: a redirect is followed, also when resuming", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(200000);
    LoopbackHttpServer server(body);
    TempDir dir;
    server.set_mode(LoopbackHttpServer::Mode::truncate);
    const DownloadResult cut = download_verified(request_for(server.url("/moved/w.h5"), dir, md5_of(body)));
    CHECK(cut.status == DownloadStatus::interrupted);
    server.set_mode(LoopbackHttpServer::Mode::serve);
    const DownloadResult r = download_verified(request_for(server.url("/moved/w.h5"), dir, md5_of(body)));
    INFO(r.message);
    CHECK(r.status == DownloadStatus::verified);
    CHECK(server.ranges().back() == "bytes=" + std::to_string(body.size() / 2) + "-");  // sent again after the 302
    CHECK(read_all(dir / kName) == body);
    CHECK(dir.entries() == kOnlyFile);
}

TEST_CASE("download: a slow server reports growing progress with a rate", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(100000);
    LoopbackHttpServer server(body);
    server.set_mode(LoopbackHttpServer::Mode::slow);
    TempDir dir;
    std::vector<DownloadProgress> seen;
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)),
                                               [&](const DownloadProgress& p) { seen.push_back(p); });
    CHECK(r.status == DownloadStatus::verified);
    std::set<std::uint64_t> distinct;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        distinct.insert(seen[i].bytes);
        if (i > 0) CHECK(seen[i].bytes >= seen[i - 1].bytes);
    }
    CHECK(distinct.size() >= 3);
    REQUIRE(!seen.empty());
    CHECK(seen.back().bytes == body.size());
    CHECK(seen.back().bytes_per_second > 0);
}

TEST_CASE("download: a truncated transfer keeps only the .part, and the next one resumes it", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(300000);
    LoopbackHttpServer server(body);
    TempDir dir;
    server.set_mode(LoopbackHttpServer::Mode::truncate);
    const DownloadResult cut = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
    INFO(cut.message);
    CHECK(cut.status == DownloadStatus::interrupted);
    CHECK(!cut.ok());
    CHECK(dir.entries() == kOnlyPart);
    const std::size_t half = body.size() / 2;
    CHECK(read_all(dir / (std::string(kName) + ".part")) == std::vector<std::uint8_t>(body.begin(), body.begin() + long(half)));

    SECTION("resumed with an HTTP Range request for the rest only") {
        server.set_mode(LoopbackHttpServer::Mode::serve);
        const std::uint64_t sent_before = server.body_bytes_sent();
        const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
        INFO(r.message);
        CHECK(r.status == DownloadStatus::verified);
        CHECK(server.ranges().back() == "bytes=" + std::to_string(half) + "-");
        CHECK(server.body_bytes_sent() - sent_before == body.size() - half);
        CHECK(dir.entries() == kOnlyFile);
        CHECK(read_all(dir / kName) == body);
    }
    SECTION("a server that cannot resume sends it all again, and the file is still whole") {
        server.set_mode(LoopbackHttpServer::Mode::no_range);
        const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
        INFO(r.message);
        CHECK(r.status == DownloadStatus::verified);
        CHECK(dir.entries() == kOnlyFile);
        CHECK(read_all(dir / kName) == body);
    }
}

TEST_CASE("download: a kept part longer than the file (HTTP 416) is replaced by a fresh download", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(50000);
    LoopbackHttpServer server(body);
    TempDir dir;
    dir.write(std::string(kName) + ".part", make_body(60000));
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
    INFO(r.message);
    CHECK(r.status == DownloadStatus::verified);
    CHECK(dir.entries() == kOnlyFile);
    CHECK(read_all(dir / kName) == body);
}

TEST_CASE("download: a wrong checksum leaves nothing", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(100000);
    LoopbackHttpServer server(body);
    TempDir dir;
    const std::string wrong(32, '0');
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, wrong));
    CHECK(r.status == DownloadStatus::checksum_mismatch);
    CHECK_THAT(r.message, Catch::Contains(md5_of(body)) && Catch::Contains(wrong));
    CHECK(r.message.find('\n') == std::string::npos);
    CHECK(dir.entries() == kNothing);
}

TEST_CASE("download: HTTP 404 leaves nothing and says where the file should go", "[weights][download]") {
    NoProxy no_proxy;
    LoopbackHttpServer server(make_body(1000));
    server.set_mode(LoopbackHttpServer::Mode::not_found);
    TempDir dir;
    const DownloadResult r = download_verified(request_for(server.url("/missing.h5"), dir, std::string(32, 'a')));
    CHECK(r.status == DownloadStatus::http_error);
    CHECK(r.http_status == 404);
    CHECK_THAT(r.message, Catch::Contains(server.url("/missing.h5")) && Catch::Contains("404") &&
                              Catch::Contains(dir / kName));
    CHECK(dir.entries() == kNothing);
}

TEST_CASE("download: a refused connection names the URL and the folder to put the file in", "[weights][download]") {
    NoProxy no_proxy;
    TempDir dir;
    const std::string url = "http://127.0.0.1:" + std::to_string(LoopbackHttpServer::refused_port()) + "/w.h5";
    const DownloadResult r = download_verified(request_for(url, dir, std::string(32, 'a')));
    CHECK(r.status == DownloadStatus::unreachable);
    CHECK_THAT(r.message, Catch::Contains("cannot reach " + url) && Catch::Contains("put it in " + dir / kName));
    CHECK(r.message.find('\n') == std::string::npos);
    CHECK(dir.entries() == kNothing);
}

TEST_CASE("download: a full disk removes the partial file", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(300000);
    LoopbackHttpServer server(body);
    TempDir dir;
    // The file size limit makes write() fail past 64 kB, as a full disk does (with EFBIG instead of ENOSPC).
    rlimit saved{};
    ::getrlimit(RLIMIT_FSIZE, &saved);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved;
    limited.rlim_cur = 64 * 1024;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous_handler);
    INFO(r.message);
    CHECK(r.status == DownloadStatus::write_failed);
    CHECK_THAT(r.message, Catch::Contains("cannot write " + dir / kName + ".part") && Catch::Contains("File too large"));
    CHECK(dir.entries() == kNothing);
}

TEST_CASE("download: cancel mid-way keeps the part, and the next download finishes it", "[weights][download]") {
    NoProxy no_proxy;
    const auto body = make_body(300000);
    LoopbackHttpServer server(body);
    server.set_mode(LoopbackHttpServer::Mode::stall);
    TempDir dir;
    std::atomic<bool> cancel{false};
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)),
                                               [&](const DownloadProgress& p) {
                                                   if (p.bytes >= body.size() / 2) cancel = true;
                                               },
                                               &cancel);
    INFO(r.message);
    CHECK(r.status == DownloadStatus::cancelled);
    CHECK(dir.entries() == kOnlyPart);

    server.set_mode(LoopbackHttpServer::Mode::serve);
    const DownloadResult resumed = download_verified(request_for(server.url("/w.h5"), dir, md5_of(body)));
    INFO(resumed.message);
    CHECK(resumed.status == DownloadStatus::verified);
    CHECK(server.ranges().back() == "bytes=" + std::to_string(body.size() / 2) + "-");
    CHECK(read_all(dir / kName) == body);
    CHECK(dir.entries() == kOnlyFile);
}

TEST_CASE("download: a second download into the same .part is refused while the first runs", "[weights][download]") {
    NoProxy no_proxy;
    LoopbackHttpServer server(make_body(1000));
    TempDir dir;
    const std::string part = dir / (std::string(kName) + ".part");
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT, 0666);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);  // what the first download holds
    const DownloadResult r = download_verified(request_for(server.url("/w.h5"), dir, std::string(32, 'a')));
    ::close(fd);
    CHECK(r.status == DownloadStatus::busy);
    CHECK(server.ranges().empty());
}
