// Export: atomic files and file sets, .npy writing and reading with clear errors, PNG.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <sys/stat.h>

#include <stb_image.h>

#include "core/errors.hpp"
#include "core/export/atomic_file.hpp"
#include "core/export/npy.hpp"
#include "core/export/png.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::TempDir;
namespace fs = std::filesystem;

namespace {

void write_raw(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string read_raw(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// A .npy file built by hand, independent of encode_npy: version 1.0, the given header dict and `data`.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
    std::string header = dict;
    const std::size_t preamble = major == 1 ? 10 : 12;
    while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
    header += '\n';
    std::string out = std::string("\x93NUMPY", 6) + char(major) + char(0);
    out += char(header.size() & 0xff);
    out += char((header.size() >> 8) & 0xff);
    if (major != 1) out += std::string(2, '\0');
    return out + header + data;
}

std::string floats_le(const std::vector<float>& v) {
    std::string s(v.size() * 4, '\0');
    std::memcpy(&s[0], v.data(), s.size());  // the test machine is little-endian (x86-64)
    return s;
}

Tensor3 counting_tensor(std::size_t h, std::size_t w, std::size_t c) {
    Tensor3 t = Tensor3::from_shape({h, w, c});  // (H, W, C)
    for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
            for (std::size_t k = 0; k < c; ++k) t(y, x, k) = float(y * 100 + x * 10 + k) + 0.5f;
    return t;
}

}  // namespace

TEST_CASE("npy bytes follow the NPY 1.0 spec", "[export][npy]") {
    const Tensor3 t = counting_tensor(2, 3, 4);
    const std::vector<std::uint8_t> b = encode_npy(t);
    const std::string s(b.begin(), b.end());
    REQUIRE(s.size() > 10);
    CHECK(s.substr(0, 6) == std::string("\x93NUMPY", 6));
    CHECK(b[6] == 1);
    CHECK(b[7] == 0);
    const std::size_t header_len = b[8] | (std::size_t(b[9]) << 8);
    CHECK((10 + header_len) % 64 == 0);  // data aligned as numpy writes it
    const std::string header = s.substr(10, header_len);
    CHECK(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", 0) == 0);
    CHECK(header.back() == '\n');
    CHECK(header.find_first_not_of(' ', 62) == header.size() - 1);  // only spaces pad
    REQUIRE(s.size() == 10 + header_len + 2 * 3 * 4 * 4);
    // C order: (h, w, c) is value number (h * W + w) * C + c, little-endian float32.
    float v;
    std::memcpy(&v, s.data() + 10 + header_len + ((1 * 3 + 2) * 4 + 3) * 4, 4);
    CHECK(v == 123.5f);

    Tensor3 flat = Tensor3::from_shape({1, 1, 5});  // (1, 1, C): a (C,) vector
    flat.fill(2.0f);
    const std::vector<std::uint8_t> fb = encode_npy(flat, true);
    CHECK(std::string(fb.begin() + 10, fb.end()).rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", 0) == 0);
}

TEST_CASE("npy round trip through files", "[export][npy]") {
    TempDir dir;
    const Tensor3 t = counting_tensor(3, 5, 7);
    save_npy(dir / "a.npy", t);
    CHECK(dir.entries() == std::vector<std::string>{"a.npy"});  // no temp file left behind
    const Tensor3 back = load_npy_hwc(dir / "a.npy");
    CHECK(back == t);

    Tensor3 flat = Tensor3::from_shape({1, 1, 4});
    for (int k = 0; k < 4; ++k) flat(0, 0, k) = float(k) - 1.5f;
    save_npy(dir / "v.npy", flat, true);
    const auto v = load_npy_vector(dir / "v.npy");
    REQUIRE(v.size() == 4);
    CHECK(v(3) == 1.5f);
    CHECK_THROWS_WITH(load_npy_hwc(dir / "v.npy"),
                      dir / "v.npy" + ": 1 dimension (4,), expected 3 (H, W, C)");

    // Overwriting replaces the file and still leaves nothing else.
    save_npy(dir / "a.npy", flat);
    CHECK(load_npy_hwc(dir / "a.npy").shape()[2] == 4);
    CHECK(dir.entries() == std::vector<std::string>{"a.npy", "v.npy"});
}

TEST_CASE("npy readers accept what numpy writes", "[export][npy]") {
    TempDir dir;
    // A kernel (kh, kw, in, out) = (1, 2, 1, 3) and a numpy 2.0-format file.
    write_raw(dir / "k.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 1, 3), }",
                                       floats_le({0, 1, 2, 3, 4, 5}), 2));
    const auto k = load_npy_kernel(dir / "k.npy");
    CHECK(k.shape()[3] == 3);
    CHECK(k(0, 1, 0, 2) == 5.0f);

    // Fortran order: the first axis varies fastest. Shape (2, 3, 1): memory is (0,0) (1,0) (0,1) (1,1) ...
    write_raw(dir / "f.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 1), }",
                                       floats_le({0, 10, 1, 11, 2, 12})));
    const Tensor3 f = load_npy_hwc(dir / "f.npy");
    CHECK(f(1, 2, 0) == 12.0f);
    CHECK(f(0, 1, 0) == 1.0f);

    // Big-endian float32 and keys in another order.
    std::string be;
    for (float x : {1.0f, -2.0f}) {
        std::uint8_t b[4];
        std::memcpy(b, &x, 4);
        be += std::string{char(b[3]), char(b[2]), char(b[1]), char(b[0])};
    }
    write_raw(dir / "b.npy", npy_bytes("{'shape': (2,), 'fortran_order': False, 'descr': '>f4'}", be));
    const auto b = load_npy_vector(dir / "b.npy");
    CHECK(b(1) == -2.0f);
}

TEST_CASE("every bad .npy names the file, what was found and what is expected", "[export][npy]") {
    TempDir dir;
    const std::string p = dir / "x.npy";
    SECTION("float64") {
        write_raw(p, npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 1), }", std::string(32, '\0')));
        CHECK_THROWS_WITH(load_npy_hwc(p), p + ": dtype is <f8 (float64), expected float32 (<f4)");
    }
    SECTION("int32") {
        write_raw(p, npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", std::string(16, '\0')));
        CHECK_THROWS_WITH(load_npy_vector(p), p + ": dtype is <i4 (int32), expected float32 (<f4)");
    }
    SECTION("structured") {
        write_raw(p, npy_bytes("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1,), }",
                               std::string(8, '\0')));
        CHECK_THROWS_WITH(load_npy(p), Catch::StartsWith(p + ": dtype is a structured record [('a'"));
    }
    SECTION("wrong rank") {
        write_raw(p, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 7), }", std::string(140, '\0')));
        CHECK_THROWS_WITH(load_npy_hwc(p), p + ": 2 dimensions (5, 7), expected 3 (H, W, C)");
        CHECK_THROWS_WITH(load_npy_kernel(p), p + ": 2 dimensions (5, 7), expected 4 (kh, kw, in, out)");
    }
    SECTION("truncated data") {
        write_raw(p, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 10, 3), }", std::string(480, '\0')));
        CHECK_THROWS_WITH(load_npy_hwc(p), p + ": truncated: header promises 300 values, file holds 120");
    }
    SECTION("truncated header") {
        const std::string full = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", floats_le({1}));
        write_raw(p, full.substr(0, 30));
        CHECK_THROWS_WITH(load_npy_hwc(p), Catch::StartsWith(p + ": truncated: the header promises"));
        write_raw(p, full.substr(0, 8));
        CHECK_THROWS_WITH(load_npy_hwc(p), Catch::StartsWith(p + ": truncated"));
    }
    SECTION("empty file") {
        write_raw(p, "");
        CHECK_THROWS_WITH(load_npy_hwc(p), p + ": the file is empty; expected a NumPy .npy file");
    }
    SECTION("not an npy file") {
        write_raw(p, "x,y\n1,2\n");
        CHECK_THROWS_WITH(load_npy_hwc(p), Catch::StartsWith(p + ": not a NumPy .npy file"));
    }
    SECTION("malformed header") {
        write_raw(p, npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", floats_le({1})));
        CHECK_THROWS_WITH(load_npy(p), Catch::StartsWith(p + ": the .npy header is malformed (fortran_order"));
        write_raw(p, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2), }", floats_le({1})));
        CHECK_THROWS_WITH(load_npy(p), Catch::Contains("malformed") && Catch::Contains("dimension"));
        write_raw(p, npy_bytes("{'descr': '<f4', 'fortran_order': False}", floats_le({1})));
        CHECK_THROWS_WITH(load_npy(p), Catch::Contains("no 'shape' key"));
    }
    SECTION("unknown version") {
        std::string bytes = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", floats_le({1}));
        bytes[6] = 9;
        write_raw(p, bytes);
        CHECK_THROWS_WITH(load_npy(p), p + ": .npy format version 9.0 is not supported (1.0, 2.0 and 3.0 are)");
    }
    SECTION("empty axis") {
        write_raw(p, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4, 3), }", ""));
        CHECK_THROWS_WITH(load_npy_hwc(p), Catch::Contains("(0, 4, 3) has an empty axis"));
    }
    SECTION("missing file and folder") {
        CHECK_THROWS_WITH(load_npy_hwc(dir / "nope.npy"), dir / "nope.npy" + ": cannot open (No such file or directory)");
        CHECK_THROWS_WITH(load_npy_hwc(dir.path), dir.path + ": is a folder, expected a .npy file");
    }
    SECTION("all are InputError") {
        write_raw(p, "garbage");
        CHECK_THROWS_AS(load_npy_hwc(p), InputError);
    }
}

