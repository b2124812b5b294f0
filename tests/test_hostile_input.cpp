// Hostile input: files and configurations crafted to crash, hang or exhaust the program. Each test is one
// kind of attack, and fails on the code before the defence was added.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstring>
#include <string>
#include <tuple>

#include <hdf5.h>

#include "core/aligned_memory.hpp"
#include "core/errors.hpp"
#include "core/export/npy.hpp"
#include "core/image/image.hpp"
#include "core/layers/conv2d.hpp"
#include "core/layers/input_layer.hpp"
#include "core/limits.hpp"
#include "core/model/resnet50.hpp"
#include "core/weights/h5_file.hpp"
#include "core/weights/keras_h5.hpp"
#include "test_util.hpp"

using namespace convscope;
using convscope_test::TempDir;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(std::uint8_t(v >> (8 * i)));
}

// A PNG signature and an IHDR chunk for w x h RGB (CRC not checked by the size checks), then `rest`.
std::vector<std::uint8_t> png_header(std::uint32_t w, std::uint32_t h, const std::vector<std::uint8_t>& rest = {}) {
    std::vector<std::uint8_t> p = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put_be32(p, 13);
    for (char c : std::string("IHDR")) p.push_back(std::uint8_t(c));
    put_be32(p, w);
    put_be32(p, h);
    for (std::uint8_t b : {8, 2, 0, 0, 0}) p.push_back(b);
    put_be32(p, 0);  // CRC
    p.insert(p.end(), rest.begin(), rest.end());
    return p;
}

bool one_printable_line(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return false;
    return true;
}

}  // namespace

TEST_CASE("printable() escapes control bytes and cuts long text", "[hostile]") {
    CHECK(printable("a\nb\x1b[31mred\x1b[0m\t") == "a\\nb\\x1b[31mred\\x1b[0m\\t");
    CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");           // UTF-8 stays
    CHECK(printable("\xc2\x9b" "2J") == "\\xc2\\x9b2J");        // a C1 control (CSI) does not
    CHECK(printable(std::string(500, 'x'), 100) == std::string(100, 'x') + "... (400 more bytes)");
}

TEST_CASE("AlignedAllocator refuses a count whose byte size wraps around", "[hostile]") {
    AlignedAllocator<float> a;
    CHECK_THROWS_AS(a.allocate(SIZE_MAX / 2), std::bad_alloc);  // * 4 would wrap to a small buffer
}

TEST_CASE("a dilated kernel whose span overflows an int is refused, not computed", "[hostile]") {
    // (9 - 1) * 536870912 + 1 = 2^32 + 1: in 32 bits it wrapped to 1, the kernel "fit" a 5x5 input and
    // the conv ran with exit 0 on garbage.
    Conv2DConfig c;
    c.filters = 1;
    c.kernel_size = 9;
    c.dilation_rate = 536870912;
    const Conv2D conv(c);
    CHECK_THROWS_WITH(conv.output_shape({Shape::image(5, 5, 1)}),
                      Catch::Contains("spans (9 - 1) * 536870912 + 1 = 4294967297 pixels") &&
                          Catch::Contains("at most 1073741824"));
}

TEST_CASE("a Conv2D whose kernel or output is over the memory budget is refused with its size", "[hostile]") {
    Conv2DConfig c;
    c.filters = 65536;
    c.kernel_size = 32768;
    c.padding = Padding::same;
    const Conv2D huge(c);  // 32768 * 32768 * 65536 * 65536 floats: 2^64 bytes, which wrapped to 0
    CHECK_THROWS_AS(huge.output_shape({Shape::image(1, 1, 65536)}), BudgetError);
    CHECK_THROWS_WITH(huge.output_shape({Shape::image(1, 1, 65536)}), Catch::Contains("more than 8 EiB"));

    c.filters = 400000;
    c.kernel_size = 30;
    const Conv2D big(c);  // the `shape` example: a 4 GB kernel
    CHECK_THROWS_WITH(big.output_shape({Shape::image(600, 600, 3)}),
                      Catch::Contains("(30, 30, 3, 400000)") && Catch::Contains("4.0 GiB") &&
                          Catch::Contains("weights budget is 2.0 GiB"));
    // weight_shapes() is arithmetic: it answers without allocating 4 GB.
    CHECK(big.weight_shapes({Shape::image(600, 600, 3)})[0] == std::vector<std::size_t>{30, 30, 3, 400000});
}

