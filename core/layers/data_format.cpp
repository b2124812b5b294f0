#include "core/layers/data_format.hpp"

#include "core/errors.hpp"

namespace convscope {

const char* to_string(DataFormat f) { return f == DataFormat::channels_first ? "channels_first" : "channels_last"; }

DataFormat parse_data_format(const std::string& s) {
    if (s == "channels_last") return DataFormat::channels_last;
    if (s == "channels_first") return DataFormat::channels_first;
    throw ConfigError("data_format=\"" + s + "\": Keras accepts only \"channels_last\" or \"channels_first\"");
}

std::string plain_shape(const Shape& s, DataFormat f) {
    if (f == DataFormat::channels_last || s.flat) return plain_shape(s);
    return "(" + std::to_string(s.c) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

std::string keras_shape(const Shape& s, DataFormat f) {
    if (f == DataFormat::channels_last || s.flat) return keras_shape(s);
    return "(None, " + std::to_string(s.c) + ", " + std::to_string(s.h) + ", " + std::to_string(s.w) + ")";
}

}  // namespace convscope