TEST_CASE("atomic writes into an impossible folder throw and leave nothing", "[export][atomic]") {
    TempDir dir;
    write_raw(dir / "file.txt", "a file, not a folder");
    const std::string target = dir / "file.txt/out.png";
    CHECK_THROWS_WITH(write_file_atomic(target, std::vector<std::uint8_t>{1, 2, 3}),
                      Catch::StartsWith("cannot write " + target + ": Not a directory"));
    CHECK_THROWS_AS(save_npy(dir / "missing/sub/out.npy", counting_tensor(1, 1, 1)), InputError);
    CHECK_THROWS_WITH(save_npy(dir / "missing/out.npy", counting_tensor(1, 1, 1)),
                      Catch::Contains("does not exist"));
    CHECK_THROWS_WITH(write_file_atomic(dir.path, std::vector<std::uint8_t>{1}), Catch::Contains("it is a folder"));
    CHECK(dir.entries() == std::vector<std::string>{"file.txt"});
    CHECK(read_raw(dir / "file.txt") == "a file, not a folder");
    CHECK_THROWS_AS(write_file_atomic("/proc/convscope-test.bin", std::vector<std::uint8_t>{1}), InputError);
}

// The rename that makes a write atomic replaces a directory entry itself: over a device or a named pipe it would
// leave a plain file in its place (an audit turned /dev/full into a .npy), over a symbolic link it would replace
// the link and leave its target unwritten. So a link is written through and every other kind of path that is not
// a regular file is refused. Devices cannot be made without root: the pipe stands for them (the same lstat test).
TEST_CASE("atomic writes go through symbolic links and refuse pipes, devices and dangling links",
          "[export][atomic]") {
    TempDir dir;
    write_raw(dir / "target.npy", "the link's target");
    fs::create_symlink("target.npy", dir / "link.npy");
    fs::create_symlink("nowhere.npy", dir / "dangling.npy");
    REQUIRE(::mkfifo((dir / "pipe.npy").c_str(), 0600) == 0);
    fs::create_symlink("pipe.npy", dir / "link-to-pipe.npy");
    const std::vector<std::uint8_t> bytes{1, 2, 3};
    const std::vector<std::string> before{"dangling.npy", "link-to-pipe.npy", "link.npy", "pipe.npy", "target.npy"};

    SECTION("refused, and nothing is replaced or left behind") {
        CHECK_THROWS_WITH(write_file_atomic(dir / "pipe.npy", bytes),
                          "cannot write " + dir / "pipe.npy" +
                              ": it is a named pipe (FIFO); name a regular file or a new one");
        CHECK_THROWS_WITH(write_file_atomic(dir / "link-to-pipe.npy", bytes), Catch::Contains("named pipe"));
        CHECK_THROWS_WITH(write_file_atomic(dir / "dangling.npy", bytes),
                          Catch::Contains("it is a symbolic link to a missing file"));
        CHECK_THROWS_WITH(save_npy(dir / "pipe.npy", counting_tensor(1, 1, 1)), Catch::Contains("named pipe"));
        CHECK_THROWS_AS(create_temp_beside(dir / "pipe.npy"), InputError);
        {
            AtomicFileSet set;
            set.add(dir / "new.npy", bytes);
            CHECK_THROWS_WITH(set.add(dir / "pipe.npy", bytes), Catch::Contains("named pipe"));
        }
        CHECK(dir.entries() == before);
        CHECK(fs::is_fifo(dir / "pipe.npy"));
        CHECK(fs::is_symlink(dir / "dangling.npy"));
        CHECK(read_raw(dir / "target.npy") == "the link's target");
    }
    SECTION("a link is written through: its target replaced, the link kept") {
        write_file_atomic(dir / "link.npy", bytes);
        CHECK(fs::is_symlink(dir / "link.npy"));
        CHECK(read_raw(dir / "target.npy") == std::string("\x01\x02\x03"));
        AtomicFileSet set;
        set.add(dir / "link.npy", std::vector<std::uint8_t>{4});
        CHECK(set.commit() == std::vector<std::string>{dir / "link.npy"});
        CHECK(fs::is_symlink(dir / "link.npy"));
        CHECK(read_raw(dir / "target.npy") == std::string("\x04"));
        CHECK(dir.entries() == before);
    }
}

