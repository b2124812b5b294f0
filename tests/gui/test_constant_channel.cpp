// A constant channel (a ReLU channel that never fires is all zeros) under per-channel normalisation: the
// feature-map grid paints it in the colour map's "nothing" colour (viridis' dark end, not the mid teal the
// middle of the map would give), reports it constant, and the panels name it "constant 0".

#include <catch2/catch.hpp>

#include "app/gui/feature_render.hpp"
#include "app/gui/ui_rules.hpp"

using namespace convscope;
using namespace convscope::gui;

TEST_CASE("an all-zero channel is painted dark and reported constant", "[gui][render]") {
    auto t = std::make_shared<Tensor3>(Tensor3::from_shape({6, 6, 3}));  // (H, W, C)
    for (std::size_t y = 0; y < 6; ++y)
        for (std::size_t x = 0; x < 6; ++x) {
            (*t)(y, x, 0) = float(x + y);  // a ramp
            (*t)(y, x, 1) = 0.0f;          // dead
            (*t)(y, x, 2) = 2.5f;          // constant, not zero
        }
    RenderRequest q;
    q.tensor = t;
    q.normalization = Normalization::per_channel;
    q.colormap = Colormap::viridis;
    q.selected_channel = 1;
    const RenderResult r = render_view(q);
    REQUIRE(r.channel_ranges.size() == 3);
    CHECK(r.channel_ranges[0].lo < r.channel_ranges[0].hi);
    CHECK(r.channel_ranges[1].lo == 0.0f);
    CHECK(r.channel_ranges[1].hi == 0.0f);
    CHECK(r.channel_ranges[2].lo == r.channel_ranges[2].hi);
    // ValueRange::constant() is the one test the painter, the grid's labels, the colour bar and Compare use.
    CHECK_FALSE(r.channel_ranges[0].constant());
    CHECK(r.channel_ranges[1].constant());
    CHECK(r.channel_ranges[2].constant());

    const Rgb8 dark = colormap_lookup(Colormap::viridis, 0.0f), teal = colormap_lookup(Colormap::viridis, 0.5f);
    for (int c : {1, 2}) {
        const Rect cell = r.layout.cell(c);
        const Rgba8 px = r.grid.pixel(cell.x + cell.w / 2, cell.y + cell.h / 2);
        CHECK(Rgb8{px.r, px.g, px.b} == dark);
        CHECK(Rgb8{px.r, px.g, px.b} != teal);
    }
    const Rgba8 e = r.enlarged.pixel(3, 3);  // the inspector's enlarged channel 1
    CHECK(Rgb8{e.r, e.g, e.b} == dark);

    CHECK(constant_label(0.0f) == "constant 0");
    CHECK(constant_description(0.0f).find("dead") != std::string::npos);
    CHECK(constant_description(2.5f).find("dead") == std::string::npos);
}
