// The GUI's ImageNet weights service: the download runs off the calling thread and ends with a verified file
// or nothing in the cache; the scan, the startup choice and the texts the network panel shows.

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "app/gui/weights_service.hpp"
#include "core/errors.hpp"
#include "core/weights/md5.hpp"
#include "tests/test_util.hpp"

using namespace convscope;
using namespace convscope::gui;
using convscope_test::TempDir;

namespace {

// Polls the service the way the UI does, once a frame, until the download has a result.
DownloadResult wait_for_result(WeightsService& service) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::optional<DownloadResult> r = service.take_download_result()) return *r;
        std::this_thread::sleep_for(std::chrono::milliseconds(16));
    }
    FAIL("the download did not finish within 60 s");
    return {};
}

std::vector<std::uint8_t> some_bytes(std::size_t n) {
    std::vector<std::uint8_t> bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = std::uint8_t((i * 131u + 7u) & 0xffu);
    return bytes;
}

}  // namespace

TEST_CASE("weights service: a mirror's file lands verified in the folder, a wrong md5 leaves nothing", "[gui][weights]") {
    TempDir source, cache;
    const std::string file = source.write("lab_resnet50.h5", some_bytes(300000));
    const std::string md5 = md5_file(file);
    int wakes = 0;
    WeightsService service([&wakes] { ++wakes; });

    FetchOptions options;
    options.folder = cache.path;
    options.from = "file://" + file;
    SECTION("the right md5") {
        options.md5 = md5;
        service.download(options);
        CHECK(service.snapshot().downloading);  // at once: the UI shows the progress bar in the same frame
        const DownloadResult r = wait_for_result(service);
        CHECK(r.ok());
        CHECK(r.path == cache / "lab_resnet50.h5");
        CHECK(md5_file(r.path) == md5);
        CHECK(cache.entries() == std::vector<std::string>{"lab_resnet50.h5"});
        const WeightsSnapshot s = service.snapshot();
        CHECK(!s.downloading);
        CHECK(s.progress.bytes == 300000);
        CHECK(s.download_target == cache / "lab_resnet50.h5");
        CHECK(wakes > 0);
        CHECK(!service.take_download_result());  // a result is taken once
    }
    SECTION("another md5") {
        options.md5 = "0123456789abcdef0123456789abcdef";
        service.download(options);
        const DownloadResult r = wait_for_result(service);
        CHECK(r.status == DownloadStatus::checksum_mismatch);
        CHECK(cache.entries().empty());  // neither the file nor a .part
    }
}

TEST_CASE("weights service: impossible options start nothing and say why", "[gui][weights]") {
    WeightsService service;
    FetchOptions options;
    options.from = "ftp://lab/r50.h5";
    CHECK_THROWS_AS(service.download(options), InputError);
    options.from = "file:///media/usb/mine.h5";  // not an official name, no md5
    CHECK_THROWS_AS(service.download(options), InputError);
    CHECK(!service.snapshot().downloading);
    CHECK(!service.take_download_result());
}

TEST_CASE("weights service: the scan runs in the background and counts its passes", "[gui][weights]") {
    WeightsService service;
    service.discover();
    // scanning is set before discover() returns (a screenshot waits for it); the background scan of an empty
    // folder may be over already by the time we look (CI's ThreadSanitizer run saw that), then it counted.
    const WeightsSnapshot first = service.snapshot();
    CHECK((first.scanning || first.scans == 1));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (service.snapshot().scanning && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(!service.snapshot().scanning);
    CHECK(service.snapshot().scans == 1);
}

TEST_CASE("the startup choice: a verified file that fits, the seed's naming first, never a partial", "[gui][weights]") {
    const std::vector<KnownWeightsFile>& known = known_weights_files();
    const KnownWeightsFile* seed_top = &known[0];
    const KnownWeightsFile* seed_notop = &known[1];
    const KnownWeightsFile* tf_top = &known[2];
    auto found = [](const std::string& path, const KnownWeightsFile* k, bool partial = false) {
        FoundWeights f;
        f.folder = "/c";
        f.folder_kind = "Keras cache";
        f.check.path = path;
        f.check.known = partial ? nullptr : k;
        f.partial = partial;
        return f;
    };
    CHECK(startup_weights({}, false) == nullptr);
    const std::vector<FoundWeights> only_partial = {found("/c/a.h5.part", seed_top, true)};
    CHECK(startup_weights(only_partial, false) == nullptr);
    const std::vector<FoundWeights> notop_only = {found("/c/notop.h5", seed_notop)};
    REQUIRE(startup_weights(notop_only, false) != nullptr);
    CHECK(startup_weights(notop_only, true) == nullptr);  // a network with the top wants fc1000 too
    const std::vector<FoundWeights> both = {found("/c/tf_top.h5", tf_top), found("/c/top.h5", seed_top)};
    CHECK(startup_weights(both, false)->check.path == "/c/top.h5");  // the seed's own naming first
    CHECK(startup_weights(both, true)->check.path == "/c/top.h5");
}

TEST_CASE("what the network panel says about the weights found and a download", "[gui][weights]") {
    FoundWeights verified;
    verified.check.known = &known_weights_files()[1];
    FoundWeights unknown;
    unknown.check.md5 = "00";
    FoundWeights part;
    part.partial = true;
    CHECK(describe_found({verified, unknown, part}) ==
          "1 verified file, 1 with an unknown checksum (not used), 1 interrupted download.");
    CHECK(describe_found({}).rfind("No ImageNet weights on this computer (looked in ", 0) == 0);

    DownloadProgress p;
    p.bytes = 12300000;
    p.total = 94700000;
    p.bytes_per_second = 2100000;
    CHECK(describe_progress(p) == "12.3 MB of 94.7 MB, 2.1 MB/s");
    p.total = 0;
    p.resumed_from = 5000000;
    CHECK(describe_progress(p) == "12.3 MB, 2.1 MB/s (resumed at 5.0 MB)");

    FetchOptions official;
    official.folder = "/home/a/.cache/convscope";
    const std::string text = download_plan_text(plan_fetch(official), false);
    CHECK(text.find("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5 (about 95 MB)") != std::string::npos);
    CHECK(text.find("into /home/a/.cache/convscope/") != std::string::npos);
    CHECK(text.find("a268eb855778b3df3c7506639542a6af") != std::string::npos);
    official.top = true;
    CHECK(download_plan_text(plan_fetch(official), true).find("(about 103 MB)") != std::string::npos);
}
