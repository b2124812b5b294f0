#pragma once
// Small helpers shared by the C++ tests.
//
//   TempDir               a fresh, empty folder for one test, removed with everything in it afterwards:
//                         dir / "name" is a path in it, dir.write(name, bytes) creates a file, dir.entries()
//                         lists its names, sorted
//   bitwise_equal(a, b)   same shape (or size) and the same bits in every element: tensors or float vectors

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <catch2/catch.hpp>

#include "core/tensor.hpp"

namespace convscope_test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "convscope-test-XXXXXX").string();
        REQUIRE(::mkdtemp(&tmpl[0]) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string operator/(const std::string& name) const { return path + "/" + name; }

    // Writes `bytes` to the file `name` in this folder; returns its path.
    std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
        const std::string p = *this / name;
        std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        return p;
    }

    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    std::string path;
};

// Bitwise equality (a NaN equals the same NaN, -0 differs from +0), spelled out: inside CHECK() xtensor's operator
// templates collide with Catch's decomposer.
inline bool bitwise_equal(const convscope::Tensor3& a, const convscope::Tensor3& b) {
    return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}
inline bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace convscope_test