TEST_CASE("a graph over the memory budget is refused before any weight is allocated", "[hostile]") {
    ResNet50Options o;
    Graph g = build_resnet50(o);
    const Graph::MemoryNeeds needs = g.memory_needs();
    REQUIRE(needs.weight_bytes);
    CHECK(*needs.weight_bytes == g.param_count() * 4);  // the arithmetic agrees with what was allocated
    // res4f_branch2b at 64x64 kernels and 4096 filters alone is 64 GiB: an error at that node, and the
    // rest still builds.
    auto* conv = dynamic_cast<Conv2D*>(g.node(g.find("res4f_branch2b")).layer.get());
    Conv2DConfig c = conv->config();
    c.filters = 4096;
    c.kernel_size = 64;
    conv->set_config(c);
    const std::vector<NodeShape> shapes = g.infer_shapes();
    CHECK_THAT(shapes[std::size_t(g.find("res4f_branch2b"))].error, Catch::Contains("budget"));
    CHECK_NOTHROW(g.build_weights());
    CHECK(g.node(g.find("res4f_branch2b")).layer->weights()[0].values.size() != std::size_t(64) * 64 * 1024 * 4096);
}

TEST_CASE("an input shape over the activations budget is refused", "[hostile]") {
    const InputLayer in(Shape::image(100000, 100000, 3));
    CHECK_THROWS_AS(in.output_shape({}), BudgetError);
}

TEST_CASE(".npy: hostile headers", "[hostile][npy]") {
    TempDir dir;
    auto npy = [&](const std::string& name, const std::string& header, const std::string& data = "") {
        std::string h = header;
        while ((10 + h.size() + 1) % 64) h += ' ';
        h += '\n';
        std::string file = std::string("\x93NUMPY\x01\x00", 8) + char(h.size() & 0xff) + char(h.size() >> 8) + h + data;
        return dir.write(name, bytes_of(file));
    };
    SECTION("an empty array loads as empty, without memcpy from null") {
        const NpyArray a = load_npy(npy("empty.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3, 3), }"));
        CHECK(a.values.empty());
        CHECK_THROWS_WITH(load_npy_hwc(dir / "empty.npy"), Catch::Contains("has an empty axis"));
    }
    SECTION("a header promising more values than the file holds is refused before reading") {
        const std::string path = npy("big.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }");
        CHECK_THROWS_WITH(load_npy(path), Catch::Contains("header promises 10000000000 values, file holds 0"));
    }
    SECTION("terminal escapes and newlines in a header are not echoed raw") {
        const std::string path =
            npy("esc.npy", "{'descr': '<f4',\n'fortran_order': False,\n'shape': (1, 1, 3), 'x': \x1b[31mred\x1b[0m }",
                std::string(12, '\0'));
        try {
            load_npy(path);
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK(one_printable_line(e.what()));
            CHECK_THAT(e.what(), Catch::Contains("\\x1b[31m"));
        }
    }
    SECTION("a FIFO is refused instead of blocking") {
        const std::string fifo = dir / "pipe.npy";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        CHECK_THROWS_WITH(load_npy(fifo), Catch::Contains("is a FIFO (named pipe), not a regular file"));
    }
    SECTION("a device is refused instead of read whole") {
        CHECK_THROWS_WITH(load_npy("/dev/zero"), Catch::Contains("is a character device, not a regular file"));
    }
}

TEST_CASE("images: only PNG, JPEG, BMP and GIF reach the decoder, and only up to 64 megapixels", "[hostile][image]") {
    TempDir dir;
    // A PNM file (stb would read it, with its heap over-read), named .png.
    const std::string pnm = dir.write("p.png", bytes_of("P5\n5\n5111"));
    CHECK_THROWS_WITH(load_image(pnm), Catch::Contains("not a PNG, JPEG, BMP or GIF file"));
    const std::string psd = dir.write("x.psd", bytes_of("8BPS\x00\x01"));
    CHECK_THROWS_WITH(load_image(psd), Catch::Contains("not a PNG, JPEG, BMP or GIF file"));

    // 18000 x 19000 (342 MP) in a few bytes: refused from the header, before decoding.
    const std::string huge = dir.write("huge.png", png_header(18000, 19000));
    CHECK_THROWS_WITH(load_image(huge), Catch::Contains("18000 x 19000 pixels (342 megapixels)") &&
                                            Catch::Contains("at most 64 megapixels"));
    // Past about 2^30 bytes of pixels stb_image's PNG reader refuses the size itself, and its generic info call
    // then reported the last other format's failure ("unknown image type"): the size is read here first.
    for (const auto& [w, h, mp] : {std::tuple{30000, 30000, "900"}, std::tuple{100000, 100000, "10000"}}) {
        const std::string larger = dir.write("larger.png", png_header(w, h));
        CHECK_THROWS_WITH(load_image(larger), Catch::Contains(std::to_string(w) + " x " + std::to_string(h) +
                                                              " pixels (" + mp + " megapixels)") &&
                                                  Catch::Contains("at most 64 megapixels"));
    }
    // The same for a BMP, whose height is negative when its rows run top-down.
    std::vector<std::uint8_t> bmp{'B', 'M'};
    auto put_le32 = [&](std::int64_t v) {
        for (int i = 0; i < 4; ++i) bmp.push_back(std::uint8_t(std::uint32_t(v) >> (8 * i)));
    };
    put_le32(54), put_le32(0), put_le32(54);  // file size, reserved, pixel offset
    put_le32(40), put_le32(40000), put_le32(-50000);  // BITMAPINFOHEADER: its size, width, height (top-down)
    bmp.insert(bmp.end(), {1, 0, 24, 0});  // one plane, 24 bits per pixel
    bmp.resize(54, 0);
    CHECK_THROWS_WITH(load_image(dir.write("huge.bmp", bmp)),
                      Catch::Contains("the BMP image is 40000 x 50000 pixels (2000 megapixels)"));
    // A chunk length that would make stb grow a buffer to 1.5 GiB.
    std::vector<std::uint8_t> idat;
    put_be32(idat, 0x60000000);
    for (char c : std::string("IDATxxxx")) idat.push_back(std::uint8_t(c));
    const std::string grow = dir.write("grow.png", png_header(4, 4, idat));
    CHECK_THROWS_WITH(load_image(grow), Catch::Contains("truncated or damaged") &&
                                            Catch::Contains("claims 1610612736 bytes"));
    CHECK_THROWS_WITH(load_image("/dev/urandom"), Catch::Contains("is a character device, not a regular file"));
}

