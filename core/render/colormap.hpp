#pragma once
// Colour maps: a value t in [0, 1] becomes an 8-bit RGB colour.
//
//   Colormap            gray, viridis, magma (perceptually uniform, dark to bright), diverging (blue-white-red)
//   to_string(c)        "gray", "viridis", "magma", "diverging"
//   parse_colormap(s)   the inverse (also "grey"); throws ConfigError listing the names
//   colormap_names()    every name, in menu order
//   colormap_lookup()   the colour of t; t outside [0, 1] is clamped, NaN gives the colour of 0
//   colormap_table()    the 256-entry table behind a map (entry i is t = i / 255), e.g. for a GL texture
//   flat_position()     where a constant map (its range lo == hi: a dead ReLU channel) is painted: the
//                       sequential maps' dark end, the diverging map's white middle. Its values have no
//                       position in their own range; the colour of "nothing" says so, where t = 0.5 would
//                       read as a mid-range value.
//
// viridis and magma are the maps Stéfan van der Walt and Nathaniel Smith published for matplotlib (CC0),
// tabulated here at 256 steps. diverging goes dark blue -> white at t = 0.5 -> dark red, so with symmetric
// normalisation (see normalize.hpp) a zero activation is white, negatives blue and positives red.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace convscope {

enum class Colormap { gray, viridis, magma, diverging };

struct Rgb8 {
    std::uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb8& o) const { return r == o.r && g == o.g && b == o.b; }
    bool operator!=(const Rgb8& o) const { return !(*this == o); }
};

const char* to_string(Colormap c);
Colormap parse_colormap(const std::string& name);
std::vector<std::string> colormap_names();

Rgb8 colormap_lookup(Colormap c, float t);
const std::array<Rgb8, 256>& colormap_table(Colormap c);
float flat_position(Colormap c);

}  // namespace convscope
