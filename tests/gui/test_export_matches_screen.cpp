// An exported grid PNG shows exactly the cells the feature-map panel showed: same size, same pixels, for
// shrunk maps (box average), enlarged maps, every normalisation, and values that are not finite.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "app/gui/feature_render.hpp"

using namespace convscope;
using namespace convscope::gui;

namespace {

Tensor3 odd_tensor(int h, int w, int c) {  // (H, W, C) with a NaN and an infinity
    Tensor3 t = Tensor3::from_shape({std::size_t(h), std::size_t(w), std::size_t(c)});
    std::mt19937 random(11);
    std::normal_distribution<float> n(0.0f, 3.0f);
    for (float& v : t) v = n(random);
    t(1, 2, 9) = NAN;
    t(4, 5, 10) = INFINITY;
    return t;
}

bool same_cell(const RgbaImage& a, const Rect& ra, const RgbaImage& b, const Rect& rb) {
    if (ra.w != rb.w || ra.h != rb.h) return false;
    for (int y = 0; y < ra.h; ++y)
        if (std::memcmp(a.at(ra.x, ra.y + y), b.at(rb.x, rb.y + y), std::size_t(ra.w) * 4) != 0) return false;
    return true;
}

}  // namespace

TEST_CASE("an exported grid has the on-screen grid's cells, pixel for pixel") {
    auto t = std::make_shared<const Tensor3>(odd_tensor(37, 53, 20));
    const int max_cell = GENERATE(24, 640);  // shrunk (box average) and enlarged
    const auto norm = GENERATE(Normalization::per_channel, Normalization::per_layer, Normalization::symmetric);
    RenderRequest request;
    request.tensor = t;
    request.normalization = norm;
    request.colormap = Colormap::magma;
    request.page = 1;  // channels 8..15
    request.per_page = 8;
    request.columns = 3;
    request.max_cell = max_cell;
    const RenderResult screen = render_view(request);
    REQUIRE(screen.error.empty());

    GridLayout exported_layout;
    const RgbaImage exported = render_grid(*t, export_grid_options(screen.grid_options), &exported_layout);
    CAPTURE(max_cell, int(norm));
    REQUIRE(exported_layout.count == 20);  // the export has every channel
    for (int i = 0; i < screen.layout.count; ++i) {
        const int channel = screen.layout.first_channel + i;
        CAPTURE(channel);
        CHECK(same_cell(screen.grid, screen.layout.cell(i), exported, exported_layout.cell(channel)));
    }
}