namespace {

// A Keras 2 weights file for one Conv2D "conv1" (3x3, 2 -> 3 filters) whose kernel dataset is made by
// `make_kernel(group, name)`; the bias is an ordinary dataset.
template <typename MakeKernel>
void write_conv1_file(const std::string& path, MakeKernel make_kernel) {
    h5::Lock lock;
    h5::Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    REQUIRE(file.valid());
    h5::write_fixed_strings(file.get(), "layer_names", {"conv1"});
    h5::Id group(H5Gcreate2(file.get(), "conv1", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    h5::write_fixed_strings(group.get(), "weight_names", {"conv1/kernel:0", "conv1/bias:0"});
    const float bias[3] = {1, 2, 3};
    h5::write_float_array(group.get(), "conv1/bias:0", {3}, bias);
    make_kernel(group.get(), "conv1/kernel:0");
}

Graph conv1_graph() {
    Graph g;
    g.add("input", std::make_unique<InputLayer>(Shape::image(5, 5, 2)), {});
    Conv2DConfig c;
    c.filters = 3;
    c.kernel_size = 3;
    g.add("conv1", std::make_unique<Conv2D>(c), {"input"});
    g.build_weights();
    return g;
}

}  // namespace

TEST_CASE("HDF5 external links and external storage are refused, naming the layer", "[hostile][weights]") {
    TempDir dir;
    const std::string other = dir / "other.h5";
    write_conv1_file(other, [](hid_t group, const char* name) {
        const std::vector<float> k(54, 7.0f);
        h5::write_float_array(group, name, {3, 3, 2, 3}, k.data());
    });
    const std::string linked = dir / "linked.h5";
    write_conv1_file(linked, [&](hid_t group, const char* name) {
        // conv1/kernel:0 -> other.h5:/conv1/conv1/kernel:0 (the group "conv1" exists: the bias is in it)
        h5::Id sub(H5Gopen2(group, "conv1", H5P_DEFAULT), H5Gclose);
        (void)name;
        REQUIRE(H5Lcreate_external(other.c_str(), "/conv1/conv1/kernel:0", sub.get(), "kernel:0", H5P_DEFAULT,
                                   H5P_DEFAULT) >= 0);
    });
    Graph g = conv1_graph();
    CHECK_THROWS_WITH(load_keras_weights(g, linked),
                      Catch::Contains("layer \"conv1\"") && Catch::Contains("external link to another file"));
    CHECK(g.node(1).layer->weights()[0].values(0, 0, 0, 0) == 0.0f);  // nothing loaded from other.h5

    const std::string raw = dir / "raw.bin";
    dir.write("raw.bin", std::vector<std::uint8_t>(54 * 4, 0x40));
    const std::string external = dir / "external.h5";
    write_conv1_file(external, [&](hid_t group, const char* name) {
        h5::Id links(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
        H5Pset_create_intermediate_group(links.get(), 1);
        h5::Id create(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
        REQUIRE(H5Pset_external(create.get(), raw.c_str(), 0, 54 * 4) >= 0);
        const hsize_t dims[4] = {3, 3, 2, 3};
        h5::Id space(H5Screate_simple(4, dims, nullptr), H5Sclose);
        h5::Id set(H5Dcreate2(group, name, H5T_IEEE_F32LE, space.get(), links.get(), create.get(), H5P_DEFAULT),
                   H5Dclose);
        REQUIRE(set.valid());
    });
    CHECK_THROWS_WITH(load_keras_weights(g, external),
                      Catch::Contains("layer \"conv1\"") && Catch::Contains("external files (HDF5 external storage)"));
}

TEST_CASE("a weights file that is a FIFO is refused instead of blocking", "[hostile][weights]") {
    TempDir dir;
    const std::string fifo = dir / "w.h5";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    Graph g = conv1_graph();
    CHECK_THROWS_WITH(load_keras_weights(g, fifo), Catch::Contains("FIFO"));
}
