#pragma once
// Keras' data_format: the order of a tensor's axes. convscope computes in channels_last (H, W, C) always;
// channels_first changes only how shapes are written: (batch, channels, rows, cols). The maps are the same.
//
//   keras_shape(s, format)   "(None, 64, 300, 300)" for channels_first, "(None, 300, 300, 64)" otherwise
//   plain_shape(s, format)   the same without the batch axis

#include <string>

#include "core/tensor.hpp"

namespace convscope {

enum class DataFormat { channels_last, channels_first };
const char* to_string(DataFormat f);                   // "channels_last" / "channels_first"
DataFormat parse_data_format(const std::string& s);    // throws ConfigError naming the value
std::string keras_shape(const Shape& s, DataFormat f);
std::string plain_shape(const Shape& s, DataFormat f);

}  // namespace convscope