TEST_CASE("ensure_directory creates parents and explains what stops it", "[export][atomic]") {
    TempDir dir;
    ensure_directory(dir / "a/b/c");
    CHECK(fs::is_directory(dir / "a/b/c"));
    ensure_directory(dir / "a/b/c");  // already there: fine
    ensure_directory(dir / "a/b/c/");
    write_raw(dir / "a/plain", "x");
    CHECK_THROWS_WITH(ensure_directory(dir / "a/plain/d"),
                      "cannot create folder " + dir / "a/plain/d" + ": " + dir / "a/plain" + " is a file, not a folder");
    CHECK_THROWS_AS(ensure_directory(dir / "a/plain"), InputError);
    CHECK_THROWS_WITH(ensure_directory("/proc/convscope-test-dir"),
                      Catch::StartsWith("cannot create folder /proc/convscope-test-dir: ") &&
                          !Catch::Contains("/proc/convscope-test-dir: /proc"));
    CHECK_THROWS_WITH(ensure_directory("/proc/convscope-test-dir/sub"),
                      Catch::StartsWith("cannot create folder /proc/convscope-test-dir/sub: /proc/convscope-test-dir: "));
    CHECK_THROWS_AS(ensure_directory(""), InputError);
}

TEST_CASE("a file set is written all or nothing", "[export][atomic]") {
    TempDir dir;
    const std::vector<std::uint8_t> bytes{7, 8, 9};
    SECTION("commit writes every file") {
        AtomicFileSet set;
        set.add(dir / "c0.png", bytes);
        set.add(dir / "c1.png", bytes);
        CHECK(!fs::exists(dir / "c0.png"));  // nothing visible before commit
        const std::vector<std::string> written = set.commit();
        CHECK(written == std::vector<std::string>{dir / "c0.png", dir / "c1.png"});
        CHECK(dir.entries() == std::vector<std::string>{"c0.png", "c1.png"});
        CHECK(read_raw(dir / "c1.png") == std::string("\x07\x08\x09"));
    }
    SECTION("a failing file removes the others") {
        write_raw(dir / "blocker", "x");
        write_raw(dir / "c0.png", "old");
        AtomicFileSet set;
        set.add(dir / "c0.png", bytes);
        set.add(dir / "c1.png", bytes);
        CHECK_THROWS_AS(set.add(dir / "blocker/c2.png", bytes), InputError);
        CHECK(dir.entries() == std::vector<std::string>{"blocker", "c0.png"});
        CHECK(read_raw(dir / "c0.png") == "old");  // the previous export is untouched
        CHECK_THROWS(set.commit());
    }
    SECTION("an abandoned set leaves nothing") {
        {
            AtomicFileSet set;
            set.add(dir / "n0.npy", bytes);
            set.add(dir / "n1.npy", bytes);
        }
        CHECK(dir.entries().empty());
    }
    SECTION("the same name twice is refused") {
        AtomicFileSet set;
        set.add(dir / "same.png", bytes);
        CHECK_THROWS_WITH(set.add(dir / "same.png", bytes), Catch::Contains("occurs twice"));
        CHECK(dir.entries().empty());
    }
}

TEST_CASE("PNG files decode to the pixels written", "[export][png]") {
    TempDir dir;
    RgbaImage img(3, 2, Rgba8{10, 20, 30, 255});
    img.fill(2, 1, 1, 1, Rgba8{200, 100, 50, 128});
    save_png(dir / "img.png", img);
    CHECK(dir.entries() == std::vector<std::string>{"img.png"});
    const std::string data = read_raw(dir / "img.png");
    int w = 0, h = 0, n = 0;
    stbi_uc* px = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(data.data()), int(data.size()), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    CHECK(w == 3);
    CHECK(h == 2);
    CHECK(std::vector<int>(px, px + 4) == std::vector<int>{10, 20, 30, 255});
    CHECK(std::vector<int>(px + 20, px + 24) == std::vector<int>{200, 100, 50, 128});
    stbi_image_free(px);

    CHECK_THROWS_AS(save_png(dir / "empty.png", RgbaImage{}), InputError);
    write_raw(dir / "f", "x");
    CHECK_THROWS_AS(save_png(dir / "f/img.png", img), InputError);
    CHECK(dir.entries() == std::vector<std::string>{"f", "img.png"});
}
