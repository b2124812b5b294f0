// The known ResNet50 weights files: where they are looked for, how a file is recognised, and what
// `weights fetch` asks for with each combination of options.

#include <cstdlib>
#include <filesystem>
#include <optional>

#include <catch2/catch.hpp>

#include "core/errors.hpp"
#include "core/weights/fetch_request.hpp"
#include "core/weights/known_weights.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::TempDir;

namespace {

// Sets (or unsets, with nullptr) an environment variable for one test and restores it afterwards.
class EnvVar {
public:
    EnvVar(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~EnvVar() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

const char* const kTop = "resnet50_weights_tf_dim_ordering_tf_kernels.h5";
const char* const kNotop = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5";

}  // namespace

TEST_CASE("the four known files, by the checksums Keras publishes", "[weights][known]") {
    REQUIRE(known_weights_files().size() == 4);
    const KnownWeightsFile* top = known_by_md5("a7b3fe01876f51b976af0dea6bc144eb");
    REQUIRE(top != nullptr);
    CHECK(top->include_top);
    CHECK(top->naming == WeightsNaming::seed);
    CHECK(std::string(top->file_name) == kTop);
    const KnownWeightsFile* notop = known_by_md5("a268eb855778b3df3c7506639542a6af");
    REQUIRE(notop != nullptr);
    CHECK(!notop->include_top);
    CHECK(std::string(notop->url) ==
          "https://github.com/fchollet/deep-learning-models/releases/download/v0.2/" + std::string(kNotop));
    const KnownWeightsFile* tf_top = known_by_md5("2cb95161c43110f7111970584f804107");
    REQUIRE(tf_top != nullptr);
    CHECK(tf_top->naming == WeightsNaming::tf_keras);
    CHECK(std::string(tf_top->file_name) == kTop);  // the same name as the keras-applications file
    const KnownWeightsFile* tf_notop = known_by_md5("4d473c1dd8becc155b73f8504c6f6626");
    REQUIRE(tf_notop != nullptr);
    CHECK(std::string(tf_notop->file_name) == kNotop);
    CHECK(known_by_md5(std::string(32, '0')) == nullptr);
    CHECK(&official_download(true) == top);
    CHECK(&official_download(false) == notop);
}

TEST_CASE("cache folders follow XDG_CACHE_HOME, KERAS_HOME and HOME", "[weights][known]") {
    SECTION("variables set") {
        EnvVar xdg("XDG_CACHE_HOME", "/x/cache/");
        EnvVar keras("KERAS_HOME", "/k");
        CHECK(convscope_cache_dir() == "/x/cache/convscope");
        CHECK(keras_cache_dirs() == std::vector<std::string>{"/k/models", "/tmp/.keras/models"});
    }
    SECTION("unset, or relative (which the XDG rules ignore): under HOME") {
        EnvVar home("HOME", "/home/learner");
        EnvVar xdg("XDG_CACHE_HOME", "relative/cache");
        EnvVar keras("KERAS_HOME", nullptr);
        CHECK(convscope_cache_dir() == "/home/learner/.cache/convscope");
        CHECK(keras_cache_dirs() == std::vector<std::string>{"/home/learner/.keras/models", "/tmp/.keras/models"});
    }
}

TEST_CASE("discovery lists each file under a known name, verified or not, and interrupted downloads", "[weights][known]") {
    TempDir home;
    EnvVar home_var("HOME", home.path.c_str());
    EnvVar xdg("XDG_CACHE_HOME", nullptr);
    EnvVar keras("KERAS_HOME", (home / "kh").c_str());
    std::filesystem::create_directories(home / ".cache/convscope");
    std::filesystem::create_directories(home / "kh/models");
    home.write(std::string(".cache/convscope/") + kNotop + ".part", {1, 2, 3});
    home.write(std::string("kh/models/") + kTop, {'a', 'b', 'c'});  // the right name, not the right file
    home.write("kh/models/other.h5", {1});                          // not a known name: not listed

    const std::vector<FoundWeights> found = discover_weights();
    std::vector<FoundWeights> here;  // /tmp/.keras/models is shared with the machine: leave it out
    for (const FoundWeights& f : found)
        if (f.folder.rfind(home.path, 0) == 0) here.push_back(f);
    REQUIRE(here.size() == 2);
    CHECK(here[0].check.path == home / ".cache/convscope/" + kNotop + ".part");
    CHECK(here[0].partial);
    CHECK(here[0].folder_kind == "convscope cache");
    CHECK(here[1].check.path == home / "kh/models/" + kTop);
    CHECK(here[1].folder_kind == "Keras cache");
    CHECK(!here[1].partial);
    CHECK(here[1].check.md5 == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(!here[1].check.verified());
    CHECK(pick_weights(here, false) == nullptr);  // neither a partial nor an unverified file is ever used
}

TEST_CASE("a missing or unreadable file is a problem to report, not an exception", "[weights][known]") {
    TempDir dir;
    const WeightsCheck missing = check_weights_file(dir / "nope.h5");
    CHECK(!missing.verified());
    CHECK(missing.problem == "No such file or directory");
    const WeightsCheck folder = check_weights_file(dir.path);
    CHECK(folder.problem == "not a regular file");
}

TEST_CASE("fetch plans: official files, mirrors and other files", "[weights][fetch]") {
    TempDir cache;
    EnvVar xdg("XDG_CACHE_HOME", cache.path.c_str());
    const std::string mirror = "http://lab.example/weights/";

    SECTION("no options: the official backbone file into convscope's cache") {
        const DownloadRequest r = plan_fetch({});
        CHECK(r.url == official_download(false).url);
        CHECK(r.folder == cache / "convscope");
        CHECK(r.file_name == kNotop);
        CHECK(r.md5 == "a268eb855778b3df3c7506639542a6af");
    }
    SECTION("--top --dir") {
        const DownloadRequest r = plan_fetch({true, "/somewhere", "", ""});
        CHECK(r.url == official_download(true).url);
        CHECK(r.folder == "/somewhere");
        CHECK(r.md5 == "a7b3fe01876f51b976af0dea6bc144eb");
    }
    SECTION("a mirror under the official name is checked against the official checksum") {
        const DownloadRequest r = plan_fetch({false, "", mirror + kTop, ""});
        CHECK(r.url == mirror + kTop);
        CHECK(r.md5 == "a7b3fe01876f51b976af0dea6bc144eb");
        CHECK(r.file_name == kTop);
    }
    SECTION("--from with --top: a renamed mirror of the file with the classifier keeps the official name") {
        const DownloadRequest r = plan_fetch({true, "", mirror + "resnet.h5", ""});
        CHECK(r.md5 == "a7b3fe01876f51b976af0dea6bc144eb");
        CHECK(r.file_name == kTop);
    }
    SECTION("any other file needs --md5, and keeps its own name") {
        CHECK_THROWS_WITH(plan_fetch({false, "", mirror + "resnet.h5", ""}), Catch::Contains("give --md5 HEX"));
        const DownloadRequest r = plan_fetch({false, "", mirror + "resnet.h5?x=1", "0123456789ABCDEF0123456789abcdef"});
        CHECK(r.file_name == "resnet.h5");
        CHECK(r.md5 == "0123456789abcdef0123456789abcdef");
    }
    SECTION("a file whose --md5 is a known file's gets that file's name") {
        const DownloadRequest r = plan_fetch({false, "", "file:///media/usb/r50.h5", "4d473c1dd8becc155b73f8504c6f6626"});
        CHECK(r.file_name == kNotop);
    }
    SECTION("refused combinations name the option and the rule") {
        CHECK_THROWS_AS(plan_fetch({false, "", "", "a268eb855778b3df3c7506639542a6af"}), InputError);
        CHECK_THROWS_WITH(plan_fetch({false, "", mirror + kNotop, std::string(32, 'b')}),
                          Catch::Contains("official file's name") && Catch::Contains("a268eb855778b3df3c7506639542a6af"));
        CHECK_THROWS_WITH(plan_fetch({false, "", "ftp://lab/x.h5", std::string(32, 'b')}), Catch::Contains("http://"));
        CHECK_THROWS_WITH(plan_fetch({false, "", "http://lab", std::string(32, 'b')}), Catch::Contains("names no file"));
        CHECK_THROWS_WITH(plan_fetch({false, "", mirror + "a%2F..", std::string(32, 'b')}), Catch::Contains("may only hold"));
        CHECK_THROWS_WITH(plan_fetch({false, "", mirror + "x.h5", "xyz"}), Catch::Contains("32 hexadecimal digits"));
    }
}
