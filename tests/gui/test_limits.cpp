// What the number fields say when a typed value is outside their range (app/gui/ui_rules.hpp limited_note):
// the field's name, the value typed, the allowed range and the value used, for the audit's three cases.

#include <catch2/catch.hpp>

#include "app/gui/ui_rules.hpp"

using namespace convscope::gui;

TEST_CASE("a typed value outside a field's range is named with the range and the value used", "[gui][limits]") {
    CHECK(limited_note("filters", 0, 1, 256) == "filters: 0 is outside the allowed 1 to 256, so 1 is used");
    CHECK(limited_note("kernel_size", 700, 1, 15) == "kernel_size: 700 is outside the allowed 1 to 15, so 15 is used");
    CHECK(limited_note("input size (H, W)", 100000, 1, 2048) ==
          "input size (H, W): 100000 is outside the allowed 1 to 2048, so 2048 is used");
}
